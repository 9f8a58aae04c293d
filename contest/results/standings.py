"""A round's standings as the contest publishes them: judging's figures with the popular vote's counts.

judging.standings computes from the judges' scores and is handed the vote counts, since the votes belong to
results, which ranks above judging; every page, export and bundle that shows standings asks here.
"""

from __future__ import annotations

from collections import Counter

from contest.judging import standings
from contest.judging.aggregation import EntryResult
from contest.judging.models import Round, RoundKind
from contest.results.models import Vote


async def vote_counts(round_: Round) -> dict[int, int]:
    """Non-voided popular votes per entry of the contest; none outside a final round (the vote blends in there only)."""
    if round_.kind != RoundKind.FINAL:
        return {}
    votes = await Vote.filter(entry__contest_id=round_.contest_id, voided=False).values_list("entry_id", flat=True)
    return dict(Counter(votes))


async def round_inputs(round_: Round) -> standings.RoundInputs:
    return await standings.round_inputs(round_, vote_counts=await vote_counts(round_))


async def round_results(round_: Round) -> list[EntryResult]:
    return standings.compute(await round_inputs(round_), round_.method)
