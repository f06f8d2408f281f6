"""The import-linter layers contract keeps the Django apps free of import circles, and it
can fail: an app that imports one above it (here payments importing collections, the
circle that posting a payment once made) breaks it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACT = "The Django apps form layers"


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(cwd / "src"), "PATH": "/usr/bin:/bin"},
    )


def _tree(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")
def test_the_apps_contract_holds_on_the_real_tree():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{CONTRACT}" in result.stdout
    line = next(line for line in result.stdout.splitlines() if line.startswith(CONTRACT))
    assert line.endswith("KEPT")


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")
def test_the_contract_breaks_when_payments_imports_collections_again(tmp_path):
    tree = _tree(tmp_path)
    offender = tree / "src" / "coopcis" / "apps" / "payments" / "sneaky.py"
    offender.write_text("from coopcis.apps.collections.orders import reconnect_if_paid  # noqa\n")
    result = _lint(tree)
    assert result.returncode != 0
    line = next(line for line in result.stdout.splitlines() if line.startswith(CONTRACT))
    assert line.endswith("BROKEN")
    text = result.stdout.replace("\n", " ")
    assert "coopcis.apps.payments.sneaky -> coopcis.apps.collections.orders" in text


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")
def test_the_contract_breaks_when_members_imports_premises_again(tmp_path):
    tree = _tree(tmp_path)
    offender = tree / "src" / "coopcis" / "apps" / "members" / "sneaky.py"
    offender.write_text(
        "def f():\n    from coopcis.apps.premises.services import start_agreement  # noqa\n"
    )
    result = _lint(tree)
    assert result.returncode != 0
    assert "coopcis.apps.members.sneaky -> coopcis.apps.premises.services" in result.stdout.replace(
        "\n", " "
    )
