"""The portal's bills-and-money pages (included by ``portal/urls.py``, namespace
``portal``): the account's first screen, bills and their PDFs, paying, autopay, paperless
billing and payment arrangements. Every route takes the account number and finds it
among the member's linked accounts."""

from django.urls import path

from coopcis.apps.portal import autopay_views, bill_views, pay_views

urlpatterns = [
    path("accounts/<str:number>/", bill_views.account_home, name="account"),
    path("accounts/<str:number>/bills/<int:bill_id>/", bill_views.bill_detail, name="bill"),
    path("accounts/<str:number>/bills/<int:bill_id>/pdf/", bill_views.bill_pdf, name="bill_pdf"),
    path("accounts/<str:number>/pay/", pay_views.pay, name="pay"),
    path(
        "accounts/<str:number>/payments/<int:payment_id>/",
        pay_views.payment_done,
        name="payment_done",
    ),
    path("accounts/<str:number>/autopay/", autopay_views.autopay, name="autopay"),
    path(
        "accounts/<str:number>/autopay/bank-draft/",
        autopay_views.autopay_bank_draft,
        name="autopay_bank_draft",
    ),
    path("accounts/<str:number>/autopay/card/", autopay_views.autopay_card, name="autopay_card"),
    path("accounts/<str:number>/autopay/stop/", autopay_views.autopay_stop, name="autopay_stop"),
    path("accounts/<str:number>/paperless/", autopay_views.paperless, name="paperless"),
    path("accounts/<str:number>/arrangement/", autopay_views.arrangement, name="arrangement"),
]
