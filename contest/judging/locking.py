"""A round's lock: the guard every change to a round passes, and locking itself.

Once locked, no score, assignment or decision of the round changes; each refusal is RoundLocked.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.errors import Conflict as StateConflict
from contest.i18n import N_
from contest.judging.models import Round


class RoundLocked(StateConflict):
    message = N_("This round is locked; nothing was changed.")

def require_unlocked(round_: Round) -> None:
    if round_.locked_at is not None:
        raise RoundLocked()


async def lock_round(round_: Round, *, by: User, now: datetime) -> None:
    """Lock the round: no score, assignment or decision changes afterwards. Refused when already locked."""
    async with in_transaction():
        if not await Round.filter(id=round_.id, locked_at__isnull=True).update(locked_at=now):
            raise RoundLocked()
        await record("round.locked", subject=f"round:{round_.id}", now=now, actor=by, contest_id=round_.contest_id)
    round_.locked_at = now
