"""A finalist's place forfeited for a missing task, and the next entry moving up.

The contest's rule (Contest.missing_task_forfeits) decides whether a missing task may cost the place; an
organiser confirms each forfeit with a reason. The entry leaves the final round (its alias, assignments and
any scores there go; the audit log and the Forfeit row keep them), its advance from the previous round is
taken back, and the best-ranked entry of the previous round's standings in the same track that did not
advance is advanced instead and taken into the final round as any advanced entry is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.contests.models import Contest
from contest.entries.models import Entry
from contest.entries.states import JUDGEABLE_STATES
from contest.errors import Conflict, InvalidInput, NotFound
from contest.finalists import tasks
from contest.finalists.models import Forfeit
from contest.i18n import N_
from contest.judging import round_assignments, round_entries, standings
from contest.judging.locking import require_unlocked
from contest.judging.models import Assignment, EntrySource, Round, RoundEntry
from contest.notifications.outbox import queue_wording
from contest.notifications.templates import Bilingual, Wording

MAX_REASON = 2000
PLACE_FORFEITED = Wording(
    subject_zh="【{contest}】您的作品 {entry_number} 的终评入围资格已取消",
    body_zh="{name}，您好：\n\n由于入围任务未按时完成，您的作品 {entry_number}《{entry_title}》的终评入围资格已由组委会"
    "确认取消。\n理由：{reason}\n\n如有疑问，请联系组委会。",
    subject_en="Entry {entry_number}: its place in the final is forfeited ({contest})",
    body_en="Dear {name},\n\nA finalist's task was not completed in time, so the organisers have confirmed that your "
    "entry {entry_number} “{entry_title}” forfeits its place in the final.\nReason: {reason}\n\n"
    "If you have questions, please contact the organisers.",
)
MOVED_UP = Wording(
    subject_zh="【{contest}】您的作品 {entry_number} 递补进入终评",
    body_zh="{name}，您好：\n\n您的作品 {entry_number}《{entry_title}》已递补进入终评。请登录“我的作品”，查看入围任务及其截止"
    "时间并尽快完成。",
    subject_en="Entry {entry_number} moved up into the final ({contest})",
    body_en="Dear {name},\n\nYour entry {entry_number} “{entry_title}” has moved up into the final. Please sign in and "
    "see its finalist tasks under “My entries”, with their deadlines, and complete them soon.",
)


class ForfeitsOff(Conflict):
    message = N_("This contest's rules do not take a finalist's place for a missing task; nothing was changed.")


class NothingMissing(Conflict):
    message = N_("This finalist has no missing task, so the place cannot be forfeited; nothing was changed.")


async def previous_round(round_: Round) -> Round | None:
    return await Round.filter(contest_id=round_.contest_id, position__lt=round_.position).order_by(
        "-position", "-id").first()


def best_not_advanced(ranking: Iterable[Any], *, track_id: int | None, excluded: set[int]) -> int | None:
    """Pure: the entry with the best figure in the track (ties: the lower entry id, as advancing orders them)
    among the ranked entries not in `excluded`."""
    rows = [(-r.figure, r.entry_id) for r in ranking
            if r.figure is not None and r.track_id == track_id and r.entry_id not in excluded]
    return min(rows)[1] if rows else None


async def next_in_line(round_: Round, track_id: int | None) -> int | None:
    """The entry that would move up into `round_` for a place of the track, or None: only a round that takes the
    previous round's advanced entries has someone to move up."""
    previous = await previous_round(round_)
    if previous is None or round_.entry_source != EntrySource.ADVANCED:
        return None
    ranking = await standings.round_results(previous, vote_counts={})  # the vote counts in a final round only
    taken = set(cast(list[int], await RoundEntry.filter(round_id=previous.id, advanced=True).values_list(
        "entry_id", flat=True)))
    taken |= set(cast(list[int], await RoundEntry.filter(round_id=round_.id).values_list("entry_id", flat=True)))
    taken |= set(cast(list[int], await Forfeit.filter(round_id=round_.id).values_list("entry_id", flat=True)))
    judgeable = set(cast(list[int], await Entry.filter(
        id__in=[r.entry_id for r in ranking], state__in=list(JUDGEABLE_STATES)).values_list("id", flat=True)))
    return best_not_advanced(ranking, track_id=track_id, excluded=taken | ({r.entry_id for r in ranking} - judgeable))


def checked_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": N_("Write why the place is forfeited; it is kept in the audit log.")})
    if len(reason) > MAX_REASON:
        raise InvalidInput({"reason": N_("The reason may be at most 2,000 characters.")})
    return reason


async def forfeit_place(round_: Round, entry_id: int, *, reason: str, by: User, now: datetime) -> Forfeit:
    """Confirm that a finalist forfeits its place in `round_` for its missing tasks, and move the next entry up.

    Refused unless the contest's rule says so and a task is missing (ForfeitsOff, NothingMissing), on a locked
    round (RoundLocked), without a reason (InvalidInput). Side effects, in one transaction: the entry's place in
    the round with its assignments and scores removed, its advance in the previous round taken back, the next
    entry marked advanced there, a Forfeit row, one audit event, and an e-mail to each of the two designers
    (the place lost, with the reason; the place gained, with a pointer to the task list). Then the moved-up
    entry is taken into the round with its alias, and assigned when the round's entries are assigned already
    (each audited)."""
    require_unlocked(round_)
    place = await RoundEntry.get_or_none(round_id=round_.id, entry_id=entry_id).prefetch_related("entry")
    if place is None:
        raise NotFound()
    if not (await Contest.get(id=round_.contest_id)).missing_task_forfeits:
        raise ForfeitsOff()
    missed = tasks.missing(await tasks.tasks_of(place.entry, round_, now=now))
    if not missed:
        raise NothingMissing()
    reason = checked_reason(reason)
    successor = await next_in_line(round_, place.entry.track_id)
    previous = await previous_round(round_)
    async with in_transaction():
        await Assignment.filter(round_id=round_.id, entry_id=entry_id).delete()
        await RoundEntry.filter(id=place.id).delete()
        if previous is not None:
            await RoundEntry.filter(round_id=previous.id, entry_id=entry_id).update(advanced=False)
            if successor is not None:
                await RoundEntry.filter(round_id=previous.id, entry_id=successor).update(advanced=True)
        forfeit = await Forfeit.create(round_id=round_.id, entry_id=entry_id, alias=place.alias, reason=reason,
                                       missing=[t.key for t in missed], replaced_by_id=successor, decided_by=by,
                                       decided_at=now)
        await record("finalist.forfeited", subject=f"round:{round_.id}", now=now, actor=by,
                     contest_id=round_.contest_id, data={"entry": entry_id, "alias": place.alias, "reason": reason,
                                                         "missing": forfeit.missing, "moved_up": successor})
        await _tell(place.entry, "finalist_forfeited", PLACE_FORFEITED, reason=reason)
        if successor is not None:
            await _tell(await Entry.get(id=successor), "finalist_moved_up", MOVED_UP)
    if successor is not None:
        await _take_in(round_, by=by, now=now)
    return forfeit


async def _tell(entry: Entry, kind: str, wording: Wording, **values: str) -> None:
    """The entry's designer, told by e-mail in their language (inside the caller's transaction)."""
    await entry.fetch_related("contest", "owner")
    contest, owner = entry.contest, entry.owner
    await queue_wording(kind, wording, to_email=owner.email, locale=owner.locale, contest_id=contest.id, values={
        "contest": Bilingual(contest.title, contest.title_en or contest.title), "name": owner.display_name,
        "entry_number": entry.number or "", "entry_title": entry.title, **values})


async def _take_in(round_: Round, *, by: User, now: datetime) -> None:
    """The moved-up entry joins the round as the advanced entries did; a crash before this leaves it marked
    advanced, and the round page's "take in the entries" finishes the work."""
    await round_entries.open_round_entries(round_, now=now)
    if await Assignment.filter(round_id=round_.id).exists():
        await round_assignments.assign_round(round_, by=by, now=now)
