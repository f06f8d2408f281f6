"""``coopcis outages import|indices|notify|predict|network``: interruption history and
IEEE 1366 reliability, members told, outages predicted in the background, the network."""

from __future__ import annotations

import csv
import json
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.core.management.base import CommandError, CommandParser

from coopcis.apps.audit.context import acting_as
from coopcis.apps.outages import network, predictor, services
from coopcis.core.outages.history import HistoryFileError
from coopcis.core.outages.network import NetworkFileError
from coopcis.site.commands import CoopCommand

#: Bad rows named in the one error line; the count of the rest follows.
SHOWN_PROBLEMS = 5

Imported = TypeVar("Imported")


def import_file(
    path: Path,
    load: Callable[[Path], Imported],
    refused: type[HistoryFileError] | type[NetworkFileError],
) -> Imported:
    """What ``load`` imported from ``path``; or, when the file is missing or ``load`` refuses
    it as a whole, one line naming the file and its first bad rows (the count of the rest)."""
    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    try:
        return load(path)
    except refused as error:
        shown = "; ".join(error.problems[:SHOWN_PROBLEMS])
        more = len(error.problems) - SHOWN_PROBLEMS
        raise CommandError(
            f"{path.name}: nothing imported: {shown}" + (f" (and {more} more)" if more > 0 else "")
        ) from None


def _positive(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) == 0:
        raise ValueError(text)
    return int(text)


class Command(CoopCommand):
    help = (
        "Outage history and reliability. import: a CSV of interruptions from the previous "
        "outage system (columns start, end, customers_interrupted, cause, device), all or "
        "nothing. indices: SAIFI, SAIDI, CAIDI, MAIFI and the rest by IEEE 1366, with the "
        "year's Major Event Days (2.5-beta method) and the indices without them; --report "
        "writes RUS Form 7's service interruption section or EIA-861's reliability items."
    )

    read_only_actions = frozenset({"indices"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="interruption history from a CSV file")
        load.add_argument("file")
        indices = sub.add_parser("indices", help="a year's IEEE 1366 indices")
        indices.add_argument("--year", type=int, required=True)
        indices.add_argument(
            "--customers-served",
            type=_positive,
            help="customers served, for history from before the co-op's data",
        )
        indices.add_argument("--json", action="store_true")
        indices.add_argument("--report", choices=["rus7", "eia861"])
        indices.add_argument("--out", help="CSV file for --report ('-' for stdout)")
        sub.add_parser("notify", help="tell members of newly detected outages (a job)")
        predict = sub.add_parser(
            "predict",
            help="roll new reports up to outages (coopcis serve runs it with --follow)",
        )
        predict.add_argument(
            "--follow", action="store_true", help="keep running: a pass whenever reports arrive"
        )
        predict.add_argument(
            "--interval",
            type=float,
            default=predictor.INTERVAL_SECONDS,
            help=f"seconds between looks for new reports (default {predictor.INTERVAL_SECONDS})",
        )
        predict.add_argument(
            "--parent-pid", type=int, help="stop when this process (the web server) is gone"
        )
        network = sub.add_parser("network", help="the distribution network from the GIS")
        net_sub = network.add_subparsers(dest="network_action", required=True)
        net_load = net_sub.add_parser("import", help="a GIS export (CSV), replacing the network")
        net_load.add_argument("file")
        trace = net_sub.add_parser("trace", help="upstream and downstream of a device")
        trace.add_argument("code", help="a device's or a service point's code")
        trace.add_argument("--json", action="store_true")

    def changes_data(self, options: dict[str, Any]) -> bool:
        if options.get("action") == "network" and options.get("network_action") == "trace":
            return False
        if options.get("action") == "predict":
            # predictions are derived from the reports, as a cache is: the machine's own
            # job, run by `coopcis serve`, with no staff sign-in behind it
            return False
        return super().changes_data(options)

    def run(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(Path(options["file"]))
        elif options["action"] == "notify":
            from django.utils import timezone

            from coopcis.apps.outages.informing import tell_detected

            told = tell_detected(now=timezone.now())
            self.stdout.write(f"outage notices recorded: {told}")
        elif options["action"] == "predict":
            self._predict(options)
        elif options["action"] == "network":
            if options["network_action"] == "import":
                self._network_import(Path(options["file"]))
            else:
                self._trace(options["code"], as_json=options["json"])
        else:
            self._indices(options)

    def _predict(self, options: dict[str, Any]) -> None:
        if options["interval"] <= 0 or options["interval"] > 60:
            raise CommandError(
                f"--interval must be over 0 and at most 60, not {options['interval']}"
            )
        with acting_as(user=None, label="outage prediction"):
            if not options["follow"]:
                result = predictor.run_pass(force=True)
                self.stdout.write(
                    f"prediction pass: {result.outages_touched} outages changed "
                    f"in {result.duration_ms} ms"
                )
                return
            stop = threading.Event()
            for number in (signal.SIGTERM, signal.SIGINT):
                signal.signal(number, lambda *_: stop.set())
            self.stdout.write(
                f"outage prediction: a pass every {options['interval']:g} s when reports "
                "arrive (Ctrl-C stops)"
            )
            self.stdout.flush()
            passes = predictor.follow(
                stop=stop, interval=options["interval"], parent_pid=options["parent_pid"]
            )
            self.stdout.write(f"outage prediction stopped after {passes} passes")

    def _import(self, path: Path) -> None:
        result = import_file(path, services.import_history, HistoryFileError)
        self.stdout.write(
            f"imported {result.rows:,} interruptions from {path.name} "
            f"({result.first_start:%Y-%m-%d} to {result.latest_start:%Y-%m-%d})"
        )

    def _network_import(self, path: Path) -> None:
        result = import_file(path, network.import_network, NetworkFileError)
        kinds = ", ".join(f"{n:,} {kind}" for kind, n in sorted(result.by_kind.items()))
        self.stdout.write(
            f"network from {path.name}: {result.devices:,} devices ({kinds}); "
            f"{result.service_points:,} service points under a transformer"
        )
        if result.orphans:
            shown = ", ".join(result.orphans[:SHOWN_PROBLEMS])
            self.stdout.write(
                f"{len(result.orphans):,} service points name a transformer not in the "
                f"network: {shown}" + (" ..." if len(result.orphans) > SHOWN_PROBLEMS else "")
            )

    def _trace(self, code: str, *, as_json: bool) -> None:
        tree = network.current_network()
        if code not in tree:
            raise CommandError(f"no device or service point {code} in the network")
        figures = {
            "code": code,
            "kind": tree.kind(code),
            "upstream": tree.upstream(code)[1:],
            "service_points_downstream": tree.service_point_count(code),
            "devices_downstream": [
                c for c in tree.downstream(code)[1:] if tree.kind(c) != "service_point"
            ],
        }
        if as_json:
            self.stdout.write(json.dumps(figures, indent=2))
            return
        self.stdout.write(
            f"{code} ({figures['kind']})\n"
            f"  upstream: {' > '.join(figures['upstream']) or 'none (a source)'}\n"
            f"  downstream: {len(figures['devices_downstream']):,} devices, "
            f"{figures['service_points_downstream']:,} service points"
        )

    def _indices(self, options: dict[str, Any]) -> None:
        year, served = options["year"], options["customers_served"]
        if options["report"]:
            maker = services.rus7_rows if options["report"] == "rus7" else services.eia861_rows
            rows = maker(year, customers_served_override=served)
            out = options["out"] or "-"
            if out == "-":
                csv.writer(sys.stdout).writerows(rows)
            else:
                with open(out, "w", newline="", encoding="utf-8") as handle:
                    csv.writer(handle).writerows(rows)
                self.stdout.write(f"wrote {options['report']} report for {year} to {out}")
            return
        figures = services.year_indices(year, customers_served_override=served)
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2))
            return
        without = figures["excluding_med"]
        self.stdout.write(
            f"{year}: {figures['customers_served']:,} customers served\n"
            f"  SAIFI {figures['saifi']}  SAIDI {figures['saidi']} min  CAIDI {figures['caidi']} min"
            f"  MAIFI {figures['maifi']}  MAIFI_E {figures['maifi_e']}\n"
            f"  T_MED {figures['t_med']} min; Major Event Days: "
            f"{', '.join(figures['major_event_days']) or 'none'}\n"
            f"  without them: SAIFI {without['saifi']}  SAIDI {without['saidi']} min"
            f"  CAIDI {without['caidi']} min"
        )
