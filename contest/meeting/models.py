"""The live session of a final round, its order, rescorings, and the panel's grade votes."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class MeetingSession(Model):
    """One per round. `version` moves with every change the chair makes, so screens know they are behind."""

    id = fields.IntField(primary_key=True)
    round: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Round", related_name="meetings", on_delete=fields.OnDelete.CASCADE, unique=True
    )
    round_id: int
    chair: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="meetings_chaired", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    chair_id: int | None
    screen_token = fields.CharField(max_length=64, unique=True)  # the projector's link: secret, no log-in
    pitch_seconds = fields.IntField(default=0, db_default=0)  # 0: no pitch timer
    questions_seconds = fields.IntField(default=0, db_default=0)
    position = fields.IntField(default=-1, db_default=-1)  # the item on screen; -1 before the first
    timer_started_at = fields.DatetimeField(null=True)
    version = fields.IntField(default=0, db_default=0)
    opened_at = fields.DatetimeField()
    locked_at = fields.DatetimeField(null=True)
    chain_head = fields.CharField(max_length=100, default="", db_default="")  # the audit chain at the lock

    items: fields.ReverseRelation[MeetingItem]

    class Meta:
        table = "meeting_session"


class MeetingItem(Model):
    """An entry in the session's order. `figures` is what the room was shown at its last reveal."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[MeetingSession] = fields.ForeignKeyField(
        "models.MeetingSession", related_name="items", on_delete=fields.OnDelete.CASCADE
    )
    session_id: int
    entry: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Entry", related_name="meeting_items", on_delete=fields.OnDelete.CASCADE
    )
    entry_id: int
    position = fields.IntField()
    revealed_at = fields.DatetimeField(null=True)
    figures: fields.JSONField[dict] = fields.JSONField(default=dict, db_default="{}")

    rescores: fields.ReverseRelation[Rescore]

    class Meta:
        table = "meeting_item"
        unique_together = (("session", "entry"),)
        ordering = ["position", "id"]


class Rescore(Model):
    """The chair reopened an entry for scoring: the judges' submissions of it were withdrawn."""

    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[MeetingItem] = fields.ForeignKeyField(
        "models.MeetingItem", related_name="rescores", on_delete=fields.OnDelete.CASCADE
    )
    item_id: int
    reason = fields.TextField()
    by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="rescores", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    by_id: int | None
    at = fields.DatetimeField()

    class Meta:
        table = "meeting_rescore"
        ordering = ["at", "id"]


class GradeVote(Model):
    """The chair put an entry's grade to the judges present. `choices`: award tier ids, 0 for no award."""

    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[MeetingSession] = fields.ForeignKeyField(
        "models.MeetingSession", related_name="votes", on_delete=fields.OnDelete.CASCADE
    )
    session_id: int
    entry: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Entry", related_name="grade_votes", on_delete=fields.OnDelete.CASCADE
    )
    entry_id: int
    choices: fields.JSONField[list[int]] = fields.JSONField(default=list, db_default="[]")
    opened_at = fields.DatetimeField()
    decided_tier = fields.IntField(null=True)  # the chair's confirmation; 0 = no award
    decided_at = fields.DatetimeField(null=True)

    ballots: fields.ReverseRelation[GradeBallot]

    class Meta:
        table = "meeting_grade_vote"
        ordering = ["opened_at", "id"]


class GradeBallot(Model):
    id = fields.IntField(primary_key=True)
    vote: fields.ForeignKeyRelation[GradeVote] = fields.ForeignKeyField(
        "models.GradeVote", related_name="ballots", on_delete=fields.OnDelete.CASCADE
    )
    vote_id: int
    judge: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="grade_ballots", on_delete=fields.OnDelete.CASCADE
    )
    judge_id: int
    choice = fields.IntField()
    cast_at = fields.DatetimeField()

    class Meta:
        table = "meeting_grade_ballot"
        unique_together = (("vote", "judge"),)
