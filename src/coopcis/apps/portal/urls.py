"""The member portal, mounted at /portal/.

Pages that show or change an account's data take the account number as ``<str:number>``
and find it with ``access.get_linked_account_or_404`` (ids of bills and other rows are
looked up within the linked accounts: ``access.linked_or_404``), so the isolation test
(tests/integration/portal/test_isolation.py) can try every route with another member's
numbers and ids.
"""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.utils.functional import SimpleLazyObject

from coopcis.apps.portal import (
    address_change,
    capital_credits,
    certificates,
    loans,
    meetings,
    net_metering,
    notify_views,
    outage_map,
    outages,
    rebates,
    service,
    usage_views,
    views,
)
from coopcis.apps.portal.forms import MemberPasswordResetForm
from coopcis.apps.portal.money_urls import urlpatterns as money_urlpatterns
from coopcis.catalog.profiles import active_profile

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("outage-map/", outage_map.outage_map, name="outage_map"),
    path("outage-map/data.json", outage_map.outage_map_data, name="outage_map_data"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("verify-again/", views.resend_verification, name="resend_verification"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("confirm/", views.confirm, name="confirm"),
    path("accounts/link/", views.link_account, name="link_account"),
    path("accounts/<str:number>/invite/", views.invite, name="invite"),
    path(
        "accounts/<str:number>/capital-credits/",
        capital_credits.capital_credits,
        name="capital_credits",
    ),
    path(
        "accounts/<str:number>/capital-credits/checks/<int:payout_id>/claim/",
        capital_credits.claim_check,
        name="claim_check",
    ),
    path(
        "capital-credits/unclaimed/",
        capital_credits.unclaimed_checks,
        name="unclaimed_checks",
    ),
    path("accounts/<str:number>/meetings/", meetings.meetings, name="meetings"),
    path("accounts/<str:number>/loans/", loans.loans, name="loans"),
    path(
        "accounts/<str:number>/loans/<int:loan_id>/schedule.pdf",
        loans.loan_schedule,
        name="loan_schedule",
    ),
    path("accounts/<str:number>/rebates/", rebates.rebates, name="rebates"),
    path("accounts/<str:number>/net-metering/", net_metering.net_metering, name="net_metering"),
    path("accounts/<str:number>/service/", service.service, name="service"),
    path("accounts/<str:number>/outage/", outages.report_outage, name="report_outage"),
    path(
        "accounts/<str:number>/service/address/",
        address_change.address_change,
        name="address_change",
    ),
    path(
        "accounts/<str:number>/service/certificate/",
        certificates.certificate,
        name="certificate",
    ),
    path(
        "accounts/<str:number>/service/certificate/<int:upload_id>/file",
        certificates.certificate_file,
        name="certificate_file",
    ),
    path(
        "accounts/<str:number>/access/<int:link_id>/remove/",
        views.remove_access,
        name="access_remove",
    ),
    path(
        "accounts/<str:number>/invitations/<int:invitation_id>/withdraw/",
        views.cancel_invitation,
        name="invitation_cancel",
    ),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("accounts/<str:number>/usage/", usage_views.usage, name="usage"),
    path("accounts/<str:number>/usage/rates/", usage_views.rates, name="usage_rates"),
    path("accounts/<str:number>/usage/download/", usage_views.download, name="usage_download"),
    path("accounts/<str:number>/usage/alerts/", usage_views.alerts, name="usage_alerts"),
    path("notifications/", notify_views.notifications, name="notifications"),
    path("security/two-step/", views.two_factor, name="two_factor"),
    path("security/two-step/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("security/two-step/turn-off/", views.two_factor_disable, name="two_factor_disable"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=MemberPasswordResetForm,
            template_name="portal/password_reset.html",
            subject_template_name="portal/email/password_reset_subject.txt",
            email_template_name="portal/email/password_reset_body.txt",
            success_url=reverse_lazy("portal:password_reset_sent"),
            extra_email_context={"co_op": SimpleLazyObject(active_profile)},
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="portal/password_reset_sent.html"),
        name="password_reset_sent",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.MemberPasswordResetConfirmView.as_view(
            success_url=reverse_lazy("portal:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="portal/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
urlpatterns += money_urlpatterns  # bills and money: money_urls.py
