"""``coopcis collections``: the daily job and what staff record.

``run --as-of DATE [--dry-run | --workers] [--json]`` is the daily job (``--as-of`` may
not be after today: :mod:`coopcis.site.jobs`; ``--workers``:
:mod:`coopcis.apps.collections.distributed`); the other subcommands record a protection,
an agreement or a third party, create and complete field orders, and write a notice PDF.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from coopcis.apps.audit.context import current_actor
from coopcis.apps.billing.models import Bill
from coopcis.apps.collections import orders, services
from coopcis.apps.collections.distributed import run_collections_on_workers
from coopcis.apps.collections.models import CollectionCase, Notice, ServiceOrder
from coopcis.apps.collections.run import CASES_PER_TRANSACTION, RunReport, run_collections
from coopcis.apps.members.management.arguments import find_account
from coopcis.core.periods import CO_OP_TIME_ZONE
from coopcis.site.commands import CoopCommand, amount, day
from coopcis.site.jobs import (
    add_daily_job_options,
    add_date_option,
    dry_run,
    job_progress,
    refuse_dry_run_on_workers,
    write_json_report,
)


class Command(CoopCommand):
    help = "Collections for non-payment: the daily job, protections, agreements, field orders."
    read_only_actions = frozenset({"status", "notice-pdf"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser(
            "run",
            help="the daily job",
            description="The daily collections job: notices, protections and service orders "
            "due on --as-of. --as-of may not be after today (America/Denver): notices and "
            "orders for a day that has not come would act on arrears that do not exist yet.",
        )
        add_daily_job_options(run, "--as-of", help="the day the job runs for")
        run.add_argument(
            "--workers",
            action="store_true",
            help="work the open cases in batches on `coopcis worker` processes (PostgreSQL "
            "and COOPCIS_BROKER_URL) and follow them until done",
        )
        run.add_argument(
            "--batch-size",
            type=int,
            default=CASES_PER_TRANSACTION,
            help="open cases per batch with --workers",
        )
        status = sub.add_parser("status", help="an account's case, next step and notices")
        status.add_argument("account")
        cert = sub.add_parser("certificate", help="record a seriously-ill certificate (policy 422)")
        cert.add_argument("account")
        cert.add_argument("--bill", required=True, type=int)
        cert.add_argument("--received-on", required=True, type=day)
        cert.add_argument("--profession", required=True)
        cert.add_argument("--certifier", required=True)
        cert.add_argument("--license", required=True)
        cert.add_argument("--ill-person", required=True)
        cert.add_argument("--affidavit", action="store_true", help="financial inability affidavit")
        liheap = sub.add_parser("liheap", help="record LIHEAP qualification for a heating season")
        liheap.add_argument("account")
        liheap.add_argument("--qualified-on", required=True, type=day)
        liheap.add_argument("--reference", default="")
        agree = sub.add_parser("agreement", help="make an installment or settlement agreement")
        agree.add_argument("account")
        agree.add_argument("--kind", default="INSTALLMENT")
        agree.add_argument("--made-on", required=True, type=day)
        agree.add_argument(
            "--total", type=amount, help="optional check: the account's past-due amount"
        )
        agree.add_argument("--down", default="0", type=amount)
        agree.add_argument("--installments", required=True, type=int)
        agree.add_argument("--first-due", required=True, type=day)
        agree.add_argument("--every-days", default=30, type=int)
        dispute = sub.add_parser("dispute", help="open a dispute (policy 409)")
        dispute.add_argument("account")
        dispute.add_argument("--amount", required=True, type=amount)
        dispute.add_argument("--opened-on", required=True, type=day)
        dispute.add_argument("--description", required=True)
        dispute.add_argument("--bill", type=int)
        hold = sub.add_parser("hold", help="place a co-op hold on collection")
        hold.add_argument("account")
        hold.add_argument("--reason", required=True)
        hold.add_argument("--on", required=True, type=day)
        hold.add_argument("--until", type=day)
        third = sub.add_parser("third-party", help="name a third party for notices")
        third.add_argument("account")
        third.add_argument("--name", required=True)
        third.add_argument("--address", required=True, help="lines separated by ';'")
        third.add_argument("--phone", default="")
        third.add_argument("--email", default="", help="copies by email as well as by post")
        third.add_argument("--on", required=True, type=day)
        order = sub.add_parser("order", help="create a field order")
        order.add_argument("account")
        order.add_argument("--kind", required=True)
        order.add_argument("--reason", required=True)
        order.add_argument("--on", required=True, type=day)
        order.add_argument("--at", help="local time HH:MM (after hours carries that fee)")
        complete = sub.add_parser("complete", help="the field completed an order")
        complete.add_argument("order", type=int)
        add_date_option(complete, "--on", help="the day the field completed it")
        complete.add_argument(
            "--no-fee", action="store_true", help="meter accurate/fault not the member's"
        )
        pdf = sub.add_parser("notice-pdf", help="write a notice's PDF")
        pdf.add_argument("notice", type=int)
        pdf.add_argument("--out", required=True)

    def run(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"].replace("-", "_"))(options)

    def _run(self, options: dict[str, Any]) -> None:
        if options["workers"]:
            report = self._run_on_workers(options)
        else:
            with dry_run(options["dry_run"]):
                report = run_collections(as_of=options["as_of"])
        data = report.as_json()
        if write_json_report(self.stdout.write, data, options):
            return
        self.stdout.write(f"Collections as of {data['as_of']}")
        for name, count in data["counts"].items():  # type: ignore[attr-defined]
            if count:
                amounts = data["amounts"].get(name, {})  # type: ignore[attr-defined]
                accounts = ", ".join(
                    f"{number} (${amounts[number]})" if number in amounts else number
                    for number in data["accounts"][name]  # type: ignore[index]
                )
                self.stdout.write(f"  {name:<20} {count:>5}  {accounts}")
        for number, found in data["protections"].items():  # type: ignore[attr-defined]
            for protection in found:
                self.stdout.write(
                    f"  protected {number}: {protection['code']} - {protection['detail']}"
                )

    def _run_on_workers(self, options: dict[str, Any]) -> RunReport:
        refuse_dry_run_on_workers(options)
        with job_progress("collections", unit="case") as bar:
            return run_collections_on_workers(
                as_of=options["as_of"],
                batch_size=options["batch_size"],
                operator=current_actor().label,
                progress=bar.update,
                total=bar.total,
            )

    def _status(self, options: dict[str, Any]) -> None:
        found = find_account(options["account"])
        case = CollectionCase.objects.filter(account=found).order_by("-id").first()
        if case is None:
            self.stdout.write(f"{found.number}: no collection case")
            return
        self.stdout.write(
            f"{found.number}: {case.get_stage_display()}; past due ${case.past_due_amount}; "
            f"disconnect on {case.disconnect_on or '-'}; next {case.next_step or '-'} "
            f"{case.next_step_on or ''}"
        )
        for protection in case.protected_by:
            self.stdout.write(f"  protected: {protection['code']} - {protection['detail']}")
        for notice in case.notices.order_by("sent_on", "id"):
            self.stdout.write(
                f"  notice {notice.pk} {notice.get_kind_display()} {notice.sent_on} "
                f"${notice.amount} to {notice.recipient}"
            )

    def _certificate(self, options: dict[str, Any]) -> None:
        member = find_account(options["account"])
        made = services.record_certificate(
            account=member,
            bill=Bill.objects.get(pk=options["bill"]),
            received_on=options["received_on"],
            profession=options["profession"].upper(),
            certifier_name=options["certifier"],
            license_number=options["license"],
            ill_person=options["ill_person"],
            affidavit_of_inability=options["affidavit"],
        )
        self.stdout.write(f"certificate {made.pk} recorded for bill {made.bill_id}")

    def _liheap(self, options: dict[str, Any]) -> None:
        made = services.record_liheap(
            account=find_account(options["account"]),
            qualified_on=options["qualified_on"],
            reference=options["reference"],
        )
        self.stdout.write(f"LIHEAP qualified for the season from {made.season_start}")

    def _agreement(self, options: dict[str, Any]) -> None:
        made = services.make_agreement(
            account=find_account(options["account"]),
            kind=options["kind"].upper(),
            made_on=options["made_on"],
            total_amount=options.get("total"),
            down_payment_amount=options["down"],
            installments=options["installments"],
            first_due_on=options["first_due"],
            every_days=options["every_days"],
        )
        self.stdout.write(f"agreement {made.pk}: {made.terms}")

    def _dispute(self, options: dict[str, Any]) -> None:
        bill = Bill.objects.get(pk=options["bill"]) if options.get("bill") else None
        made = services.open_dispute(
            account=find_account(options["account"]),
            amount=options["amount"],
            opened_on=options["opened_on"],
            description=options["description"],
            bill=bill,
        )
        self.stdout.write(f"dispute {made.pk} under investigation")

    def _hold(self, options: dict[str, Any]) -> None:
        made = services.place_hold(
            account=find_account(options["account"]),
            reason=options["reason"],
            on=options["on"],
            until=options.get("until"),
        )
        self.stdout.write(f"hold {made.pk} placed")

    def _third_party(self, options: dict[str, Any]) -> None:
        made = services.name_third_party(
            account=find_account(options["account"]),
            name=options["name"],
            mailing_address="\n".join(part.strip() for part in options["address"].split(";")),
            named_on=options["on"],
            phone=options["phone"],
            email=options["email"],
        )
        self.stdout.write(f"third party {made.name} named")

    def _order(self, options: dict[str, Any]) -> None:
        at = None
        if options.get("at"):
            at = datetime.combine(
                options["on"],
                datetime.strptime(options["at"], "%H:%M").time(),
                tzinfo=CO_OP_TIME_ZONE,
            )
        made = orders.create_order(
            account=find_account(options["account"]),
            kind=options["kind"].upper(),
            reason=options["reason"].upper(),
            on=options["on"],
            at=at,
        )
        fee = f"{made.fee_code} ${made.fee_amount}" if made.fee_code else "no fee"
        self.stdout.write(
            f"order {made.pk} {made.kind} on {made.scheduled_on} {made.window} ({fee})"
        )

    def _complete(self, options: dict[str, Any]) -> None:
        done = orders.complete_order(
            ServiceOrder.objects.get(pk=options["order"]),
            on=options["on"],
            fee_applies=not options["no_fee"],
        )
        extra = done.cancel_reason or done.note
        extra = f": {extra}" if extra else ""
        self.stdout.write(f"order {done.pk} {done.get_status_display().lower()}{extra}")

    def _notice_pdf(self, options: dict[str, Any]) -> None:
        notice = Notice.objects.get(pk=options["notice"])
        Path(options["out"]).write_bytes(bytes(notice.pdf))
        self.stdout.write(f"wrote {options['out']}")
