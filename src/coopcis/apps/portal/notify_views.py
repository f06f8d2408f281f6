"""The member's Notifications page: for each kind, email, text message or off; where
messages go (an email address and a mobile number for texts).

Preferences belong to the member (the party) of the accounts this sign-in holds; someone
the holder invited sees the page but the holder's choices are the holder's to make.
The choices are kept by ``coopcis.apps.notify`` (docs/domain/notifications.md).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coopcis.apps.members.models import Party
from coopcis.apps.notify import services as notify
from coopcis.apps.notify.kinds import all_kinds
from coopcis.apps.notify.models import ChannelChoice
from coopcis.apps.portal.access import linked_accounts, member_required
from coopcis.apps.portal.models import LinkRole
from coopcis.core.notifications.channels import Channel
from coopcis.core.phones import e164


class NotificationsForm(forms.Form):
    """One radio group per kind, then the addresses."""

    email = forms.EmailField(
        label=gettext_lazy("Email for notifications"),
        required=False,
        help_text=gettext_lazy("Leave empty to use the email on your account."),
    )
    mobile_phone = forms.CharField(
        label=gettext_lazy("Mobile phone for text messages"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("For example (575) 682-4411. Texts go only to this number."),
    )

    def __init__(self, *args: Any, party: Party, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.party = party
        labels = dict(ChannelChoice.choices)
        current = notify.preferences(party)
        for kind in all_kinds():
            self.fields[f"kind_{kind.code}"] = forms.ChoiceField(
                label=kind.label,
                help_text=kind.help_text,
                choices=[(channel.value, labels[channel.value]) for channel in kind.choices],
                widget=forms.RadioSelect,
                initial=current[kind.code].value,
            )
        contact = notify.contact_for(party)
        self.fields["email"].initial = contact.email
        self.fields["mobile_phone"].initial = contact.mobile_phone
        self.order_fields([f"kind_{kind.code}" for kind in all_kinds()])

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("kind_")]

    def clean_mobile_phone(self) -> str:
        typed = str(self.cleaned_data.get("mobile_phone", "")).strip()
        if typed:
            try:
                return e164(typed)
            except ValueError:
                raise forms.ValidationError(
                    _("This is not a phone number we can text: give the area code and number.")
                ) from None
        return typed

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        wants_texts = any(
            value == Channel.SMS for name, value in cleaned.items() if name.startswith("kind_")
        )
        if wants_texts and not cleaned.get("mobile_phone", "").strip():
            self.add_error(
                "mobile_phone", _("Give a mobile number to get text messages, or choose email.")
            )
        return cleaned

    @transaction.atomic
    def save(self) -> None:
        notify.set_contact(
            party=self.party,
            email=self.cleaned_data["email"],
            mobile_phone=self.cleaned_data["mobile_phone"],
        )
        for kind in all_kinds():
            notify.set_preference(
                party=self.party, kind=kind.code, channel=self.cleaned_data[f"kind_{kind.code}"]
            )


def _held_parties(user: Any) -> list[Party]:
    accounts = linked_accounts(user).filter(
        portal_links__user=user, portal_links__role=LinkRole.HOLDER
    )
    parties = {account.party_id: account.party for account in accounts.select_related("party")}
    return list(parties.values())


@member_required
def notifications(request: HttpRequest) -> HttpResponse:
    parties = _held_parties(request.user)
    if not parties:
        return render(request, "portal/notifications.html", {"form": None})
    party = parties[0]  # one member holds the accounts of a sign-in, as a rule
    form = NotificationsForm(request.POST or None, party=party)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification choices are saved."))
        return redirect("portal:notifications")
    return render(request, "portal/notifications.html", {"form": form, "party": party})
