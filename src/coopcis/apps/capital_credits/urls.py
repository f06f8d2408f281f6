"""Capital-credit staff pages, mounted at /capital-credits/."""

from django.urls import path

from coopcis.apps.capital_credits import desk_views, views

app_name = "capital_credits"
urlpatterns = [
    path("", views.index, name="index"),
    path("allocate/", desk_views.allocate, name="allocate"),
    path("retire/", desk_views.retire, name="retire"),
    path("estate/", desk_views.estate, name="estate"),
    path("assign/", desk_views.assign, name="assign"),
    path("claim/", desk_views.claim, name="claim"),
    path("allocations/<int:allocation_id>/", views.allocation_detail, name="allocation"),
    path("retirements/<int:retirement_id>/", views.retirement_detail, name="retirement"),
    path("retirements/<int:retirement_id>/register.csv", views.register_csv, name="register_csv"),
    path("retirements/<int:retirement_id>/register.pdf", views.register_pdf, name="register_pdf"),
    path("unclaimed/", views.unclaimed_list, name="unclaimed"),
    path("accounts/<str:number>/notices/<int:credit_id>.pdf", views.notice_pdf, name="notice_pdf"),
]
