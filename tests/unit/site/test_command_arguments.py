"""`coopcis serve`, `backup` and `restore` refuse bad arguments in one line, exit 2,
before anything starts."""

from __future__ import annotations

import pytest

from coopcis.commands.backup import backup_main, restore_main
from coopcis.commands.serve import main as serve_main


@pytest.mark.parametrize(
    ("command", "argv", "message"),
    [
        (
            serve_main,
            ["--workers", "0"],
            "coopcis serve: error: --workers and --threads must be at least 1",
        ),
        (
            serve_main,
            ["--port", "70000"],
            "coopcis serve: error: --port must be 1-65535, not 70000",
        ),
        (backup_main, [], "coopcis backup: error: the following arguments are required: --out"),
        (restore_main, ["/no/such/file"], "coopcis restore: error: no backup file /no/such/file"),
    ],
)
def test_bad_arguments_end_in_one_line(capsys, command, argv, message):
    with pytest.raises(SystemExit) as exited:
        command(argv)

    assert exited.value.code == 2
    assert capsys.readouterr().err == message + "\n"
