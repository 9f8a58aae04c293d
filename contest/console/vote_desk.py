"""The read model of the organisers' popular-vote page: its window and phase, the counts, and the
clusters of votes that look stuffed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contest.contests.models import Contest
from contest.judging.models import Round
from contest.results.vote import counts, stuffing, window


@dataclass(frozen=True)
class VoteDesk:
    final: Round | None  # the vote runs with the final round; None: the contest has none yet
    phase: window.Phase | None
    window: window.Window | None
    summary: counts.Summary
    tallies: list[counts.Tally]
    suspicions: list[stuffing.Suspicion]


async def vote_desk(contest: Contest, *, now: datetime) -> VoteDesk:
    final = await window.final_round(contest)
    return VoteDesk(
        final=final, phase=window.phase(contest, final, now), window=window.window(contest, final),
        summary=await counts.summary(contest), tallies=await counts.tallies(final) if final else [],
        suspicions=stuffing.detect(await stuffing.live_facts(contest)),
    )
