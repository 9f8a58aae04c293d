"""Every outgoing message goes through the outbox, which organisers can read."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class OutboxState(StrEnum):
    QUEUED = "queued"  # waiting for its first or next attempt (next_attempt_at, or now when empty)
    SENDING = "sending"  # claimed by a sender until next_attempt_at, then claimable again
    SENT = "sent"
    FAILED = "failed"  # the last attempt failed, or the server refused it for good


class OutboxMessage(Model):
    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.Contest", related_name="outbox", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    contest_id: int | None
    kind = fields.CharField(max_length=40)  # receipt, invitation, reminder, results, objection_outcome
    to_email = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=300)
    body_text = fields.TextField()
    body_html = fields.TextField(default="")
    # The link or code the message carries: the texts above hold templates.SECRET_MARK in its place, it is
    # put in only when the message goes out, and cleared once it went.
    secret = fields.TextField(default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0, db_default=0)
    last_error = fields.TextField(default="")
    state = fields.CharEnumField(OutboxState, max_length=10, default=OutboxState.QUEUED, db_default="queued")
    next_attempt_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"


class MessageTemplate(Model):
    """The wording organisers chose for one kind of message of one contest, in Chinese and in English."""

    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contest", related_name="message_templates", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    kind = fields.CharField(max_length=40)
    subject_zh = fields.CharField(max_length=300)
    body_zh = fields.TextField()
    subject_en = fields.CharField(max_length=300, default="")
    body_en = fields.TextField(default="")
    updated_at = fields.DatetimeField(auto_now=True)
    updated_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="message_templates", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    updated_by_id: int | None

    class Meta:
        table = "message_template"
        unique_together = (("contest", "kind"),)
