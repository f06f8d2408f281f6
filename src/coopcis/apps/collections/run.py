"""The daily collection job (``coopcis collections run --as-of DATE``).

In order: cancel disconnect orders a payment has overtaken; judge agreements (a broken one
reopens collection); open a case for each account with a past-due bill; then for each
open case take the step the core says is due (:func:`coopcis.core.collections.steps.next_step`)
or say what protects it. Running it twice on one day does nothing twice: notices are
unique per case, kind and round, and disconnect orders per case, kind and day.

A bad day (every member of a large co-op owing a notice) is the case to be fast for: what
each case needs is read for all open cases at once (:class:`_Known`: past-due amounts,
notices sent, third parties, which accounts have any protection on record at all), the
cases are worked in transactions of :data:`CASES_PER_TRANSACTION`, and only the notice PDFs
are made one by one; each transaction's notices and case changes are written together at
its end (see docs/benchmarks.md, "Collections run").

On workers (``collections run --workers``, :mod:`coopcis.apps.collections.distributed`)
the follower does :func:`begin_run` and each batch of open cases is :func:`work_cases` on a
worker.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from coopcis.apps.billing.pdf.document import mailing_lines
from coopcis.apps.billing.pdf.letter import letter_pdf
from coopcis.apps.collections.events import DisconnectNoticesMailed, MailedDisconnectNotice
from coopcis.apps.collections.models import (
    AgreementStatus,
    CollectionCase,
    Notice,
    NoticeKind,
    OrderKind,
    OrderReason,
    OrderStatus,
    ServiceOrder,
    Stage,
    ThirdPartyContact,
)
from coopcis.apps.collections.notices import NoticeFacts, notice_section
from coopcis.apps.collections.orders import cancel_order, create_order, reconnect_if_paid
from coopcis.apps.collections.services import (
    cancel_disconnect_orders,
    find_protections,
    maybe_protected,
    payments_since,
    refresh_agreements,
    terms,
    work_calendar,
)
from coopcis.apps.members.models import Account
from coopcis.apps.notify.services import notify_third_party
from coopcis.apps.receivables.models import ItemCategory, ItemStatus, ReceivableItem
from coopcis.catalog.profiles import active_profile
from coopcis.core.collections import steps
from coopcis.core.collections.calendar import WorkCalendar
from coopcis.core.money import Money
from coopcis.events import announce
from coopcis.site.bulk import Adapter, update_rows

STEP_NAMES = (
    "opened",
    "second_notices",
    "disconnect_notices",
    "third_party_notices",
    "final_contacts",
    "disconnect_orders",
    "orders_cancelled",
    "reconnect_orders",
    "protected",
    "paused",
    "agreements_broken",
    "closed",
)


@dataclass
class RunReport:
    as_of: date
    accounts: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    protections: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    #: the past-due amount a notice or order was for, by step and account
    amounts: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, step: str, account: Account, amount: Decimal | None = None) -> None:
        self.accounts[step].append(account.number)
        if amount is not None:
            self.amounts[step][account.number] = f"{amount:.2f}"

    def withdraw(self, step: str, account: Account) -> None:
        """Take back what :meth:`add` said (another run did it first)."""
        if account.number in self.accounts.get(step, []):
            self.accounts[step].remove(account.number)
        self.amounts.get(step, {}).pop(account.number, None)

    def partial(self) -> dict[str, object]:
        """What :meth:`merge` takes: a batch's share of the run, as JSON (a worker's result)."""
        return {
            "accounts": {name: list(numbers) for name, numbers in self.accounts.items()},
            "amounts": {name: dict(found) for name, found in self.amounts.items()},
            "protections": dict(self.protections),
        }

    def merge(self, part: dict[str, Any]) -> None:
        """Add a batch's share (:meth:`partial`) to the run's report."""
        for name, numbers in part["accounts"].items():
            self.accounts[name].extend(numbers)
        for name, found in part["amounts"].items():
            self.amounts[name].update(found)
        self.protections.update(part["protections"])

    def count(self, step: str) -> int:
        return len(self.accounts.get(step, []))

    def as_json(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.isoformat(),
            "counts": {name: self.count(name) for name in STEP_NAMES},
            "accounts": {name: sorted(self.accounts.get(name, [])) for name in STEP_NAMES},
            "amounts": {name: dict(sorted(self.amounts[name].items())) for name in self.amounts},
            "protections": self.protections,
        }


#: Cases worked per transaction: a commit per case was most of a bad day's time.
CASES_PER_TRANSACTION = 250


@dataclass
class _Known:
    """What the day's open cases need, read once for all of them."""

    past_due: dict[int, Money]
    notices: dict[int, list[tuple[str, int, date]]]
    third_parties: dict[int, ThirdPartyContact]
    #: accounts with anything that could protect them (certificate, LIHEAP, agreement,
    #: dispute, hold); the others have no protection without looking further
    maybe_protected: set[int]
    #: written at the end of each transaction's cases (:func:`_write`)
    new_notices: list[Notice] = field(default_factory=list)
    changed_cases: list[CollectionCase] = field(default_factory=list)
    changed_protections: list[CollectionCase] = field(default_factory=list)

    @classmethod
    def load(cls, as_of: date, open_cases: QuerySet[CollectionCase]) -> _Known:
        accounts = open_cases.values("account_id")
        past_due: dict[int, Money] = defaultdict(Money.zero)
        owed = (
            ReceivableItem.objects.filter(
                account_id__in=accounts, status=ItemStatus.OPEN, due_on__lt=as_of
            )
            .exclude(category=ItemCategory.DEPOSIT)
            .values_list("account_id", "amount", "paid_amount")
        )
        for account_id, amount, paid in owed:  # open items, summed as past_due_amount does
            past_due[account_id] = past_due[account_id] + Money(amount - paid)
        notices: dict[int, list[tuple[str, int, date]]] = defaultdict(list)
        sent = Notice.objects.filter(case__in=open_cases).values_list(
            "case_id", "kind", "round", "sent_on"
        )
        for case_id, kind, round_, sent_on in sent:
            notices[case_id].append((kind, round_, sent_on))
        third_parties = {
            contact.account_id: contact
            for contact in ThirdPartyContact.objects.filter(
                account_id__in=accounts, active=True
            ).order_by("-id")
        }
        return cls(past_due, notices, third_parties, maybe_protected(accounts, as_of))


def run_collections(*, as_of: date) -> RunReport:
    """The daily job as of ``as_of`` (the core never reads the clock; nor does this)."""
    report = begin_run(as_of)
    work_cases(as_of, report)
    return report


def begin_run(as_of: date) -> RunReport:
    """What the run does once, before its cases: cancel the orders payments overtook,
    judge agreements, open the new cases (on workers, the follower does this)."""
    report = RunReport(as_of)
    _cancel_overtaken_orders(as_of, report)
    _judge_agreements(as_of, report)
    _open_cases(as_of, report)
    return report


def open_case_ids() -> list[int]:
    """The open cases the run works, in the order it works them."""
    return list(
        CollectionCase.objects.filter(closed_on__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
    )


def work_cases(as_of: date, report: RunReport, case_ids: list[int] | None = None) -> None:
    """Take each open case's due step (those of ``case_ids`` only, when given: a batch on a
    worker), :data:`CASES_PER_TRANSACTION` to a transaction. A case done again finds its
    notices and orders already made (:func:`_send`, :func:`_take`; the unique constraints
    on notices and orders refuse what would slip by), so it sends and orders nothing twice."""
    calendar = work_calendar(around=as_of)
    open_cases = CollectionCase.objects.filter(closed_on__isnull=True)
    if case_ids is not None:
        open_cases = open_cases.filter(pk__in=case_ids)
    known = _Known.load(as_of, open_cases)
    cases = list(open_cases.select_related("account__party", "bill").order_by("id"))
    for start in range(0, len(cases), CASES_PER_TRANSACTION):
        with transaction.atomic():
            for case in cases[start : start + CASES_PER_TRANSACTION]:
                _work_case(case, as_of, calendar, report, known)
            _write(known, report)


#: What a day's work changes on a case (the orders' own functions save the rest themselves).
CASE_COLUMNS = (
    "past_due_amount",
    "reviewed_on",
    "stage",
    "round",
    "disconnect_on",
    "next_step",
    "next_step_on",
    "closed_on",
    "close_reason",
)
NOTICE_STEPS = {
    NoticeKind.SECOND: "second_notices",
    NoticeKind.DISCONNECT: "disconnect_notices",
    NoticeKind.THIRD_PARTY: "third_party_notices",
    NoticeKind.FINAL_CONTACT: "final_contacts",
}


def _write(known: _Known, report: RunReport) -> None:
    """Store the notices and case changes of a transaction's cases: one insert and one
    update each, instead of a round of the ORM per row."""
    notices, known.new_notices = known.new_notices, []
    kept = notices
    try:
        with transaction.atomic():
            Notice.objects.bulk_create(notices)
    except IntegrityError:  # another run sent some of them meanwhile: keep the others
        kept = []
        for notice in notices:
            try:
                with transaction.atomic():
                    notice.save()
                kept.append(notice)
            except IntegrityError:
                report.withdraw(NOTICE_STEPS[notice.kind], notice.account)
    mailed = tuple(
        MailedDisconnectNotice(
            case_id=notice.case_id,
            account_id=notice.account_id,
            round=notice.round,
            amount=notice.amount,
            disconnect_on=notice.disconnect_on,
        )
        for notice in kept
        if notice.kind == NoticeKind.DISCONNECT
    )
    if mailed:
        announce(DisconnectNoticesMailed(mailed))  # after the commit; never by a dry run
    day = Adapter().day
    cases, known.changed_cases = known.changed_cases, []
    update_rows(
        CollectionCase,
        CASE_COLUMNS,
        [
            (
                case.past_due_amount,
                day(case.reviewed_on),
                case.stage,
                case.round,
                None if case.disconnect_on is None else day(case.disconnect_on),
                case.next_step,
                None if case.next_step_on is None else day(case.next_step_on),
                None if case.closed_on is None else day(case.closed_on),
                case.close_reason,
                case.pk,
            )
            for case in cases
        ],
    )
    protected, known.changed_protections = known.changed_protections, []
    CollectionCase.objects.bulk_update(protected, ["protected_by"])


def _cancel_overtaken_orders(as_of: date, report: RunReport) -> None:
    orders = ServiceOrder.objects.filter(
        kind=OrderKind.DISCONNECT, reason=OrderReason.NON_PAYMENT, status=OrderStatus.OPEN
    ).select_related("account", "case")
    for order in orders:
        paid = payments_since(order)
        if paid:
            detail = ", ".join(f"payment {p.pk} of ${p.amount} on {p.received_on}" for p in paid)
            cancel_order(order, on=as_of, reason=f"{detail} posted after the order was generated")
            report.add("orders_cancelled", order.account)


def _judge_agreements(as_of: date, report: RunReport) -> None:
    accounts = Account.objects.filter(payment_agreements__status=AgreementStatus.KEPT).distinct()
    for account in accounts:
        for _broken in refresh_agreements(account, as_of=as_of):
            report.add("agreements_broken", account)


def _open_cases(as_of: date, report: RunReport) -> None:
    past_due = (
        ReceivableItem.objects.filter(
            category=ItemCategory.ELECTRIC,
            status=ItemStatus.OPEN,
            due_on__lt=as_of,
            bill__isnull=False,
        )
        .exclude(
            account_id__in=CollectionCase.objects.filter(closed_on__isnull=True).values(
                "account_id"
            )
        )
        .select_related("account", "bill")
        .order_by("account_id", "due_on", "id")
    )
    oldest: dict[int, ReceivableItem] = {}
    for item in past_due:
        oldest.setdefault(item.account_id, item)
    bill_ids = [item.bill_id for item in oldest.values()]
    earlier = {
        case.bill_id: case
        for case in CollectionCase.objects.filter(bill_id__in=bill_ids).order_by("id")
    }
    fresh = []
    with transaction.atomic():
        for item in oldest.values():
            existing = earlier.get(item.bill_id)
            if existing is not None:  # paid, closed, then reopened by a returned payment
                existing.closed_on, existing.close_reason = None, ""
                existing.round += 1
                existing.stage = Stage.SECOND_NOTICE
                existing.save()
            else:
                fresh.append(CollectionCase(account=item.account, bill=item.bill, opened_on=as_of))
            report.add("opened", item.account)
        CollectionCase.objects.bulk_create(fresh, batch_size=1000)


def _state(case: CollectionCase, past_due: Money, known: _Known) -> steps.CaseState:
    sent = {(kind, round_): sent_on for kind, round_, sent_on in known.notices.get(case.pk, [])}
    second = min((on for (kind, _), on in sent.items() if kind == NoticeKind.SECOND), default=None)
    return steps.CaseState(
        due_on=case.bill.due_date,
        past_due=past_due,
        second_notice_on=second,
        disconnect_notice_on=sent.get((NoticeKind.DISCONNECT, case.round)),
        disconnect_on=case.disconnect_on,
        final_contact_on=sent.get((NoticeKind.FINAL_CONTACT, case.round)),
    )


def _work_case(
    case: CollectionCase, as_of: date, calendar: WorkCalendar, report: RunReport, known: _Known
) -> None:
    account = case.account
    past_due = known.past_due.get(account.pk, Money.zero())
    case.past_due_amount = past_due.amount
    case.reviewed_on = as_of
    if case.stage in (Stage.DISCONNECTED, Stage.RECONNECT_ORDERED):
        if case.stage == Stage.DISCONNECTED and reconnect_if_paid(account, on=as_of):
            report.add("reconnect_orders", account)
            return
        if case.stage == Stage.DISCONNECTED:
            case.next_step, case.next_step_on = "PAY_TO_RECONNECT", None
        known.changed_cases.append(case)
        return
    found = find_protections(case, as_of=as_of) if account.pk in known.maybe_protected else []
    protected_by = [p.as_dict() for p in found]
    if protected_by != case.protected_by:
        known.changed_protections.append(case)
    case.protected_by = protected_by
    if found:
        report.protections[account.number] = case.protected_by
    if case.stage == Stage.DISCONNECT_ORDERED:
        if found and cancel_disconnect_orders(
            account, on=as_of, reason="protected: " + "; ".join(p.detail for p in found)
        ):
            report.add("orders_cancelled", account)
            case.refresh_from_db(fields=["stage"])
        elif ServiceOrder.objects.filter(
            case=case, kind=OrderKind.DISCONNECT, status=OrderStatus.OPEN
        ).exists():
            known.changed_cases.append(case)
            return
        else:
            case.stage = Stage.FINAL_CONTACT
    codes = [p.code for p in found]
    step = steps.next_step(
        _state(case, past_due, known),
        as_of=as_of,
        terms=terms(),
        calendar=calendar,
        protected_by=codes,
    )
    _take(case, step, as_of, report, known)
    if case.stage == Stage.DISCONNECT_ORDERED:
        case.next_step, case.next_step_on = "DISCONNECT_IN_FIELD", as_of
    elif case.closed_on is None:
        shown = steps.next_step(
            _state(case, past_due, known),
            as_of=as_of,
            terms=terms(),
            calendar=calendar,
            protected_by=codes,
        )
        case.next_step, case.next_step_on = shown.action, shown.on
    known.changed_cases.append(case)


def _take(
    case: CollectionCase, step: steps.Step, as_of: date, report: RunReport, known: _Known
) -> None:
    account = case.account
    if step.action == steps.CLOSE:
        case.stage, case.closed_on = Stage.CLOSED, as_of
        case.close_reason = "nothing past due"
        case.next_step, case.next_step_on = "", None
        report.add("closed", account)
    elif step.action == steps.PAUSED:
        report.add("paused", account)
    elif step.action == steps.PROTECTED:
        report.add("protected", account)
    elif not step.is_due(as_of):
        return
    elif step.action == steps.SECOND_NOTICE:
        pay_by = as_of + timedelta(days=terms().second_notice_pay_within_days)
        if _send(case, NoticeKind.SECOND, as_of, known, pay_by=pay_by):
            report.add("second_notices", account, case.past_due_amount)
        case.stage = Stage.SECOND_NOTICE
    elif step.action in (steps.DISCONNECT_NOTICE, steps.RENEW_NOTICE):
        if step.action == steps.RENEW_NOTICE:
            case.round += 1
        case.disconnect_on = step.disconnect_on
        if _send(case, NoticeKind.DISCONNECT, as_of, known):
            report.add("disconnect_notices", account, case.past_due_amount)
            third = known.third_parties.get(account.pk)
            if third is not None and _send(case, NoticeKind.THIRD_PARTY, as_of, known, third=third):
                report.add("third_party_notices", account, case.past_due_amount)
                if third.email:
                    _email_third_party(case, third)
        case.stage = Stage.DISCONNECT_NOTICE
    elif step.action == steps.FINAL_CONTACT:
        case.disconnect_on = step.disconnect_on
        if _send(case, NoticeKind.FINAL_CONTACT, as_of, known):
            report.add("final_contacts", account, case.past_due_amount)
        case.stage = Stage.FINAL_CONTACT
    elif step.action == steps.DISCONNECT:
        if ServiceOrder.objects.filter(
            case=case, kind=OrderKind.DISCONNECT, created_on=as_of
        ).exists():
            return
        create_order(
            account=account,
            kind=OrderKind.DISCONNECT,
            reason=OrderReason.NON_PAYMENT,
            on=as_of,
            case=case,
        )
        case.stage = Stage.DISCONNECT_ORDERED
        report.add("disconnect_orders", account, case.past_due_amount)


def _send(
    case: CollectionCase,
    kind: str,
    on: date,
    known: _Known,
    *,
    pay_by: date | None = None,
    third: ThirdPartyContact | None = None,
) -> bool:
    """Record and render a notice once per case, kind and round; False if already sent."""
    sent = known.notices[case.pk]
    if any(k == kind and r == case.round for k, r, _ in sent):
        return False
    account = case.account
    language = account.language
    languages = (
        [language] if kind == NoticeKind.SECOND else [language, "ES" if language == "EN" else "EN"]
    )
    facts = NoticeFacts(
        kind=kind,
        account_number=account.number,
        member_name=account.party.display_name,
        sent_on=on,
        amount=case.past_due_amount,
        pay_by=pay_by,
        disconnect_on=case.disconnect_on if kind != NoticeKind.SECOND else None,
    )
    profile = active_profile()
    address = (
        [third.name, *third.mailing_address.split("\n")] if third else list(mailing_lines(account))
    )
    pdf = letter_pdf(
        profile=profile,
        address_lines=address,
        sections=[notice_section(lang, profile, facts) for lang in languages],
        title=f"{kind} notice {account.number}",
    )
    method = "PHONE" if kind == NoticeKind.FINAL_CONTACT and account.phone else "MAIL"
    known.new_notices.append(
        Notice(
            case=case,
            account=account,
            kind=kind,
            round=case.round,
            language=language,
            bilingual=len(languages) == 2,
            sent_on=on,
            amount=case.past_due_amount,
            pay_by=pay_by,
            disconnect_on=facts.disconnect_on,
            recipient=address[0],
            method=method,
            pdf=pdf,
        )
    )
    sent.append((kind, case.round, on))
    return True


def _email_third_party(case: CollectionCase, third: ThirdPartyContact) -> None:
    """The third party's copy by email as well as on paper (once per case and round; sent
    after the run's transaction commits, never by a dry run)."""
    notify_third_party(
        account=case.account,
        name=third.name,
        email=third.email,
        context={"amount": case.past_due_amount, "disconnect_on": case.disconnect_on},
        idempotency_key=f"third_party_notice:{case.pk}:{case.round}",
    )


__all__ = ["RunReport", "begin_run", "open_case_ids", "run_collections", "work_cases"]
