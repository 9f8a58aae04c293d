"""The vote's figures: what the public sees afterwards (totals and voided votes by rule, nothing
personal) and, for organisers, each candidate's counted and voided votes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from contest.contests.models import Contest
from contest.judging.models import Round
from contest.results.models import Vote
from contest.results.vote.candidates import Candidate, candidates


@dataclass(frozen=True)
class Summary:
    """What the public sees after the vote: totals and voided votes by rule, nothing personal."""

    cast: int
    counted: int
    voters: int
    voided_by_rule: tuple[tuple[str, int], ...]

    @property
    def voided(self) -> int:
        return self.cast - self.counted


def summarise(rows: Iterable[tuple[int, bool, str]]) -> Summary:
    """Pure: (voter id, voided, void reason) per vote."""
    rows = list(rows)
    reasons = Counter(reason for _, voided, reason in rows if voided)
    return Summary(len(rows), sum(1 for _, voided, _ in rows if not voided), len({voter for voter, _, _ in rows}),
                   tuple(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))))


async def summary(contest: Contest) -> Summary:
    return summarise(await Vote.filter(voter__contest_id=contest.id).values_list("voter_id", "voided", "void_reason"))


@dataclass(frozen=True)
class Tally:
    candidate: Candidate
    counted: int
    voided: int


async def tallies(final: Round) -> list[Tally]:
    """Organisers only: each candidate's counted and voided votes, the most counted first."""
    found = await candidates(final)
    rows = await Vote.filter(entry_id__in=[c.entry_id for c in found]).values_list("entry_id", "voided")
    counts = Counter(rows)
    table = [Tally(c, counts[(c.entry_id, False)], counts[(c.entry_id, True)]) for c in found]
    return sorted(table, key=lambda t: (-t.counted, t.candidate.title, t.candidate.key))
