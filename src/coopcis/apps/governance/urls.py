"""Governance pages (mounted at /governance/): meetings, elections, the board, ethics."""

from django.urls import path

from coopcis.apps.governance import board_views, desk_views, ethics_views, views

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
    path("meetings/<int:meeting_id>/notices/", desk_views.notices_send, name="notices_send"),
    path("meetings/<int:meeting_id>/petitions/new/", views.petition_new, name="petition_new"),
    path("meetings/<int:meeting_id>/coin-toss/", views.coin_toss, name="coin_toss"),
    path("meetings/<int:meeting_id>/certify/", views.certify, name="certify"),
    path("board/", board_views.board_page, name="board"),
    path("board/seat/", board_views.seat, name="board_seat"),
    path("board/officers/", board_views.officers, name="board_officers"),
    path("board/fill/", board_views.fill, name="board_fill"),
    path("board/meetings/new/", board_views.board_meeting_new, name="board_meeting_new"),
    path(
        "board/meetings/<int:board_meeting_id>/",
        board_views.board_meeting,
        name="board_meeting",
    ),
    path(
        "board/meetings/<int:board_meeting_id>/attendance/",
        board_views.attendance,
        name="board_attendance",
    ),
    path(
        "board/meetings/<int:board_meeting_id>/remove/",
        board_views.remove,
        name="board_remove",
    ),
    path("ethics/disclosures/", ethics_views.disclosures, name="disclosures"),
    path("ethics/disclosures/new/", ethics_views.disclosure_new, name="disclosure_new"),
    path("ethics/member-lists/", ethics_views.member_lists, name="member_lists"),
    path("ethics/report/", views.ethics_report_new, name="ethics_report_new"),
    path("ethics/reports/", views.ethics_reports, name="ethics_reports"),
    path("ethics/access/", views.access_review, name="access_review"),
]
