"""Premises, service points and the service agreements that put them on a tariff.

Policy 408 / handbook: each metered location is billed separately; a service point is
one such location (or one unmetered lighting service). An agreement ties an account
and a service point to a tariff for a half-open span of dates ``[start_on, end_on)``.
"""

from __future__ import annotations

from django.db import models

from coopcis.apps.audit.tracking import AuditedModel
from coopcis.core.addresses import Address
from coopcis.core.search import address_search_text


class District(models.TextChoices):
    """Trustee districts (OCEC bylaws art. IV sec. 2)."""

    NW = "NW", "Northwest"
    NE = "NE", "Northeast"
    CN = "CN", "Central"
    SW = "SW", "Southwest"
    SE = "SE", "Southeast"


class PremiseKind(models.TextChoices):
    RESIDENCE = "RESIDENCE", "Residence"
    MOBILE_HOME_SPACE = "MOBILE_HOME_SPACE", "Mobile-home park space"
    BUSINESS = "BUSINESS", "Business"
    FARM = "FARM", "Farm or ranch"
    IRRIGATION_WELL = "IRRIGATION_WELL", "Irrigation well"
    INDUSTRIAL = "INDUSTRIAL", "Industrial site"
    STREET_LIGHTING = "STREET_LIGHTING", "Street or area lighting"


class Premise(AuditedModel):
    """A place the co-op serves: service address, coordinates and trustee district."""

    kind = models.CharField(max_length=20, choices=PremiseKind.choices)
    line1 = models.CharField(max_length=120)
    line2 = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=60)
    state = models.CharField(max_length=2, default="NM")
    zip_code = models.CharField(max_length=10)
    county = models.CharField(max_length=40)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    district = models.CharField(max_length=2, choices=District.choices)
    #: The address folded for search (core/search.py): no accents, upper case, padded,
    #: street suffixes in both spellings.
    search_text = models.CharField(max_length=400, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="premise_latitude_range",
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
            ),
            models.CheckConstraint(
                name="premise_longitude_range",
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
            ),
        ]

    def __str__(self) -> str:
        return self.address.one_line()

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.search_text = self.compose_search_text()
        super().save(*args, **kwargs)

    def compose_search_text(self) -> str:
        return address_search_text(self.address.one_line())[:400]

    @property
    def address(self) -> Address:
        return Address(
            line1=self.line1,
            line2=self.line2,
            city=self.city,
            state=self.state,
            zip_code=self.zip_code,
        )


class ServicePointKind(models.TextChoices):
    METERED = "METERED", "Metered"
    UNMETERED_LIGHTING = "UNMETERED_LIGHTING", "Unmetered lighting"


class ServicePoint(AuditedModel):
    """One metered location (or unmetered light) at a premise, on a feeder and transformer."""

    premise = models.ForeignKey(Premise, on_delete=models.PROTECT, related_name="service_points")
    code = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=20, choices=ServicePointKind.choices)
    feeder = models.CharField(max_length=20)
    transformer = models.CharField(max_length=20)
    phases = models.PositiveSmallIntegerField(default=1)
    service_kva = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Service point {self.code}"


class ServiceAgreement(AuditedModel):
    """Account + service point + tariff, effective ``[start_on, end_on)``.

    ``contract_kw`` and ``loss_factor`` feed demand rules (Rate 19 billing demand is the
    greater of 1,000 kW, contract kW and adjusted measured demand; losses between meter and
    point of delivery). ``fixtures`` counts lights on a lighting schedule. Agreements on one
    service point never overlap (checked under a row lock in ``premises.services``).
    """

    account = models.ForeignKey(
        "members.Account", on_delete=models.PROTECT, related_name="agreements"
    )
    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="agreements"
    )
    tariff_code = models.CharField(max_length=40)
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)
    contract_kw = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    loss_factor = models.DecimalField(max_digits=6, decimal_places=5, default=0)
    fixtures = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["start_on"]
        constraints = [
            models.CheckConstraint(
                name="agreement_end_after_start",
                condition=models.Q(end_on__isnull=True) | models.Q(end_on__gt=models.F("start_on")),
            ),
            models.UniqueConstraint(
                fields=["service_point"],
                condition=models.Q(end_on__isnull=True),
                name="one_open_agreement_per_service_point",
            ),
            models.CheckConstraint(
                name="agreement_loss_factor_range",
                condition=models.Q(loss_factor__gte=0, loss_factor__lt=1),
            ),
        ]

    def __str__(self) -> str:
        end = self.end_on.isoformat() if self.end_on else "open"
        return f"{self.tariff_code} at {self.service_point.code} from {self.start_on} to {end}"

    def audit_account_id(self) -> int | None:
        return self.account_id
