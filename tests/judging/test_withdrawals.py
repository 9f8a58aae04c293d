"""The organisers withdraw an entry for its designer: a reason, a confirmation that says what follows, an
audit event and an e-mail in the designer's language; once judging started only they may."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest.audit.models import AuditEvent
from contest.entries.models import Entry
from contest.entries.service import Withdrawal, WithdrawalRefused
from contest.entries.states import EntryState
from contest.errors import InvalidInput
from contest.judging import edits, withdrawals
from contest.judging.models import Round, RoundKind
from contest.notifications.models import OutboxMessage
from tests.factories import NOW, make_contest, make_entry, make_track, make_user

pytestmark = pytest.mark.unit

AFTER = NOW + timedelta(days=12)  # the factory's deadline is NOW + 10 days


async def judged_entry(*, locale: str = "zh_CN") -> Entry:
    """A submitted entry whose deadline passed at AFTER, in a contest whose first round has opened."""
    contest = await make_contest()
    track = await make_track(contest)
    owner = await make_user(locale=locale)
    entry = await make_entry(contest, track, owner, state=EntryState.SUBMITTED, number="WC-01-0001", submitted_at=NOW)
    await Round.create(contest=contest, kind=RoundKind.PRELIMINARY, name="初评", position=1, secret="s",
                       opens_at=AFTER - timedelta(hours=1), closes_at=AFTER + timedelta(days=5))
    return await Entry.get(id=entry.id).prefetch_related("contest", "track", "owner")


async def test_the_designer_is_refused_once_judging_started_but_the_organisers_may_after_confirming(db):
    entry = await judged_entry()
    organiser = await make_user()
    with pytest.raises(WithdrawalRefused):
        await edits.withdraw(entry, by=entry.owner, now=AFTER)
    with pytest.raises(withdrawals.ConfirmWithdrawal) as asked:
        await withdrawals.withdraw_for_designer(entry, " 已在别处发表 ", by=organiser, confirmed=False, now=AFTER)
    assert (asked.value.message, asked.value.params) == (withdrawals.CONSEQUENCES[Withdrawal.REFUSED],
                                                         {"number": "WC-01-0001"})
    assert (await Entry.get(id=entry.id)).state == EntryState.SUBMITTED

    outcome = await withdrawals.withdraw_for_designer(entry, " 已在别处发表 ", by=organiser, confirmed=True, now=AFTER)
    assert outcome == Withdrawal.REFUSED
    assert (await Entry.get(id=entry.id)).state == EntryState.WITHDRAWN
    event = await AuditEvent.get(action="entry.withdrawn_by_organiser")
    assert (event.actor_id, event.subject, event.data) == (organiser.id, f"entry:{entry.id}",
                                                           {"number": "WC-01-0001", "reason": "已在别处发表"})
    message = await OutboxMessage.get(kind="entry_withdrawn")
    assert message.to_email == entry.owner.email
    assert message.subject == f"【{entry.contest.title}】您的作品 WC-01-0001 已由组委会撤回"
    assert "理由：已在别处发表" in message.body_text and "撤回不能恢复" in message.body_text


async def test_the_designer_reads_it_in_their_language_and_a_reason_is_required(db):
    entry = await judged_entry(locale="en")
    organiser = await make_user()
    with pytest.raises(InvalidInput) as caught:
        await withdrawals.withdraw_for_designer(entry, "  ", by=organiser, confirmed=True, now=AFTER)
    assert list(caught.value.field_errors) == ["reason"]
    await withdrawals.withdraw_for_designer(entry, "Published elsewhere", by=organiser, confirmed=True, now=AFTER)
    message = await OutboxMessage.get(kind="entry_withdrawn")
    assert message.subject.startswith("Entry WC-01-0001 withdrawn by the organisers")
    assert "Reason: Published elsewhere" in message.body_text
