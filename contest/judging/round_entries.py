"""A round's entries: which entries a round takes, each under its per-round alias.

Writes the rows and one audit event in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from tortoise.transactions import in_transaction

from contest.audit.log import record
from contest.entries.models import Entry
from contest.entries.states import JUDGEABLE_STATES, LeakStatus
from contest.errors import Conflict as StateConflict
from contest.i18n import N_
from contest.judging import leaks
from contest.judging.assignment import make_alias, make_aliases
from contest.judging.locking import require_unlocked
from contest.judging.models import EntrySource, Round, RoundEntry


class NoPreviousRound(StateConflict):
    message = N_("This round takes the entries advanced from the previous round, and there is none.")

async def _source_entry_ids(round_: Round) -> list[int]:
    judgeable = {"contest_id": round_.contest_id, "state__in": list(JUDGEABLE_STATES)}
    if round_.entry_source == EntrySource.ALL_ELIGIBLE:
        return cast(list[int], await Entry.filter(**judgeable).order_by("id").values_list("id", flat=True))
    previous = await Round.filter(contest_id=round_.contest_id, position__lt=round_.position).order_by(
        "-position", "-id").first()
    if previous is None:
        raise NoPreviousRound()
    return cast(list[int], await RoundEntry.filter(
        round_id=previous.id, advanced=True, entry__state__in=list(JUDGEABLE_STATES),
    ).order_by("entry_id").values_list("entry_id", flat=True))


async def open_round_entries(round_: Round, *, now: datetime) -> int:
    """Put the round's entries in it, each with a per-round alias; idempotent. Returns how many were added.

    all_eligible: every submitted entry of the contest; advanced: those marked advanced in the
    previous round by position. Entries never leak-checked are checked now (FLAGGED ones are held).
    """
    require_unlocked(round_)
    wanted = await _source_entry_ids(round_)
    existing = dict(await RoundEntry.filter(round_id=round_.id).values_list("entry_id", "alias"))
    new_ids = [e for e in wanted if e not in existing]
    taken = set(existing.values())
    aliases = make_aliases(new_ids, round_.secret)
    for entry_id in new_ids:
        attempt = 0
        while aliases[entry_id] in taken:
            attempt += 1
            aliases[entry_id] = make_alias(entry_id, round_.secret, 1000 + attempt)
        taken.add(aliases[entry_id])
    for entry in await Entry.filter(id__in=new_ids, leak_status=LeakStatus.UNCHECKED):
        await leaks.check_entry_leaks(entry, now=now)
    async with in_transaction():
        await RoundEntry.bulk_create(
            [RoundEntry(round_id=round_.id, entry_id=e, alias=aliases[e]) for e in new_ids], ignore_conflicts=True)
        await record("round.entries_opened", subject=f"round:{round_.id}", now=now, contest_id=round_.contest_id,
                     data={"added": len(new_ids), "total": len(existing) + len(new_ids)})
    return len(new_ids)
