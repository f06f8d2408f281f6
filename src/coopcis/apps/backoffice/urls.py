"""Back-office URLs (mounted at "/"): sign-in, search, accounts, applications, API v1."""

from django.contrib.auth import views as auth_views
from django.urls import path

from coopcis.apps.backoffice import (
    address_views,
    applications,
    arrangement_views,
    bill_views,
    certificate_views,
    note_views,
    outage_calls,
    views,
    work_views,
)
from coopcis.apps.backoffice import collections_views as collections
from coopcis.apps.backoffice import deposit_views as deposits
from coopcis.apps.backoffice import staff_views as staff
from coopcis.apps.loans import views as loans
from coopcis.apps.netmetering import interconnection_views as interconnections
from coopcis.apps.netmetering import views as netmetering
from coopcis.apps.payments import correction_views as payment_corrections
from coopcis.apps.payments import views as cashier
from coopcis.apps.rebates import views as rebates

app_name = "backoffice"
urlpatterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="backoffice/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", staff.OwnPasswordChangeView.as_view(), name="password_change"),
    path("staff/", staff.staff_list, name="staff"),
    path("staff/<str:username>/password/", staff.staff_reset, name="staff_reset"),
    path("reads/", staff.member_data_reads, name="member_data_reads"),
    path("", views.search, name="search"),
    path("calls/outage/", outage_calls.outage_call, name="outage_call"),
    path("accounts/<str:number>/", views.account_detail, name="account"),
    path("accounts/<str:number>/edit/", views.account_edit, name="account_edit"),
    path("accounts/<str:number>/membership/new/", views.membership_new, name="membership_new"),
    path("accounts/<str:number>/meters/install/", views.meter_install, name="meter_install"),
    path("accounts/<str:number>/meters/remove/", views.meter_remove, name="meter_remove"),
    path("accounts/<str:number>/agreements/new/", views.agreement_start, name="agreement_start"),
    path(
        "accounts/<str:number>/agreements/<int:agreement_id>/end/",
        views.agreement_end,
        name="agreement_end",
    ),
    path("accounts/<str:number>/notes/new/", note_views.note_new, name="note_new"),
    path("accounts/<str:number>/notes/<int:note_id>/pin/", note_views.note_pin, name="note_pin"),
    path("bills/<int:bill_id>.pdf", views.bill_pdf, name="bill_pdf"),
    path("bills/<int:bill_id>/reprint/", views.bill_reprint, name="bill_reprint"),
    path("bills/held/", bill_views.held_list, name="held_bills"),
    path("work/read-exceptions/", work_views.read_exceptions, name="read_exceptions"),
    path(
        "work/read-exceptions/<int:exception_id>/resolve/",
        work_views.read_exception_resolve,
        name="read_exception_resolve",
    ),
    path("work/suspense/", work_views.suspense_items, name="suspense_items"),
    path("work/suspense/<int:item_id>/apply/", work_views.suspense_apply, name="suspense_apply"),
    path("work/refunds/", work_views.refund_requests, name="refund_requests"),
    path("work/refunds/<int:refund_id>/issue/", work_views.refund_issue, name="refund_issue"),
    path("work/collections/", work_views.collections_due_list, name="collections_due"),
    path("work/arrangements/", arrangement_views.arrangement_requests, name="arrangement_requests"),
    path(
        "work/arrangements/<int:request_id>/approve/",
        arrangement_views.arrangement_approve,
        name="arrangement_approve",
    ),
    path(
        "work/arrangements/<int:request_id>/decline/",
        arrangement_views.arrangement_decline,
        name="arrangement_decline",
    ),
    path("work/addresses/", address_views.address_requests, name="address_requests"),
    path(
        "work/addresses/<int:request_id>/confirm/",
        address_views.address_confirm,
        name="address_confirm",
    ),
    path(
        "work/addresses/<int:request_id>/decline/",
        address_views.address_decline,
        name="address_decline",
    ),
    path("work/certificates/", certificate_views.certificate_uploads, name="certificate_uploads"),
    path(
        "work/certificates/<int:upload_id>/",
        certificate_views.certificate_review,
        name="certificate_review",
    ),
    path(
        "work/certificates/<int:upload_id>/reject/",
        certificate_views.certificate_reject,
        name="certificate_reject",
    ),
    path(
        "work/certificates/<int:upload_id>/file",
        certificate_views.certificate_file,
        name="certificate_file",
    ),
    path("bills/<int:bill_id>/", bill_views.bill_review, name="bill_review"),
    path("bills/<int:bill_id>/release/", bill_views.bill_release, name="bill_release"),
    path("bills/<int:bill_id>/cancel/", bill_views.bill_cancel, name="bill_cancel"),
    path(
        "accounts/<str:number>/collections/certificates/new/",
        collections.certificate_new,
        name="certificate_new",
    ),
    path(
        "accounts/<str:number>/collections/liheap/new/", collections.liheap_new, name="liheap_new"
    ),
    path(
        "accounts/<str:number>/collections/agreements/new/",
        collections.payment_agreement_new,
        name="payment_agreement_new",
    ),
    path(
        "accounts/<str:number>/collections/disputes/new/",
        collections.dispute_new,
        name="dispute_new",
    ),
    path(
        "accounts/<str:number>/collections/disputes/<int:dispute_id>/resolve/",
        collections.dispute_resolve,
        name="dispute_resolve",
    ),
    path("accounts/<str:number>/collections/holds/new/", collections.hold_new, name="hold_new"),
    path(
        "accounts/<str:number>/collections/holds/<int:hold_id>/release/",
        collections.hold_release,
        name="hold_release",
    ),
    path(
        "accounts/<str:number>/collections/third-party/new/",
        collections.third_party_new,
        name="third_party_new",
    ),
    path(
        "accounts/<str:number>/deposits/decisions/new/",
        deposits.decision_new,
        name="deposit_decision_new",
    ),
    path("accounts/<str:number>/deposits/take/", deposits.deposit_take, name="deposit_take"),
    path("accounts/<str:number>/deposits/bill/", deposits.deposit_bill, name="deposit_bill"),
    path(
        "accounts/<str:number>/deposits/guarantors/new/",
        deposits.guarantor_new,
        name="guarantor_new",
    ),
    path(
        "accounts/<str:number>/deposits/<int:deposit_id>/refund/",
        deposits.deposit_refund,
        name="deposit_refund",
    ),
    path(
        "accounts/<str:number>/deposits/<int:deposit_id>/excess/",
        deposits.deposit_excess,
        name="deposit_excess",
    ),
    path("notices/<int:notice_id>.pdf", collections.notice_pdf, name="notice_pdf"),
    path(
        "deposit-receipts/<int:receipt_id>.pdf",
        collections.deposit_receipt_pdf,
        name="deposit_receipt_pdf",
    ),
    path("applications/", applications.application_list, name="applications"),
    path("applications/new/", applications.application_new, name="application_new"),
    path("applications/<int:pk>/", applications.application_detail, name="application"),
    path(
        "applications/<int:pk>/approve/",
        applications.application_approve,
        name="application_approve",
    ),
    path(
        "applications/<int:pk>/decline/",
        applications.application_decline,
        name="application_decline",
    ),
    path(
        "applications/<int:pk>/connect/",
        applications.application_connect,
        name="application_connect",
    ),
    path("loans/<int:loan_id>/schedule.pdf", loans.loan_schedule, name="loan_schedule"),
    path("accounts/<str:number>/loans/new/", loans.loan_new, name="loan_new"),
    path("loans/<int:loan_id>/approve/", loans.loan_approve, name="loan_approve"),
    path("loans/<int:loan_id>/disburse/", loans.loan_disburse, name="loan_disburse"),
    path("work/rebates/", rebates.claim_list, name="rebate_claims"),
    path("accounts/<str:number>/rec-reads/new/", netmetering.rec_read_new, name="rec_read_new"),
    path(
        "accounts/<str:number>/interconnections/new/",
        interconnections.interconnection_new,
        name="interconnection_new",
    ),
    path(
        "interconnections/<int:interconnection_id>/approve/",
        interconnections.interconnection_approve,
        name="interconnection_approve",
    ),
    path(
        "interconnections/<int:interconnection_id>/in-service/",
        interconnections.interconnection_in_service,
        name="interconnection_in_service",
    ),
    path(
        "interconnections/<int:interconnection_id>/charge/",
        interconnections.interconnection_charge,
        name="interconnection_charge",
    ),
    path(
        "interconnections/<int:interconnection_id>/close/",
        interconnections.interconnection_close,
        name="interconnection_close",
    ),
    path("accounts/<str:number>/rebates/new/", rebates.claim_new, name="rebate_claim_new"),
    path("rebates/<int:claim_id>/", rebates.claim_detail, name="rebate_claim"),
    path("rebates/<int:claim_id>/approve/", rebates.claim_approve, name="rebate_claim_approve"),
    path("rebates/<int:claim_id>/deny/", rebates.claim_deny, name="rebate_claim_deny"),
    path(
        "rebates/<int:claim_id>/inspection/",
        rebates.claim_inspection,
        name="rebate_claim_inspection",
    ),
    path("rebates/documents/<int:document_id>/", rebates.claim_document, name="rebate_document"),
    path("cashier/", cashier.batch_list, name="cashier"),
    path("cashier/open/", cashier.batch_open, name="cashier_open"),
    path("cashier/pay/", cashier.pay_for_account, name="cashier_pay_for_account"),
    path("cashier/<int:batch_id>/", cashier.batch_detail, name="cashier_batch"),
    path("cashier/<int:batch_id>/pay/", cashier.take_payment, name="cashier_pay"),
    path("cashier/<int:batch_id>/close/", cashier.batch_close, name="cashier_close"),
    path("payments/<int:payment_id>/void/", payment_corrections.payment_void, name="payment_void"),
    path(
        "payments/<int:payment_id>/reverse/",
        payment_corrections.payment_reverse,
        name="payment_reverse",
    ),
    path(
        "payments/<int:payment_id>/receipt.pdf",
        payment_corrections.payment_receipt,
        name="payment_receipt",
    ),
]
