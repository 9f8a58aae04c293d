"""Rounds with their rules as switches, judge groups, panels, criteria, assignments, conflicts, scores."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from contest.judging.aggregation import Method

ALIAS_MAX = 16  # characters of an entry's alias in a round


class RoundKind(StrEnum):
    PRELIMINARY = "preliminary"  # 初评
    SECOND = "second"  # 复评
    FINAL = "final"  # 终评


class OthersScores(StrEnum):
    NEVER = "never"
    AFTER_OWN = "after_own"
    ALWAYS = "always"


class AssignmentMode(StrEnum):
    WHOLE_PANEL = "whole_panel"
    K_PER_ENTRY = "k_per_entry"


class EntrySource(StrEnum):
    ALL_ELIGIBLE = "all_eligible"
    ADVANCED = "advanced"  # those advanced from the previous round


class ConflictSource(StrEnum):
    DECLARED = "declared"
    ORGANISER = "organiser"
    DETECTED = "detected"


class Round(Model):
    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contest", related_name="rounds", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    kind = fields.CharEnumField(RoundKind, max_length=20)
    name = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100, default="", db_default="")
    position = fields.IntField(default=0, db_default=0)
    opens_at = fields.DatetimeField(null=True)
    closes_at = fields.DatetimeField(null=True)
    locked_at = fields.DatetimeField(null=True)
    entry_source = fields.CharEnumField(EntrySource, max_length=20, default=EntrySource.ALL_ELIGIBLE)
    assignment_mode = fields.CharEnumField(AssignmentMode, max_length=20, default=AssignmentMode.WHOLE_PANEL)
    judges_per_entry = fields.IntField(default=3, db_default=3)
    method = fields.CharEnumField(Method, max_length=20, default=Method.MEAN, db_default=Method.MEAN.value)
    # The round's rules as switches (review phases in peer-review systems); predicates read these.
    judges_may_score = fields.BooleanField(default=True, db_default=True)
    designers_may_edit = fields.BooleanField(default=False, db_default=False)
    judges_see_identity = fields.BooleanField(default=False, db_default=False)
    judges_see_others_scores = fields.CharEnumField(OthersScores, max_length=20, default=OthersScores.NEVER)
    judges_see_only_assigned = fields.BooleanField(default=True, db_default=True)
    # declared or detected AI use shown to judges (off: they judge the work as it is, as the public would not)
    judges_see_ai_labels = fields.BooleanField(default=False, db_default=False)
    # Scored live in the room (contest.meeting): judges see only the entries the chair has reached, and
    # score only the one the chair has open (live_entry_id, None between entries).
    paced_by_chair = fields.BooleanField(default=False, db_default=False)
    live_entry_id = fields.IntField(null=True)
    secret = fields.CharField(max_length=64)  # seeds aliases and per-judge order
    created_at = fields.DatetimeField(auto_now_add=True)

    criteria: fields.ReverseRelation[Criterion]

    class Meta:
        table = "round"
        ordering = ["position", "id"]


class JudgeGroup(Model):
    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contest", related_name="judge_groups", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    name = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100, default="", db_default="")
    weight = fields.FloatField(default=1.0, db_default=1.0)

    class Meta:
        table = "judge_group"


class Panel(Model):
    id = fields.IntField(primary_key=True)
    round: fields.ForeignKeyRelation[Round] = fields.ForeignKeyField(
        "models.Round", related_name="panels", on_delete=fields.OnDelete.CASCADE
    )
    round_id: int
    track: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Track", related_name="panels", null=True, on_delete=fields.OnDelete.CASCADE
    )
    track_id: int | None
    name = fields.CharField(max_length=100)

    class Meta:
        table = "panel"


class PanelMember(Model):
    id = fields.IntField(primary_key=True)
    panel: fields.ForeignKeyRelation[Panel] = fields.ForeignKeyField(
        "models.Panel", related_name="members", on_delete=fields.OnDelete.CASCADE
    )
    panel_id: int
    judge: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="panel_memberships", on_delete=fields.OnDelete.CASCADE
    )
    judge_id: int
    group: fields.ForeignKeyNullableRelation[JudgeGroup] = fields.ForeignKeyField(
        "models.JudgeGroup", related_name="members", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    group_id: int | None

    class Meta:
        table = "panel_member"
        unique_together = (("panel", "judge"),)


class Criterion(Model):
    id = fields.IntField(primary_key=True)
    round: fields.ForeignKeyRelation[Round] = fields.ForeignKeyField(
        "models.Round", related_name="criteria", on_delete=fields.OnDelete.CASCADE
    )
    round_id: int
    name = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100, default="", db_default="")
    guidance = fields.TextField(default="")
    guidance_en = fields.TextField(default="")
    weight = fields.FloatField(default=1.0, db_default=1.0)
    scale_min = fields.IntField(default=0, db_default=0)
    scale_max = fields.IntField(default=10, db_default=10)
    position = fields.IntField(default=0, db_default=0)

    class Meta:
        table = "criterion"
        ordering = ["position", "id"]


class RoundEntry(Model):
    """The place of an entry in a round: its alias for judges, and whether it advanced."""

    id = fields.IntField(primary_key=True)
    round: fields.ForeignKeyRelation[Round] = fields.ForeignKeyField(
        "models.Round", related_name="round_entries", on_delete=fields.OnDelete.CASCADE
    )
    round_id: int
    entry: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Entry", related_name="round_entries", on_delete=fields.OnDelete.CASCADE
    )
    entry_id: int
    alias = fields.CharField(max_length=ALIAS_MAX)
    advanced = fields.BooleanField(default=False, db_default=False)
    reached_at = fields.DatetimeField(null=True)  # when the chair of a paced round first opened it

    class Meta:
        table = "round_entry"
        unique_together = (("round", "entry"), ("round", "alias"))


class Assignment(Model):
    id = fields.IntField(primary_key=True)
    round: fields.ForeignKeyRelation[Round] = fields.ForeignKeyField(
        "models.Round", related_name="assignments", on_delete=fields.OnDelete.CASCADE
    )
    round_id: int
    entry: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Entry", related_name="assignments", on_delete=fields.OnDelete.CASCADE
    )
    entry_id: int
    judge: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="assignments", on_delete=fields.OnDelete.CASCADE
    )
    judge_id: int
    panel: fields.ForeignKeyNullableRelation[Panel] = fields.ForeignKeyField(
        "models.Panel", related_name="assignments", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    panel_id: int | None
    comment = fields.TextField(default="")
    comment_shared = fields.BooleanField(default=False, db_default=False)  # False: for the committee only
    completed_at = fields.DatetimeField(null=True)
    # set when the chair entered the submitted scores from the judge's paper sheet (None: the judge did)
    entered_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="paper_sheets_entered", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    entered_by_id: int | None
    entered_reason = fields.TextField(default="", db_default="")

    class Meta:
        table = "assignment"
        unique_together = (("round", "entry", "judge"),)
        indexes = (("judge_id", "round_id"),)  # every judge's page reads "this judge's assignments in this round"


class Conflict(Model):
    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contest", related_name="conflicts", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    judge: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="conflicts", on_delete=fields.OnDelete.CASCADE
    )
    judge_id: int
    entry: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Entry", related_name="conflicts", on_delete=fields.OnDelete.CASCADE
    )
    entry_id: int
    source = fields.CharEnumField(ConflictSource, max_length=20)
    reason = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "conflict"
        unique_together = (("judge", "entry"),)


class Score(Model):
    """The value one judge gave for one criterion, unique per (assignment, criterion) and saved by upsert."""

    id = fields.IntField(primary_key=True)
    assignment: fields.ForeignKeyRelation[Assignment] = fields.ForeignKeyField(
        "models.Assignment", related_name="scores", on_delete=fields.OnDelete.CASCADE
    )
    assignment_id: int
    criterion: fields.ForeignKeyRelation[Criterion] = fields.ForeignKeyField(
        "models.Criterion", related_name="scores", on_delete=fields.OnDelete.CASCADE
    )
    criterion_id: int
    value = fields.DecimalField(max_digits=6, decimal_places=2)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "score"
        unique_together = (("assignment", "criterion"),)
