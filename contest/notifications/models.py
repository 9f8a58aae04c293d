"""Every outgoing message goes through the outbox, which organisers can read."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class OutboxMessage(Model):
    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Contest", related_name="outbox", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    kind = fields.CharField(max_length=40)  # receipt, invitation, reminder, results, objection_outcome
    to_email = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=300)
    body_text = fields.TextField()
    body_html = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0, db_default=0)
    last_error = fields.TextField(default="")

    class Meta:
        table = "outbox_message"
