"""The organisers withdraw an entry for its designer: with a reason, after confirming, audited, and the designer
told by e-mail in their language. Unlike the designer, organisers may do it once judging has started."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from contest.accounts.models import User
from contest.audit.log import record
from contest.entries.models import Entry
from contest.entries.service import Withdrawal
from contest.errors import Conflict, InvalidInput
from contest.i18n import N_
from contest.judging import edits
from contest.notifications.outbox import queue_wording
from contest.notifications.templates import Bilingual, Wording

REASON_MAX = 1000
CONSEQUENCES = {
    Withdrawal.UNDOABLE: N_("Withdraw the entry {number}? Its designer can restore it as a draft until the deadline."),
    Withdrawal.FINAL: N_("Withdraw the entry {number}? The deadline has passed: this cannot be undone."),
    Withdrawal.REFUSED: N_("Withdraw the entry {number}? The deadline has passed and judging has started: this cannot "
                           "be undone, and the entry leaves judging."),
}
ENTRY_WITHDRAWN = Wording(
    subject_zh="【{contest}】您的作品 {entry_number} 已由组委会撤回",
    body_zh="{name}，您好：\n\n您的作品 {entry_number}《{entry_title}》已由组委会撤回。\n理由：{reason}\n\n{undo}\n"
    "如有疑问，请联系组委会。",
    subject_en="Entry {entry_number} withdrawn by the organisers: {contest}",
    body_en="Dear {name},\n\nThe organisers have withdrawn your entry {entry_number} “{entry_title}”.\n"
    "Reason: {reason}\n\n{undo}\nIf you have questions, please contact the organisers.",
)
UNDO = {
    Withdrawal.UNDOABLE: Bilingual("截止时间前，您可以在“我的作品”中将它恢复为草稿。",
                                   "You can restore it as a draft under “My entries” until the deadline."),
    Withdrawal.FINAL: Bilingual("征集已截止，撤回不能恢复。", "Submissions have closed, so it cannot be restored."),
    Withdrawal.REFUSED: Bilingual("征集已截止，撤回不能恢复。", "Submissions have closed, so it cannot be restored."),
}


class ConfirmWithdrawal(Conflict):
    """Asked before anything is done: what the withdrawal will mean (CONSEQUENCES), for the organiser to confirm."""


def checked_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"reason": N_("Say why the entry is withdrawn; the designer is told.")})
    if len(reason) > REASON_MAX:
        raise InvalidInput({"reason": N_("This is too long.")})
    return reason


async def withdraw_for_designer(entry: Entry, reason: str, *, by: User, confirmed: bool, now: datetime) -> Withdrawal:
    """Withdraw a submitted entry as an organiser. Side effects, in one transaction: the state change, an
    "entry.withdrawn_by_organiser" audit event with the reason, the e-mail to the designer in the outbox.
    Raises InvalidInput (reason), ConfirmWithdrawal until `confirmed`, Conflict when it is not submitted."""
    reason = checked_reason(reason)
    outcome = await edits.withdrawal(entry, now=now)
    if not confirmed:
        raise ConfirmWithdrawal(CONSEQUENCES[outcome], number=entry.number or "")
    async with in_transaction():
        await edits.withdraw(entry, by=by, by_organiser=True, now=now)
        await record("entry.withdrawn_by_organiser", subject=f"entry:{entry.id}", now=now, actor=by,
                     contest_id=entry.contest_id, data={"number": entry.number, "reason": reason})
        await _tell_designer(entry, reason, outcome)
    return outcome


async def _tell_designer(entry: Entry, reason: str, outcome: Withdrawal) -> None:
    contest, owner = entry.contest, entry.owner
    await queue_wording("entry_withdrawn", ENTRY_WITHDRAWN, to_email=owner.email, locale=owner.locale,
                        contest_id=contest.id, values={
        "contest": Bilingual(contest.title, contest.title_en or contest.title), "name": owner.display_name,
        "entry_number": entry.number or "", "entry_title": entry.title, "reason": reason, "undo": UNDO[outcome]})
