"""The append-only, hash-chained audit log."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    id = fields.IntField(primary_key=True)
    seq = fields.IntField(unique=True)
    at = fields.DatetimeField()
    actor: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="audit_events", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    actor_id: int | None
    actor_label = fields.CharField(max_length=300, default="", db_default="")
    contest: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Contest", related_name="audit_events", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    contest_id: int | None
    action = fields.CharField(max_length=64)
    subject = fields.CharField(max_length=100)  # "entry:12", "score:3/7"
    data: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)
    version = fields.SmallIntField(db_default=1)  # the hashing rule (chain.EXTRA_COLUMNS); rows before it are 1

    class Meta:
        table = "audit_event"
        ordering = ["seq"]
