"""Production mode (COOPCIS_ENV=production): refuses to start without its secrets, and
passes Django's deployment checks without a single warning."""

from __future__ import annotations

import pytest

from tests.integration.site.processes import clean_environment, coopcis, once, production_secrets

pytestmark = [pytest.mark.slow, once]


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    env = clean_environment(tmp_path / "var", COOPCIS_ENV="production", **production_secrets())

    result = coopcis("check", "--deploy", "--fail-level", "WARNING", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced).", result
    assert result.stderr == ""


def test_check_deploy_warns_in_development_mode(tmp_path):
    """The same check fails outside production mode: the test above can fail."""
    env = clean_environment(tmp_path / "var")

    result = coopcis("check", "--deploy", "--fail-level", "WARNING", env=env, cwd=tmp_path)

    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout


def test_production_mode_without_secrets_names_each_and_starts_nothing(tmp_path):
    env = clean_environment(tmp_path / "var", COOPCIS_ENV="production")

    result = coopcis("migrate", env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    named = [line.split()[0] for line in result.stderr.splitlines() if " is not set " in line]
    assert named == ["COOPCIS_SECRET_KEY", "COOPCIS_GATEWAY_SECRET", "COOPCIS_FIELD_KEY"]
    assert not (tmp_path / "var" / "coopcis.sqlite3").exists()


def test_production_mode_refuses_debug(tmp_path):
    env = clean_environment(
        tmp_path / "var", COOPCIS_ENV="production", COOPCIS_DEBUG="1", **production_secrets()
    )

    result = coopcis("check", env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert "COOPCIS_DEBUG=1 shows tracebacks to anyone: not in production" in result.stderr
