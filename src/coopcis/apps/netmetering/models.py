"""Net metering (SEC policy 425; 17.9.570 NMAC): interconnections, the avoided cost, each
month's netting and credit bank, and the renewable energy credit (REC) program.

docs/domain/net-metering.md says how the pieces fit together.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from coopcis.apps.audit.tracking import AuditedModel


class SystemType(models.TextChoices):
    SOLAR = "SOLAR", "Solar"
    WIND = "WIND", "Wind"
    HYDRO = "HYDRO", "Hydro"
    GEOTHERMAL = "GEOTHERMAL", "Geothermal"
    BIOMASS = "BIOMASS", "Biomass"


class InterconnectionStatus(models.TextChoices):
    SUBMITTED = "SUBMITTED", "Submitted"
    APPROVED = "APPROVED", "Approved"
    IN_SERVICE = "IN_SERVICE", "In service"
    REFUSED = "REFUSED", "Refused"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"


class Interconnection(AuditedModel):
    """A member's application to interconnect a renewable system behind the net meter at one
    service point, from submitted to in service (or refused or withdrawn). The application
    fee is charged on approval; studies, upgrades and the REC meter are billed at cost."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="interconnections"
    )
    service_point = models.ForeignKey(
        "premises.ServicePoint", on_delete=models.PROTECT, related_name="interconnections"
    )
    system_type = models.CharField(max_length=10, choices=SystemType.choices)
    ac_kw = models.DecimalField(max_digits=9, decimal_places=3)
    status = models.CharField(
        max_length=10,
        choices=InterconnectionStatus.choices,
        default=InterconnectionStatus.SUBMITTED,
    )
    submitted_on = models.DateField()
    approved_on = models.DateField(null=True, blank=True)
    in_service_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True, help_text="Refused or withdrawn on")
    reason = models.CharField(max_length=300, blank=True, help_text="Why refused or withdrawn")
    fee_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    net_meter = models.ForeignKey(
        "metering.Meter", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rec_meter_serial = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["-submitted_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="interconnection_kw_positive", condition=models.Q(ac_kw__gt=0)
            ),
            models.UniqueConstraint(
                fields=["service_point"],
                condition=models.Q(status__in=["SUBMITTED", "APPROVED", "IN_SERVICE"]),
                name="one_open_interconnection_per_point",
            ),
        ]

    def __str__(self) -> str:
        return f"Interconnection {self.pk}: {self.system_type} {self.ac_kw} kW ({self.status})"

    def audit_account_id(self) -> int | None:
        return self.account_id


class CostKind(models.TextChoices):
    STUDY = "STUDY", "Interconnection energy flow study"
    UPGRADE = "UPGRADE", "Distribution upgrade or transformer"
    REC_METER = "REC_METER", "REC meter"


class InterconnectionCharge(models.Model):
    """A cost the member pays in full (policy 425, cost to members), charged on the account."""

    interconnection = models.ForeignKey(
        Interconnection, on_delete=models.PROTECT, related_name="charges"
    )
    kind = models.CharField(max_length=9, choices=CostKind.choices)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    charged_on = models.DateField()
    item = models.ForeignKey(
        "receivables.ReceivableItem", null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["charged_on", "id"]
        constraints = [
            models.CheckConstraint(name="charge_amount_positive", condition=models.Q(amount__gt=0))
        ]

    def __str__(self) -> str:
        return f"{self.kind} ${self.amount} on {self.charged_on}"


class AvoidedCostRate(models.Model):
    """The co-op's avoided cost ($/kWh), filed with the NM PRC annually, from ``effective_on``."""

    effective_on = models.DateField(unique=True)
    rate_per_kwh = models.DecimalField(max_digits=10, decimal_places=6)
    source = models.CharField(max_length=200)

    class Meta:
        ordering = ["effective_on"]
        constraints = [
            models.CheckConstraint(
                name="avoided_cost_not_negative", condition=models.Q(rate_per_kwh__gte=0)
            )
        ]

    def __str__(self) -> str:
        return f"avoided cost ${self.rate_per_kwh}/kWh from {self.effective_on}"


class PayoutMethod(models.TextChoices):
    CHECK = "CHECK", "Check request"
    BILL_CREDIT = "BILL_CREDIT", "Bill credit"


class NetMeteringMonth(models.Model):
    """One net-metered bill's netting and the member's credit bank that month.

    Energy is Wh (``net_wh`` is delivered - received, negative when the member sent more);
    ``by_period`` keeps each TOU period's delivered, received and net Wh. The credit is the
    excess at the avoided cost in force; the bank before and after, and a payout when the
    accumulated credit passed the profile's threshold ($50.00)."""

    bill = models.OneToOneField(
        "billing.Bill", on_delete=models.PROTECT, related_name="net_metering"
    )
    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="net_metering_months"
    )
    period = models.CharField(max_length=7)
    posted_on = models.DateField()
    delivered_wh = models.BigIntegerField()
    received_wh = models.BigIntegerField()
    net_wh = models.BigIntegerField()
    billed_wh = models.BigIntegerField()
    excess_wh = models.BigIntegerField()
    by_period = models.JSONField(default=dict)
    avoided_cost_per_kwh = models.DecimalField(max_digits=10, decimal_places=6, null=True)
    credit_amount = models.DecimalField(max_digits=10, decimal_places=2)
    bank_before_amount = models.DecimalField(max_digits=10, decimal_places=2)
    payout_amount = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    payout_method = models.CharField(max_length=11, choices=PayoutMethod.choices, blank=True)
    #: Of a payout by bill credit, how much is on the member's charges so far (the rest waits
    #: in 242.3 for the next bill: a credit larger than what is open is never a credit balance).
    payout_credited_amount = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    bank_after_amount = models.DecimalField(max_digits=10, decimal_places=2)
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payout_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: The bill was cancelled: its credit and payout were reversed, and the bank is the
    #: month before's again.
    cancelled = models.BooleanField(default=False)
    #: The bill is held for review: the credit waits (not in the bank, not on the ledger)
    #: until the bill is released, when the bank and any payout are worked out.
    held = models.BooleanField(default=False)

    class Meta:
        ordering = ["account", "posted_on", "id"]
        indexes = [models.Index(fields=["account", "posted_on"])]
        constraints = [
            models.CheckConstraint(
                name="net_month_amounts_not_negative",
                condition=models.Q(
                    credit_amount__gte=0,
                    bank_before_amount__gte=0,
                    payout_amount__gte=0,
                    bank_after_amount__gte=0,
                ),
            ),
            models.CheckConstraint(
                name="net_month_credited_within_payout",
                condition=models.Q(
                    payout_credited_amount__gte=0,
                    payout_credited_amount__lte=models.F("payout_amount"),
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"net metering {self.period}: credit ${self.credit_amount}"

    @property
    def payout_to_credit(self) -> Decimal:
        """What of a bill-credit payout is not yet on the member's charges."""
        if self.payout_method != PayoutMethod.BILL_CREDIT:
            return Decimal("0.00")
        return self.payout_amount - self.payout_credited_amount


class PayoutCredit(models.Model):
    """The part of a net-metering payout by bill credit put on one charge (Dr 242.3, Cr the
    charge's receivable), kept so that it can be given back when the charge's bill or the
    month is cancelled (then the next bill credits it again). Not a payment: no cash moved."""

    month = models.ForeignKey(
        NetMeteringMonth, on_delete=models.PROTECT, related_name="payout_credits"
    )
    item = models.ForeignKey(
        "receivables.ReceivableItem", on_delete=models.PROTECT, related_name="net_metering_credits"
    )
    bill = models.ForeignKey(
        "billing.Bill",
        on_delete=models.PROTECT,
        related_name="net_metering_payout_credits",
        help_text="The bill that carried the credit (its line shows it)",
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    credited_on = models.DateField()
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="+"
    )
    given_back_on = models.DateField(null=True, blank=True)
    give_back_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["credited_on", "id"]
        constraints = [
            models.CheckConstraint(
                name="net_payout_credit_positive", condition=models.Q(amount__gt=0)
            )
        ]

    def __str__(self) -> str:
        return f"net-metering payout credit ${self.amount} on item {self.item_id}"


class RecAgreement(AuditedModel):
    """A member's executed REC agreement (opt-in): the REC meter's opening read and when the
    member joined and left the program."""

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="rec_agreements"
    )
    interconnection = models.ForeignKey(
        Interconnection, on_delete=models.PROTECT, related_name="rec_agreements"
    )
    signed_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    opening_kwh = models.DecimalField(max_digits=12, decimal_places=3)

    class Meta:
        ordering = ["signed_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["interconnection"],
                condition=models.Q(ended_on__isnull=True),
                name="one_open_rec_agreement",
            )
        ]

    def audit_account_id(self) -> int | None:
        return self.account_id


class RecRead(models.Model):
    """A REC meter reading (total kWh generated), dated when read and when the co-op got it
    (due by the 7th of each month)."""

    agreement = models.ForeignKey(RecAgreement, on_delete=models.PROTECT, related_name="reads")
    read_on = models.DateField()
    received_on = models.DateField()
    register_kwh = models.DecimalField(max_digits=12, decimal_places=3)
    entered_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["agreement", "read_on"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "read_on"], name="one_rec_read_per_day")
        ]

    def __str__(self) -> str:
        return f"REC read {self.register_kwh} kWh on {self.read_on}"


class RecRate(models.Model):
    """The REC rate ($/kWh generated), from ``effective_on``."""

    effective_on = models.DateField(unique=True)
    rate_per_kwh = models.DecimalField(max_digits=10, decimal_places=6)
    source = models.CharField(max_length=200)

    class Meta:
        ordering = ["effective_on"]

    def __str__(self) -> str:
        return f"REC rate ${self.rate_per_kwh}/kWh from {self.effective_on}"


class RecPayment(models.Model):
    """A twice-yearly REC payment (May, September): generation since the last one at the rate."""

    agreement = models.ForeignKey(RecAgreement, on_delete=models.PROTECT, related_name="payments")
    month = models.CharField(max_length=7)
    paid_on = models.DateField()
    from_kwh = models.DecimalField(max_digits=12, decimal_places=3)
    to_kwh = models.DecimalField(max_digits=12, decimal_places=3)
    rate_per_kwh = models.DecimalField(max_digits=10, decimal_places=6)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["agreement", "paid_on"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "month"], name="one_rec_payment_a_month")
        ]

    def __str__(self) -> str:
        return f"REC payment {self.month}: ${self.amount}"
