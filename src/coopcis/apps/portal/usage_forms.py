"""The usage pages' forms: the Green Button range and the high-usage threshold."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coopcis.apps.usage.green_button import CSV, MAX_DAYS, XML
from coopcis.site.fields import MoneyField


class DownloadForm(forms.Form):
    """Which service point, which local days (both included), which file."""

    point = forms.ChoiceField(label=_("Service point"))
    start = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    file_format = forms.ChoiceField(
        label=_("File"),
        choices=[(XML, _("Green Button XML (ESPI)")), (CSV, _("Spreadsheet (CSV)"))],
        initial=XML,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, points: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = [(code, code) for code in points]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The last day is before the first day."))
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("end", _("Choose at most %(days)s days.") % {"days": MAX_DAYS})
        return data


class ThresholdForm(forms.Form):
    """The daily kWh and dollar limits; leave both empty to stop the alerts."""

    daily_kwh = forms.DecimalField(
        label=_("Daily kWh limit"),
        required=False,
        min_value=Decimal("0.001"),
        max_digits=9,
        decimal_places=3,
        help_text=_("Tell me when a day's use is more than this many kWh."),
    )
    daily_amount = MoneyField(
        label=_("Daily dollar limit"),
        required=False,
        minimum=Decimal("0.01"),
        maximum=Decimal("9999.99"),
        help_text=_(
            "Tell me when a day's use costs more than this, estimated at my latest "
            "bill's price per kWh."
        ),
    )
