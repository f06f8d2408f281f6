"""The portal's forms. Labels are the accessible names tests and screen readers find:
``Account number``, ``Latest bill amount``, ``Email``, ``Password``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from coopcis.apps.portal.linking import read_amount
from coopcis.core.money import AmountError


class NoColon:
    """Labels without Django's trailing colon: the accessible name is the label itself."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]


def _text(label: Any, **attrs: str) -> forms.CharField:
    return forms.CharField(label=label, max_length=40, widget=forms.TextInput(attrs=attrs))


class AccountProofForm(NoColon, forms.Form):
    """Account number and the total of its latest bill."""

    account_number = _text(
        _("Account number"), autocomplete="off", inputmode="numeric", spellcheck="false"
    )
    bill_amount = _text(_("Latest bill amount"), autocomplete="off", inputmode="decimal")

    def clean_bill_amount(self) -> Decimal:
        try:
            return read_amount(self.cleaned_data["bill_amount"])
        except AmountError as error:
            raise forms.ValidationError(error.message) from None


class NewPasswordMixin(NoColon, forms.Form):
    """Password twice, checked by Django's validators."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirm password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                validate_password(first)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class EmailField(forms.EmailField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Email"))
        kwargs.setdefault("widget", forms.EmailInput(attrs={"autocomplete": "email"}))
        super().__init__(max_length=150, **kwargs)

    def clean(self, value: Any) -> str:
        return str(super().clean(value)).strip().lower()


class SignUpForm(AccountProofForm, NewPasswordMixin):
    email = EmailField()

    field_order = ["account_number", "bill_amount", "email", "password1", "password2"]


class InvitationSignUpForm(NewPasswordMixin):
    """Sign-up through an invitation: the mailed link already proves the address."""


class SignInForm(NoColon, forms.Form):
    email = EmailField(widget=forms.EmailInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(NoColon, forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split())
        if not (code.isascii() and code.isdigit()):
            raise forms.ValidationError(_("The code is six digits."))
        return code


class ConfirmForm(NoColon, forms.Form):
    """Re-authentication: the password, and the code when two-factor sign-in is on."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, with_code: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_code:
            self.fields["code"] = CodeForm.base_fields["code"]

    def clean_code(self) -> str:
        return CodeForm.clean_code(self)  # type: ignore[arg-type]


class InviteForm(NoColon, forms.Form):
    email = EmailField(help_text=_("We send this person a link to sign up or sign in."))


class ResendForm(NoColon, forms.Form):
    email = EmailField()


class MemberPasswordResetForm(NoColon, PasswordResetForm):
    """Django's reset by email, for member sign-ins only (staff reset through a manager)."""

    email = EmailField()

    def get_users(self, email: str) -> Any:
        users = get_user_model()._default_manager.filter(
            email__iexact=email, is_active=True, portal_member__isnull=False
        )
        return (user for user in users if user.has_usable_password())


class MemberSetPasswordForm(NoColon, SetPasswordForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("Confirm new password")
