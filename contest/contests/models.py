"""A contest and what organisers configure: tracks, their form fields and file rules, award tiers, terms."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class FieldKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    LINK = "link"


class SlotKind(StrEnum):
    """What a file slot accepts; each kind has its own pipeline (contest.entries.files)."""

    IMAGE = "image"  # JPEG, PNG, WebP, HEIC
    PDF = "pdf"  # boards as PDF, rendered page by page
    VIDEO = "video"  # MP4, MOV, WebM, transcoded to H.264/AAC MP4
    SOURCE = "source"  # ZIP, AI, PSD, CDR, 3D models: stored, never opened


class SlotAudience(StrEnum):
    """Who sees a slot's files besides the designer. Organisers see everything."""

    ORGANISERS = "organisers"
    JUDGES = "judges"
    PUBLIC = "public"  # judges, and everyone once results are announced


SEEN_BY_JUDGES = (SlotAudience.JUDGES.value, SlotAudience.PUBLIC.value)


class AiPolicy(StrEnum):
    """A track's rule on AI-generated content (the 标识办法 measures, GB 45438-2025)."""

    BANNED = "banned"
    DISCLOSE = "disclose"  # allowed, with a structured disclosure in the declaration
    AIGC = "aigc"  # an AIGC track: AI use is the point, and is disclosed like the above


class TermsKind(StrEnum):
    ORIGINALITY = "originality"  # 原创声明 / 承诺书
    IP_TERMS = "ip_terms"  # transfer, licence, exhibition-only, right of first purchase
    PRIVACY = "privacy"  # the contest's additions to the installation's privacy notice (accounts.privacy)


DECLARED_TERMS = (TermsKind.ORIGINALITY, TermsKind.IP_TERMS)  # what a designer accepts when submitting


class IpMode(StrEnum):
    TRANSFER = "transfer"
    LICENCE = "licence"
    EXHIBITION_ONLY = "exhibition_only"
    FIRST_PURCHASE = "first_purchase"


class Contest(Model):
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=64, unique=True)
    title = fields.CharField(max_length=200)
    title_en = fields.CharField(max_length=200, default="", db_default="")
    tagline = fields.CharField(max_length=300, default="", db_default="")
    tagline_en = fields.CharField(max_length=300, default="", db_default="")
    guiding_bodies = fields.CharField(max_length=300, default="", db_default="")  # 指导单位
    host_bodies = fields.CharField(max_length=300, default="", db_default="")  # 主办单位: the contest's host
    organising_bodies = fields.CharField(max_length=300, default="", db_default="")  # 承办单位
    organisers_text = fields.TextField(default="")  # further partners (协办、支持单位…), Markdown, shown publicly
    rules_md = fields.TextField(default="")
    rules_md_en = fields.TextField(default="")
    time_zone = fields.CharField(max_length=64, default="Asia/Shanghai", db_default="Asia/Shanghai")
    submissions_open_at = fields.DatetimeField(null=True)
    submissions_close_at = fields.DatetimeField(null=True)
    announce_at = fields.DatetimeField(null=True)
    # The chair's 公布 press in the ceremony view sets announce_at (left empty until then), not a schedule
    announce_by_press = fields.BooleanField(default=False, db_default=False)
    # After the announcement each designer reads their entry's criterion averages and shared comments
    feedback_to_entrants = fields.BooleanField(default=False, db_default=False)
    notice_days = fields.FloatField(default=0, db_default=0)  # 公示期 in days, 0.25 = 6 hours; 0 = no public notice
    notice_starts_at = fields.DatetimeField(null=True)
    popular_vote_enabled = fields.BooleanField(default=False, db_default=False)
    # votes come from phone numbers proven by a text message, one quota per number (docs/sms.md)
    popular_vote_phone = fields.BooleanField(default=False, db_default=False)
    popular_vote_daily_quota = fields.IntField(default=3, db_default=3)
    popular_vote_share = fields.FloatField(default=0.0, db_default=0.0)
    # a finalist's task missed (materials, sample) may forfeit the place, once an organiser confirms it
    missing_task_forfeits = fields.BooleanField(default=False, db_default=False)
    # entrants under 14 may enter, with their guardian's consent (contest.entries.minors)
    accepts_minors = fields.BooleanField(default=False, db_default=False)
    max_entries_per_designer = fields.IntField(default=20, db_default=20)
    max_bytes_per_designer = fields.BigIntField(default=500 * 2**20, db_default=500 * 2**20)
    is_published = fields.BooleanField(default=True, db_default=True)
    poster_key = fields.CharField(max_length=64, default="", db_default="")  # banner image in the upload store
    # Certificates (contest.results.certificate_numbers): the number's pattern ("" = the slug and the award's id),
    # the issuing bodies one a line ("" = the hosting bodies), and whether the English heading is printed
    certificate_number_pattern = fields.CharField(max_length=100, default="", db_default="")
    certificate_issuers = fields.TextField(default="", db_default="")
    certificate_english = fields.BooleanField(default=False, db_default=False)
    # personal data is kept this many days after the announcement, then `contest purge` anonymises it; 0 = kept
    retention_days = fields.IntField(default=1095, db_default=1095)
    purged_at = fields.DatetimeField(null=True)  # when `contest purge` last anonymised it (console.purge)
    # Prize payouts (contest.results.payouts): whether winners may claim, the tax withheld from an individual's
    # prize in basis points (2000 = 20 %, 偶然所得), and the moment an unclaimed prize counts as declined
    payouts_open = fields.BooleanField(default=False, db_default=False)
    payout_tax_bp = fields.IntField(default=2000, db_default=2000)
    payout_deadline = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    tracks: fields.ReverseRelation[Track]
    award_tiers: fields.ReverseRelation[AwardTier]

    class Meta:
        table = "contest"


class Track(Model):
    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation[Contest] = fields.ForeignKeyField(
        "models.Contest", related_name="tracks", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    slug = fields.CharField(max_length=64)
    name = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100, default="", db_default="")
    description = fields.TextField(default="")
    description_en = fields.TextField(default="")
    position = fields.IntField(default=0, db_default=0)
    ai_policy = fields.CharEnumField(AiPolicy, max_length=20, default=AiPolicy.BANNED, db_default="banned")
    # finalists of this track send a physical sample (打样, 实物样品) for the final
    sample_required = fields.BooleanField(default=False, db_default=False)
    sample_instructions = fields.TextField(default="", db_default="")
    sample_instructions_en = fields.TextField(default="", db_default="")
    sample_due_at = fields.DatetimeField(null=True)

    fields_: fields.ReverseRelation[TrackField]
    slots: fields.ReverseRelation[FileSlot]

    class Meta:
        table = "track"
        unique_together = (("contest", "slug"),)
        ordering = ["position", "id"]


class TrackField(Model):
    """One question of the entry form of a track. Forms are rendered and validated from these rows."""

    id = fields.IntField(primary_key=True)
    track: fields.ForeignKeyRelation[Track] = fields.ForeignKeyField(
        "models.Track", related_name="fields_", on_delete=fields.OnDelete.CASCADE
    )
    track_id: int
    key = fields.CharField(max_length=64)
    kind = fields.CharEnumField(FieldKind, max_length=20)
    label = fields.CharField(max_length=200)
    label_en = fields.CharField(max_length=200, default="", db_default="")
    help = fields.TextField(default="")
    help_en = fields.TextField(default="")
    required = fields.BooleanField(default=True, db_default=True)
    # choice kinds: [{"value": ..., "label": ..., "label_en": ...}]
    options: fields.JSONField[list[dict[str, Any]]] = fields.JSONField(default=list)
    max_length = fields.IntField(default=0, db_default=0)  # 0 = kind's default
    position = fields.IntField(default=0, db_default=0)

    class Meta:
        table = "track_field"
        unique_together = (("track", "key"),)
        ordering = ["position", "id"]


A3_300_DPI = (3508, 4961)  # short and long edge in pixels: the "A3 at 300 dpi" preset of a slot


class FileSlot(Model):
    """A named place for files in the entry of a track (展板, 照片, 视频, 源文件), with its own rules.
    Entries are checked, judged and shown slot by slot from these rows."""

    id = fields.IntField(primary_key=True)
    track: fields.ForeignKeyRelation[Track] = fields.ForeignKeyField(
        "models.Track", related_name="slots", on_delete=fields.OnDelete.CASCADE
    )
    track_id: int
    key = fields.CharField(max_length=64)
    label = fields.CharField(max_length=100)
    label_en = fields.CharField(max_length=100, default="", db_default="")
    help = fields.TextField(default="")
    help_en = fields.TextField(default="")
    kinds: fields.JSONField[list[str]] = fields.JSONField(default=list)  # SlotKind values
    min_count = fields.IntField(default=0, db_default=0)
    max_count = fields.IntField(default=10, db_default=10)
    max_mb = fields.IntField(default=25, db_default=25)
    # images and rendered PDF pages, either orientation (A3_300_DPI is the preset); 0 = no minimum
    min_short_edge = fields.IntField(default=0, db_default=0)
    min_long_edge = fields.IntField(default=0, db_default=0)
    max_pages = fields.IntField(default=5, db_default=5)  # per PDF
    max_seconds = fields.IntField(default=300, db_default=300)  # per video
    audience = fields.CharEnumField(SlotAudience, max_length=20, default=SlotAudience.PUBLIC, db_default="public")
    # 0: filled before submission. N: needed once an entry reaches the round at position N (finalists), and
    # open to it until due_at.
    from_round = fields.IntField(default=0, db_default=0)
    due_at = fields.DatetimeField(null=True)
    position = fields.IntField(default=0, db_default=0)

    class Meta:
        table = "file_slot"
        unique_together = (("track", "key"),)
        ordering = ["position", "id"]


class AwardTier(Model):
    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation[Contest] = fields.ForeignKeyField(
        "models.Contest", related_name="award_tiers", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    track: fields.ForeignKeyNullableRelation[Track] = fields.ForeignKeyField(
        "models.Track", related_name="award_tiers", null=True, on_delete=fields.OnDelete.CASCADE
    )  # None: a special award across tracks
    track_id: int | None
    name = fields.CharField(max_length=100)
    name_en = fields.CharField(max_length=100, default="", db_default="")
    rank = fields.IntField(default=0, db_default=0)  # 1 = highest
    quota = fields.IntField(default=1, db_default=1)
    is_special = fields.BooleanField(default=False, db_default=False)
    prize_fen = fields.BigIntField(default=0, db_default=0)  # the prize before tax, in fen (1 yuan = 100); 0 = none

    class Meta:
        table = "award_tier"
        ordering = ["rank", "id"]


class TermsText(Model):
    """A version of the originality declaration, the IP terms or the contest's privacy notice additions.
    Accepted versions are never edited."""

    id = fields.IntField(primary_key=True)
    contest: fields.ForeignKeyRelation[Contest] = fields.ForeignKeyField(
        "models.Contest", related_name="terms", on_delete=fields.OnDelete.CASCADE
    )
    contest_id: int
    kind = fields.CharEnumField(TermsKind, max_length=20)
    version = fields.IntField()
    ip_mode = fields.CharEnumField(IpMode, max_length=20, null=True)
    body = fields.TextField()
    body_en = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "terms_text"
        unique_together = (("contest", "kind", "version"),)
