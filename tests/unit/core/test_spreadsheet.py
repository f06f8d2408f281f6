import io

import pytest

from coopcis.core import spreadsheet


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://example.com","Pay")', '\'=HYPERLINK("http://example.com","Pay")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-10.00", "-10.00"),
        ("+5", "+5"),
        ("María Pérez-Luna", "María Pérez-Luna"),
        ("", ""),
        (7, 7),
    ],
)
def test_a_cell_that_could_start_a_formula_is_written_as_text(value, written):
    assert spreadsheet.cell(value) == written


def test_the_writer_guards_every_cell_and_keeps_numbers():
    out = io.StringIO()
    writer = spreadsheet.writer(out, lineterminator="\n")
    writer.writerow(["name", "amount"])
    writer.writerows([["=1+1", "-12.50"], ["Ana Baca", 3]])
    assert out.getvalue() == "name,amount\n'=1+1,-12.50\nAna Baca,3\n"
