"""Which entries of a round go on to the next: the top n by figure, ties with the n-th included.

Writes the round's advanced marks and one audit event in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.errors import InvalidInput
from contest.i18n import N_
from contest.judging.aggregation import TIE_DECIMALS
from contest.judging.locking import require_unlocked
from contest.judging.models import Round, RoundEntry


def top_n(ranking: Iterable[Any], *, n: int, per_track: bool) -> list[int]:
    """Pure: entry ids of the n best figures (per track or overall); an entry tied with the n-th on the
    rounded figure (aggregation.TIE_DECIMALS) also advances; unranked entries (figure None) never do."""
    if n < 0:
        raise InvalidInput({"n": N_("Enter a number.")})
    groups: dict[Any, list[tuple[float, int]]] = defaultdict(list)
    for result in ranking:
        if result.figure is not None:
            groups[result.track_id if per_track else None].append((round(result.figure, TIE_DECIMALS), result.entry_id))
    chosen = []
    for rows in groups.values():
        rows.sort(key=lambda r: (-r[0], r[1]))
        if n and rows:
            cutoff = rows[min(n, len(rows)) - 1][0]
            chosen += [entry_id for figure, entry_id in rows if figure >= cutoff]
    return sorted(chosen)


async def advance_top_n(round_: Round, *, ranking: Iterable[Any], n: int, per_track: bool, by: User,
                        now: datetime) -> list[int]:
    """Mark the top n of `ranking` (aggregation.EntryResult-like: entry_id, track_id, figure) as advanced,
    and every other entry of the round as not advanced. Returns the advanced entry ids; audited."""
    require_unlocked(round_)
    in_round = set(await RoundEntry.filter(round_id=round_.id).values_list("entry_id", flat=True))
    chosen = [e for e in top_n(ranking, n=n, per_track=per_track) if e in in_round]
    async with in_transaction():
        await RoundEntry.filter(round_id=round_.id).update(advanced=False)
        if chosen:
            await RoundEntry.filter(round_id=round_.id, entry_id__in=chosen).update(advanced=True)
        await record("round.advanced", subject=f"round:{round_.id}", now=now, actor=by, contest_id=round_.contest_id,
                     data={"n": n, "per_track": per_track, "entries": chosen})
    return chosen
