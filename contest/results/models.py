"""Awards, public notices (公示), objections and the popular vote."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class AwardStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    REVOKED = "revoked"


class NoticeKind(StrEnum):
    SHORTLIST = "shortlist"
    PROPOSED_WINNERS = "proposed_winners"
    OBJECTION_OUTCOME = "objection_outcome"
    FINAL_RESULTS = "final_results"


class ObjectionStatus(StrEnum):
    RECEIVED = "received"
    UNDER_REVIEW = "under_review"  # 复议
    UPHELD = "upheld"
    REJECTED = "rejected"


class Award(Model):
    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contest", related_name="awards", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    tier: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.AwardTier", related_name="awards", on_delete=fields.OnDelete.RESTRICT
    )
    tier_id: int
    entry: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Entry", related_name="awards", on_delete=fields.OnDelete.CASCADE
    )
    entry_id: int
    status = fields.CharEnumField(AwardStatus, max_length=20, default=AwardStatus.PROPOSED)
    reason = fields.TextField(default="")  # why it differs from the proposal, or was revoked
    decided_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="award_decisions", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    decided_by_id: int | None
    decided_at = fields.DatetimeField(null=True)
    # Set once, when the certificate is first issued (after the announcement), and never changed after
    certificate_number = fields.CharField(max_length=120, null=True, db_index=True)
    certificate_seq = fields.IntField(null=True)  # the {seq} of the contest's numbering
    # The QR code's key to the public check page: random, so the page cannot be walked through
    certificate_token = fields.CharField(max_length=32, null=True, unique=True)

    class Meta:
        table = "award"


class PayeeKind(StrEnum):
    INDIVIDUAL = "individual"
    ORGANISATION = "organisation"
    TEAM_PROXY = "team_proxy"  # a member of the team receives the prize for it, with the team's agreement


class PayoutState(StrEnum):
    """What is stored; "not started" is the absence of a row and "expired" a missed deadline (payouts.status_of)."""

    SUBMITTED = "submitted"
    DECLINED = "declined"
    PAID = "paid"


class Payout(Model):
    """The payee of one award's prize, given by the winner (PIPL art. 28: collected only here, with its own
    consent). The ID and account numbers are kept sealed (contest.results.sealing) beside a masked form for
    display; amounts are computed from the tier and the contest's rule until the prize is paid, then kept."""

    id = fields.IntField(primary_key=True)
    award: fields.OneToOneRelation = fields.OneToOneField(
        "models.Award", related_name="payout", on_delete=fields.OnDelete.CASCADE
    )
    award_id: int
    state = fields.CharEnumField(PayoutState, max_length=20)
    payee_kind = fields.CharEnumField(PayeeKind, max_length=20, default=PayeeKind.INDIVIDUAL)
    payee_name = fields.CharField(max_length=200, default="", db_default="")
    id_type = fields.CharField(max_length=20, default="", db_default="")
    id_number_sealed = fields.TextField(default="", db_default="")
    id_number_masked = fields.CharField(max_length=60, default="", db_default="")
    bank_name = fields.CharField(max_length=200, default="", db_default="")
    account_sealed = fields.TextField(default="", db_default="")
    account_masked = fields.CharField(max_length=40, default="", db_default="")
    account_holder = fields.CharField(max_length=200, default="", db_default="")
    phone = fields.CharField(max_length=20, default="", db_default="")
    team_agreed = fields.BooleanField(default=False, db_default=False)
    consented_at = fields.DatetimeField(null=True)
    submitted_at = fields.DatetimeField(null=True)
    declined_at = fields.DatetimeField(null=True)
    paid_on = fields.DateField(null=True)
    paid_pre_tax_fen = fields.BigIntField(null=True)
    paid_tax_fen = fields.BigIntField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "payout"


class Notice(Model):
    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contest", related_name="notices", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    kind = fields.CharEnumField(NoticeKind, max_length=30)
    title = fields.CharField(max_length=200)
    body_md = fields.TextField(default="")
    publish_at = fields.DatetimeField()
    ends_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # A main notice is public only once an organiser approved it (outcome notices: when published)
    approved_at = fields.DatetimeField(null=True)
    approved_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="notices_approved", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    approved_by_id: int | None

    class Meta:
        table = "notice"


class Objection(Model):
    """Filed under a real name. The identity of the objector is visible to organisers only."""

    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contest", related_name="objections", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    entry: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Entry", related_name="objections", on_delete=fields.OnDelete.CASCADE
    )
    entry_id: int
    objector_name = fields.CharField(max_length=100)
    objector_organisation = fields.CharField(max_length=200, default="", db_default="")
    objector_email = fields.CharField(max_length=254)
    objector_phone = fields.CharField(max_length=40, default="", db_default="")
    body = fields.TextField()
    attachment_key = fields.CharField(max_length=64, default="", db_default="")
    attachment_type = fields.CharField(max_length=20, default="", db_default="")
    status = fields.CharEnumField(ObjectionStatus, max_length=20, default=ObjectionStatus.RECEIVED)
    outcome = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "objection"


class Voter(Model):
    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contest", related_name="voters", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    email = fields.CharField(max_length=254)
    code_hash = fields.CharField(max_length=64, default="", db_default="")
    verified_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "voter"
        unique_together = (("contest", "email"),)


class Vote(Model):
    id = fields.IntField(primary_key=True)
    voter: fields.ForeignKeyRelation[Voter] = fields.ForeignKeyField(
        "models.Voter", related_name="votes", on_delete=fields.OnDelete.CASCADE
    )
    voter_id: int
    entry: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Entry", related_name="votes", on_delete=fields.OnDelete.CASCADE
    )
    entry_id: int
    day = fields.DateField()
    ip = fields.CharField(max_length=64, default="", db_default="")
    created_at = fields.DatetimeField()
    voided = fields.BooleanField(default=False, db_default=False)
    void_reason = fields.CharField(max_length=200, default="", db_default="")

    class Meta:
        table = "vote"
        unique_together = (("voter", "entry", "day"),)


class ResultsStamp(Model):
    """A contest's results generation, for the signal through the database (contest.cache_stamp_db).

    Row 0 holds the version, bumped with every change: so `contest_id` is not a foreign key."""

    contest_id = fields.IntField(primary_key=True, generated=False)
    generation = fields.BigIntField()

    class Meta:
        table = "results_stamp"


class ResultsReader(Model):
    """A serving process whose page cache trusts its memory while its lease lasts: the version it has applied."""

    id = fields.CharField(max_length=64, primary_key=True)
    seen = fields.BigIntField()
    expires_at = fields.DatetimeField()

    class Meta:
        table = "results_reader"
