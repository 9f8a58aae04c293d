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
from typing import TypeVar, cast

from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.contests.models import FileSlot
from contest.entries import held, images, service, uploads
from contest.entries.models import Entry
from contest.entries.service import EntryInput
from contest.entries.slots import require_room_in_slot, require_slot_open
from contest.entries.states import JUDGEABLE_STATES, EntryState, LeakStatus
from contest.errors import Conflict
from contest.i18n import N_
from contest.judging import leaks
from contest.judging.models import Round, RoundEntry
from contest.media.storage import Storage, TempUpload

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
    """An unfinished round holding the entry does not let designers edit it (unless the organisers returned it
    for a fix: then they asked for the change)."""
    if entry.state == EntryState.RETURNED:
        return False
    return not all(r.designers_may_edit for r in await _unfinished_rounds(entry, now))


async def _check_due(entry: Entry, now: datetime) -> bool:
    """Refuse the edit while the entry is frozen; else whether the change must be checked: the entry
    is in an unfinished round, was checked before, or is submitted (a round may take it in any moment). A
    returned entry is never frozen and always checked: it goes back to judging when submitted again."""
    if entry.state == EntryState.RETURNED:
        return True
    rounds = await _unfinished_rounds(entry, now)
    if not all(r.designers_may_edit for r in rounds):
        raise EditsClosed()
    return _worth_checking(entry, rounds)


def _worth_checking(entry: Entry, unfinished: list[Round]) -> bool:
    return (entry.state == EntryState.RETURNED or bool(unfinished) or entry.leak_status != LeakStatus.UNCHECKED
            or entry.state in JUDGEABLE_STATES)


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


async def reached_round(entry: Entry) -> int:
    """The position of the latest round that holds the entry; 0 before any. Later slots open by it."""
    positions = cast(list[int], await RoundEntry.filter(entry_id=entry.id).values_list("round__position", flat=True))
    return max(positions, default=0)


async def _slot_change(entry: Entry, slot: FileSlot, now: datetime, change: Callable[[int], Awaitable[T]]) -> T:
    """A slot filled before submission follows the rounds' edit switches like the rest of the entry. A later
    slot (finalists' materials) is asked for by a round, and follows its own rules (entries.slots)."""
    if slot.from_round == 0:
        return await _image_change(entry, now, lambda: change(0))
    return await change(await reached_round(entry))


async def add_file(entry: Entry, slot: FileSlot, chunks: AsyncIterator[bytes], *, store: Storage,
                   original_name: str, by: User, now: datetime, declared_bytes: int | None = None,
                   later: bool = False) -> uploads.Added:
    """`later`: images and PDFs are held for a job (entries.held), which runs the check when it has made them."""
    return await _slot_change(entry, slot, now, lambda reached: uploads.intake(
        entry, slot, chunks, store=store, original_name=original_name, by=by, now=now, declared_bytes=declared_bytes,
        reached_round=reached, later=later))


async def check_room_for_upload(entry: Entry, slot: FileSlot, *, now: datetime) -> None:
    """Before a resumable upload starts: the slot is open to the designer and has room (checked again at the end)."""
    if slot.from_round == 0:
        await _check_due(entry, now)
    require_slot_open(entry, slot, now, reached_round=await reached_round(entry) if slot.from_round else 0)
    await require_room_in_slot(entry, slot)


async def add_received_file(entry: Entry, slot: FileSlot, temp: TempUpload, *, store: Storage,
                            original_name: str, by: User, now: datetime, later: bool = False) -> uploads.Added:
    """A file that came in by a resumable upload, complete; its room and kind are checked like any other's."""
    async def change(reached: int) -> uploads.Added:
        require_slot_open(entry, slot, now, reached_round=reached)
        return await uploads.attach(entry, slot, temp, store=store, original_name=original_name, by=by, now=now,
                                    later=later)

    return await _slot_change(entry, slot, now, change)


async def delete_image(entry: Entry, image_id: int, *, store: Storage, by: User, now: datetime) -> None:
    slot = await images.slot_of_image(entry, image_id)
    await _slot_change(entry, slot, now, lambda reached: images.delete_image(
        entry, image_id, store=store, by=by, now=now, reached_round=reached))


async def remove_refused(entry: Entry, held_id: int, *, now: datetime) -> None:
    slot = await held.slot_of_held(entry, held_id)
    await _slot_change(entry, slot, now, lambda reached: held.remove_failed(entry, held_id, now=now,
                                                                             reached_round=reached))


async def make_held(held_id: int, store: Storage, *, now: datetime) -> None:
    """A held upload's job: its images made, then the entry checked as a change in the request would have been
    (`_check_due`, without refusing: the designer's change was accepted when it was held)."""
    entry = await held.make(held_id, store, now=now)
    if entry is not None and _worth_checking(entry, await _unfinished_rounds(entry, now)):
        await leaks.check_entry_leaks(entry, now=now)


async def delete_file(entry: Entry, file_id: int, *, store: Storage, by: User, now: datetime) -> None:
    slot = await uploads.slot_of_file(entry, file_id)
    await _slot_change(entry, slot, now, lambda reached: uploads.delete_file(
        entry, file_id, store=store, by=by, now=now, reached_round=reached))


async def move_image(entry: Entry, image_id: int, step: int, *, by: User, now: datetime) -> None:
    await _image_change(entry, now, lambda: images.move_image(entry, image_id, step, by=by, now=now))


async def reorder_images(entry: Entry, ordered_ids: list[int], *, by: User, now: datetime) -> None:
    await _image_change(entry, now, lambda: images.reorder_images(entry, ordered_ids, by=by, now=now))


async def set_cover(entry: Entry, image_id: int, *, by: User, now: datetime) -> None:
    await _image_change(entry, now, lambda: images.set_cover(entry, image_id, by=by, now=now))
