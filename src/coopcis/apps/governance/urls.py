"""Governance pages (mounted at /governance/): meetings, elections, the board, ethics."""

from django.urls import path

from coopcis.apps.governance import desk_views, views

app_name = "governance"
urlpatterns = [
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", desk_views.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_id>/", views.meeting_page, name="meeting"),
    path("meetings/<int:meeting_id>/ballots/", desk_views.ballot, name="ballot"),
    path("meetings/<int:meeting_id>/question/", desk_views.question, name="question"),
    path("meetings/<int:meeting_id>/adjourn/", desk_views.adjourn, name="adjourn"),
    path("meetings/<int:meeting_id>/removals/", desk_views.removals, name="removals"),
    path("meetings/<int:meeting_id>/removals/charges/", desk_views.charges_new, name="charges_new"),
    path(
        "meetings/<int:meeting_id>/removals/decide/",
        desk_views.charges_decide,
        name="charges_decide",
    ),
    path("meetings/<int:meeting_id>/check-in/", views.check_in, name="check_in"),
    path("meetings/<int:meeting_id>/quorum/", views.quorum_page, name="quorum"),
    path("meetings/<int:meeting_id>/tally/", views.tally_page, name="tally"),
    path("meetings/<int:meeting_id>/petitions/", views.petitions_page, name="petitions"),
    path("meetings/<int:meeting_id>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("meetings/<int:meeting_id>/petitions/new/", views.petition_new, name="petition_new"),
    path("meetings/<int:meeting_id>/coin-toss/", views.coin_toss, name="coin_toss"),
    path("meetings/<int:meeting_id>/certify/", views.certify, name="certify"),
    path("board/", views.board_page, name="board"),
    path("ethics/report/", views.ethics_report_new, name="ethics_report_new"),
    path("ethics/reports/", views.ethics_reports, name="ethics_reports"),
    path("ethics/access/", views.access_review, name="access_review"),
]
