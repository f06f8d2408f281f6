"""Every NACHA file the tests make is checked by an independent validator, achlens."""

from __future__ import annotations

from achlens.core import validate


def assert_achlens_valid(text: str) -> None:
    """No error and no warning from achlens (informational findings are allowed)."""
    report = validate(text)
    problems = [
        f"{f.rule_id} {f.severity} line {f.line_number} {f.field}: {f.message}"
        f" (expected {f.expected}, found {f.actual})"
        for f in report.findings
        if f.severity in ("error", "warning")
    ]
    assert report.valid and not problems, "\n".join(problems)
