"""The stage before the final: physical samples sent by finalists, and places forfeited for a missing task."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Disposition(StrEnum):
    """What becomes of a sample after the final."""

    PENDING = "pending"
    RETURNED = "returned"  # sent back to the designer
    RETAINED = "retained"  # kept by the organisers (exhibition, archive)


class Sample(Model):
    """A finalist's physical sample for a round: the dispatch the designer gave, then its arrival and keeping as
    organisers recorded them. The arrival photo is a private original in the upload store."""

    id = fields.IntField(primary_key=True)
    round: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Round", related_name="samples", on_delete=fields.OnDelete.CASCADE)
    round_id: int
    entry: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Entry", related_name="samples", on_delete=fields.OnDelete.CASCADE)
    entry_id: int
    courier = fields.CharField(max_length=100, default="", db_default="")
    tracking_number = fields.CharField(max_length=100, default="", db_default="")
    sent_at = fields.DatetimeField(null=True)
    arrived_at = fields.DatetimeField(null=True)
    photo_key = fields.CharField(max_length=64, default="", db_default="")
    condition = fields.TextField(default="")
    location = fields.CharField(max_length=200, default="", db_default="")
    disposition = fields.CharEnumField(Disposition, max_length=20, default=Disposition.PENDING, db_default="pending")
    disposed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "sample"
        unique_together = (("round", "entry"),)


class Forfeit(Model):
    """A finalist's place given up for a missing task, as an organiser confirmed it, and who moved up."""

    id = fields.IntField(primary_key=True)
    round: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Round", related_name="forfeits", on_delete=fields.OnDelete.CASCADE)
    round_id: int
    entry: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Entry", related_name="forfeits", on_delete=fields.OnDelete.CASCADE)
    entry_id: int
    alias = fields.CharField(max_length=16)  # the alias it had in the round
    reason = fields.TextField()
    missing: fields.JSONField[list[str]] = fields.JSONField(default=list)  # the tasks missed, by key
    replaced_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Entry", related_name="replacements", null=True, on_delete=fields.OnDelete.SET_NULL)
    replaced_by_id: int | None
    decided_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="forfeits_decided", null=True, on_delete=fields.OnDelete.SET_NULL)
    decided_by_id: int | None
    decided_at = fields.DatetimeField()

    class Meta:
        table = "forfeit"
        unique_together = (("round", "entry"),)
