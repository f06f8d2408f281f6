"""Refresh the Spanish catalogue and compile it: ``python3 scripts/messages.py``.

1. ``makemessages`` (needs GNU gettext's xgettext, on a developer's machine) gathers every
   string marked for translation under ``src/coopcis`` into
   ``src/coopcis/locale/es/LC_MESSAGES/django.po``, keeping the translations there.
   ``--compile-only`` skips it.
2. The ``.po`` is compiled to ``django.mo`` with polib (pure Python, so a machine without
   gettext compiles too). Commit both: ``tests/integration/i18n/test_catalogue.py``
   fails when the ``.mo`` does not match the ``.po``, or a string is untranslated or fuzzy.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "coopcis"
CATALOGUE = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.po"


def make_messages() -> None:
    coopcis = ROOT / ".venv" / "bin" / "coopcis"
    command = [
        str(coopcis),
        "makemessages",
        "--locale",
        "es",
        "--add-location",
        "file",
        "--no-obsolete",
        "--extension",
        "html,txt,py",
    ]
    environment = {**os.environ, "COOPCIS_VAR_DIR": os.environ.get("COOPCIS_VAR_DIR", "/tmp")}
    subprocess.run(command, cwd=PACKAGE, check=True, env=environment)


def compile_catalogue(po_path: Path = CATALOGUE) -> Path:
    """Write ``django.mo`` beside ``po_path``; its path."""
    import polib

    catalogue = polib.pofile(str(po_path))
    mo_path = po_path.with_suffix(".mo")
    catalogue.save_as_mofile(str(mo_path))
    return mo_path


def main(argv: list[str]) -> int:
    if "--compile-only" not in argv:
        make_messages()
    print(compile_catalogue())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
