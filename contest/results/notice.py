"""The 公示 (public notice): what it lists, its text, and where it stands.

The notice period is contest.results.embargo's rule (notice_window, objections_open); this module
says what the notice shows and whether it may be shown. A contest has one notice of the proposed
winners or of the shortlist, for the contest's notice days from `contest.notice_starts_at` (the
settings own the window, so `Notice.publish_at` / `ends_at` only record it as it was when saved).
Until the organisers save one, a draft is generated from what it lists. The public reads it only
once an organiser approved it (`approve_notice`), and not before the period starts: a generated
text never goes out by itself. Outcome notices of objection cases are added as cases are decided.

The list is read live from the awards (proposed or confirmed) or from the round that made the
shortlist, so a revocation shows in it at once, next to the outcome notice that explains it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from tortoise.transactions import in_transaction

from contest import cache_stamp, timefmt
from contest.audit.log import record
from contest.contests.models import Contest, SlotAudience
from contest.entries.models import EntryImage
from contest.errors import Conflict, InvalidInput
from contest.i18n import N_
from contest.judging.models import RoundEntry
from contest.results import embargo
from contest.results.gallery import Picture, picture
from contest.results.models import (
    Award,
    AwardStatus,
    Notice,
    NoticeKind,
    Objection,
    ObjectionStatus,
)

HOW_TO_OBJECT = (
    "公示期内，任何单位或个人对名单中的作品（如原创性、参赛资格）有异议的，可通过本页“提出异议”实名提交书面意见，"
    "并提供联系方式和相关证据；以单位名义提出的，须附加盖公章的书面材料（PDF 或图片）。组委会对异议人的身份予以保密。"
)
MAIN_KINDS = (NoticeKind.PROPOSED_WINNERS, NoticeKind.SHORTLIST)
ACTIVE_AWARDS = (AwardStatus.PROPOSED, AwardStatus.CONFIRMED)
OPEN_CASES = (ObjectionStatus.RECEIVED, ObjectionStatus.UNDER_REVIEW)
TITLE_MAX = 200
BODY_MAX = 20_000
ENTRY_VALUES = ("entry_id", "entry__number", "entry__title", "entry__public_name", "entry__owner__display_name",
                "entry__track__name", "entry__track__name_en")
TIER_VALUES = ("tier__name", "tier__name_en", "tier__is_special", "tier__track_id")
AFFILIATION_VALUES = ("entry__organisation", "entry__school")


class Phase(StrEnum):
    NONE = "none"  # the contest has no public notice
    SOON = "soon"
    OPEN = "open"  # objections may be filed
    CLOSED = "closed"  # the period is over, some case is still open
    FINAL = "final"  # the period is over and every case decided: the results are final


class NoNoticePeriod(Conflict):
    message = N_("This contest has no public notice period. Set its start and its days in the settings first.")


@dataclass(frozen=True)
class Listed:
    """One line of the notice: an entry and, on a list of proposed winners, its proposed grade."""

    entry_id: int
    number: str
    title: str
    public_name: str
    track: str
    track_en: str
    grade: str = ""
    grade_en: str = ""
    cover: Picture | None = None  # so the public can object on originality
    special: bool = False  # a special award across tracks, listed apart from every track
    affiliation: str = ""  # the organisation or school, when the rows carry AFFILIATION_VALUES


@dataclass(frozen=True)
class TrackGroup:
    """One track's lines of the notice, in the list's order."""

    track: str
    track_en: str
    lines: list[Listed]


@dataclass(frozen=True)
class Listing:
    """The notice's list as it is shown and counted: each track's lines, then the special awards in a
    section of their own. An entry holding a grade and a special award has a line in each."""

    tracks: list[TrackGroup]
    special: list[Listed]
    entries: int  # the entries listed, each counted once
    holding_both: int  # the entries with a line in a track and one among the special awards


@dataclass(frozen=True)
class Shown:
    """The notice as readers see it: the saved one, or the draft while none is saved."""

    kind: NoticeKind
    title: str
    body_md: str
    saved: Notice | None


# --- pure ------------------------------------------------------------------------------------------


def phase(contest: Any, now: datetime, *, open_cases: int) -> Phase:
    window = embargo.notice_window(contest)
    if window is None:
        return Phase.NONE
    if now < window[0]:
        return Phase.SOON
    if now < window[1]:
        return Phase.OPEN
    return ended(open_cases=open_cases)


def ended(*, open_cases: int) -> Phase:
    """The phase once the period is over: final unless a case is still open."""
    return Phase.CLOSED if open_cases else Phase.FINAL


def _special(row: dict[str, Any]) -> bool:
    """An award row whose tier spans tracks (marked special, or set without a track); round-entry rows have no tier."""
    return "tier__track_id" in row and (bool(row["tier__is_special"]) or row["tier__track_id"] is None)


def affiliation(row: dict[str, Any]) -> str:
    """The entrant's organisation and/or school as entered with the entry ("" when the rows leave them out)."""
    names = (str(row.get(key) or "").strip() for key in AFFILIATION_VALUES)
    return "、".join(dict.fromkeys(name for name in names if name))


def listed_from(rows: Iterable[dict[str, Any]], covers: dict[int, Picture] | None = None) -> list[Listed]:
    """Lines from award or round-entry rows (ENTRY_VALUES, plus TIER_VALUES for awards and, for the
    affiliation, AFFILIATION_VALUES)."""
    covers = covers or {}
    return [Listed(row["entry_id"], row["entry__number"] or "", row["entry__title"],
                   row["entry__public_name"] or row["entry__owner__display_name"], row["entry__track__name"],
                   row["entry__track__name_en"], row.get("tier__name", ""), row.get("tier__name_en", ""),
                   covers.get(row["entry_id"]), _special(row), affiliation(row))
            for row in rows]


def arrange(listed: Sequence[Listed]) -> Listing:
    """Pure: the lines by track in the list's order, the special awards apart, and the entries counted once."""
    tracks: dict[tuple[str, str], list[Listed]] = {}
    for line in listed:
        if not line.special:
            tracks.setdefault((line.track, line.track_en), []).append(line)
    special = [line for line in listed if line.special]
    in_tracks = {line.entry_id for lines in tracks.values() for line in lines}
    return Listing([TrackGroup(name, name_en, lines) for (name, name_en), lines in tracks.items()], special,
                   len({line.entry_id for line in listed}), len(in_tracks & {line.entry_id for line in special}))


def length_parts(days: float) -> tuple[int, int, int]:
    """Pure: (days, hours, minutes) of a notice of `days` days, to the minute."""
    minutes = round(days * 24 * 60)
    return minutes // (24 * 60), minutes // 60 % 24, minutes % 60


def length_label(days: float) -> str:
    """The notice's length as the generated Chinese text says it: "7 天", "6 小时", "1 天 12 小时"."""
    parts = zip(length_parts(days), ("天", "小时", "分钟"), strict=True)
    return " ".join(f"{n} {unit}" for n, unit in parts if n)


def md_escape(text: str) -> str:
    """Entry titles and names inside generated Markdown stay plain text."""
    return "".join(f"\\{char}" if char in "\\`*_[]()<>#|!~" else char for char in text)


def day_label(moment: datetime, zone: str) -> str:
    """The notice is in Chinese: the time as contest.timefmt writes it, without the zone's name."""
    return timefmt.format_moment(moment, zone, "zh_CN", with_zone=False)


def _grade_counts(lines: Iterable[Listed]) -> list[str]:
    grades = Counter(line.grade for line in lines)
    return [f"{md_escape(grade)} {count} 件" if grade else f"{count} 件" for grade, count in grades.items()]


def _summary(listing: Listing) -> list[str]:
    """The count and the tally by track and grade, then the special awards under their own heading."""
    both = f"，其中 {listing.holding_both} 件同时获特别奖" if listing.holding_both else ""
    parts = [f"名单共 {listing.entries} 件作品{both}：",
             "\n".join(f"- {md_escape(group.track)}：" + "、".join(_grade_counts(group.lines))
                       for group in listing.tracks)]
    if listing.special:
        parts += ["特别奖（不分赛道）：", "\n".join(f"- {part}" for part in _grade_counts(listing.special))]
    return parts


def draft(contest: Any, kind: NoticeKind, listed: Sequence[Listed]) -> tuple[str, str]:
    """(title, Markdown body) of a notice generated from what it lists, in Chinese like the contest's
    own documents; the organisers may edit both before or during the notice."""
    what = "拟获奖名单" if kind == NoticeKind.PROPOSED_WINNERS else "入围终评作品名单"
    title = f"{contest.title}{what}公示"
    window = embargo.notice_window(contest)
    period = (f"公示期自 {day_label(window[0], contest.time_zone)} 起至 {day_label(window[1], contest.time_zone)} 止，"
              f"共 {length_label(contest.notice_days)}。") if window else ""
    body = [
        f"经评审，现将{md_escape(contest.title)}{what}予以公示。{period}",
        HOW_TO_OBJECT,
        *_summary(arrange(listed)),
    ]
    return title, "\n\n".join(part for part in body if part)


# --- queries ---------------------------------------------------------------------------------------


async def _covers(entry_ids: list[int]) -> dict[int, Picture]:
    """Each entry's cover image (the one marked, else its first)."""
    covers: dict[int, Picture] = {}
    public = EntryImage.filter(entry_id__in=entry_ids, slot__audience=SlotAudience.PUBLIC)
    for row in await public.order_by("-is_cover", "position", "id").values("entry_id", "key", "derivatives"):
        covers.setdefault(row["entry_id"], picture(row))
    return covers


async def _with_covers(rows: list[dict[str, Any]]) -> list[Listed]:
    return listed_from(rows, await _covers([row["entry_id"] for row in rows]))


async def proposed_winners(contest: Contest) -> list[Listed]:
    """Every proposed or confirmed award, by track and grade (special awards last)."""
    rows = await Award.filter(contest_id=contest.id, status__in=list(ACTIVE_AWARDS)).order_by(
        "tier__is_special", "entry__track__position", "entry__track_id", "tier__rank", "tier_id", "entry__number",
    ).values(*ENTRY_VALUES, *TIER_VALUES)
    return await _with_covers(rows)


async def shortlist(contest: Contest) -> list[Listed]:
    """The entries advanced from the latest round that advanced any: the finalists."""
    latest = await RoundEntry.filter(round__contest_id=contest.id, advanced=True).order_by(
        "-round__position", "-round_id").limit(1).values_list("round_id", flat=True)
    if not latest:
        return []
    rows = await RoundEntry.filter(round_id=latest[0], advanced=True).order_by(
        "entry__track__position", "entry__track_id", "entry__number").values(*ENTRY_VALUES)
    return await _with_covers(rows)


async def listed(contest: Contest, kind: NoticeKind) -> list[Listed]:
    return await (proposed_winners(contest) if kind == NoticeKind.PROPOSED_WINNERS else shortlist(contest))


async def main_notice(contest: Contest) -> Notice | None:
    return await Notice.filter(contest_id=contest.id, kind__in=list(MAIN_KINDS)).order_by("-id").first()


async def default_kind(contest: Contest) -> NoticeKind:
    has_awards = await Award.exists(contest_id=contest.id, status__in=list(ACTIVE_AWARDS))
    return NoticeKind.PROPOSED_WINNERS if has_awards else NoticeKind.SHORTLIST


async def current(contest: Contest) -> Shown:
    """The saved notice, else a draft of the kind the contest's state suggests."""
    saved = await main_notice(contest)
    if saved is not None:
        return Shown(saved.kind, saved.title, saved.body_md, saved)
    kind = await default_kind(contest)
    title, body = draft(contest, kind, await listed(contest, kind))
    return Shown(kind, title, body, None)


async def is_public(contest: Contest, now: datetime) -> bool:
    """The public may read the notice: its period has started and an organiser approved it."""
    if not embargo.notice_public(contest, now):
        return False
    return await Notice.exists(contest_id=contest.id, kind__in=list(MAIN_KINDS), approved_at__isnull=False)


async def outcome_notices(contest: Contest) -> list[Notice]:
    """The published outcomes of objection cases, newest first."""
    return await Notice.filter(contest_id=contest.id, kind=NoticeKind.OBJECTION_OUTCOME).order_by("-publish_at", "-id")


async def open_cases(contest: Contest) -> int:
    return await Objection.filter(contest_id=contest.id, status__in=list(OPEN_CASES)).count()


# --- saving ----------------------------------------------------------------------------------------


def _checked(kind: str, title: str, body_md: str) -> tuple[NoticeKind, str, str]:
    problems = {}
    if kind not in {k.value for k in MAIN_KINDS}:
        problems["kind"] = N_("Choose one of the options.")
    title, body_md = title.strip(), body_md.strip()
    if not title:
        problems["title"] = N_("Enter a title.")
    elif len(title) > TITLE_MAX:
        problems["title"] = N_("Keep the title under 200 characters.")
    if len(body_md) > BODY_MAX:
        problems["body_md"] = N_("Keep the text under 20,000 characters.")
    if problems:
        raise InvalidInput(problems)
    return NoticeKind(kind), title, body_md


async def save_notice(contest: Contest, *, kind: str, title: str, body_md: str, by: Any, now: datetime,
                      approve: bool = False) -> Notice:
    """Save the contest's notice (create it, or replace its kind, title and text); with `approve`, also
    approve it for publication. The public reads it from the notice period's start (the settings own
    it) once approved; an approved notice edited later stays approved. Audited with the text as saved
    ("notice.approved" when approved); the cached results pages of the contest are dropped. Raises
    NoNoticePeriod, InvalidInput."""
    window = embargo.notice_window(contest)
    if window is None:
        raise NoNoticePeriod()
    kind_, title, body_md = _checked(kind, title, body_md)
    fields: dict[str, Any] = {"kind": kind_, "title": title, "body_md": body_md, "publish_at": window[0], "ends_at": window[1]}
    if approve:
        fields.update(approved_at=now, approved_by_id=by.id)
    async with in_transaction():
        notice = await main_notice(contest)
        if notice is None:
            notice = await Notice.create(contest_id=contest.id, **fields)
        else:
            await Notice.filter(id=notice.id).update(**fields)
        await record("notice.approved" if approve else "notice.saved", subject=f"notice:{notice.id}", now=now,
                     actor=by, contest_id=contest.id, data={"kind": kind_.value, "title": title, "body_md": body_md})
    await cache_stamp.invalidate_results(contest.id)
    return await Notice.get(id=notice.id)
