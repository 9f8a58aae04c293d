"""The public award gallery as plain data: confirmed awards, their entries, grades and pictures.

Rows are read with `.values()` (building model objects was most of a page's cost, docs/stack.md) and
turned into small frozen dataclasses by pure functions. Only CONFIRMED awards exist here: a
proposed award is not a result, a revoked one never was. Whether results may be shown yet is the
caller's question (contest.results.embargo), asked before anything here is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from tortoise.queryset import QuerySet

from contest.columns import fits
from contest.contests.models import AwardTier, Contest, SlotAudience, SlotKind, Track
from contest.entries.disclosure import Disclosure, ai_label
from contest.entries.models import Entry, EntryFile, EntryImage, FileStatus
from contest.media.provenance import AigcLabel, Provenance, public_label
from contest.results.models import Award, AwardStatus

PAGE_SIZE = 48
# Who published the public copy, in its implicit AIGC label (GB 45438 ContentProducer / ContentPropagator)
PLATFORM = "wenchuang-contest"
SPECIAL = "special"
PUBLIC_VARIANTS = ("thumb.webp", "thumb.jpeg", "display.webp", "display.jpeg")
DIGEST_LENGTH = 16

AWARD_VALUES = (
    "entry_id", "tier_id", "tier__name", "tier__name_en", "tier__rank", "tier__is_special", "tier__track_id",
    "entry__number", "entry__title", "entry__public_name", "entry__entrant_kind", "entry__track_id",
    "entry__ai_disclosure",
)
ENTRY_VALUES = (*AWARD_VALUES, "entry__concept")
TRACK_VALUES = ("id", "slug", "name", "name_en", "position")
TIER_VALUES = ("id", "track_id", "name", "name_en", "rank", "quota", "is_special")
IMAGE_VALUES = ("entry_id", "key", "position", "is_cover", "derivatives", "provenance")


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    digest: str  # the start of the file's SHA-256: a new file is a new URL


@dataclass(frozen=True)
class Picture:
    key: str
    variants: Mapping[str, Variant]  # "thumb.webp" -> Variant


@dataclass(frozen=True)
class Grade:
    key: str  # the tier rank as text ("1" is the highest), or "special" (then the pages name it)
    name: str
    name_en: str
    rank: int


@dataclass(frozen=True)
class Prize:
    tier_id: int
    name: str
    name_en: str
    grade: str
    rank: int
    special: bool


@dataclass(frozen=True)
class TrackInfo:
    id: int
    slug: str
    name: str
    name_en: str
    position: int


@dataclass(frozen=True)
class Winner:
    entry_id: int
    number: str
    title: str
    public_name: str
    entrant_kind: str
    track: TrackInfo
    prizes: tuple[Prize, ...]  # best first
    disclosure: Disclosure = field(default_factory=Disclosure)
    cover: Picture | None = None
    ai_label: str | None = None  # "generated" | "assisted": declared, or read from its public images

    @property
    def best(self) -> Prize:
        return self.prizes[0]


@dataclass(frozen=True)
class GalleryPage:
    winners: tuple[Winner, ...]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class TierResult:
    name: str
    name_en: str
    quota: int
    winners: tuple[Winner, ...]  # empty: the grade stayed vacant


@dataclass(frozen=True)
class TrackResult:
    track: TrackInfo | None  # None: the special awards
    tiers: tuple[TierResult, ...]


@dataclass(frozen=True)
class PublicImage:
    contest_id: int
    announce_at: datetime | None  # what embargo.results_public reads
    picture: Picture
    ai_label: AigcLabel | None = None  # the implicit label its public copy carries (GB 45438)


@dataclass(frozen=True)
class Film:
    """A transcoded video of an awarded entry (no metadata), with its poster's public copies."""

    key: str
    digest: str  # the start of the MP4's SHA-256: a new file is a new URL
    width: int
    height: int
    poster: Picture


@dataclass(frozen=True)
class PublicFilm:
    contest_id: int
    announce_at: datetime | None  # what embargo.results_public reads
    film: Film


@dataclass(frozen=True)
class EntryPage:
    winner: Winner
    concept: str
    pictures: tuple[Picture, ...]
    films: tuple[Film, ...] = ()


# --- pure ----------------------------------------------------------------------------------------


def _is_special(row: Mapping[str, Any]) -> bool:
    return bool(row["is_special"]) or row["track_id"] is None


def grade_key(tier: Mapping[str, Any]) -> str:
    return SPECIAL if _is_special(tier) else str(tier["rank"])


def grades(tiers: Iterable[Mapping[str, Any]]) -> tuple[Grade, ...]:
    """The contest's grades, best first: tiers of the same rank in every track are one grade, specials one more."""
    found: dict[str, Grade] = {}
    for tier in sorted(tiers, key=lambda t: (_is_special(t), t["rank"], t["id"])):
        key = grade_key(tier)
        found.setdefault(key, Grade(key, tier["name"], tier["name_en"], tier["rank"]))
    return tuple(found.values())


def picture(row: Mapping[str, Any]) -> Picture:
    derivatives = row["derivatives"] or {}
    variants = {
        name: Variant(facts["width"], facts["height"], facts["sha256"][:DIGEST_LENGTH])
        for name, facts in derivatives.items() if name in PUBLIC_VARIANTS
    }
    return Picture(row["key"], variants)


def implicit_label(provenance: Mapping[str, Any] | None, number: str | None,
                   disclosure: Mapping[str, Any] | None) -> AigcLabel | None:
    """The implicit AIGC label (GB 45438) the public copies of an image carry: from its own provenance and its
    entry's declaration; None for an image without AI."""
    return public_label(Provenance(**provenance) if provenance else Provenance(), platform=PLATFORM,
                        public_id=number or "", declared=Disclosure.of(disclosure or {}).used)


def film(row: Mapping[str, Any]) -> Film:
    details = row["details"]
    return Film(row["key"], details["video"]["sha256"][:DIGEST_LENGTH], details["width"], details["height"],
                picture({"key": row["key"], "derivatives": details.get("poster", {})}))


def _prize(row: Mapping[str, Any]) -> Prize:
    tier = {"is_special": row["tier__is_special"], "track_id": row["tier__track_id"], "rank": row["tier__rank"]}
    return Prize(row["tier_id"], row["tier__name"], row["tier__name_en"], grade_key(tier), row["tier__rank"],
                 _is_special(tier))


def _prize_order(prize: Prize) -> tuple[bool, int, int]:
    return prize.special, prize.rank, prize.tier_id


def winners(award_rows: Iterable[Mapping[str, Any]], tracks: Mapping[int, TrackInfo]) -> list[Winner]:
    """One winner per entry (an entry may hold a grade and a special award), best grade first."""
    by_entry: dict[int, list[Mapping[str, Any]]] = {}
    for row in award_rows:
        by_entry.setdefault(row["entry_id"], []).append(row)
    found = []
    for entry_id, rows in by_entry.items():
        first = rows[0]
        prizes = tuple(sorted({_prize(r) for r in rows}, key=_prize_order))
        found.append(Winner(entry_id, first["entry__number"] or "", first["entry__title"], first["entry__public_name"],
                            first["entry__entrant_kind"], tracks[first["entry__track_id"]], prizes,
                            Disclosure.of(first.get("entry__ai_disclosure") or {})))
    return sorted(found, key=lambda w: (_prize_order(w.best), w.track.position, w.track.id, w.number))


def select(found: Sequence[Winner], *, track: str | None = None, grade: str | None = None) -> list[Winner]:
    """Winners of one track and/or one grade (any of an entry's prizes counts)."""
    return [
        w for w in found
        if (track is None or w.track.slug == track) and (grade is None or any(p.grade == grade for p in w.prizes))
    ]


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    return max(1, -(-total // size))


def cover_of(rows: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The designer's chosen cover, else the first image."""
    ordered = sorted(rows, key=lambda r: (not r["is_cover"], r["position"]))
    return ordered[0] if ordered else None


def by_track(found: Sequence[Winner], tracks: Sequence[TrackInfo], tier_rows: Iterable[Mapping[str, Any]]) -> list[TrackResult]:
    """The results table: per track its tiers best first with their winners (or vacant), then the special awards."""
    tiers = sorted(tier_rows, key=lambda t: (t["rank"], t["id"]))
    results = []
    for track in [*tracks, None]:
        rows = tuple(TierResult(t["name"], t["name_en"], t["quota"], _holding(found, t["id"])) for t in _tiers_of(track, tiers))
        if rows:
            results.append(TrackResult(track, rows))
    return results


def _tiers_of(track: TrackInfo | None, tiers: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    if track is None:
        return [t for t in tiers if _is_special(t)]
    return [t for t in tiers if t["track_id"] == track.id and not _is_special(t)]


def _holding(found: Sequence[Winner], tier_id: int) -> tuple[Winner, ...]:
    return tuple(w for w in found if any(p.tier_id == tier_id for p in w.prizes))


def _track_info(row: Mapping[str, Any]) -> TrackInfo:
    return TrackInfo(row["id"], row["slug"], row["name"], row["name_en"], row["position"])


# --- queries -------------------------------------------------------------------------------------


async def tracks_of(contest: Contest) -> list[TrackInfo]:
    rows = await Track.filter(contest_id=contest.id).order_by("position", "id").values(*TRACK_VALUES)
    return [_track_info(row) for row in rows]


async def tiers_of(contest: Contest) -> list[dict[str, Any]]:
    return await AwardTier.filter(contest_id=contest.id).order_by("rank", "id").values(*TIER_VALUES)


async def contest_winners(contest: Contest, tracks: Sequence[TrackInfo]) -> list[Winner]:
    rows = await Award.filter(contest_id=contest.id, status=AwardStatus.CONFIRMED).values(*AWARD_VALUES)
    return winners(rows, {t.id: t for t in tracks})


async def with_covers(found: Sequence[Winner]) -> list[Winner]:
    """The same winners, each with its cover picture (one query for all of them)."""
    rows = await EntryImage.filter(entry_id__in=[w.entry_id for w in found], slot__audience=SlotAudience.PUBLIC).values(
        *IMAGE_VALUES)
    by_entry: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_entry.setdefault(row["entry_id"], []).append(row)
    return [_with_cover(w, by_entry.get(w.entry_id, [])) for w in found]


def _with_cover(winner: Winner, rows: Sequence[Mapping[str, Any]]) -> Winner:
    """With its cover, and the AI label its declaration or its public images call for."""
    row = cover_of(rows)
    return replace(winner, cover=picture(row) if row else None,
                   ai_label=ai_label(winner.disclosure, [image["provenance"] for image in rows]))


async def featured(contest: Contest, tracks: Sequence[TrackInfo]) -> list[TrackResult]:
    """The winners with their covers by track and grade, best grade first, the special awards last: what the
    contest's page shows once results are public."""
    found = await with_covers(await contest_winners(contest, tracks))
    return by_track(found, tracks, await tiers_of(contest))


async def gallery_page(
    contest: Contest, tracks: Sequence[TrackInfo], *, track: str | None, grade: str | None, page: int
) -> GalleryPage | None:
    """One page of the filtered gallery with covers; None past the last page."""
    chosen = select(await contest_winners(contest, tracks), track=track, grade=grade)
    pages = page_count(len(chosen))
    if page < 1 or page > pages:
        return None
    shown = await with_covers(chosen[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return GalleryPage(tuple(shown), len(chosen), page, pages)


async def entry_page(contest: Contest, tracks: Sequence[TrackInfo], number: str) -> EntryPage | None:
    """An awarded entry of `contest` by its number, with every image in the designer's order."""
    if not fits(Entry, "number", number):
        return None
    rows = await Award.filter(
        contest_id=contest.id, status=AwardStatus.CONFIRMED, entry__number=number
    ).values(*ENTRY_VALUES)
    if not rows:
        return None
    images = await EntryImage.filter(entry_id=rows[0]["entry_id"], slot__audience=SlotAudience.PUBLIC).order_by(
        "position", "id").values(*IMAGE_VALUES)
    winner = _with_cover(winners(rows, {t.id: t for t in tracks})[0], images)
    videos = await _public_videos().filter(entry_id=rows[0]["entry_id"]).order_by("position", "id").values(
        "key", "details")
    return EntryPage(winner, rows[0]["entry__concept"], tuple(picture(row) for row in images),
                     tuple(film(row) for row in videos))


def _public_videos() -> QuerySet[EntryFile]:
    return EntryFile.filter(kind=SlotKind.VIDEO.value, status=FileStatus.READY, slot__audience=SlotAudience.PUBLIC)


async def public_film(key: str) -> PublicFilm | None:
    """A video of an entry holding a confirmed award in a published contest; None for any other file."""
    if not fits(EntryFile, "key", key):
        return None
    rows = await _public_videos().filter(
        key=key, entry__awards__status=AwardStatus.CONFIRMED, entry__contest__is_published=True,
    ).limit(1).values("key", "details", "entry__contest_id", "entry__contest__announce_at")
    if not rows:
        return None
    return PublicFilm(rows[0]["entry__contest_id"], rows[0]["entry__contest__announce_at"], film(rows[0]))


async def public_image(key: str) -> PublicImage | None:
    """An image of an entry holding a confirmed award in a published contest, or the poster of such an entry's
    video; None for any other image."""
    if not fits(EntryImage, "key", key):
        return None
    rows = await EntryImage.filter(
        key=key, slot__audience=SlotAudience.PUBLIC, entry__awards__status=AwardStatus.CONFIRMED,
        entry__contest__is_published=True
    ).limit(1).values("key", "derivatives", "provenance", "entry__number", "entry__ai_disclosure", "entry__contest_id",
                      "entry__contest__announce_at")
    if not rows:
        shown = await public_film(key)
        return PublicImage(shown.contest_id, shown.announce_at, shown.film.poster) if shown else None
    row = rows[0]
    label = implicit_label(row["provenance"], row["entry__number"], row["entry__ai_disclosure"])
    return PublicImage(row["entry__contest_id"], row["entry__contest__announce_at"], picture(row), label)
