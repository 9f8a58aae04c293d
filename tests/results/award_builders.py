"""A contest with a scored final round, built from plain figures, for the award and certificate tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from contest.contests.models import AwardTier
from contest.judging.models import (
    Assignment,
    Criterion,
    Round,
    RoundEntry,
    RoundKind,
    Score,
)
from tests.factories import NOW, make_contest, make_track, make_user
from tests.judging.helpers import make_judge, submitted_entry

TIERS = (("一等奖", 1, 1), ("二等奖", 2, 2), ("三等奖", 3, 3))


@dataclass
class Final:
    contest: object
    track: object
    round: object
    tiers: dict[str, object]  # by name, the special award included
    entries: list = field(default_factory=list)  # best first, as scored

    def ids(self, *places: int) -> list[int]:
        """Entry ids by 1-based place in the figures given."""
        return [self.entries[p - 1].id for p in places]


async def final_round(figures, *, tiers=TIERS, special_quota: int = 1, contest=None, track=None, **contest_fields) -> Final:
    """One track whose final round ranks entries by `figures` (one judge, one criterion on 0–100),
    tiers with the given quotas, and a special award (网络人气奖) across tracks."""
    contest = contest or await make_contest(**contest_fields)
    track = track or await make_track(contest)
    made = {name: await AwardTier.create(contest=contest, track=track, name=name, rank=rank, quota=quota)
            for name, rank, quota in tiers}
    made["网络人气奖"] = await AwardTier.create(contest=contest, name="网络人气奖", rank=9, quota=special_quota,
                                              is_special=True)
    round_ = await Round.create(contest=contest, kind=RoundKind.FINAL, name="终评", position=2, secret="final-secret",
                                opens_at=NOW - timedelta(days=3), closes_at=NOW - timedelta(days=1))
    criterion = await Criterion.create(round=round_, name="综合", scale_min=0, scale_max=100)
    judge = await make_judge(display_name="终评评委")
    final = Final(contest, track, round_, made)
    for place, figure in enumerate(figures, start=1):
        owner = await make_user(display_name=f"设计师{place}")
        entry = await submitted_entry(contest, track, owner, title=f"作品{place}", number=f"{track.slug}-{place:03d}",
                                      public_name=f"设计师{place}")
        await RoundEntry.create(round=round_, entry=entry, alias=f"A{place:02d}-{track.id}")
        assignment = await Assignment.create(round=round_, entry=entry, judge=judge)
        await Score.create(assignment=assignment, criterion=criterion, value=Decimal(str(figure)), updated_at=NOW)
        final.entries.append(entry)
    return final
