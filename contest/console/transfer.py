"""A contest's configuration as a file: export, import, and copying last year's contest as a starting point.

The file holds what organisers configure (details, timeline, tracks with their fields and file slots, award tiers, the
current terms, judge groups, rounds and criteria), never entries, people or scores. Dates are written
on the contest's wall clock, so they read as the organisers typed them. Import reads the file through
the same parsers as the console's forms, reports every problem with where it is, and creates nothing
unless everything is valid. A copy is an export read back with a new address and shifted dates.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from tortoise.transactions import in_transaction

from contest import clock
from contest.accounts.models import User
from contest.audit.log import record
from contest.console import contest_config as config
from contest.contests import queries as contest_queries
from contest.contests.models import (
    AwardTier,
    Contest,
    FileSlot,
    TermsKind,
    TermsText,
    Track,
    TrackField,
)
from contest.errors import InvalidInput
from contest.i18n import N_
from contest.judging import setup
from contest.judging.judge_groups import parse_weight
from contest.judging.models import Criterion, JudgeGroup, Round
from contest.results import payees

FORMAT = "wenchuang-contest-config"
VERSION = 1
MAX_FILE_BYTES = 2 * 2**20
MAX_NESTING = 12  # our files nest 6 deep (tracks → a track → fields → a field → options → an option)
CONTEST_KEYS = ("title", "title_en", "tagline", "tagline_en", *config.BODIES, "organisers_text", "rules_md", "rules_md_en",
                "time_zone", "notice_days", "max_entries_per_designer", "is_published", "popular_vote_enabled",
                "popular_vote_daily_quota", "popular_vote_share", "popular_vote_phone", "missing_task_forfeits",
                "announce_by_press", "feedback_to_entrants", "certificate_number_pattern", "certificate_issuers",
                "certificate_english", "accepts_minors", "retention_days", "payouts_open")
CONTEST_MOMENTS = ("submissions_open_at", "submissions_close_at", "notice_starts_at", "announce_at", "payout_deadline")
TRACK_KEYS = tuple(k for k in config.TrackSpec.__dataclass_fields__ if k != "sample_due_at")
SLOT_KEYS = tuple(k for k in config.SlotSpec.__dataclass_fields__ if k != "due_at")
# Files written before slots kept one set of image rules on each track: each such key and the slot rule it became
LEGACY_SLOT_KEYS = {"min_images": "min_count", "max_images": "max_count", "max_file_mb": "max_mb"}
LEGACY_EDGES = {"min_width": "min_long_edge", "min_height": "min_short_edge"}  # sorted when read
FIELD_KEYS = ("key", "kind", "label", "label_en", "help", "help_en", "required", "options", "max_length")
ROUND_KEYS = tuple(k for k in setup.RoundSettings.__dataclass_fields__ if k not in ("opens_at", "closes_at"))
CRITERION_KEYS = tuple(setup.CriterionSpec.__dataclass_fields__)


def _local(moment: datetime | None, zone: str) -> str | None:
    return clock.to_zone(moment, zone).strftime("%Y-%m-%dT%H:%M") if moment else None


def _enum_plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


async def export_config(contest: Contest) -> dict[str, Any]:
    """The contest's configuration as plain JSON-ready data (format version `VERSION`)."""
    zone = contest.time_zone
    details = {k: getattr(contest, k) for k in CONTEST_KEYS}
    details.update({k: _local(getattr(contest, k), zone) for k in CONTEST_MOMENTS})
    if contest.announce_by_press:
        details["announce_at"] = None  # the press sets it, at the copy's own ceremony
    details["max_mb_per_designer"] = contest.max_bytes_per_designer // 2**20
    details["payout_tax_percent"] = payees.percent(contest.payout_tax_bp)
    tracks = await contest_queries.tracks_with_rules(contest)
    slugs: dict[int | None, str] = {t.id: t.slug for t in tracks}
    rounds = await Round.filter(contest_id=contest.id).prefetch_related("criteria").order_by("position", "id")
    return {
        "format": FORMAT, "version": VERSION, "contest": details,
        "tracks": [{**{k: _enum_plain(getattr(t, k)) for k in TRACK_KEYS}, "sample_due_at": _local(t.sample_due_at, zone),
                    "fields": [{k: _enum_plain(getattr(f, k)) for k in FIELD_KEYS}
                               for f in sorted(t.fields_, key=lambda f: (f.position, f.id))],
                    "slots": [{**{k: _enum_plain(getattr(s, k)) for k in SLOT_KEYS}, "due_at": _local(s.due_at, zone)}
                              for s in sorted(t.slots, key=lambda s: (s.position, s.id))]} for t in tracks],
        "award_tiers": [{"track": slugs.get(t.track_id), "name": t.name, "name_en": t.name_en, "rank": t.rank,
                         "quota": t.quota, "is_special": t.is_special, "prize": payees.plain_yuan(t.prize_fen)}
                        for t in await AwardTier.filter(contest_id=contest.id).order_by("rank", "id")],
        "terms": [{"kind": t.kind.value, "ip_mode": _enum_plain(t.ip_mode), "body": t.body, "body_en": t.body_en}
                  for t in await _current_terms(contest)],
        "judge_groups": [{"name": g.name, "name_en": g.name_en, "weight": g.weight}
                         for g in await JudgeGroup.filter(contest_id=contest.id).order_by("id")],
        "rounds": [{**{k: _enum_plain(getattr(r, k)) for k in ROUND_KEYS},
                    "opens_at": _local(r.opens_at, zone), "closes_at": _local(r.closes_at, zone),
                    "criteria": [{k: getattr(c, k) for k in CRITERION_KEYS}
                                 for c in sorted(r.criteria, key=lambda c: (c.position, c.id))]} for r in rounds],
    }


async def _current_terms(contest: Contest) -> list[TermsText]:
    latest = [await TermsText.filter(contest_id=contest.id, kind=kind).order_by("-version").first()
              for kind in TermsKind]
    return [t for t in latest if t is not None]


# --- reading a file back -------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    where: str  # e.g. "tracks[2] fields[1] key", readable next to the message
    message: str  # msgid


@dataclass(frozen=True)
class TrackPlan:
    spec: config.TrackSpec
    fields: list[config.FieldSpec]
    slots: list[config.SlotSpec]


@dataclass
class Plan:
    """Everything to create, parsed and checked; built only when the whole file is valid."""

    settings: config.ContestSettings
    tracks: list[TrackPlan] = field(default_factory=list)
    tiers: list[tuple[str | None, config.TierSpec]] = field(default_factory=list)
    terms: list[config.TermsSpec] = field(default_factory=list)
    groups: list[tuple[str, str, float]] = field(default_factory=list)
    rounds: list[tuple[setup.RoundSettings, list[setup.CriterionSpec]]] = field(default_factory=list)


class InvalidConfig(InvalidInput):
    """The file cannot be imported; `problems` says each thing wrong and where."""

    message = N_("The file cannot be imported: nothing was created.")

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__({"file": self.message})
        self.problems = problems


def load_file(raw: bytes) -> Any:
    """The file's JSON. ValueError when it is too large, not JSON, or nested deeper than a file of ours."""
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError("too large")
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise ValueError("nested too deep") from None
    if _nesting(data) > MAX_NESTING:
        raise ValueError("nested too deep")
    return data


def _nesting(data: Any) -> int:
    """How deep lists and objects nest, counted level by level (no recursion to run out of)."""
    depth, level = 0, [data]
    while level := [child for node in level if isinstance(node, (list, dict))
                    for child in (node.values() if isinstance(node, dict) else node)]:
        depth += 1
    return depth


def _raw(values: Any) -> dict[str, Any]:
    """A file's object as form values, so it goes through the forms' own parsers (a list, the options, as rows)."""
    if not isinstance(values, Mapping):
        return {}
    raw: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, bool):
            raw[key] = "1" if value else ""
        elif isinstance(value, list):
            raw[key] = [o for o in value if isinstance(o, Mapping) and "value" in o]
        elif value is not None:
            raw[key] = f"{value:g}" if isinstance(value, float) else str(value)
    return raw


def _list(data: Any, key: str, problems: list[Problem], *, where: str = "") -> list[Any]:
    value = _mapping(data).get(key) or []
    if not isinstance(value, list):
        problems.append(Problem(f"{where} {key}".strip(), N_("This part of the file must be a list.")))
        return []
    return value


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def parse(self, where: str, parser: Any, *args: Any) -> Any:
        try:
            return parser(*args)
        except InvalidInput as exc:
            self.problems += [Problem(f"{where} {name}".strip(), msg) for name, msg in exc.field_errors.items()]
            return None


def read_plan(data: Any) -> Plan:
    """Parse and check a whole file; raises InvalidConfig listing every problem."""
    if not isinstance(data, Mapping) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise InvalidConfig([Problem("format", N_("This is not a contest configuration file of a version we read."))])
    c = _Collector()
    settings = c.parse("contest", config.parse_contest_settings, _raw(data.get("contest")))
    zone = settings.time_zone if settings else "Asia/Shanghai"
    plan = Plan(settings) if settings else None
    round_rows = data.get("rounds")
    positions = set(range(1, len(round_rows) + 1)) if isinstance(round_rows, list) else set()
    tracks = _read_tracks(c, _list(data, "tracks", c.problems), zone, positions)
    slugs = {track.spec.slug for track in tracks}
    tiers = _read_tiers(c, _list(data, "award_tiers", c.problems), slugs)
    terms = [c.parse(f"terms[{i}]", config.parse_terms, _raw(t)) for i, t in enumerate(_list(data, "terms", c.problems))]
    groups = _read_groups(c, _list(data, "judge_groups", c.problems))
    rounds = _read_rounds(c, _list(data, "rounds", c.problems), zone, settings)
    if c.problems or plan is None:
        raise InvalidConfig(c.problems)
    plan.tracks, plan.tiers, plan.terms, plan.groups, plan.rounds = tracks, tiers, terms, groups, rounds
    return plan


def _read_tracks(c: _Collector, rows: list[Any], zone: str, rounds: set[int]) -> list[TrackPlan]:
    tracks, seen = [], set()
    for i, row in enumerate(rows):
        spec = c.parse(f"tracks[{i}]", partial(config.parse_track, zone=zone), _raw(
            {k: v for k, v in _mapping(row).items() if k in TRACK_KEYS or k == "sample_due_at"}))
        if spec and spec.slug in seen:
            c.problems.append(Problem(f"tracks[{i}] slug", N_("Another track of this contest uses this address.")))
        fields = _read_fields(c, f"tracks[{i}]", _list(row, "fields", c.problems, where=f"tracks[{i}]"))
        slots = _read_slots(c, f"tracks[{i}]", row, zone, rounds)
        if spec:
            seen.add(spec.slug)
            tracks.append(TrackPlan(spec, fields, slots))
    return tracks


def _read_fields(c: _Collector, where: str, rows: list[Any]) -> list[config.FieldSpec]:
    fields: list[config.FieldSpec] = []
    keys: set[str] = set()
    for j, raw in enumerate(rows):
        parsed = c.parse(f"{where} fields[{j}]", config.parse_field, _raw(raw))
        if parsed and not parsed.key:
            parsed = replace(parsed, key=config.make_key((parsed.label_en, parsed.label), keys, fallback="question"))
        if parsed and parsed.key in keys:
            c.problems.append(Problem(f"{where} fields[{j}] key", N_("Another field of this track uses this key.")))
        if parsed:
            keys.add(parsed.key)
            fields.append(parsed)
    return fields


def _read_slots(c: _Collector, where: str, row: Any, zone: str, rounds: set[int]) -> list[config.SlotSpec]:
    """The track's slots; a file from before slots gives its track's image rules as the one slot (problems
    named by the old keys), and a track with neither gets the default slot."""
    track = _mapping(row)
    if "slots" not in track and (LEGACY_SLOT_KEYS.keys() | LEGACY_EDGES.keys()) & track.keys():
        return _read_legacy_slot(c, where, track, zone)
    problems_before = len(c.problems)
    rows = _list(row, "slots", c.problems, where=where) if "slots" in track else [config.DEFAULT_SLOT]
    slots: list[config.SlotSpec] = []
    for j, raw in enumerate(rows):
        parsed = c.parse(f"{where} slots[{j}]",
                         lambda raw=raw: config.parse_slot(_slot_raw(raw), zone=zone, rounds=rounds))
        if parsed and not parsed.key:
            parsed = replace(parsed, key=config.make_key((parsed.label_en, parsed.label), [s.key for s in slots],
                                                         fallback="files"))
        if parsed and parsed.key in {s.key for s in slots}:
            c.problems.append(Problem(f"{where} slots[{j}] key", N_("Another part of this track's entry uses this key.")))
        elif parsed:
            slots.append(parsed)
    if len(c.problems) == problems_before and not any(slot.from_round == 0 for slot in slots):
        c.problems.append(Problem(f"{where} slots", config.NO_SLOT_BEFORE_SUBMISSION))
    return slots


def _slot_raw(values: Any) -> dict[str, Any]:
    """A slot as form values: its kinds stay a list, as the form's checkboxes send them."""
    kinds = _mapping(values).get("kinds")
    return {**_raw(values), "kinds": [k for k in kinds if isinstance(k, str)] if isinstance(kinds, list) else []}


def _read_legacy_slot(c: _Collector, where: str, track: Mapping[str, Any], zone: str) -> list[config.SlotSpec]:
    raw = {**config.DEFAULT_SLOT, **{rule: track[old] for old, rule in {**LEGACY_SLOT_KEYS, **LEGACY_EDGES}.items()
                                     if old in track}}
    try:  # parse_slot puts the shorter edge first, whichever of width and height it was
        return [config.parse_slot(_slot_raw(raw), zone=zone, rounds=set())]
    except InvalidInput as exc:
        old_names = {rule: old for old, rule in {**LEGACY_SLOT_KEYS, **LEGACY_EDGES}.items()}
        c.problems += [Problem(f"{where} {old_names.get(name, name)}", msg) for name, msg in exc.field_errors.items()]
        return []


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _read_tiers(c: _Collector, rows: list[Any], slugs: set[str]) -> list[tuple[str | None, config.TierSpec]]:
    tiers = []
    for i, row in enumerate(rows):
        slug = _mapping(row).get("track")
        if slug is not None and slug not in slugs:
            c.problems.append(Problem(f"award_tiers[{i}] track", N_("No track of the file has this address.")))
        raw = _raw({k: v for k, v in _mapping(row).items() if k != "track"})
        # the track is named by its slug here; parse_tier only needs to know whether there is one
        spec = c.parse(f"award_tiers[{i}]", config.parse_tier, {**raw, "track": "1" if slug else ""}, {1})
        if spec:
            tiers.append((slug, spec))
    return tiers


def _read_groups(c: _Collector, rows: list[Any]) -> list[tuple[str, str, float]]:
    groups = []
    for i, row in enumerate(rows):
        raw = _raw(row)
        name, weight = raw.get("name", "").strip(), parse_weight(raw.get("weight", ""))
        if not name or len(name) > 100:
            c.problems.append(Problem(f"judge_groups[{i}] name", N_("This field is required.")))
        if weight is None:
            c.problems.append(Problem(f"judge_groups[{i}] weight",
                                      N_("Enter a weight above 0 and at most 1000, for example 70 or 70 %.")))
        groups.append((name, raw.get("name_en", "").strip()[:100], weight or 1.0))
    return groups


def _read_rounds(c: _Collector, rows: list[Any], zone: str,
                 settings: config.ContestSettings | None) -> list[tuple[setup.RoundSettings, list[setup.CriterionSpec]]]:
    rounds: list[tuple[setup.RoundSettings, list[setup.CriterionSpec]]] = []
    for i, row in enumerate(rows):
        raw = _raw({k: v for k, v in _mapping(row).items() if k != "criteria"})
        parsed = c.parse(f"rounds[{i}]", lambda raw=raw: setup.parse_round_settings(raw, zone=zone))
        criteria = [c.parse(f"rounds[{i}] criteria[{j}]", setup.parse_criterion, _raw(crit))
                    for j, crit in enumerate(_list(row, "criteria", c.problems, where=f"rounds[{i}]"))]
        if parsed:
            _check_round_window(c, i, parsed, settings, [r for r, _ in rounds])
            rounds.append((parsed, [crit for crit in criteria if crit]))
    return rounds


def _check_round_window(c: _Collector, i: int, round_: setup.RoundSettings, settings: config.ContestSettings | None,
                        earlier: list[setup.RoundSettings]) -> None:
    closes = settings.submissions_close_at if settings else None
    if round_.closes_at and closes and round_.closes_at <= closes:
        c.problems.append(Problem(f"rounds[{i}] closes_at", N_("A round must close after submissions close.")))
    for other in earlier:
        if round_.opens_at and round_.closes_at and other.opens_at and other.closes_at and \
                round_.opens_at < other.closes_at and other.opens_at < round_.closes_at:
            c.problems.append(Problem(f"rounds[{i}] opens_at", N_("This window overlaps another round of the contest.")))


# --- creating from a plan ------------------------------------------------------------------------


async def create_from_plan(plan: Plan, *, slug: str, by: User, now: datetime, action: str,
                           source: str = "") -> Contest:
    """One transaction: the contest and everything in the plan, or nothing. Audited as `action`. The contest
    stays unpublished until its organisers have checked it (and saved its terms, if the file had none)."""
    if await Contest.exists(slug=slug):
        raise InvalidInput({"slug": N_("Another contest already uses this address.")})
    async with in_transaction():
        contest = await Contest.create(slug=slug, **{**asdict(plan.settings), "is_published": False})
        track_ids = await _create_tracks(contest, plan)
        for track_slug, tier in plan.tiers:
            await AwardTier.create(contest_id=contest.id, **{**asdict(tier), "track_id": track_ids.get(track_slug)})
        versions: dict[TermsKind, int] = {}
        for terms in plan.terms:  # a file may hold several versions of a text: keep their order
            versions[terms.kind] = versions.get(terms.kind, 0) + 1
            await TermsText.create(contest_id=contest.id, version=versions[terms.kind], **asdict(terms))
        for name, name_en, weight in plan.groups:
            await JudgeGroup.create(contest_id=contest.id, name=name, name_en=name_en, weight=weight)
        for position, (round_, criteria) in enumerate(plan.rounds, start=1):
            created = await Round.create(contest_id=contest.id, position=position, secret=secrets.token_hex(16),
                                         **asdict(round_))
            for number, criterion in enumerate(criteria, start=1):
                await Criterion.create(round_id=created.id, position=number, **asdict(criterion))
        await record(action, subject=f"contest:{contest.id}", now=now, actor=by, contest_id=contest.id,
                     data={"slug": slug, "source": source, "tracks": len(plan.tracks), "rounds": len(plan.rounds)})
    return contest


async def _create_tracks(contest: Contest, plan: Plan) -> dict[str | None, int]:
    ids: dict[str | None, int] = {}
    for position, planned in enumerate(plan.tracks, start=1):
        track = await Track.create(contest_id=contest.id, position=position, **asdict(planned.spec))
        ids[planned.spec.slug] = track.id
        for number, field_spec in enumerate(planned.fields, start=1):
            await TrackField.create(track_id=track.id, position=number, **asdict(field_spec))
        for number, slot_spec in enumerate(planned.slots, start=1):
            await FileSlot.create(track_id=track.id, position=number, **asdict(slot_spec))
    return ids


async def import_config(data: Any, *, slug: str, by: User, now: datetime) -> Contest:
    """A new contest from an exported file; InvalidConfig (every problem) or InvalidInput (slug) otherwise."""
    return await create_from_plan(read_plan(data), slug=slug, by=by, now=now, action="contest.imported")


# --- copying -------------------------------------------------------------------------------------


def shift_moment(local: str | None, years: int) -> str | None:
    """The same wall-clock moment `years` later; 29 February becomes 28 February."""
    if not local:
        return None
    moment = datetime.fromisoformat(local)
    try:
        return moment.replace(year=moment.year + years).strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        return (moment - timedelta(days=1)).replace(year=moment.year + years).strftime("%Y-%m-%dT%H:%M")


def shifted(data: dict[str, Any], years: int | None, *, title: str) -> dict[str, Any]:
    """The exported data with a new title and every date moved by whole years (or blank when `years` is None),
    unpublished until its organisers are ready."""
    move = (lambda value: shift_moment(value, years)) if years is not None else (lambda value: None)
    contest = {**data["contest"], "title": title, "title_en": "", "is_published": False, "payouts_open": False}
    contest.update({k: move(contest.get(k)) for k in CONTEST_MOMENTS})
    rounds = [{**r, "opens_at": move(r.get("opens_at")), "closes_at": move(r.get("closes_at"))} for r in data["rounds"]]
    tracks = [{**t, "sample_due_at": move(t.get("sample_due_at")),
               "slots": [{**s, "due_at": move(s.get("due_at"))} for s in t["slots"]]} for t in data["tracks"]]
    return {**data, "contest": contest, "tracks": tracks, "rounds": rounds}


async def copy_contest(source: Contest, *, slug: str, title: str, years: int | None, by: User,
                       now: datetime) -> Contest:
    """A new contest configured like `source`: no entries, people, scores, panels or awards are copied."""
    if not title.strip():
        raise InvalidInput({"title": N_("This field is required.")})
    plan = read_plan(shifted(await export_config(source), years, title=title.strip()))
    return await create_from_plan(plan, slug=slug, by=by, now=now, action="contest.copied", source=source.slug)
