"""The release event (发布会): the order in which the big screen reveals the confirmed winners, and the
chair's 公布 press that makes the reveal the announcement.

The reveal climbs: grade by grade from the lowest (优秀奖) to the highest (一等奖), each grade track by track,
and each special award in a step of its own just before the highest grade, so the last step is the top
prize. Only CONFIRMED awards are revealed: a proposed award is not a result.

The press does not add a second rule for when results are public. It writes `announce_at = now`, and
embargo.results_public (announce_at set and reached) does the rest, for the gallery, the results, the
certificates and the designers' own results, exactly as a scheduled time would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from contest import cache_stamp
from contest.accounts.models import User
from contest.audit.log import record
from contest.contests.models import Contest, SlotAudience
from contest.entries.models import EntryImage
from contest.errors import Conflict
from contest.i18n import N_
from contest.results import embargo
from contest.results.gallery import IMAGE_VALUES, Picture, TrackInfo, picture, tiers_of, tracks_of
from contest.results.models import Award, AwardStatus

PICTURES_PER_WINNER = 3  # the cover and the next public images, as many as the screen shows side by side


class NotPressMode(Conflict):
    message = N_("This contest announces its results at the scheduled time, not with the press at the ceremony.")


class AlreadyAnnounced(Conflict):
    message = N_("The results are already announced.")


class AwardsNotConfirmed(Conflict):
    message = N_("Confirm the awards first: only confirmed awards can be announced.")


@dataclass(frozen=True)
class Honoree:
    entry_id: int
    number: str
    title: str
    public_name: str
    pictures: tuple[Picture, ...]  # public images, the cover first


@dataclass(frozen=True)
class Step:
    """One step of the reveal: the winners of one tier (a grade of one track, or one special award)."""

    tier_id: int
    name: str
    name_en: str
    rank: int
    special: bool
    track: TrackInfo | None  # None for a special award
    entry_ids: tuple[int, ...]


@dataclass(frozen=True)
class ShownStep:
    step: Step
    honorees: tuple[Honoree, ...]


@dataclass(frozen=True)
class Ceremony:
    steps: tuple[ShownStep, ...]
    by_press: bool
    announced: bool
    announce_at: datetime | None
    pending: int  # awards still proposed

    @property
    def may_press(self) -> bool:
        return self.by_press and not self.announced and not self.pending and bool(self.steps)

    @property
    def pictures(self) -> list[Picture]:
        """Every picture the screen shows, in the order it shows them (what the page preloads)."""
        return [p for shown in self.steps for honoree in shown.honorees for p in honoree.pictures]


# --- pure ----------------------------------------------------------------------------------------


def _special(tier: Mapping[str, Any]) -> bool:
    return bool(tier["is_special"]) or tier["track_id"] is None


def reveal_order(tiers: Iterable[Mapping[str, Any]], awards: Iterable[tuple[int, int]],
                 tracks: Sequence[TrackInfo]) -> list[Step]:
    """The steps of the reveal from `tiers` (rows of gallery.TIER_VALUES), the confirmed (tier id, entry id)
    pairs and the contest's tracks in order; a tier nobody holds is no step."""
    holders: dict[int, list[int]] = {}
    for tier_id, entry_id in awards:
        holders.setdefault(tier_id, []).append(entry_id)
    position = {t.id: (t.position, t.id) for t in tracks}
    by_id = {t.id: t for t in tracks}
    held = [t for t in tiers if holders.get(t["id"])]
    graded = sorted((t for t in held if not _special(t) and t["track_id"] in by_id),
                    key=lambda t: (-t["rank"], position[t["track_id"]], t["id"]))
    specials = sorted((t for t in held if _special(t)), key=lambda t: (-t["rank"], t["id"]))
    top = min((t["rank"] for t in graded), default=None)
    cut = next((i for i, t in enumerate(graded) if t["rank"] == top), len(graded))
    ordered = [*graded[:cut], *specials, *graded[cut:]]
    return [Step(t["id"], t["name"], t["name_en"], t["rank"], _special(t),
                 None if _special(t) else by_id[t["track_id"]], tuple(holders[t["id"]])) for t in ordered]


def _pictures(rows: Sequence[Mapping[str, Any]]) -> tuple[Picture, ...]:
    ordered = sorted(rows, key=lambda r: (not r["is_cover"], r["position"], r["key"]))
    shown = [picture(r) for r in ordered]
    return tuple(p for p in shown if p.variants)[:PICTURES_PER_WINNER]


# --- queries and the press -------------------------------------------------------------------------


async def ceremony_of(contest: Contest, *, now: datetime) -> Ceremony:
    """What the ceremony view shows: the reveal's steps with each winner's title, public name and pictures."""
    tracks = await tracks_of(contest)
    rows = await Award.filter(contest_id=contest.id, status=AwardStatus.CONFIRMED).order_by(
        "entry__number", "entry_id").values("tier_id", "entry_id", "entry__number", "entry__title",
                                            "entry__public_name")
    steps = reveal_order(await tiers_of(contest), [(r["tier_id"], r["entry_id"]) for r in rows], tracks)
    images: dict[int, list[dict[str, Any]]] = {}
    for image in await EntryImage.filter(entry_id__in=[r["entry_id"] for r in rows] or [0],
                                         slot__audience=SlotAudience.PUBLIC).values(*IMAGE_VALUES):
        images.setdefault(image["entry_id"], []).append(image)
    honorees = {r["entry_id"]: Honoree(r["entry_id"], r["entry__number"] or "", r["entry__title"],
                                       r["entry__public_name"], _pictures(images.get(r["entry_id"], [])))
                for r in rows}
    pending = await Award.filter(contest_id=contest.id, status=AwardStatus.PROPOSED).count()
    shown = tuple(ShownStep(step, tuple(honorees[e] for e in step.entry_ids)) for step in steps)
    return Ceremony(shown, contest.announce_by_press, embargo.results_public(contest, now), contest.announce_at,
                    pending)


async def announce_at_press(contest: Contest, *, by: User, now: datetime) -> datetime:
    """The chair's 公布 press: the results are public from `now` on (announce_at = now), in one audited
    transaction. Refused unless the contest announces by the press, before its announcement, with every
    award confirmed. The results pages' caches are told after the commit."""
    async with in_transaction():
        current = await Contest.get(id=contest.id)
        if not current.announce_by_press:
            raise NotPressMode()
        if current.announce_at is not None:
            raise AlreadyAnnounced()
        confirmed = await Award.filter(contest_id=contest.id, status=AwardStatus.CONFIRMED).exists()
        if not confirmed or await Award.filter(contest_id=contest.id, status=AwardStatus.PROPOSED).exists():
            raise AwardsNotConfirmed()
        # conditional, so two presses at once announce once: the second finds the time set
        if not await Contest.filter(id=contest.id, announce_at__isnull=True).update(announce_at=now):
            raise AlreadyAnnounced()
        await record("results.announced_at_press", subject=f"contest:{contest.id}", now=now, actor=by,
                     contest_id=contest.id, data={"announce_at": now.isoformat()})
    await cache_stamp.invalidate_results(contest.id)
    contest.announce_at = now
    return now
