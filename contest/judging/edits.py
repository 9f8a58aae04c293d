"""A designer's edits once judging may have begun: every change to an entry goes through here.

A round that holds the entry and has not finished (open, or scheduled to open) decides. With its
`designers_may_edit` switch off the entry is frozen. With it on, the change runs the leak check
again, so a judge never reads text that was not checked: a change to the text, team or organisation
is saved and checked in one transaction; an image change (whose drawn text was read at upload) is
checked right after it commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.entries import images, service
from contest.entries.models import Entry, EntryImage
from contest.entries.service import EntryInput
from contest.entries.states import JUDGEABLE_STATES, LeakStatus
from contest.errors import Conflict
from contest.i18n import N_
from contest.judging import leaks
from contest.judging.models import Round
from contest.media.storage import UploadStore

T = TypeVar("T")


class EditsClosed(Conflict):
    message = N_("A judging round that includes this entry does not allow designers to edit it now; nothing was changed.")


def round_unfinished(round_: Round, now: datetime) -> bool:
    """Pure: open now or still to come (not locked, not past its closing time)."""
    return round_.locked_at is None and (round_.closes_at is None or now < round_.closes_at)


async def _unfinished_rounds(entry: Entry, now: datetime) -> list[Round]:
    return [r for r in await Round.filter(round_entries__entry_id=entry.id, locked_at__isnull=True)
            if round_unfinished(r, now)]


async def frozen(entry: Entry, *, now: datetime) -> bool:
    """An unfinished round holding the entry does not let designers edit it."""
    return not all(r.designers_may_edit for r in await _unfinished_rounds(entry, now))


async def _check_due(entry: Entry, now: datetime) -> bool:
    """Refuse the edit while the entry is frozen; else whether the change must be checked: the entry
    is in an unfinished round, was checked before, or is submitted (a round may take it in any moment)."""
    rounds = await _unfinished_rounds(entry, now)
    if not all(r.designers_may_edit for r in rounds):
        raise EditsClosed()
    return bool(rounds) or entry.leak_status != LeakStatus.UNCHECKED or entry.state in JUDGEABLE_STATES


async def judging_started(contest_id: int, *, now: datetime) -> bool:
    """A round of the contest has opened (locked or not): judges may have read its entries."""
    return await Round.filter(contest_id=contest_id, opens_at__lte=now).exists()


async def withdrawal(entry: Entry, *, now: datetime) -> service.Withdrawal:
    return service.withdrawal(entry, judging_started=await judging_started(entry.contest_id, now=now), now=now)


async def withdraw(entry: Entry, *, by: User, by_organiser: bool = False, now: datetime) -> service.Withdrawal:
    started = await judging_started(entry.contest_id, now=now)
    return await service.withdraw_entry(entry, by=by, judging_started=started, by_organiser=by_organiser, now=now)


async def save_entry(entry: Entry, values: EntryInput, *, by: User, now: datetime) -> None:
    """The designer's form: saved and, when it changed anything, checked in the same transaction."""
    due = await _check_due(entry, now)
    async with in_transaction():
        if await service.update_entry(entry, values, by=by, now=now) and due:
            await leaks.check_entry_leaks(entry, now=now)


async def _image_change(entry: Entry, now: datetime, change: Callable[[], Awaitable[T]]) -> T:
    """The check runs right after the change commits: image work cannot sit inside a transaction."""
    due = await _check_due(entry, now)
    result = await change()
    if due:
        await leaks.check_entry_leaks(entry, now=now)
    return result


async def add_image(entry: Entry, chunks: AsyncIterator[bytes], *, store: UploadStore, original_name: str, by: User,
                    now: datetime, declared_bytes: int | None = None) -> EntryImage:
    return await _image_change(entry, now, lambda: images.intake_image(
        entry, chunks, store=store, original_name=original_name, by=by, now=now, declared_bytes=declared_bytes))


async def delete_image(entry: Entry, image_id: int, *, store: UploadStore, by: User, now: datetime) -> None:
    await _image_change(entry, now, lambda: images.delete_image(entry, image_id, store=store, by=by, now=now))


async def move_image(entry: Entry, image_id: int, step: int, *, by: User, now: datetime) -> None:
    await _image_change(entry, now, lambda: images.move_image(entry, image_id, step, by=by, now=now))


async def reorder_images(entry: Entry, ordered_ids: list[int], *, by: User, now: datetime) -> None:
    await _image_change(entry, now, lambda: images.reorder_images(entry, ordered_ids, by=by, now=now))


async def set_cover(entry: Entry, image_id: int, *, by: User, now: datetime) -> None:
    await _image_change(entry, now, lambda: images.set_cover(entry, image_id, by=by, now=now))
