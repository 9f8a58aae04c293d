"""Screening: organisers return entries for a fix or disqualify them, several at once, all or nothing; each
designer is told in their language; a returned entry is the designer's again until its fix deadline, goes back
to judging only when submitted again, and a disqualified one never comes back."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from contest.audit.models import AuditEvent
from contest.entries import screening, service
from contest.entries.models import Declaration, Entry
from contest.entries.states import EntryState, LeakStatus
from contest.errors import InvalidInput, NotFound
from contest.exports import service as exports
from contest.judging import edits, round_entries
from contest.judging.models import RoundEntry
from contest.notifications.models import OutboxMessage
from tests.entries.helpers import complete_input, fresh, setup_track, submit
from tests.factories import NOW, make_contest, make_track, make_user
from tests.judging.helpers import make_round, submitted_entry

pytestmark = pytest.mark.unit

CLOSED = NOW + timedelta(days=1)  # setup_track's submissions close an hour after NOW
DUE = NOW + timedelta(days=3)
REASON = "展板右下角有作者姓名，请删除后重新提交。"


async def submitted(contest, track, *, locale: str = "zh_CN", number: str = "WC-01-0001") -> Entry:
    owner = await make_user(locale=locale, display_name="林青禾")
    entry = await service.create_draft(contest, track, by=owner, now=NOW)
    await service.update_entry(await fresh(entry), complete_input(), by=owner, now=NOW)
    await submit(await fresh(entry), owner)
    await Entry.filter(id=entry.id).update(number=number)
    return await again(entry)


async def again(entry: Entry) -> Entry:
    """The entry as the designer's pages load it, with its designer."""
    entry = await fresh(entry)
    await entry.fetch_related("owner")
    return entry


async def state_changes_to(state: str) -> int:
    return sum(e.data["to"] == state for e in await AuditEvent.filter(action="entry.state"))


async def test_returning_several_entries_tells_each_designer_in_their_language_and_audits_each(db):
    contest, track = await setup_track()
    chinese = await submitted(contest, track)
    english = await submitted(contest, track, locale="en", number="WC-01-0002")
    organiser = await make_user()

    returned = await screening.return_entries(contest.id, [english.id, chinese.id, chinese.id], reason=f" {REASON} ",
                                              fix_due_at=DUE, by=organiser, now=CLOSED)

    assert [e.id for e in returned] == [chinese.id, english.id]
    for entry in await Entry.filter(id__in=[chinese.id, english.id]):
        assert (entry.state, entry.screening_reason, entry.fix_due_at, entry.screened_at) == (
            EntryState.RETURNED, REASON, DUE, CLOSED)
    events = await AuditEvent.filter(action="entry.returned").order_by("id")
    assert [(e.subject, e.actor_id, e.data["reason"]) for e in events] == [
        (f"entry:{chinese.id}", organiser.id, REASON), (f"entry:{english.id}", organiser.id, REASON)]
    assert await state_changes_to("returned") == 2
    zh = await OutboxMessage.get(kind="entry_returned", to_email=chinese.owner.email)
    assert zh.subject == f"【{contest.title}】您的作品 WC-01-0001 需要修改后重新提交"
    assert f"理由：{REASON}" in zh.body_text
    assert "修改截止时间：2026年6月4日 20:00" in zh.body_text  # 12:00 UTC on the contest's Beijing clock
    en = await OutboxMessage.get(kind="entry_returned", to_email=english.owner.email)
    assert en.subject.startswith("Entry WC-01-0002 returned for a fix")
    assert "Fix by: " in en.body_text and "2026" in en.body_text


async def test_an_id_of_another_contest_changes_nothing(db):
    contest, track = await setup_track()
    mine = await submitted(contest, track)
    other_contest = await make_contest(slug="other")
    theirs = await submitted_entry(other_contest, await make_track(other_contest), number="OT-01-0001")
    organiser = await make_user()
    for action in (screening.return_entries, screening.disqualify_entries):
        extra = {"fix_due_at": DUE} if action is screening.return_entries else {"confirmed": True}
        with pytest.raises(NotFound):
            await action(contest.id, [mine.id, theirs.id], reason=REASON, by=organiser, now=CLOSED, **extra)
    assert [e.state for e in await Entry.filter(id__in=[mine.id, theirs.id]).order_by("id")] == [
        EntryState.SUBMITTED, EntryState.SUBMITTED]
    assert await AuditEvent.filter(action__in=["entry.returned", "entry.disqualified"]).count() == 0
    assert await OutboxMessage.filter(kind__in=["entry_returned", "entry_disqualified"]).count() == 0


async def test_a_draft_is_not_found_and_a_withdrawn_entry_is_refused_with_nothing_changed(db):
    contest, track = await setup_track()
    entry = await submitted(contest, track)
    owner = await make_user()
    draft = await service.create_draft(contest, track, by=owner, now=NOW)
    organiser = await make_user()
    with pytest.raises(NotFound):
        await screening.return_entries(contest.id, [entry.id, draft.id], reason=REASON, fix_due_at=DUE, by=organiser,
                                       now=CLOSED)
    withdrawn = await submitted(contest, track, number="WC-01-0002")
    await Entry.filter(id=withdrawn.id).update(state=EntryState.WITHDRAWN)
    with pytest.raises(screening.NotScreenable) as refused:
        await screening.return_entries(contest.id, [entry.id, withdrawn.id], reason=REASON, fix_due_at=DUE,
                                       by=organiser, now=CLOSED)
    assert refused.value.params == {"number": "WC-01-0002"}
    assert (await Entry.get(id=entry.id)).state == EntryState.SUBMITTED


async def test_the_reason_the_entries_and_a_future_deadline_are_required_all_reported_at_once(db):
    contest, _ = await setup_track()
    organiser = await make_user()
    with pytest.raises(InvalidInput) as caught:
        await screening.return_entries(contest.id, [], reason="  ", fix_due_at=CLOSED, by=organiser, now=CLOSED)
    assert set(caught.value.field_errors) == {"entries", "reason", "fix_due_at"}
    with pytest.raises(InvalidInput) as caught:
        await screening.disqualify_entries(contest.id, [1], reason="x" * (screening.REASON_MAX + 1), by=organiser,
                                           confirmed=False, now=CLOSED)
    assert set(caught.value.field_errors) == {"reason", "confirm"}


async def test_a_returned_entry_leaves_judging_and_after_its_fix_comes_back_with_new_declarations(db):
    contest, track = await setup_track()
    entry = await submitted(contest, track)
    first_submitted_at = entry.submitted_at
    organiser = await make_user()
    round_ = await make_round(contest, opens_at=CLOSED, closes_at=CLOSED + timedelta(days=10), designers_may_edit=False)
    assert await round_entries.open_round_entries(round_, now=CLOSED) == 1
    await screening.return_entries(contest.id, [entry.id], reason=REASON, fix_due_at=DUE, by=organiser, now=CLOSED)
    judged = RoundEntry.filter(round_id=round_.id, entry__state__in=["submitted"])
    assert await judged.count() == 0

    entry = await again(entry)
    assert not await edits.frozen(entry, now=CLOSED)  # the round forbids edits, but the organisers asked for this one
    declared_before = await Declaration.filter(entry_id=entry.id).count()
    await edits.save_entry(entry, complete_input(concept="设计者林青禾的剪纸。"), by=entry.owner, now=CLOSED)
    assert (await Entry.get(id=entry.id)).leak_status == LeakStatus.FLAGGED  # the leak check ran on the fix
    outcome = await submit(await fresh(entry), entry.owner, now=CLOSED + timedelta(hours=1))

    assert outcome == service.Submission.FIXED
    resubmitted = await Entry.get(id=entry.id)
    assert (resubmitted.state, resubmitted.number, resubmitted.submitted_at) == (
        EntryState.SUBMITTED, "WC-01-0001", first_submitted_at)
    assert await Declaration.filter(entry_id=entry.id).count() == declared_before + 1
    assert await judged.count() == 1


async def test_past_the_fix_deadline_the_designer_can_neither_change_nor_submit_it(db):
    contest, track = await setup_track()
    entry = await submitted(contest, track)
    await screening.return_entries(contest.id, [entry.id], reason=REASON, fix_due_at=DUE, by=await make_user(),
                                   now=CLOSED)
    entry = await again(entry)
    assert service.open_to_designer(entry, DUE - timedelta(seconds=1))
    assert not service.open_to_designer(entry, DUE)
    with pytest.raises(service.FixDeadlinePassed):
        await service.update_entry(entry, complete_input(title="改"), by=entry.owner, now=DUE)
    with pytest.raises(service.FixDeadlinePassed):
        await submit(entry, entry.owner, now=DUE)
    assert (await Entry.get(id=entry.id)).state == EntryState.RETURNED


async def test_returning_a_returned_entry_again_gives_it_a_new_reason_and_deadline(db):
    contest, track = await setup_track()
    entry = await submitted(contest, track)
    organiser = await make_user()
    await screening.return_entries(contest.id, [entry.id], reason=REASON, fix_due_at=DUE, by=organiser, now=CLOSED)
    later = DUE + timedelta(days=2)
    await screening.return_entries(contest.id, [entry.id], reason="尺寸不对", fix_due_at=later, by=organiser,
                                   now=DUE + timedelta(days=1))
    again = await Entry.get(id=entry.id)
    assert (again.state, again.screening_reason, again.fix_due_at) == (EntryState.RETURNED, "尺寸不对", later)
    assert await AuditEvent.filter(action="entry.returned").count() == 2
    assert await state_changes_to("returned") == 1


async def test_a_disqualified_entry_is_final(db):
    contest, track = await setup_track()
    entry = await submitted(contest, track, locale="en")
    organiser = await make_user()
    await screening.disqualify_entries(contest.id, [entry.id], reason="Published before the contest", by=organiser,
                                       confirmed=True, now=CLOSED)
    entry = await again(entry)
    assert (entry.state, entry.screening_reason, entry.fix_due_at) == (
        EntryState.DISQUALIFIED, "Published before the contest", None)
    assert (await AuditEvent.get(action="entry.disqualified")).data == {
        "number": "WC-01-0001", "reason": "Published before the contest"}
    message = await OutboxMessage.get(kind="entry_disqualified")
    assert message.subject.startswith("Entry WC-01-0001 disqualified")
    assert "Reason: Published before the contest" in message.body_text
    with pytest.raises(screening.NotScreenable):
        await screening.return_entries(contest.id, [entry.id], reason=REASON, fix_due_at=DUE, by=organiser, now=CLOSED)
    with pytest.raises(service.EntryDisqualified):
        await service.update_entry(entry, complete_input(), by=entry.owner, now=NOW)
    assert not service.open_to_designer(entry, NOW)


async def test_the_entries_export_names_the_state_and_reason_except_in_the_anonymised_one(db):
    contest, track = await setup_track()
    entry = await submitted(contest, track)
    organiser = await make_user()
    await screening.return_entries(contest.id, [entry.id], reason=REASON, fix_due_at=DUE, by=organiser, now=CLOSED)
    for anonymised, expected in ((False, ["退回修改", REASON, "2026-06-04 20:00:00"]), (True, ["退回修改"])):
        data = b"".join([chunk async for chunk in await exports.track_csv(
            contest, track, "entries", anonymised=anonymised, headers=("zh",), by=organiser, now=CLOSED)])
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        row = dict(zip(rows[0], rows[1], strict=True))
        assert [row.get(name) for name in ("状态", "审查理由", "修改截止时间")][:len(expected)] == expected
        assert ("审查理由" in row) is not anonymised
