"""The designer's work: entries, their team, images, accepted declarations, reference images."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from contest.accounts.models import EntrantCategory, EntrantKind
from contest.entries.states import EntryState, LeakStatus


class Entry(Model):
    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contest", related_name="entries", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    track: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Track", related_name="entries", on_delete=fields.OnDelete.RESTRICT
    )
    track_id: int
    owner: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="entries", on_delete=fields.OnDelete.CASCADE
    )
    owner_id: int
    state = fields.CharEnumField(EntryState, max_length=20, default=EntryState.DRAFT)
    number = fields.CharField(max_length=32, null=True, unique=True)  # receipt number, set at first submission
    title = fields.CharField(max_length=200, default="", db_default="")
    concept = fields.TextField(default="")
    answers: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)  # track-specific fields by TrackField.key
    entrant_kind = fields.CharEnumField(EntrantKind, max_length=20, default=EntrantKind.INDIVIDUAL)
    entrant_category = fields.CharEnumField(EntrantCategory, max_length=20, default=EntrantCategory.WORKER)
    public_name = fields.CharField(max_length=200, default="", db_default="")  # shown in the gallery
    organisation = fields.CharField(max_length=200, default="", db_default="")
    school = fields.CharField(max_length=200, default="", db_default="")
    supervisor_name = fields.CharField(max_length=100, default="", db_default="")
    supervisor_email = fields.CharField(max_length=254, default="", db_default="")
    leak_status = fields.CharEnumField(LeakStatus, max_length=20, default=LeakStatus.UNCHECKED)
    # contest.entries.disclosure
    ai_disclosure: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict, db_default="{}")
    # an entrant under 14 (contest.entries.minors): the guardian, their consent, and how they chose the minor is
    # named publicly; public_name is made from typed_name (the name as the designer typed it) by that choice
    has_minor = fields.BooleanField(default=False, db_default=False)
    guardian_name = fields.CharField(max_length=100, default="", db_default="")
    guardian_contact = fields.CharField(max_length=254, default="", db_default="")
    guardian_relation = fields.CharField(max_length=50, default="", db_default="")
    guardian_consented_at = fields.DatetimeField(null=True)
    minor_naming = fields.CharField(max_length=10, default="", db_default="")
    typed_name = fields.CharField(max_length=200, default="", db_default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    submitted_at = fields.DatetimeField(null=True)
    withdrawn_at = fields.DatetimeField(null=True)
    # the organisers' screening (contest.entries.screening): why it was returned or disqualified, when, and the
    # moment a returned entry can no longer be fixed
    screening_reason = fields.TextField(default="", db_default="")
    screened_at = fields.DatetimeField(null=True)
    fix_due_at = fields.DatetimeField(null=True)

    images: fields.ReverseRelation[EntryImage]
    files: fields.ReverseRelation[EntryFile]
    held_uploads: fields.ReverseRelation[HeldUpload]
    members: fields.ReverseRelation[TeamMember]

    class Meta:
        table = "entry"


class TeamMember(Model):
    id = fields.IntField(primary_key=True)
    entry: fields.ForeignKeyRelation[Entry] = fields.ForeignKeyField(
        "models.Entry", related_name="members", on_delete=fields.OnDelete.CASCADE
    )
    entry_id: int
    name = fields.CharField(max_length=100)
    role = fields.CharField(max_length=100, default="", db_default="")
    organisation = fields.CharField(max_length=200, default="", db_default="")
    position = fields.IntField(default=0, db_default=0)

    class Meta:
        table = "team_member"
        ordering = ["position", "id"]


class EntryImage(Model):
    id = fields.IntField(primary_key=True)
    entry: fields.ForeignKeyRelation[Entry] = fields.ForeignKeyField(
        "models.Entry", related_name="images", on_delete=fields.OnDelete.CASCADE
    )
    entry_id: int
    key = fields.CharField(max_length=64, unique=True)  # random storage key, never the file name
    slot: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.FileSlot", related_name="images", null=True, on_delete=fields.OnDelete.RESTRICT
    )  # set on every row; nullable only because migration 0012 added it to rows that existed before slots
    slot_id: int | None
    # the PDF this is a rendered page of (its original is the file's); None for an uploaded image
    source_file: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.EntryFile", related_name="pages", null=True, on_delete=fields.OnDelete.CASCADE
    )
    source_file_id: int | None
    page = fields.IntField(default=0, db_default=0)  # 1-based page of source_file
    position = fields.IntField(default=0, db_default=0)
    is_cover = fields.BooleanField(default=False, db_default=False)
    original_name = fields.CharField(max_length=255, default="", db_default="")  # data only, never a path
    original_format = fields.CharField(max_length=10)
    width = fields.IntField()
    height = fields.IntField()
    size_bytes = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    phash = fields.CharField(max_length=1700, default="", db_default="")
    # name -> {format: {width, height, bytes, sha256}}
    derivatives: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    # Text read from the judging copy: [{"text", "box": [left, top, right, bottom], "score"}]; None = never
    # read, which the leak check holds for an organiser to look at.
    ocr_lines: fields.JSONField[list[dict[str, Any]] | None] = fields.JSONField(null=True)
    # AI provenance read from the original before its metadata was stripped (contest.media.provenance)
    provenance: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict, db_default="{}")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "entry_image"
        ordering = ["position", "id"]


class FileStatus(StrEnum):
    PROCESSING = "processing"  # a video being transcoded: the designer sees 处理中
    READY = "ready"
    FAILED = "failed"  # the transcode refused it after upload; `failure` says why


class EntryFile(Model):
    """A PDF, a video or a source file in one of the slots of an entry. Images are EntryImage rows, and so are the pages
    of a PDF, pointing back here. The original is private, like image originals."""

    id = fields.IntField(primary_key=True)
    entry: fields.ForeignKeyRelation[Entry] = fields.ForeignKeyField(
        "models.Entry", related_name="files", on_delete=fields.OnDelete.CASCADE
    )
    entry_id: int
    slot: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.FileSlot", related_name="files", on_delete=fields.OnDelete.RESTRICT
    )
    slot_id: int
    key = fields.CharField(max_length=64, unique=True)
    kind = fields.CharField(max_length=10)  # contest.contests.models.SlotKind
    format = fields.CharField(max_length=10)  # what the bytes are: "pdf", "mp4", "webm", "zip", "psd"...
    position = fields.IntField(default=0, db_default=0)
    original_name = fields.CharField(max_length=255, default="", db_default="")
    size_bytes = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    status = fields.CharEnumField(FileStatus, max_length=12, default=FileStatus.READY)
    failure = fields.CharField(max_length=40, default="", db_default="")
    # what the file says about itself: pages, duration, size, derived copies; `metadata` for organisers only
    details: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    provenance: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    pages: fields.ReverseRelation[EntryImage]

    class Meta:
        table = "entry_file"
        ordering = ["position", "id"]


class HeldStatus(StrEnum):
    PROCESSING = "processing"  # its job has not finished: the designer sees 处理中
    FAILED = "failed"  # the job refused the file; `failure` says why, in the designer's language when shown


class HeldUpload(Model):
    """An image or a PDF whose original is stored while a job makes its derivatives (docs/jobs.md). The job
    replaces this row by the EntryImage (or the EntryFile and its pages) in one transaction; a refusal stays here,
    shown with its reason, until the designer removes it."""

    id = fields.IntField(primary_key=True)
    entry: fields.ForeignKeyRelation[Entry] = fields.ForeignKeyField(
        "models.Entry", related_name="held_uploads", on_delete=fields.OnDelete.CASCADE
    )
    entry_id: int
    slot: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.FileSlot", related_name="held_uploads", on_delete=fields.OnDelete.CASCADE
    )
    slot_id: int
    by: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="held_uploads", on_delete=fields.OnDelete.CASCADE
    )
    by_id: int
    key = fields.CharField(max_length=64, unique=True)  # the stored original's; the made rows take it over
    kind = fields.CharField(max_length=10)  # SlotKind: "image" | "pdf"
    original_name = fields.CharField(max_length=255, default="", db_default="")
    size_bytes = fields.BigIntField()
    sha256 = fields.CharField(max_length=64)
    provenance: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    read_text = fields.BooleanField(default=True, db_default=True)
    status = fields.CharEnumField(HeldStatus, max_length=12, default=HeldStatus.PROCESSING)
    failure: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)  # {"message": msgid, "params": {}}
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "held_upload"
        ordering = ["id"]


class Declaration(Model):
    """Proof of what was accepted: the exact terms versions, when, by whom, and the SHA-256 of each file."""

    id = fields.IntField(primary_key=True)
    entry: fields.ForeignKeyRelation[Entry] = fields.ForeignKeyField(
        "models.Entry", related_name="declarations", on_delete=fields.OnDelete.CASCADE
    )
    entry_id: int
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="declarations", on_delete=fields.OnDelete.CASCADE
    )
    user_id: int
    originality: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.TermsText", related_name="originality_acceptances", on_delete=fields.OnDelete.RESTRICT
    )
    originality_id: int
    ip_terms: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.TermsText", related_name="ip_acceptances", on_delete=fields.OnDelete.RESTRICT
    )
    ip_terms_id: int
    accepted_at = fields.DatetimeField()
    # the AI disclosure as declared (contest.entries.disclosure), kept with the terms it was made under
    ai_disclosure: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict, db_default="{}")
    # for an entrant under 14: the guardian, their consent's time and the public naming chosen ({} otherwise)
    guardian: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict, db_default="{}")
    # [{"key", "sha256", "bytes"}] at the time of submission
    file_hashes: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)

    class Meta:
        table = "declaration"


class ReferenceImage(Model):
    """Images the committee compares entries against (e.g. attached to a complaint)."""

    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contest", related_name="reference_images", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    key = fields.CharField(max_length=64, unique=True)
    label = fields.CharField(max_length=200, default="", db_default="")
    phash = fields.CharField(max_length=1700)
    added_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="reference_images", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    added_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reference_image"


class DuplicateDismissal(Model):
    """An organiser's decision that two images flagged alike are not a duplicate, with the note saying why.
    Keyed by the two image keys in sorted order, so it holds whichever side a later listing puts first."""

    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Contest", related_name="duplicate_dismissals", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    key_a = fields.CharField(max_length=64)
    key_b = fields.CharField(max_length=64)
    note = fields.TextField()
    dismissed_by: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "models.User", related_name="duplicate_dismissals", null=True, on_delete=fields.OnDelete.SET_NULL
    )
    dismissed_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "duplicate_dismissal"
        unique_together = (("contest", "key_a", "key_b"),)
