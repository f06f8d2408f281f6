"""An unexpected error in a command: one line on the terminal, and with COOPCIS_LOG_FILE
set, its traceback in the log."""

from __future__ import annotations

import pytest

from tests.integration.site.processes import clean_environment, coopcis, once

pytestmark = [pytest.mark.slow, once]


def test_a_command_error_leaves_its_traceback_in_the_log_file(tmp_path):
    log = tmp_path / "coopcis.log"
    env = clean_environment(tmp_path / "var", COOPCIS_LOG_FILE=str(log))

    result = coopcis(
        "shell", "--no-imports", "-c", "raise RuntimeError('boom')", env=env, cwd=tmp_path
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == ["coopcis: error: boom"]
    written = log.read_text()
    assert "ERROR coopcis.cli" in written and "Traceback (most recent call last)" in written
    assert written.rstrip().endswith("RuntimeError: boom")
