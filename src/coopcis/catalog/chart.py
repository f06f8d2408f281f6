"""Loads the chart of accounts data file (``catalog/chart/rus.toml``)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from coopcis.core.ledger.chart import Chart, parse_chart

CHART_FILE = Path(__file__).with_name("chart") / "rus.toml"


@cache
def load_chart() -> Chart:
    return parse_chart(tomllib.loads(CHART_FILE.read_text(encoding="utf-8")))
