"""The sample register: the designer's dispatch (courier and tracking number), then the organisers' record of
its arrival (a photo, its condition), where it is kept, and whether it is returned or retained. Every change is
audited; the arrival photo is a private original in the upload store, shown to organisers only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import anyio
from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.contests.models import Track
from contest.entries.models import Entry
from contest.entries.slots import ABSOLUTE_MAX_FILE
from contest.errors import IMAGE_REFUSALS, Conflict, InvalidInput, InvalidUpload, NotFound
from contest.finalists import tasks
from contest.finalists.models import Disposition, Sample
from contest.i18n import N_
from contest.judging.models import Round, RoundEntry
from contest.media.pipeline import process_image_async
from contest.media.sniffing import InvalidImage
from contest.media.storage import Storage, UploadTooLarge, new_key

MAX_COURIER, MAX_TRACKING, MAX_LOCATION, MAX_CONDITION = 100, 100, 200, 2000


class NotAFinalist(Conflict):
    message = N_("This entry is not in a final round, so no sample is asked of it.")


class NoSampleAsked(Conflict):
    message = N_("This entry's track does not ask finalists for a physical sample.")


class SampleDeadlinePassed(Conflict):
    message = N_("The deadline for sending the sample has passed; nothing was saved. Please contact the organisers.")


class SampleArrived(Conflict):
    message = N_("The sample has arrived, so its dispatch can no longer be changed.")


@dataclass(frozen=True)
class Dispatch:
    courier: str
    tracking_number: str


def checked_dispatch(courier: str, tracking_number: str) -> Dispatch:
    courier, tracking_number = courier.strip(), tracking_number.strip()
    errors = {}
    if not courier:
        errors["courier"] = N_("Name the courier (e.g. SF Express).")
    elif len(courier) > MAX_COURIER:
        errors["courier"] = N_("At most 100 characters.")
    if not tracking_number:
        errors["tracking_number"] = N_("Enter the tracking number.")
    elif len(tracking_number) > MAX_TRACKING:
        errors["tracking_number"] = N_("At most 100 characters.")
    if errors:
        raise InvalidInput(errors)
    return Dispatch(courier, tracking_number)


async def record_dispatch(entry: Entry, dispatch: Dispatch, *, by: User, now: datetime) -> Sample:
    """The designer's courier and tracking number for the sample of the final round that holds the entry; may be
    corrected until it arrives. Refused when the entry is in no final round, its track asks for no sample, the
    sample's deadline has passed or it arrived. Audited."""
    round_ = await tasks.finalist_round(entry)
    if round_ is None:
        raise NotAFinalist()
    track = await Track.get(id=entry.track_id)
    if not track.sample_required:
        raise NoSampleAsked()
    if track.sample_due_at is not None and now >= track.sample_due_at:
        raise SampleDeadlinePassed()
    async with in_transaction():
        sample, _ = await Sample.get_or_create(round_id=round_.id, entry_id=entry.id)
        sample = await Sample.select_for_update().get(id=sample.id)
        if sample.arrived_at is not None:
            raise SampleArrived()
        sample.courier, sample.tracking_number, sample.sent_at = dispatch.courier, dispatch.tracking_number, now
        await sample.save(update_fields=["courier", "tracking_number", "sent_at"])
        await record("sample.sent", subject=f"sample:{sample.id}", now=now, actor=by, contest_id=round_.contest_id,
                     data={"entry": entry.id, "round": round_.id, "courier": dispatch.courier,
                           "tracking_number": dispatch.tracking_number})
    return sample


def _text(value: str, limit: int, field: str) -> str:
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput({field: N_("This text is too long.")})
    return value


async def store_photo(chunks: AsyncIterator[bytes], store: Storage) -> str:
    """The arrival photo checked and kept privately with its derivatives; its key. A refused file leaves nothing."""
    key = new_key()
    try:
        temp = await store.receive(chunks, max_bytes=ABSOLUTE_MAX_FILE)
    except UploadTooLarge:
        raise InvalidInput({"photo": N_("The photo may be at most 25 MB.")}) from None
    try:
        if temp.bytes == 0:
            raise InvalidInput({"photo": N_("Choose a photo of the sample as it arrived.")})
        try:
            await process_image_async(temp.path, store.derived_dir(key), key)
        except InvalidImage as exc:
            raise InvalidInput({"photo": IMAGE_REFUSALS.get(exc.reason, InvalidUpload.message)}) from None
        await store.commit_original(temp, key)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await store.discard(temp)
            await store.delete(key)
        raise
    return key


async def record_arrival(round_: Round, entry_id: int, *, photo: AsyncIterator[bytes] | None, condition: str,
                         location: str, store: Storage, by: User, now: datetime) -> Sample:
    """An organiser's record that the sample of an entry of the round arrived: a photo (needed the first time; a
    new one replaces it), its condition and where it is kept. A sample the designer never registered is added
    to the register here. Audited; a replaced photo's files go once the row points at the new one."""
    sample = await Sample.get_or_none(round_id=round_.id, entry_id=entry_id)
    if sample is None and not await RoundEntry.exists(round_id=round_.id, entry_id=entry_id):
        raise NotFound()
    condition = _text(condition, MAX_CONDITION, "condition")
    location = _text(location, MAX_LOCATION, "location")
    if not condition:
        raise InvalidInput({"condition": N_("Describe the sample's condition as it arrived.")})
    old = sample.photo_key if sample is not None else ""
    if photo is None and not old:
        raise InvalidInput({"photo": N_("Choose a photo of the sample as it arrived.")})
    key = await store_photo(photo, store) if photo is not None else old
    try:
        async with in_transaction():
            sample, _ = await Sample.get_or_create(round_id=round_.id, entry_id=entry_id)
            sample.arrived_at = sample.arrived_at or now
            sample.photo_key, sample.condition, sample.location = key, condition, location
            await sample.save(update_fields=["arrived_at", "photo_key", "condition", "location"])
            await record("sample.arrived", subject=f"sample:{sample.id}", now=now, actor=by,
                         contest_id=round_.contest_id, data={
                             "entry": entry_id, "condition": condition, "location": location, "photo": key,
                             "replaced_photo": old if key != old else ""})
    except BaseException:
        if key != old:
            with anyio.CancelScope(shield=True):
                await store.delete(key)
        raise
    if old and key != old:
        await store.delete(old)
    return sample


async def set_keeping(sample: Sample, *, location: str, disposition: str, by: User, now: datetime) -> Sample:
    """Where the sample is kept and what becomes of it (pending, returned, retained, with the time it was
    decided). Refused before it arrived. Audited."""
    location = _text(location, MAX_LOCATION, "location")
    try:
        chosen = Disposition(disposition)
    except ValueError:
        raise InvalidInput({"disposition": N_("Choose one of the options.")}) from None
    if sample.arrived_at is None:
        raise InvalidInput({"disposition": N_("Record the sample's arrival first.")})
    disposed_at = sample.disposed_at if chosen == sample.disposition else (
        None if chosen == Disposition.PENDING else now)
    async with in_transaction():
        await Sample.filter(id=sample.id).update(location=location, disposition=chosen, disposed_at=disposed_at)
        await record("sample.kept", subject=f"sample:{sample.id}", now=now, actor=by,
                     contest_id=await _contest_of(sample),
                     data={"entry": sample.entry_id, "location": location, "disposition": chosen.value})
    sample.location, sample.disposition, sample.disposed_at = location, chosen, disposed_at
    return sample


async def _contest_of(sample: Sample) -> int:
    return (await Round.get(id=sample.round_id)).contest_id


async def sample_of(round_: Round, sample_id: int) -> Sample | None:
    """The round's sample by id; another round's is None (a 404)."""
    return await Sample.get_or_none(id=sample_id, round_id=round_.id)
