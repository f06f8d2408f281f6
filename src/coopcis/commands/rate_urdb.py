"""``coopcis rate import-urdb FILE.json [--code CODE] [--effective DATE] [--out FILE]``.

Converts one OpenEI Utility Rate Database rate (a rate object, or the API's
``{"items": [rate]}``) into a catalog TOML file, printed or written to ``--out``.
The JSON is parsed with ``parse_float=Decimal``: no rate passes through binary
floating point. Refusals (seasons, tiered TOU, $/day charges...) are one line on
stderr naming the URDB field, exit 2.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

from coopcis.core.rating.errors import TariffError
from coopcis.core.rating.urdb import UrdbError, convert_urdb

PROG = "coopcis rate import-urdb"
EXIT_USAGE = 2
BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
#: Arrays of tables the catalog writes inline (``rates = [{...}, ...]``).
INLINE_ARRAYS = ("blocks", "rates")


class InputError(Exception):
    """Bad options or file: one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise InputError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Convert a URDB rate into a catalog TOML file.")
    parser.add_argument("file", type=Path, help="URDB rate JSON")
    parser.add_argument("--code", help="catalog code (default: from the rate's name)")
    parser.add_argument("--effective", type=date.fromisoformat, help="effective date")
    parser.add_argument("--out", type=Path, help="write here instead of stdout")
    return parser


def main(argv: list[str]) -> int:
    """Convert and print (or write) the TOML; returns the exit code."""
    try:
        args = _parser().parse_args(argv)
        rate = _load(args.file)
        code = args.code or _slug(str(rate.get("name") or rate.get("label") or "urdb-rate"))
        mapping = convert_urdb(rate, code=code, effective_date=args.effective)
        text = to_toml(mapping)
        if args.out:
            args.out.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    except SystemExit as exit_:  # --help
        return exit_.code if isinstance(exit_.code, int) else 0
    except InputError as error:
        return _fail(str(error))
    except (UrdbError, TariffError, OSError, ValueError) as error:
        return _fail(f"{PROG}: {error}")
    return 0


def _fail(message: str) -> int:
    print(" ".join(message.split()), file=sys.stderr)
    return EXIT_USAGE


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise InputError(f"{PROG}: {path}: not JSON: {error}") from None
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        if len(data["items"]) != 1:
            raise InputError(f"{PROG}: {path}: items holds {len(data['items'])} rates; give one")
        data = data["items"][0]
    if not isinstance(data, dict):
        raise InputError(f"{PROG}: {path}: expected a URDB rate object")
    return data


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words) or "urdb-rate"


# --- a small TOML writer for the catalog's shapes ----------------------------------


def _key(name: str) -> str:
    return name if BARE_KEY.match(name) else json.dumps(name)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _is_table_array(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def to_toml(mapping: dict[str, Any], prefix: str = "") -> str:
    """TOML text: plain keys first, then tables, then arrays of tables."""
    lines = []
    for key, value in mapping.items():
        if not isinstance(value, dict) and not (
            _is_table_array(value) and key not in INLINE_ARRAYS
        ):
            if _is_table_array(value):
                items = ",\n".join(f"  {_value(item)}" for item in value)
                lines.append(f"{_key(key)} = [\n{items},\n]")
            else:
                lines.append(f"{_key(key)} = {_value(value)}")
    text = "\n".join(lines) + ("\n" if lines else "")
    for key, value in mapping.items():
        name = f"{prefix}{_key(key)}"
        if isinstance(value, dict):
            text += f"\n[{name}]\n" + to_toml(value, f"{name}.")
        elif _is_table_array(value) and key not in INLINE_ARRAYS:
            for item in value:
                text += f"\n[[{name}]]\n" + to_toml(item, f"{name}.")
    return text
