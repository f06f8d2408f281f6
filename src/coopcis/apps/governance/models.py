"""Members' meetings, trustee elections, the board and the code of ethics.

Bylaws art. III (meetings of members), IV (trustees), V (meetings of trustees), VI
(officers); code of ethics (seed 000). The rules are in ``coopcis.core.governance``;
these tables keep what happened: who was present, each petition with its problems, the
votes, the coin toss, the certified result, the board's attendance and the disclosures.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from coopcis.apps.audit.tracking import AuditedModel


class MeetingKind(models.TextChoices):
    ANNUAL = "ANNUAL", "Annual meeting"
    SPECIAL = "SPECIAL", "Special meeting"


class CalledBy(models.TextChoices):
    """art. III sec. 2: who may call a special meeting (the annual meeting is the bylaws')."""

    BYLAWS = "BYLAWS", "The bylaws (annual meeting)"
    BOARD = "BOARD", "The board of trustees"
    THREE_TRUSTEES = "THREE_TRUSTEES", "Three trustees"
    PRESIDENT = "PRESIDENT", "The president"
    PETITION = "PETITION", "A petition of ten per cent of the members"


class Meeting(AuditedModel):
    """A meeting of the members (art. III): its day, place, notice, quorum and minutes.

    Once certified, its election result is frozen in ``certified_results`` beside the
    minutes and nothing more is recorded at it.
    """

    kind = models.CharField(max_length=8, choices=MeetingKind.choices)
    on = models.DateField()
    starts_at = models.CharField(max_length=5, default="18:00", help_text="HH:MM")
    place = models.CharField(max_length=200, blank=True)
    called_by = models.CharField(max_length=16, choices=CalledBy.choices)
    purpose = models.TextField(blank=True)
    #: For a special meeting called by three trustees or a petition: who signed, checked.
    callers = models.JSONField(default=list, blank=True)
    #: The day the notice was mailed (the first mailing: the one the bylaws count).
    notice_mailed_on = models.DateField(null=True, blank=True)
    #: The day staff last sent it again on purpose (``meetings notice --resend``).
    notice_resent_on = models.DateField(null=True, blank=True)
    notices_printed = models.PositiveIntegerField(default=0)
    notices_emailed = models.PositiveIntegerField(default=0)
    adjourned_without_quorum = models.BooleanField(default=False)
    minutes = models.TextField(blank=True)
    certified_at = models.DateTimeField(null=True, blank=True)
    certified_by = models.CharField(max_length=150, blank=True)
    certified_results = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on.isoformat()}"


class SeatsUp(models.Model):
    """How many trustees a district elects at a meeting (art. IV sec. 2: staggered terms)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="seats_up")
    district = models.CharField(max_length=2)
    seats = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "district"], name="one_seat_count_per_district"
            )
        ]

    def __str__(self) -> str:
        return f"{self.district}: {self.seats}"


class NominatingPetition(AuditedModel):
    """A petition nominating a candidate for trustee (art. IV sec. 3), kept valid or not,
    with each signature's fate and the candidate's eligibility (art. IV sec. 2)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="petitions")
    district = models.CharField(max_length=2)
    candidate = models.ForeignKey(
        "members.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    candidate_number = models.CharField(max_length=12)
    candidate_name = models.CharField(max_length=200, blank=True)
    candidate_address = models.CharField(max_length=300, blank=True)
    filed_on = models.DateField()
    signers = models.JSONField(default=list)
    valid = models.BooleanField()
    valid_signatures = models.PositiveIntegerField()
    problems = models.JSONField(default=list)
    struck = models.JSONField(default=list)
    eligibility = models.JSONField(default=dict)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["district", "candidate_name", "id"]

    def __str__(self) -> str:
        return f"Petition for {self.candidate_number} in {self.district}"


class CheckIn(models.Model):
    """A membership registered present in person (art. III sec. 4): one per membership."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="check_ins")
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="+")
    #: The district the member resides in when registered (None: served at no premise).
    district = models.CharField(max_length=2, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "membership"], name="one_check_in_per_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} at {self.meeting_id}"


class BallotIssued(models.Model):
    """That a membership has voted at a meeting (art. III sec. 5: one vote per member).

    Kept apart from the votes, which carry no voter: the ballot stays secret.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="ballots")
    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="+")
    district = models.CharField(max_length=2)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "membership"], name="one_ballot_per_membership"
            )
        ]

    def __str__(self) -> str:
        return f"Ballot of {self.membership_id} at {self.meeting_id}"


class Vote(models.Model):
    """One vote for a candidate on a district's ballot, with no link to the voter."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="votes")
    district = models.CharField(max_length=2)
    petition = models.ForeignKey(NominatingPetition, on_delete=models.PROTECT, related_name="votes")

    class Meta:
        indexes = [models.Index(fields=["meeting", "district"])]

    def __str__(self) -> str:
        return f"Vote in {self.district} at {self.meeting_id}"


class CoinToss(AuditedModel):
    """A tie settled by the toss of a coin (art. IV sec. 2): the caller, the call, the result,
    the chair who set its rules, and the winner, who takes one of the tied seats."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="coin_tosses")
    district = models.CharField(max_length=2)
    tied = models.JSONField(default=list)
    called_by = models.CharField(max_length=200)
    call = models.CharField(max_length=10, blank=True)
    result = models.CharField(max_length=10, blank=True)
    chair = models.CharField(max_length=200, blank=True)
    rules = models.CharField(max_length=300, blank=True)
    winner = models.CharField(max_length=12)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Coin toss in {self.district}: {self.winner}"


class Question(AuditedModel):
    """A question other than the election, decided by a majority of the members voting on
    it in person (art. III sec. 5)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="questions")
    text = models.CharField(max_length=500)
    votes_for = models.PositiveIntegerField()
    votes_against = models.PositiveIntegerField()
    carried = models.BooleanField()
    recorded_by = models.CharField(max_length=150)

    def __str__(self) -> str:
        return self.text


class TrusteeLeft(models.TextChoices):
    TERM_ENDED = "TERM_ENDED", "Term ended"
    RESIGNED = "RESIGNED", "Resigned"
    REMOVED_ABSENCES = "REMOVED_ABSENCES", "Removed by the board for absences (art. IV sec. 2(d))"
    REMOVED_BY_MEMBERS = "REMOVED_BY_MEMBERS", "Removed by the members (art. IV sec. 4)"
    DIED = "DIED", "Died"


class Trustee(AuditedModel):
    """A trustee's seat on the board for a term (art. IV): elected at an annual meeting, or
    appointed by the board to fill a vacancy for the rest of the term (art. IV sec. 5)."""

    membership = models.ForeignKey("members.Membership", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    district = models.CharField(max_length=2)
    #: The year of the annual meeting at which the term ends.
    term_ends_year = models.PositiveSmallIntegerField()
    started_on = models.DateField()
    elected_at = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="trustees_elected"
    )
    appointed = models.BooleanField(default=False)
    left_on = models.DateField(null=True, blank=True)
    left_reason = models.CharField(max_length=20, choices=TrusteeLeft.choices, blank=True)
    flagged_for_removal = models.BooleanField(default=False)

    class Meta:
        ordering = ["district", "term_ends_year", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.district}, to {self.term_ends_year})"


class Office(models.TextChoices):
    PRESIDENT = "PRESIDENT", "President"
    VICE_PRESIDENT = "VICE_PRESIDENT", "Vice President"
    SECRETARY = "SECRETARY", "Secretary"
    TREASURER = "TREASURER", "Treasurer"


class OfficerTerm(AuditedModel):
    """An officer elected by and from the board, yearly (art. VI sec. 1, 2)."""

    trustee = models.ForeignKey(Trustee, on_delete=models.PROTECT, related_name="offices")
    office = models.CharField(max_length=16, choices=Office.choices)
    elected_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_office_display()} from {self.elected_on}"


class BoardMeetingKind(models.TextChoices):
    REGULAR = "REGULAR", "Regular"
    SPECIAL = "SPECIAL", "Special"


class BoardMeeting(AuditedModel):
    """A meeting of the trustees (art. V): regular, or special on five days' notice."""

    kind = models.CharField(max_length=8, choices=BoardMeetingKind.choices)
    on = models.DateField()
    notice_given_on = models.DateField(null=True, blank=True)
    purpose = models.CharField(max_length=300, blank=True)
    minutes = models.TextField(blank=True)

    class Meta:
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} board meeting {self.on.isoformat()}"


class AttendanceMark(models.TextChoices):
    PRESENT = "PRESENT", "Present"
    EXCUSED = "EXCUSED", "Absent, excused (bona fide reason)"
    UNEXCUSED = "UNEXCUSED", "Absent, unexcused"


class Attendance(models.Model):
    """A trustee's presence at a board meeting; whether an absence had a bona fide reason
    is for the remaining trustees to decide (art. IV sec. 2(d))."""

    board_meeting = models.ForeignKey(
        BoardMeeting, on_delete=models.CASCADE, related_name="attendance"
    )
    trustee = models.ForeignKey(Trustee, on_delete=models.PROTECT, related_name="attendance")
    mark = models.CharField(max_length=10, choices=AttendanceMark.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["board_meeting", "trustee"], name="one_mark_per_trustee"
            )
        ]

    def __str__(self) -> str:
        return f"{self.trustee_id}: {self.mark}"


class RemovalCase(AuditedModel):
    """Charges against a trustee or officer by members (art. IV sec. 4, art. VI sec. 3): the
    petition of ten per cent, the notice five days before, the hearing and the members' vote."""

    trustee = models.ForeignKey(Trustee, on_delete=models.PROTECT, related_name="removal_cases")
    office = models.CharField(max_length=16, choices=Office.choices, blank=True)
    charges = models.TextField()
    signers = models.JSONField(default=list)
    valid_signatures = models.PositiveIntegerField()
    required_signatures = models.PositiveIntegerField()
    filed_on = models.DateField()
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="removal_cases")
    informed_on = models.DateField()
    hearing = models.TextField(blank=True)
    votes_for = models.PositiveIntegerField(null=True, blank=True)
    votes_against = models.PositiveIntegerField(null=True, blank=True)
    removed = models.BooleanField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Charges against trustee {self.trustee_id}"


class DisclosureKind(models.TextChoices):
    ANNUAL = "ANNUAL", "Yearly signed statement"
    DECISION = "DECISION", "For one decision"


class ConflictDisclosure(AuditedModel):
    """A trustee's or employee's conflict-of-interest disclosure (code of ethics: "report
    that potential conflict of interest to the supervisor or president of the board"): a
    signed statement each year, or for one decision, with the recusal kept in the minutes."""

    kind = models.CharField(max_length=8, choices=DisclosureKind.choices)
    trustee = models.ForeignKey(
        Trustee, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: The discloser's membership (a trustee's or a candidate's), when a member.
    membership = models.ForeignKey(
        "members.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    employee = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person_name = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField()
    interests = models.TextField(help_text="Interests that a decision could affect; 'none' if none")
    #: A competing or supplying business (art. IV sec. 2(c)): bars a trustee or candidate.
    competing_business = models.CharField(max_length=200, blank=True)
    decision = models.CharField(max_length=300, blank=True)
    board_meeting = models.ForeignKey(
        BoardMeeting, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    recused = models.BooleanField(default=False)
    signed_on = models.DateField()
    recorded_by = models.CharField(max_length=150)

    class Meta:
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person_name} {self.year} ({self.kind})"


class EthicsReport(models.Model):
    """A report of a suspected violation (code of ethics, standards of conduct), kept
    confidential: only those the policy names (the supervisor or president of the board:
    the ``review_ethicsreport`` permission) read it. Not audited field by field, so its
    text does not appear in the audit trail."""

    received_on = models.DateField()
    reported_by = models.CharField(max_length=150)
    subject = models.CharField(max_length=200)
    text = models.TextField()
    standard = models.CharField(max_length=1, blank=True, help_text="A-F of the standards")
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        default_permissions = ("add",)
        permissions = [("review_ethicsreport", "Can read and close reports of violations")]
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"Report {self.pk} received {self.received_on}"


class MemberListRequest(models.Model):
    """A district member list given to a candidate or an incumbent on the same terms: names
    and mailing addresses only, each request logged."""

    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.CharField(max_length=150)
    for_name = models.CharField(max_length=200)
    for_membership = models.ForeignKey(
        "members.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=10)  # CANDIDATE or INCUMBENT
    district = models.CharField(max_length=2)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    members_listed = models.PositiveIntegerField()

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.district} list for {self.for_name}"
