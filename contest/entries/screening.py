"""Screening by the organisers: a submitted entry is returned to its designer for a fix, with a reason and a fix
deadline, or disqualified with a reason. Both act on a list of entries of one contest at once, all or nothing,
each entry audited and its designer told by e-mail in their language.

A returned entry leaves judging (it is not in JUDGEABLE_STATES) and is open to its designer until the fix
deadline, even after submissions closed; submitting it again goes through `service.submit_entry` like any
submission, so the declarations and the leak check apply as usual. A disqualified entry is final.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.entries.models import Entry
from contest.entries.service import set_entry_state
from contest.entries.states import SCREENABLE_STATES, SENT_STATES, EntryState
from contest.errors import Conflict, InvalidInput, NotFound
from contest.i18n import N_
from contest.notifications.outbox import queue_wording
from contest.notifications.templates import Bilingual, Moment, Wording

REASON_MAX = 1000
MAX_ENTRIES = 500  # one bulk action; a contest's page lists at most a few hundred


@dataclass(frozen=True)
class ReasonTemplate:
    key: str
    text: str  # a msgid: the organiser's form shows it in their language, to edit before sending


REASON_TEMPLATES = (
    ReasonTemplate("author_name", N_("The board shows the author's name or another mark that identifies the author. "
                                     "Please remove it and submit the entry again.")),
    ReasonTemplate("size", N_("The size of the board is wrong. Please upload it again at the size the rules ask for "
                              "and submit the entry again.")),
    ReasonTemplate("ai_undisclosed", N_("AI was used but not disclosed. Please fill in the AI disclosure and submit "
                                        "the entry again.")),
    ReasonTemplate("incomplete", N_("Part of the entry is missing or cannot be read. Please complete it and submit "
                                    "the entry again.")),
)
TEMPLATE_TEXTS = {template.key: template.text for template in REASON_TEMPLATES}


class NotScreenable(Conflict):
    message = N_("The entry {number} can no longer be returned or disqualified (it is withdrawn, disqualified or was "
                 "changed meanwhile); nothing was changed.")


ENTRY_RETURNED = Wording(
    subject_zh="【{contest}】您的作品 {entry_number} 需要修改后重新提交",
    body_zh="{name}，您好：\n\n组委会在形式审查中退回了您的作品 {entry_number}《{entry_title}》，请修改后重新提交。\n"
    "理由：{reason}\n修改截止时间：{fix_due_at}\n\n请在截止时间前登录“我的作品”修改并重新提交；逾期未提交的作品不参加评审。\n"
    "如有疑问，请联系组委会。",
    subject_en="Entry {entry_number} returned for a fix: {contest}",
    body_en="Dear {name},\n\nDuring screening the organisers returned your entry {entry_number} “{entry_title}” "
    "for a fix.\nReason: {reason}\nFix by: {fix_due_at}\n\nPlease change it under “My entries” and submit it again "
    "before then; an entry not submitted again in time is not judged.\nIf you have questions, please contact the "
    "organisers.",
)
ENTRY_DISQUALIFIED = Wording(
    subject_zh="【{contest}】您的作品 {entry_number} 已被取消参赛资格",
    body_zh="{name}，您好：\n\n组委会取消了您的作品 {entry_number}《{entry_title}》的参赛资格。\n理由：{reason}\n\n"
    "如有疑问，请联系组委会。",
    subject_en="Entry {entry_number} disqualified: {contest}",
    body_en="Dear {name},\n\nThe organisers have disqualified your entry {entry_number} “{entry_title}”.\n"
    "Reason: {reason}\n\nIf you have questions, please contact the organisers.",
)


def checked_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": N_("Say why; the designer reads this reason.")})
    if len(reason) > REASON_MAX:
        raise InvalidInput({"reason": N_("This is too long.")})
    return reason


def _checked(entry_ids: Sequence[int], reason: str) -> tuple[list[int], str, dict[str, str]]:
    """The ids without repeats, the reason trimmed, and the problems with them by field."""
    errors = {}
    ids = sorted(set(entry_ids))
    if not ids:
        errors["entries"] = N_("Choose at least one entry.")
    elif len(ids) > MAX_ENTRIES:
        errors["entries"] = N_("Too many entries at once.")
    try:
        reason = checked_reason(reason)
    except InvalidInput as exc:
        errors.update(exc.field_errors)
    return ids, reason, errors


async def _locked_entries(contest_id: int, ids: list[int]) -> list[Entry]:
    """The entries, inside the caller's transaction; an id that is not an entry the organisers of this contest
    see (another contest's, a draft's, a made-up one) is a 404 for the whole request."""
    entries = await Entry.filter(id__in=ids, contest_id=contest_id, state__in=list(SENT_STATES)).select_for_update(
    ).prefetch_related("contest", "owner").order_by("number", "id")
    if len(entries) != len(ids):
        raise NotFound()
    for entry in entries:
        if entry.state not in SCREENABLE_STATES:
            raise NotScreenable(number=entry.number or "—")
    return entries


async def return_entries(contest_id: int, entry_ids: Sequence[int], *, reason: str, fix_due_at: datetime | None,
                         by: User, now: datetime) -> list[Entry]:
    """Return submitted entries to their designers for a fix until `fix_due_at`. A returned entry may be returned
    again, which replaces its reason and deadline. All or nothing, in one transaction: per entry the state change,
    an "entry.returned" audit event with the reason and deadline, and an e-mail to the designer. Raises
    InvalidInput (no entry, reason, deadline), NotFound (an id not of this contest), NotScreenable."""
    ids, reason, errors = _checked(entry_ids, reason)
    if fix_due_at is None:
        errors["fix_due_at"] = N_("Give the fix deadline.")
    elif fix_due_at <= now:
        errors["fix_due_at"] = N_("The fix deadline must be in the future.")
    if errors:
        raise InvalidInput(errors)
    assert fix_due_at is not None  # refused above
    async with in_transaction():
        entries = await _locked_entries(contest_id, ids)
        for entry in entries:
            await _screen(entry, EntryState.RETURNED, reason, fix_due_at, by=by, now=now)
            await record("entry.returned", subject=f"entry:{entry.id}", now=now, actor=by, contest_id=contest_id,
                         data={"number": entry.number, "reason": reason, "fix_due_at": fix_due_at.isoformat()})
            await _tell_designer(entry, "entry_returned", ENTRY_RETURNED, reason, fix_due_at)
    return entries


async def disqualify_entries(contest_id: int, entry_ids: Sequence[int], *, reason: str, by: User, confirmed: bool,
                             now: datetime) -> list[Entry]:
    """Disqualify submitted or returned entries, for good. All or nothing, in one transaction: per entry the state
    change, an "entry.disqualified" audit event with the reason, and an e-mail to the designer. Raises
    InvalidInput (no entry, reason, not `confirmed`), NotFound (an id not of this contest), NotScreenable."""
    ids, reason, errors = _checked(entry_ids, reason)
    if not confirmed:
        errors["confirm"] = N_("Tick the box to confirm: a disqualification cannot be undone.")
    if errors:
        raise InvalidInput(errors)
    async with in_transaction():
        entries = await _locked_entries(contest_id, ids)
        for entry in entries:
            await _screen(entry, EntryState.DISQUALIFIED, reason, None, by=by, now=now)
            await record("entry.disqualified", subject=f"entry:{entry.id}", now=now, actor=by, contest_id=contest_id,
                         data={"number": entry.number, "reason": reason})
            await _tell_designer(entry, "entry_disqualified", ENTRY_DISQUALIFIED, reason, None)
    return entries


async def _screen(entry: Entry, state: EntryState, reason: str, fix_due_at: datetime | None, *, by: User,
                  now: datetime) -> None:
    entry.screening_reason, entry.screened_at, entry.fix_due_at = reason, now, fix_due_at
    await entry.save(update_fields=["screening_reason", "screened_at", "fix_due_at"])
    if entry.state != state:  # a returned entry returned again keeps its state, with the new reason and deadline
        await set_entry_state(entry, state, by=by, now=now)


async def _tell_designer(entry: Entry, kind: str, wording: Wording, reason: str, fix_due_at: datetime | None) -> None:
    contest, owner = entry.contest, entry.owner
    values: dict[str, str | Bilingual | Moment] = {
        "contest": Bilingual(contest.title, contest.title_en or contest.title), "name": owner.display_name,
        "entry_number": entry.number or "", "entry_title": entry.title, "reason": reason}
    if fix_due_at is not None:
        values["fix_due_at"] = Moment(fix_due_at, contest.time_zone)
    await queue_wording(kind, wording, to_email=owner.email, locale=owner.locale, contest_id=contest.id,
                        values=values)
