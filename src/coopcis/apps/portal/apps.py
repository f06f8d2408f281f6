from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "coopcis.apps.portal"
    label = "portal"
    verbose_name = "Member portal"

    def ready(self) -> None:
        from django.contrib import admin
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from coopcis.apps.billing.events import BillsPosted
        from coopcis.apps.collections.events import DisconnectNoticesMailed
        from coopcis.apps.portal import signals  # noqa: F401  (marks members' sessions)
        from coopcis.apps.portal.bill_ready import on_bills_posted
        from coopcis.apps.portal.notice_copies import on_disconnect_notices
        from coopcis.events import subscribe

        subscribe(BillsPosted, on_bills_posted)  # paperless: "your bill is ready" by email
        subscribe(DisconnectNoticesMailed, on_disconnect_notices)  # the member's copy

        # Members' authenticator secrets are nobody's business in the admin: django-otp's
        # own admin page (which shows a device's QR code) is taken out.
        if admin.site.is_registered(TOTPDevice):
            admin.site.unregister(TOTPDevice)
