"""Configuring a contest without code: details and timeline, tracks and their form fields, award tiers, terms.

Raw values (a form, or an imported file turned into the same shape) are parsed here, so every field's
problem is reported at once and nothing is saved half. Every save is recorded in the audit log. Terms
are never edited: a change is a new version, so what a designer accepted stays as they saw it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tortoise.functions import Max
from tortoise.models import Model
from tortoise.transactions import in_transaction

from contest import cache_stamp
from contest.accounts.models import User
from contest.audit.log import record
from contest.contests import queries
from contest.contests.fields import KINDS
from contest.contests.models import (
    A3_300_DPI,
    DECLARED_TERMS,
    AiPolicy,
    AwardTier,
    Contest,
    FieldKind,
    FileSlot,
    IpMode,
    SlotAudience,
    SlotKind,
    TermsKind,
    TermsText,
    Track,
    TrackField,
)
from contest.entries.models import Declaration, Entry, EntryFile, EntryImage
from contest.entries.slots import KIND_MAX_MB
from contest.entries.states import EntryState
from contest.errors import Conflict, InvalidInput
from contest.form_input import FieldReader, parse_integer
from contest.i18n import N_
from contest.judging.models import Round
from contest.media import cjk_font
from contest.results import certificate_numbers, certificates, payees
from contest.results.models import Award

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
RESERVED_KEYS = frozenset({"title", "concept", "csrf_token"})  # the entry form's own inputs
MAX_SLOT_FILES = 20  # the most files one slot of an entry may hold
MAX_SIDE = 12_000
MAX_PAGES = 50  # per PDF board
MAX_SECONDS = 600  # per video
MAX_ROUNDS = 100  # the round positions a later slot may name
MAX_OPTIONS = 100
RULES_MAX = 20_000  # characters; in UTF-8 one form part stays under the 64 KiB part limit
CHOICE_KINDS = frozenset({FieldKind.CHOICE, FieldKind.MULTI_CHOICE})
KEY_WORDS = re.compile(r"[a-z0-9]+")
KEY_MAX = 40  # made keys stay readable; a suffix for uniqueness still fits FIELD_KEY's 64
# The zones a contest is run in, each named the way people say it; a stored zone outside the list stays valid.
TIME_ZONES = {
    "Asia/Shanghai": N_("Beijing time"), "Asia/Hong_Kong": N_("Hong Kong time"), "Asia/Macau": N_("Macau time"),
    "Asia/Taipei": N_("Taipei time"), "Asia/Singapore": N_("Singapore time"), "Asia/Tokyo": N_("Tokyo time"),
    "Europe/London": N_("London time"), "Europe/Paris": N_("Central European time"),
    "America/New_York": N_("US Eastern time"), "America/Los_Angeles": N_("US Pacific time"),
    "Australia/Sydney": N_("Sydney time"), "UTC": N_("Coordinated Universal Time"),
}
BODIES = ("guiding_bodies", "host_bodies", "organising_bodies")  # 指导单位, 主办单位, 承办单位
ISSUER_MAX = 40  # characters of one issuing body's name on a certificate


# A new track's one slot, as tracks had before slots: 1 to 10 images of at least 1200 × 800 px, 25 MB each.
DEFAULT_SLOT: dict[str, Any] = {"key": "images", "label": "作品图", "label_en": "Images", "kinds": [SlotKind.IMAGE.value],
                                "min_count": 1, "max_count": 10, "max_mb": 25, "min_short_edge": 800,
                                "min_long_edge": 1200}


class TrackHasEntries(Conflict):
    message = N_("This track has entries, so it cannot be deleted.")


def _zone(read: FieldReader) -> str:
    zone = read.text("time_zone", max_length=64) or "Asia/Shanghai"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        read.errors["time_zone"] = N_("Choose a time zone from the list.")
        return "Asia/Shanghai"
    return zone


# --- the contest's own settings ------------------------------------------------------------------


@dataclass(frozen=True)
class ContestSettings:
    title: str
    title_en: str
    tagline: str
    tagline_en: str
    guiding_bodies: str
    host_bodies: str
    organising_bodies: str
    organisers_text: str
    rules_md: str
    rules_md_en: str
    time_zone: str
    submissions_open_at: datetime | None
    submissions_close_at: datetime | None
    notice_starts_at: datetime | None
    notice_days: float
    announce_at: datetime | None
    max_entries_per_designer: int
    max_bytes_per_designer: int
    is_published: bool
    popular_vote_enabled: bool
    popular_vote_daily_quota: int
    popular_vote_share: float
    popular_vote_phone: bool = False  # one quota per phone number proven by a text message (docs/sms.md)
    missing_task_forfeits: bool = False  # a finalist's missed task may cost the place (contest.finalists)
    announce_by_press: bool = False
    retention_days: int = 1095  # personal data kept after the announcement (console.purge); 0 = kept
    feedback_to_entrants: bool = False
    accepts_minors: bool = False  # entrants under 14, with their guardian's consent (contest.entries.minors)
    certificate_number_pattern: str = ""  # contest.results.certificate_numbers
    certificate_issuers: str = ""  # one a line; none: the hosting bodies
    certificate_english: bool = False
    payouts_open: bool = False  # winners may claim their prizes (contest.results.payouts)
    payout_tax_bp: int = payees.DEFAULT_TAX_BP  # an individual's tax in basis points, 偶然所得
    payout_deadline: datetime | None = None  # an unclaimed prize counts as declined after it


def parse_slug(raw: Mapping[str, str]) -> str:
    read = FieldReader(raw)
    slug = read.pattern("slug", SLUG, N_("Use 2 to 64 lower-case letters, digits and hyphens."))
    read.done()
    return slug


def parse_contest_settings(raw: Mapping[str, str], *, texts_codes: bool = True) -> ContestSettings:
    """`texts_codes`: the site can send codes by text message (CONTEST_SMS_PROVIDER), so a vote may ask for
    phone numbers."""
    read = FieldReader(raw)
    zone = _zone(read)
    settings = ContestSettings(
        title=read.text("title", max_length=200, required=True), title_en=read.text("title_en", max_length=200),
        tagline=read.text("tagline", max_length=300), tagline_en=read.text("tagline_en", max_length=300),
        **{name: read.text(name, max_length=300) for name in BODIES},
        organisers_text=read.text("organisers_text", max_length=2000),
        rules_md=read.text("rules_md", max_length=RULES_MAX), rules_md_en=read.text("rules_md_en", max_length=RULES_MAX),
        time_zone=zone,
        submissions_open_at=read.moment("submissions_open_at", zone),
        submissions_close_at=read.moment("submissions_close_at", zone),
        notice_starts_at=read.moment("notice_starts_at", zone),
        notice_days=_notice_days(read),
        announce_at=read.moment("announce_at", zone),
        max_entries_per_designer=read.integer("max_entries_per_designer", low=1, high=100, default=20),
        max_bytes_per_designer=read.integer("max_mb_per_designer", low=10, high=5000, default=500) * 2**20,
        is_published=read.flag("is_published"),
        popular_vote_enabled=read.flag("popular_vote_enabled"),
        popular_vote_daily_quota=read.integer("popular_vote_daily_quota", low=1, high=100, default=3),
        popular_vote_share=read.fraction("popular_vote_share"),
        popular_vote_phone=read.flag("popular_vote_phone"),
        missing_task_forfeits=read.flag("missing_task_forfeits"),
        announce_by_press=read.flag("announce_by_press"),
        feedback_to_entrants=read.flag("feedback_to_entrants"),
        accepts_minors=read.flag("accepts_minors"),
        certificate_number_pattern=_number_pattern(read), certificate_issuers=_issuers(read),
        certificate_english=read.flag("certificate_english"),
        retention_days=_retention_days(read),
        payouts_open=read.flag("payouts_open"), payout_tax_bp=_tax_bp(read),
        payout_deadline=read.moment("payout_deadline", zone),
    )
    read.errors.update({k: v for k, v in timeline_problems(settings).items() if k not in read.errors})
    if settings.popular_vote_phone and not texts_codes:
        read.errors["popular_vote_phone"] = NO_TEXTS
    read.done()
    return settings


def _tax_bp(read: FieldReader) -> int:
    """The individuals' tax rate typed in percent with at most two decimals; left empty (a file written before)
    the default 20."""
    raw = (read.raw.get("payout_tax_percent") or "").strip()
    bp = payees.basis_points(raw) if raw else payees.DEFAULT_TAX_BP
    if bp is None:
        read.errors["payout_tax_percent"] = N_("Enter a percentage from 0 to 100, for example 20.")
        return payees.DEFAULT_TAX_BP
    return bp


RETENTION_DEFAULT = 1095  # three years
RETENTION_MAX = 36500


def _retention_days(read: FieldReader) -> int:
    """Days personal data is kept after the announcement; left empty (a file written before) the default."""
    if not (read.raw.get("retention_days") or "").strip():
        return RETENTION_DEFAULT
    return read.integer("retention_days", low=0, high=RETENTION_MAX, default=RETENTION_DEFAULT)


def _number_pattern(read: FieldReader) -> str:
    pattern = read.text("certificate_number_pattern", max_length=certificate_numbers.PATTERN_MAX)
    problem = certificate_numbers.pattern_problem(pattern)
    if problem and "certificate_number_pattern" not in read.errors:
        read.errors["certificate_number_pattern"] = problem
    return pattern


def _issuers(read: FieldReader) -> str:
    """The issuing bodies one a line, as printed: at most MAX_ISSUERS, each fitting its column."""
    names = certificates.split_issuers(read.text("certificate_issuers", max_length=1000))
    if len(names) > certificates.MAX_ISSUERS:
        read.errors["certificate_issuers"] = N_("At most 4 bodies issue a certificate: one a line.")
    elif any(len(name) > ISSUER_MAX for name in names):
        read.errors["certificate_issuers"] = N_("Each body's name fits in 40 characters.")
    elif cjk_font.missing_characters("".join(names)):
        read.errors["certificate_issuers"] = N_("The certificate font cannot print some characters of these names.")
    return "\n".join(names)


NO_TEXTS = N_("This site sends no text messages (CONTEST_SMS_PROVIDER), so it cannot verify phone numbers.")


MAX_NOTICE_DAYS = 60


def _notice_days(read: FieldReader) -> float:
    """Days of public notice; a fraction makes a notice shorter than a day (0.25 = 6 hours)."""
    try:
        days = Decimal((read.raw.get("notice_days") or "0").strip())
    except InvalidOperation:
        days = Decimal("NaN")
    if not days.is_finite() or not 0 <= days <= MAX_NOTICE_DAYS:
        read.errors["notice_days"] = N_("Enter the days of public notice from 0 to 60; 0.25 is 6 hours.")
        return 0.0
    return float(days)


def timeline_problems(s: ContestSettings) -> dict[str, str]:
    """The order the timeline must keep, each problem by the field to change."""
    problems: dict[str, str] = {}
    opens, closes, notice, announce = s.submissions_open_at, s.submissions_close_at, s.notice_starts_at, s.announce_at
    if opens and closes and closes <= opens:
        problems["submissions_close_at"] = N_("Submissions must close after they open.")
    if closes and announce and announce <= closes:
        problems["announce_at"] = N_("The announcement must come after submissions close.")
    if s.notice_days and not notice:
        problems["notice_starts_at"] = N_("Enter when the public notice starts, or set its days to 0.")
    if notice and closes and notice < closes:
        problems["notice_starts_at"] = N_("The public notice must start after submissions close.")
    if notice and announce and notice + timedelta(days=s.notice_days) > announce:
        problems["notice_starts_at"] = N_("The public notice must end before the final announcement.")
    if s.payout_deadline and announce and s.payout_deadline <= announce:
        problems["payout_deadline"] = N_("The claim deadline must come after the announcement.")
    if s.popular_vote_share and not s.popular_vote_enabled:
        problems["popular_vote_share"] = N_("Turn the popular vote on, or set its share to 0.")
    if s.popular_vote_phone and not s.popular_vote_enabled:
        problems["popular_vote_phone"] = N_("Turn the popular vote on, or leave phone numbers off.")
    return problems


PRESS_SETS_TIME = N_("With the 公布 press at the ceremony, leave the announcement time empty: the press sets it.")


def with_announcement_rule(contest: Contest | None, s: ContestSettings, now: datetime) -> ContestSettings:
    """The settings as they may be saved under the announcement's mode: once results are public the mode stays,
    and a time set by the press stays; before it, the press mode takes no time (InvalidInput)."""
    announced = contest is not None and contest.announce_at is not None and now >= contest.announce_at
    if contest is not None and announced and s.announce_by_press != contest.announce_by_press:
        raise InvalidInput({"announce_by_press": N_("The results are announced: the way they were announced stays.")})
    if contest is not None and contest.announce_by_press and contest.announce_at is not None and s.announce_by_press:
        return replace(s, announce_at=contest.announce_at)  # the press's moment, whatever the form carried
    if s.announce_by_press and s.announce_at is not None:
        raise InvalidInput({"announce_at": PRESS_SETS_TIME})
    return s


async def _rounds_problems(contest: Contest, closes: datetime | None) -> dict[str, str]:
    if closes and await Round.filter(contest_id=contest.id, closes_at__lte=closes).exists():
        return {"submissions_close_at": N_("A judging round closes before this: move the round or this date.")}
    return {}


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}


async def has_terms(contest: Contest | None) -> bool:
    """Both texts a designer accepts have a saved version."""
    if contest is None:
        return False
    kinds = set(await TermsText.filter(contest_id=contest.id).distinct().values_list("kind", flat=True))
    return kinds >= set(DECLARED_TERMS)


NO_TERMS = N_("Save the originality declaration and the IP terms (below) first: designers accept them when they "
              "submit, so a contest is published only with both.")


async def _publishing_problems(contest: Contest | None, settings: ContestSettings) -> dict[str, str]:
    return {"is_published": NO_TERMS} if settings.is_published and not await has_terms(contest) else {}


async def create_contest(slug: str, settings: ContestSettings, *, by: User, now: datetime) -> Contest:
    """A new, empty contest (unpublished until its organisers publish it). Audited."""
    if await Contest.exists(slug=slug):
        raise InvalidInput({"slug": N_("Another contest already uses this address.")})
    settings = with_announcement_rule(None, settings, now)
    problems = await _publishing_problems(None, settings)
    if problems:
        raise InvalidInput(problems)
    async with in_transaction():
        contest = await Contest.create(slug=slug, **asdict(settings))
        await record("contest.created", subject=f"contest:{contest.id}", now=now, actor=by, contest_id=contest.id,
                     data={"slug": slug, **_plain(asdict(settings))})
    return contest


class EntriesAfterDeadline(Conflict):
    message = N_("{count} entries came in after this deadline. Moving it into the past makes them late (they stay "
                 "submitted): confirm to go ahead.")


async def late_entries(contest: Contest, close: datetime | None, *, now: datetime) -> int:
    """Submitted entries that came in after `close`, when `close` is in the past (0 otherwise)."""
    if close is None or close >= now:
        return 0
    return await Entry.filter(contest_id=contest.id, state=EntryState.SUBMITTED, submitted_at__gt=close).count()


async def update_contest(contest: Contest, settings: ContestSettings, *, by: User, now: datetime,
                         confirmed: bool = False) -> dict[str, Any]:
    """Apply the settings; returns what changed (recorded in the audit log). Moving the submission
    deadline into the past before entries that came in raises EntriesAfterDeadline unless `confirmed`.
    Under the ceremony press the announcement time is the press's (with_announcement_rule)."""
    settings = with_announcement_rule(contest, settings, now)
    problems = {**await _rounds_problems(contest, settings.submissions_close_at),
                **await _publishing_problems(contest, settings)}
    if problems:
        raise InvalidInput(problems)
    changes = {k: v for k, v in asdict(settings).items() if getattr(contest, k) != v}
    if not changes:
        return {}
    late = await late_entries(contest, changes["submissions_close_at"], now=now) \
        if "submissions_close_at" in changes else 0
    if late and not confirmed:
        raise EntriesAfterDeadline(count=late)
    async with in_transaction():
        await Contest.filter(id=contest.id).update(**changes)
        await record("contest.updated", subject=f"contest:{contest.id}", now=now, actor=by, contest_id=contest.id,
                     data={"changes": _plain(changes), **({"entries_made_late": late} if late else {})})
    await cache_stamp.invalidate_results(contest.id)  # titles, the announcement time: what results pages show
    for key, value in changes.items():
        setattr(contest, key, value)
    return changes


# --- tracks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackSpec:
    slug: str
    name: str
    name_en: str
    description: str
    description_en: str
    ai_policy: str
    # finalists send a physical sample (contest.finalists), by its own deadline
    sample_required: bool = False
    sample_instructions: str = ""
    sample_instructions_en: str = ""
    sample_due_at: datetime | None = None


def parse_track(raw: Mapping[str, str], *, zone: str) -> TrackSpec:
    """`sample_due_at` is read on the contest's clock (`zone`)."""
    read = FieldReader(raw)
    spec = TrackSpec(
        slug=read.pattern("slug", SLUG, N_("Use 2 to 64 lower-case letters, digits and hyphens.")),
        name=read.text("name", max_length=100, required=True), name_en=read.text("name_en", max_length=100),
        description=read.text("description", max_length=5000),
        description_en=read.text("description_en", max_length=5000),
        ai_policy=read.choice("ai_policy", AiPolicy, default=AiPolicy.BANNED).value,
        sample_required=read.flag("sample_required"),
        sample_instructions=read.text("sample_instructions", max_length=5000),
        sample_instructions_en=read.text("sample_instructions_en", max_length=5000),
        sample_due_at=read.moment("sample_due_at", zone),
    )
    if spec.sample_due_at and not spec.sample_required:
        read.errors["sample_due_at"] = N_("Only a track that asks for a sample has a deadline for it: tick the box "
                                          "or leave this empty.")
    read.done()
    return spec


async def _check_track_slug(contest: Contest, slug: str, *, track_id: int | None) -> None:
    same = Track.filter(contest_id=contest.id, slug=slug)
    if await (same.exclude(id=track_id) if track_id else same).exists():
        raise InvalidInput({"slug": N_("Another track of this contest uses this address.")})


async def _next_position(query: Any) -> int:
    last = await query.annotate(top=Max("position")).first().values("top")
    return ((last or {}).get("top") or 0) + 1


async def add_track(contest: Contest, spec: TrackSpec, *, by: User, now: datetime) -> Track:
    await _check_track_slug(contest, spec.slug, track_id=None)
    async with in_transaction():
        track = await Track.create(contest_id=contest.id, position=await _next_position(
            Track.filter(contest_id=contest.id)), **asdict(spec))
        await FileSlot.create(track_id=track.id, **DEFAULT_SLOT)
        await record("track.added", subject=f"track:{track.id}", now=now, actor=by, contest_id=contest.id,
                     data=asdict(spec))
    return track


async def update_track(track: Track, spec: TrackSpec, *, by: User, now: datetime) -> dict[str, Any]:
    await _check_track_slug(await Contest.get(id=track.contest_id), spec.slug, track_id=track.id)
    changes = {k: v for k, v in asdict(spec).items() if getattr(track, k) != v}
    if changes:
        async with in_transaction():
            await Track.filter(id=track.id).update(**changes)
            await record("track.updated", subject=f"track:{track.id}", now=now, actor=by,
                         contest_id=track.contest_id, data={"changes": changes})
        await cache_stamp.invalidate_results(track.contest_id)
    return changes


async def delete_track(track: Track, *, by: User, now: datetime) -> None:
    """Only a track without entries (drafts included) goes; its fields and award tiers go with it."""
    if await Entry.exists(track_id=track.id):
        raise TrackHasEntries()
    async with in_transaction():
        await Track.filter(id=track.id).delete()
        await record("track.deleted", subject=f"track:{track.id}", now=now, actor=by, contest_id=track.contest_id,
                     data={"slug": track.slug, "name": track.name})


async def _swap(model: type[Model], siblings: Any, item: Any, step: int) -> bool:
    """Swap `item` with its neighbour `step` away (-1 up, +1 down) in `siblings`' order."""
    ordered = [row.id for row in await siblings.order_by("position", "id")]
    index = ordered.index(item.id)
    if not 0 <= index + step < len(ordered):
        return False
    ordered[index], ordered[index + step] = ordered[index + step], ordered[index]
    for position, row_id in enumerate(ordered, start=1):
        await model.filter(id=row_id).update(position=position)
    return True


async def move_track(track: Track, step: int, *, by: User, now: datetime) -> None:
    async with in_transaction():
        if await _swap(Track, Track.filter(contest_id=track.contest_id), track, step):
            await record("track.moved", subject=f"track:{track.id}", now=now, actor=by, contest_id=track.contest_id,
                         data={"step": step})


# --- form fields of a track ----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    key: str  # "" until one is made for it (see make_key)
    kind: FieldKind
    label: str
    label_en: str
    help: str
    help_en: str
    required: bool
    options: list[dict[str, str]]
    max_length: int


def make_key(texts: Iterable[str], taken: Iterable[str], *, fallback: str) -> str:
    """A key from the first text with Latin letters or digits ("Extension scenes" → "extension_scenes"), else
    `fallback`; starts with a letter and differs from every key in `taken` (and the entry form's own)."""
    base = fallback
    for text in texts:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
        words = KEY_WORDS.findall(plain)
        if words:
            base = "_".join(words)[:KEY_MAX].strip("_")
            break
    if not base[0].isalpha():
        base = f"{fallback}_{base}"
    used = set(taken) | RESERVED_KEYS
    key, number = base, 2
    while key in used:
        key, number = f"{base}_{number}", number + 1
    return key


def option_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The options from the rows of the form (or a file): blank rows dropped, a value made for new ones."""
    kept = [{k: str(row.get(k) or "").strip() for k in ("value", "label", "label_en")} for row in rows
            if isinstance(row, Mapping)]
    kept = [row for row in kept if row["value"] or row["label"] or row["label_en"]]
    taken: list[str] = [row["value"] for row in kept if row["value"]]
    for row in kept:
        if not row["value"]:
            row["value"] = make_key((row["label_en"], row["label"]), taken, fallback="option")
            taken.append(row["value"])
        row["label"] = row["label"] or row["label_en"] or row["value"]
    return kept


def _options_problem(kind: FieldKind, options: list[dict[str, str]]) -> str | None:
    values = [option["value"] for option in options]
    if kind not in CHOICE_KINDS:
        return N_("Only choice fields have options: leave this empty.") if options else None
    if not values:
        return N_("Give at least one option.")
    if len(values) > MAX_OPTIONS or any(len(v) > 100 or len(o["label"]) > 200 or len(o["label_en"]) > 200
                                        for v, o in zip(values, options, strict=True)):
        return N_("At most 100 options, each label at most 200 characters.")
    if len(set(values)) < len(values):
        return N_("Two options are the same: give each its own label.")
    return None


def parse_field(raw: Mapping[str, Any]) -> FieldSpec:
    """A question of the entry form. `raw["options"]` holds the option rows; a key is read only when given
    (a file keeps its keys), else one is made when the question is added."""
    read = FieldReader({k: v for k, v in raw.items() if isinstance(v, str)})
    key = ""
    if (raw.get("key") or "").strip():
        key = read.pattern("key", FIELD_KEY, N_("Use lower-case letters, digits and underscores, starting with a letter."))
        if key in RESERVED_KEYS:
            read.errors["key"] = N_("This key is used by the entry form itself: choose another.")
    kind = read.choice("kind", FieldKind, default=FieldKind.TEXT)
    options = option_rows(raw.get("options") or [])
    limit = KINDS[kind].default_max_length
    spec = FieldSpec(
        key=key, kind=kind, label=read.text("label", max_length=200, required=True),
        label_en=read.text("label_en", max_length=200), help=read.text("help", max_length=2000),
        help_en=read.text("help_en", max_length=2000), required=read.flag("required"), options=options,
        max_length=read.integer("max_length", low=0, high=limit, default=0) if limit and raw.get("max_length") else 0,
    )
    problem = _options_problem(kind, options)
    if problem:
        read.errors.setdefault("options", problem)
    read.done()
    return spec


async def _answered(field: TrackField) -> bool:
    rows = await Entry.filter(track_id=field.track_id).values_list("answers", flat=True)
    return any(field.key in (answers or {}) for answers in rows)


KEY_TAKEN = {TrackField: N_("Another field of this track uses this key."),
             FileSlot: N_("Another part of this track's entry uses this key.")}
Keyed = TypeVar("Keyed", "FieldSpec", "SlotSpec")


async def _check_key(model: type[TrackField] | type[FileSlot], track: Track, key: str, *, own_id: int | None) -> None:
    same = model.filter(track_id=track.id, key=key)
    if await (same.exclude(id=own_id) if own_id else same).exists():
        raise InvalidInput({"key": KEY_TAKEN[model]})


async def _keyed(model: type[TrackField] | type[FileSlot], track: Track, spec: Keyed, *, fallback: str) -> Keyed:
    """`spec` with its own key checked, or with one made from its label, unique in the track."""
    if spec.key:
        await _check_key(model, track, spec.key, own_id=None)
        return spec
    taken = cast(list[str], await model.filter(track_id=track.id).values_list("key", flat=True))
    return replace(spec, key=make_key((spec.label_en, spec.label), taken, fallback=fallback))


async def add_field(track: Track, spec: FieldSpec, *, by: User, now: datetime) -> TrackField:
    """A new question; without a key of its own, one is made from its label, unique in the track."""
    spec = await _keyed(TrackField, track, spec, fallback="question")
    async with in_transaction():
        field = await TrackField.create(track_id=track.id, position=await _next_position(
            TrackField.filter(track_id=track.id)), **asdict(spec))
        await record("track_field.added", subject=f"track:{track.id}", now=now, actor=by,
                     contest_id=track.contest_id, data={"field": field.id, **asdict(spec)})
    return field


async def update_field(field: TrackField, track: Track, spec: FieldSpec, *, by: User, now: datetime) -> None:
    """Answers are stored by key and kind, so neither changes once an entry has answered the field. The form
    sends no key: the question keeps its own."""
    spec = replace(spec, key=spec.key or field.key)
    await _check_key(TrackField, track, spec.key, own_id=field.id)
    changes = {k: v for k, v in asdict(spec).items() if getattr(field, k) != v}
    if {"key", "kind"} & changes.keys() and await _answered(field):
        raise InvalidInput({"kind": N_("Entries have answered this field: its key and kind can no longer change.")})
    if changes:
        async with in_transaction():
            await TrackField.filter(id=field.id).update(**changes)
            await record("track_field.updated", subject=f"track:{track.id}", now=now, actor=by,
                         contest_id=track.contest_id, data={"field": field.id, "changes": changes})


async def delete_field(field: TrackField, track: Track, *, by: User, now: datetime) -> None:
    """The question leaves the form; answers already given stay in the entries (and in exports)."""
    async with in_transaction():
        await TrackField.filter(id=field.id).delete()
        await record("track_field.deleted", subject=f"track:{track.id}", now=now, actor=by,
                     contest_id=track.contest_id, data={"field": field.id, "key": field.key})


async def move_field(field: TrackField, track: Track, step: int, *, by: User, now: datetime) -> None:
    async with in_transaction():
        if await _swap(TrackField, TrackField.filter(track_id=track.id), field, step):
            await record("track_field.moved", subject=f"track:{track.id}", now=now, actor=by,
                         contest_id=track.contest_id, data={"field": field.id, "step": step})


# --- file slots of a track ----------------------------------------------------------------------

A3_PRESET = "a3_300dpi"  # the preset choice that fills the minimum edges with A3_300_DPI


@dataclass(frozen=True)
class SlotSpec:
    key: str  # "" until one is made for it (see make_key)
    label: str
    label_en: str
    help: str
    help_en: str
    kinds: list[str]  # SlotKind values, in SlotKind's order
    min_count: int
    max_count: int
    max_mb: int
    min_short_edge: int
    min_long_edge: int
    max_pages: int
    max_seconds: int
    audience: str
    from_round: int  # 0: filled before submission; N: from the round at position N (finalists)
    due_at: datetime | None  # a later slot's own deadline; None: open while the entry is in that round


class SlotHasFiles(Conflict):
    message = N_("Files were uploaded to this part of the entry, so it cannot be deleted.")


class LastSlotBeforeSubmission(Conflict):
    message = N_("A track needs at least one part of the entry that is filled before submission: add another first.")


NO_SLOT_BEFORE_SUBMISSION = N_("A track needs at least one part of the entry that is filled before submission.")


def kinds_ceiling_mb(kinds: Iterable[str]) -> int:
    """The most MB a file of these kinds may have (the largest kind's limit)."""
    return max((KIND_MAX_MB[SlotKind(kind)] for kind in kinds), default=KIND_MAX_MB[SlotKind.IMAGE])


def _kinds(read: FieldReader, given: Any) -> list[str]:
    chosen = {value.strip() for value in (given if isinstance(given, list) else [given] if given else [])
              if isinstance(value, str)}
    known: list[str] = [kind.value for kind in SlotKind if kind.value in chosen]
    if len(known) < len(chosen):
        read.errors["kinds"] = N_("Choose one of the options.")
    elif not known:
        read.errors["kinds"] = N_("Choose at least one kind of file.")
    return known


def _optional(read: FieldReader, name: str, *, low: int, high: int, default: int) -> int:
    """A whole number that may be left blank (then `default`): settings of kinds the slot may not take."""
    if not (read.raw.get(name) or "").strip():
        return default
    return read.integer(name, low=low, high=high, default=default)


def _edges(read: FieldReader) -> tuple[int, int]:
    """The minimum edges, shorter first (a board may be upright or lying); the preset fills them."""
    if (read.raw.get("preset") or "").strip() == A3_PRESET:
        return A3_300_DPI
    short, long = (_optional(read, name, low=0, high=MAX_SIDE, default=0) for name in ("min_short_edge", "min_long_edge"))
    return (min(short, long), max(short, long))


def _from_round(read: FieldReader, rounds: Collection[int]) -> int:
    position = _optional(read, "from_round", low=0, high=MAX_ROUNDS, default=0)
    if position and position not in rounds and "from_round" not in read.errors:
        read.errors["from_round"] = N_("Choose one of the options.")
    return position


def parse_slot(raw: Mapping[str, Any], *, zone: str, rounds: Collection[int]) -> SlotSpec:
    """A file slot of a track. `raw["kinds"]` holds the chosen kinds (a list); `rounds` the positions of the
    contest's rounds a later slot may start from; `due_at` is read on the contest's clock (`zone`). A key is
    read only when given (a file keeps its keys), else one is made when the slot is added."""
    read = FieldReader({k: v for k, v in raw.items() if isinstance(v, str)})
    key = ""
    if (raw.get("key") or "").strip():
        key = read.pattern("key", FIELD_KEY, N_("Use lower-case letters, digits and underscores, starting with a letter."))
    kinds = _kinds(read, raw.get("kinds"))
    min_count = _optional(read, "min_count", low=0, high=MAX_SLOT_FILES, default=0)
    max_count = read.integer("max_count", low=1, high=MAX_SLOT_FILES, default=max(min_count, 1))
    if "min_count" not in read.errors and "max_count" not in read.errors and max_count < min_count:
        read.errors["max_count"] = N_("The most files must be at least the fewest.")
    max_mb = read.integer("max_mb", low=1, high=10_000, default=1)
    if not {"kinds", "max_mb"} & read.errors.keys() and max_mb > kinds_ceiling_mb(kinds):
        read.errors["max_mb"] = N_("Larger than files of these kinds may be: see the limits under the field.")
    short, long = _edges(read)
    from_round = _from_round(read, rounds)
    due_at = read.moment("due_at", zone)
    if due_at and not from_round:
        read.errors["due_at"] = N_("Only a part for a later round has its own deadline: leave this empty.")
    spec = SlotSpec(
        key=key, label=read.text("label", max_length=100, required=True), label_en=read.text("label_en", max_length=100),
        help=read.text("help", max_length=2000), help_en=read.text("help_en", max_length=2000), kinds=kinds,
        min_count=min_count, max_count=max_count, max_mb=max_mb, min_short_edge=short, min_long_edge=long,
        max_pages=_optional(read, "max_pages", low=1, high=MAX_PAGES, default=5),
        max_seconds=_optional(read, "max_seconds", low=1, high=MAX_SECONDS, default=300),
        audience=read.choice("audience", SlotAudience, default=SlotAudience.PUBLIC).value,
        from_round=from_round, due_at=due_at,
    )
    read.done()
    return spec


async def slot_of(track: Track, slot_id: int) -> FileSlot | None:
    return await FileSlot.get_or_none(id=slot_id, track_id=track.id)


async def rounds_of(contest: Contest) -> list[Round]:
    """The rounds a later slot may start from, in order."""
    return await Round.filter(contest_id=contest.id).order_by("position", "id")


async def round_positions(contest: Contest) -> set[int]:
    return set(cast(list[int], await Round.filter(contest_id=contest.id).values_list("position", flat=True)))


async def _kinds_held(slot: FileSlot) -> set[str]:
    """The kinds of the files in `slot` (a PDF's rendered pages count as the PDF)."""
    # no DISTINCT: the model orders by position, which PostgreSQL would then need in the select list
    held = set(cast(list[str], await EntryFile.filter(slot_id=slot.id).values_list("kind", flat=True)))
    if await EntryImage.exists(slot_id=slot.id, source_file_id=None):
        held.add(SlotKind.IMAGE.value)
    return held


async def _others_before_submission(slot: FileSlot) -> bool:
    return await FileSlot.filter(track_id=slot.track_id, from_round=0).exclude(id=slot.id).exists()


async def add_slot(track: Track, spec: SlotSpec, *, by: User, now: datetime) -> FileSlot:
    """A new slot, last in the track's order; without a key of its own, one is made from its label."""
    spec = await _keyed(FileSlot, track, spec, fallback="files")
    async with in_transaction():
        slot = await FileSlot.create(track_id=track.id, position=await _next_position(
            FileSlot.filter(track_id=track.id)), **asdict(spec))
        await record("file_slot.added", subject=f"track:{track.id}", now=now, actor=by, contest_id=track.contest_id,
                     data={"slot": slot.id, **_plain(asdict(spec))})
    return slot


async def update_slot(slot: FileSlot, track: Track, spec: SlotSpec, *, by: User, now: datetime) -> dict[str, Any]:
    """New rules apply from now on (files already in the slot stay). A kind its files have stays, and so does
    the key once files are in it; the track keeps a slot filled before submission. The form sends no key."""
    spec = replace(spec, key=spec.key or slot.key)
    await _check_key(FileSlot, track, spec.key, own_id=slot.id)
    changes = {k: v for k, v in asdict(spec).items() if getattr(slot, k) != v}
    if not changes:
        return {}
    held = await _kinds_held(slot) if {"kinds", "key"} & changes.keys() else set()
    if held - set(spec.kinds):
        raise InvalidInput({"kinds": N_("Files of a kind you left out are in this part of the entry: keep that kind.")})
    if "key" in changes and held:
        raise InvalidInput({"key": N_("Files are in this part of the entry: its key can no longer change.")})
    if slot.from_round == 0 and spec.from_round and not await _others_before_submission(slot):
        raise InvalidInput({"from_round": NO_SLOT_BEFORE_SUBMISSION})
    async with in_transaction():
        await FileSlot.filter(id=slot.id).update(**changes)
        await record("file_slot.updated", subject=f"track:{track.id}", now=now, actor=by,
                     contest_id=track.contest_id, data={"slot": slot.id, "changes": _plain(changes)})
    return changes


async def delete_slot(slot: FileSlot, track: Track, *, by: User, now: datetime) -> None:
    """Only an empty slot goes, and never the track's last one filled before submission."""
    if await EntryImage.exists(slot_id=slot.id) or await EntryFile.exists(slot_id=slot.id):
        raise SlotHasFiles()
    if slot.from_round == 0 and not await _others_before_submission(slot):
        raise LastSlotBeforeSubmission()
    async with in_transaction():
        await FileSlot.filter(id=slot.id).delete()
        await record("file_slot.deleted", subject=f"track:{track.id}", now=now, actor=by,
                     contest_id=track.contest_id, data={"slot": slot.id, "key": slot.key})


async def move_slot(slot: FileSlot, track: Track, step: int, *, by: User, now: datetime) -> None:
    async with in_transaction():
        if await _swap(FileSlot, FileSlot.filter(track_id=track.id), slot, step):
            await record("file_slot.moved", subject=f"track:{track.id}", now=now, actor=by,
                         contest_id=track.contest_id, data={"slot": slot.id, "step": step})


# --- award tiers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierSpec:
    track_id: int | None  # None: a special award across tracks
    name: str
    name_en: str
    rank: int
    quota: int
    is_special: bool
    prize_fen: int = 0  # before tax; 0 = no prize to pay


def parse_tier(raw: Mapping[str, str], track_ids: set[int]) -> TierSpec:
    read = FieldReader(raw)
    track = (raw.get("track") or "").strip()
    track_id = parse_integer(track)
    if track and track_id not in track_ids:
        read.errors["track"] = N_("Choose one of the options.")
    spec = TierSpec(
        track_id=track_id,
        name=read.text("name", max_length=100, required=True), name_en=read.text("name_en", max_length=100),
        rank=read.integer("rank", low=1, high=100, default=1), quota=read.integer("quota", low=0, high=10_000),
        is_special=read.flag("is_special") or not track,
        prize_fen=_prize_fen(read),
    )
    read.done()
    return spec


def _prize_fen(read: FieldReader) -> int:
    raw = (read.raw.get("prize") or "").strip()
    fen = payees.fen_of(raw) if raw else 0
    if fen is None:
        read.errors["prize"] = N_("Enter the prize in yuan, for example 5000 or 5000.50; empty for none.")
        return 0
    return fen


async def submitted_per_track(contest: Contest) -> dict[int, int]:
    rows = cast(list[int], await Entry.filter(contest_id=contest.id, state=EntryState.SUBMITTED).values_list(
        "track_id", flat=True))
    counts: dict[int, int] = {}
    for track_id in rows:
        counts[track_id] = counts.get(track_id, 0) + 1
    return counts


async def quota_problem(contest: Contest, spec: TierSpec, *, now: datetime) -> str | None:
    """After submissions close the count is known, so a quota above the track's submitted entries is refused."""
    closes = contest.submissions_close_at
    if spec.track_id is None or closes is None or now < closes:
        return None
    if spec.quota > (await submitted_per_track(contest)).get(spec.track_id, 0):
        return N_("This quota is larger than the number of entries submitted to the track.")
    return None


async def save_tier(contest: Contest, spec: TierSpec, *, tier: AwardTier | None, by: User, now: datetime) -> AwardTier:
    """Create (tier None) or change an award tier. Audited."""
    problem = await quota_problem(contest, spec, now=now)
    if problem:
        raise InvalidInput({"quota": problem})
    async with in_transaction():
        if tier is None:
            tier = await AwardTier.create(contest_id=contest.id, **asdict(spec))
        else:
            await AwardTier.filter(id=tier.id).update(**asdict(spec))
        await record("award_tier.saved", subject=f"award_tier:{tier.id}", now=now, actor=by, contest_id=contest.id,
                     data=asdict(spec))
    await cache_stamp.invalidate_results(contest.id)
    return tier


async def delete_tier(tier: AwardTier, *, by: User, now: datetime) -> None:
    if await Award.exists(tier_id=tier.id):
        raise InvalidInput({"tier": N_("Awards were given in this tier: set its quota to 0 instead.")})
    async with in_transaction():
        await AwardTier.filter(id=tier.id).delete()
        await record("award_tier.deleted", subject=f"award_tier:{tier.id}", now=now, actor=by,
                     contest_id=tier.contest_id, data={"name": tier.name})


# --- terms: new versions only --------------------------------------------------------------------


@dataclass(frozen=True)
class TermsSpec:
    kind: TermsKind
    ip_mode: IpMode | None
    body: str
    body_en: str


def parse_terms(raw: Mapping[str, str]) -> TermsSpec:
    read = FieldReader(raw)
    kind = read.choice("kind", TermsKind, default=TermsKind.ORIGINALITY)
    ip_mode = read.choice("ip_mode", IpMode, default=IpMode.EXHIBITION_ONLY) if kind == TermsKind.IP_TERMS else None
    spec = TermsSpec(kind=kind, ip_mode=ip_mode, body=read.text("body", max_length=20_000, required=True),
                     body_en=read.text("body_en", max_length=20_000))
    read.done()
    return spec


async def add_terms_version(contest: Contest, spec: TermsSpec, *, by: User, now: datetime) -> TermsText:
    """The next version of the text; earlier versions, and who accepted which, stay untouched."""
    latest = await TermsText.filter(contest_id=contest.id, kind=spec.kind).order_by("-version").first()
    if latest and (latest.body, latest.body_en, latest.ip_mode) == (spec.body, spec.body_en, spec.ip_mode):
        raise InvalidInput({"body": N_("This is the current wording: change it to save a new version.")})
    async with in_transaction():
        last = await TermsText.filter(contest_id=contest.id, kind=spec.kind).order_by("-version").first()
        version = (last.version if last else 0) + 1
        terms = await TermsText.create(contest_id=contest.id, version=version, **asdict(spec))
        await record("terms.versioned", subject=f"contest:{contest.id}", now=now, actor=by, contest_id=contest.id,
                     data={"kind": spec.kind.value, "version": version, "ip_mode": spec.ip_mode, "body": spec.body,
                           "body_en": spec.body_en})
    return terms


async def terms_versions(contest: Contest) -> list[dict[str, Any]]:
    """Every version, newest first per kind, with how many declarations accepted it."""
    rows = await TermsText.filter(contest_id=contest.id).order_by("kind", "-version").values()
    accepted: Counter[int] = Counter()
    for originality, ip_terms in await Declaration.filter(entry__contest_id=contest.id).values_list(
            "originality_id", "ip_terms_id"):
        accepted.update((originality, ip_terms))
    for row in rows:
        row["accepted"] = accepted[row["id"]]
    return rows


@dataclass(frozen=True)
class SettingsOverview:
    """What the settings page shows besides the contest itself."""

    tracks: list[Track]
    tiers: list[AwardTier]
    terms: list[dict[str, Any]]  # terms_versions
    submitted: dict[int, int]  # submitted entries per track id

    @property
    def over_quota(self) -> set[int]:
        """Tracks whose tiers' quotas add up to more awards than it has submitted entries."""
        quota_sums: dict[int | None, int] = {}
        for tier in self.tiers:
            quota_sums[tier.track_id] = quota_sums.get(tier.track_id, 0) + tier.quota
        return {t.id for t in self.tracks if quota_sums.get(t.id, 0) > self.submitted.get(t.id, 0)}


async def settings_overview(contest: Contest) -> SettingsOverview:
    return SettingsOverview(await queries.tracks_with_rules(contest), await queries.tiers_of(contest),
                            await terms_versions(contest), await submitted_per_track(contest))
