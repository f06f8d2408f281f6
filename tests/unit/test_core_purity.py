"""The import-linter contract keeps coopcis.core free of Django, and it can fail."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(cwd / "src"), "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")
def test_contract_holds_on_the_real_tree():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


@pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")
def test_contract_breaks_when_core_imports_django(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    offender = tmp_path / "src" / "coopcis" / "core" / "sneaky.py"
    offender.write_text("from django.db import models  # noqa\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "coopcis.core.sneaky -> django" in result.stdout.replace("\n", " ")
