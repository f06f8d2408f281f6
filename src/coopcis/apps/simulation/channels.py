"""Steps that move money: payments from every channel, twice and retried; bank drafts and
their returns, some files sent again."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.members.models import Account
from coopcis.apps.payments.ach.drafts import fed_holidays, make_draft_file
from coopcis.apps.payments.ach.models import AchDraftEntry
from coopcis.apps.payments.ach.returns import import_returns
from coopcis.apps.payments.gateway.simulator import SimulatorGateway
from coopcis.apps.payments.lockbox.importing import import_lockbox_file
from coopcis.apps.payments.models import BatchStatus as CashierStatus
from coopcis.apps.payments.models import CashierBatch, ChannelApiKey, PaymentStatus
from coopcis.apps.payments.online import pay_online
from coopcis.apps.payments.services import batch_totals, close_batch, open_batch, receive_payment
from coopcis.apps.payments.submissions import Submission, submit_payment
from coopcis.apps.simulation.invariants import Expected
from coopcis.apps.simulation.model import END, ODFI_ROUTING, START, Member
from coopcis.core.billing.scan_line import make_scan_line
from coopcis.core.money import Money
from coopcis.core.payments import nacha
from coopcis.core.periods import CO_OP_TIME_ZONE

#: The processor's answers: approved, approved but the answer lost, declined.
CARD_TOKENS = ("tok_approve", "tok_timeout", "tok_decline_insufficient")


class ChannelSteps:
    """The money steps of :class:`coopcis.apps.simulation.world.World`."""

    chooser: random.Random
    expected: Expected
    today: date
    members: list[Member]
    marks: int
    gateway: SimulatorGateway
    kiosk: ChannelApiKey
    return_files: list[str]

    def next_mark(self) -> str:
        self.marks += 1
        return f"sim-{self.marks}"

    def plan_payment(self) -> Callable[[], str] | None:
        # members on bank draft pay by it; those who never pay sometimes do
        payers = [
            m
            for m in self.members
            if not m.drafted and (m.habit != "never" or self.chooser.random() < 0.1)
        ]
        if not payers:
            return None
        member = self.chooser.choice(payers)
        owed = self.owed(member)
        if owed <= 0 and self.chooser.random() < 0.8:
            return None
        share = self.chooser.choice([Decimal("1"), Decimal("1"), Decimal("0.5"), Decimal("1.2")])
        amount = max(Decimal("5.00"), (owed * share).quantize(Decimal("0.01")))
        channel = self.chooser.choice(["office", "counter", "api", "api card", "portal", "lockbox"])
        mark = self.next_mark()
        twice = self.chooser.random() < 0.4
        token = self.chooser.choices(CARD_TOKENS, weights=[6, 2, 1])[0]
        return self.pay(member, channel, amount, mark, twice, token)

    def owed(self, member: Member) -> Decimal:
        latest = (
            Bill.objects.filter(account_id=member.account_id, status=BillStatus.POSTED)
            .order_by("-bill_date", "-id")
            .first()
        )
        return latest.amount_due_amount if latest is not None else Decimal(0)

    def pay(
        self, member: Member, channel: str, amount: Decimal, mark: str, twice: bool, token: str
    ) -> Callable[[], str]:
        account = Account.objects.get(pk=member.account_id)
        now = datetime.combine(self.today, time(12), tzinfo=CO_OP_TIME_ZONE)

        def once() -> bool:
            if channel == "counter":
                return self.at_the_counter(account, amount, mark)
            if channel == "office":
                receive_payment(
                    account=account, amount=amount, channel="OFFICE", tender="CHECK",
                    received_on=self.today, reference=mark, idempotency_key=f"office:{mark}",
                )  # fmt: skip
                return True
            if channel in ("api", "api card"):
                answer = submit_payment(
                    api_key=self.kiosk, idempotency_key=mark,
                    submission=Submission(account.number, amount, "CASH" if channel == "api" else "CARD", mark, "" if channel == "api" else token),
                    received_on=self.today, now=now, gateway=self.gateway,
                )  # fmt: skip
                return answer.status in (200, 201)
            if channel == "portal":
                outcome = pay_online(
                    account=account, amount=amount, tender="CARD", token=token,
                    idempotency_key=mark, received_on=self.today, now=now, gateway=self.gateway,
                )  # fmt: skip
                return outcome.approved
            bill = (
                Bill.objects.filter(account=account, status=BillStatus.POSTED)
                .order_by("-bill_date", "-id")
                .first()
            )
            if bill is None:
                return False
            scan = make_scan_line(
                account_number=account.number,
                bill_number=bill.number,
                amount_due=Money(bill.total_amount),
            )
            text = (
                "deposit_date,batch,item,scan_line,amount,check_number,payer_name\n"
                f"{self.today},{mark.removeprefix('sim-')},1,{scan},{amount:.2f},{mark},SIM\n"
                f"TOTAL,1,{amount:.2f}\n"
            )
            import_lockbox_file(content=text.encode(), name=f"lockbox-{mark}.csv", today=self.today)
            if twice:  # the bank sends the file again, with other bytes
                import_lockbox_file(
                    content=text.replace("\n", "\r\n").encode(),
                    name=f"lockbox-{mark}-again.csv",
                    today=self.today,
                )
            return True  # the bank deposited the check, whichever import recorded it

        def act() -> str:
            taken = once()
            if not taken and token == "tok_timeout":
                taken = once()  # the answer was lost: the retry with the same key learns it
            if twice and channel != "lockbox":
                taken = once() or taken  # a double click, a retry after a lost answer
            if taken:
                self.expected.payments[mark] = amount
            how = f"{channel} {token}" if channel in ("api card", "portal") else channel
            answer = "" if taken else ", not taken"
            return f"{mark} {how} ${amount} for {member.number}{answer}" + (
                " (twice)" if twice else ""
            )

        return act

    def at_the_counter(self, account: Account, amount: Decimal, mark: str) -> bool:
        """A check at the counter: into the day's drawer, posted when the drawer closes."""
        drawer = f"counter {self.today}"
        batch = CashierBatch.objects.filter(drawer=drawer, status=CashierStatus.OPEN).first()
        batch = batch or open_batch(drawer=drawer, opened_on=self.today)
        receive_payment(
            account=account, amount=amount, channel="OFFICE", tender="CHECK",
            received_on=self.today, reference=mark, idempotency_key=f"counter:{mark}",
            cashier_batch=batch,
        )  # fmt: skip
        close_batch(
            batch=batch, counted_cash=Decimal(0), counted_checks=batch_totals(batch).checks,
            counted_cards=Decimal(0),
        )  # fmt: skip
        return True

    def plan_draft(self) -> Callable[[], str] | None:
        days = [d for d in self._draft_days() if d <= self.today]
        if not days:
            return None
        draft_on = days[-1] if self.chooser.random() < 0.8 else self.chooser.choice(days)

        def act() -> str:
            run = make_draft_file(
                draft_on=draft_on,
                created_at=datetime.combine(draft_on, time(6), tzinfo=CO_OP_TIME_ZONE),
                holidays=fed_holidays(draft_on.year),
            )
            return f"bank draft {draft_on}: {run.debits} debits, ${run.total.amount}"

        return act

    def _draft_days(self) -> list[date]:
        found, day = [], START
        while day <= END:
            if day.day in (3, 25):
                found.append(day)
            day += timedelta(days=1)
        return found

    def plan_return(self) -> Callable[[], str] | None:
        drafted = list(
            AchDraftEntry.objects.filter(
                prenote=False, payment__status=PaymentStatus.POSTED, draft_on__lt=self.today
            )
            .order_by("id")
            .values_list("trace_number", "amount", "account__number")
        )
        if self.return_files and self.chooser.random() < 0.3:
            text = self.chooser.choice(self.return_files)  # the bank sends a file again
        elif drafted:
            trace, amount, number = self.chooser.choice(drafted)
            text = returns_file(
                trace,
                self.chooser.choice(["R01", "R02", "R03"]),
                int(Decimal(amount) * 100),
                number,
                self.today,
            )
            self.return_files.append(text)
        else:
            return None

        def act() -> str:
            result = import_returns(text=text, name="returns.ach", imported_on=self.today)
            return f"ach returns: {result.summary() if result.created else 'already imported'}"

        return act


def returns_file(trace: str, code: str, cents: int, account_number: str, on: date) -> str:
    """The bank's returns file for one drafted entry (a code-26 entry with its 99 addenda)."""
    entry = nacha.Entry(
        transaction_code=26, routing_number=ODFI_ROUTING, account_number="123456789",
        amount_cents=cents, individual_id=account_number, individual_name="SIM MEMBER",
        trace_number=nacha.trace_number("01100001", 1),
        addenda=(
            nacha.ReturnAddenda(
                return_reason_code=code, original_trace_number=trace,
                original_receiving_dfi="01100001", information="",
            ),
        ),
    )  # fmt: skip
    header = nacha.FileHeader(
        ODFI_ROUTING,
        "011000015",
        "OTERO COUNTY ELECTRIC",
        "FIRST NATIONAL BANK",
        on,
        time(6, 0),
        "A",
    )
    batch = nacha.BatchHeader(
        "OTERO CO ELEC", "1850123456", "ELEC BILL", on, "01100001", service_class_code=200
    )
    return nacha.write_ach_file(nacha.AchFile(header, (nacha.Batch(batch, (entry,)),)))
