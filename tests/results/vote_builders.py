"""A contest whose popular vote is open, for the vote's rules and the pages and messages around it."""

from __future__ import annotations

from datetime import timedelta

from contest.judging.models import RoundEntry
from contest.results.vote import candidates
from tests.factories import NOW, make_contest, make_track
from tests.judging.helpers import make_round, submitted_entry

OPENS, CLOSES = NOW - timedelta(days=1), NOW + timedelta(days=1)


async def vote_contest(*, quota: int = 3, entries: int = 3, **fields):
    """A contest whose popular vote is open at NOW, with `entries` finalists."""
    contest = await make_contest(popular_vote_enabled=True, popular_vote_daily_quota=quota, popular_vote_share=0.2,
                                 **fields)
    track = await make_track(contest)
    await make_round(contest, name="初评", position=1, opens_at=NOW - timedelta(days=9), closes_at=NOW - timedelta(days=5))
    final = await make_round(contest, kind="final", name="终评", position=2, opens_at=OPENS, closes_at=CLOSES,
                             secret="final-secret")
    for n in range(entries):
        entry = await submitted_entry(contest, track, title=f"入围作品{n}")
        await RoundEntry.create(round=final, entry=entry, alias=f"FIN-{n:03d}")
    return contest, final, await candidates.candidates(final)
