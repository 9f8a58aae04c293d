from __future__ import annotations

from datetime import timedelta

import pytest

from contest.audit.models import AuditEvent
from contest.entries import service
from contest.entries.models import Declaration, Entry
from contest.entries.service import Member, NotYetOpen, QuotaExceeded
from contest.errors import Conflict, DeadlinePassed, InvalidInput
from contest.notifications.models import OutboxMessage
from tests.entries.helpers import complete_input, fresh, setup_track, submit
from tests.factories import NOW, make_user

pytestmark = pytest.mark.unit


async def test_draft_takes_the_profile_and_is_audited(db):
    contest, track = await setup_track()
    user = await make_user(display_name="陈设计")
    entry = await service.create_draft(contest, track, by=user, now=NOW)
    assert (entry.state, entry.public_name, entry.number) == ("draft", "陈设计", None)
    assert await AuditEvent.filter(action="entry.created", subject=f"entry:{entry.id}").count() == 1


async def test_drafts_are_refused_before_opening_and_after_the_deadline(db):
    contest, track = await setup_track()
    user = await make_user()
    with pytest.raises(NotYetOpen):
        await service.create_draft(contest, track, by=user, now=contest.submissions_open_at - timedelta(seconds=1))
    with pytest.raises(DeadlinePassed):
        await service.create_draft(contest, track, by=user, now=contest.submissions_close_at)
    assert await Entry.all().count() == 0


async def test_entry_quota_per_designer(db):
    contest, track = await setup_track()
    contest.max_entries_per_designer = 2
    await contest.save()
    user = await make_user()
    for _ in range(2):
        await service.create_draft(contest, track, by=user, now=NOW)
    with pytest.raises(QuotaExceeded):
        await service.create_draft(contest, track, by=user, now=NOW)
    assert await Entry.filter(owner_id=user.id).count() == 2


async def test_update_parses_answers_by_field_kind(db):
    contest, track = await setup_track()
    user = await make_user()
    entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
    values = complete_input(answers={"character_name": ["小工"], "materials": ["wood", "paper", "wood"], "height_cm": ["12.5"]},
                            entrant_kind="team", members=(Member("甲", "主创"), Member("乙")))
    await service.update_entry(entry, values, by=user, now=NOW)
    saved = await fresh(entry)
    assert saved.answers == {"character_name": "小工", "materials": ["wood", "paper"], "height_cm": 12.5}
    assert [(m.name, m.role, m.position) for m in saved.members] == [("甲", "主创", 0), ("乙", "", 1)]


async def test_update_with_bad_values_saves_nothing(db):
    contest, track = await setup_track()
    user = await make_user()
    entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
    values = complete_input(title="新标题", answers={"materials": ["gold"], "height_cm": ["tall"]})
    with pytest.raises(InvalidInput) as caught:
        await service.update_entry(entry, values, by=user, now=NOW)
    assert caught.value.field_errors == {"materials": "Choose one of the options.", "height_cm": "Enter a number."}
    assert (await Entry.get(id=entry.id)).title == ""


async def test_submit_numbers_the_entry_records_the_declaration_and_queues_a_receipt(db):
    contest, track = await setup_track()
    user = await make_user(email="designer@example.org")
    entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
    await service.update_entry(entry, complete_input(), by=user, now=NOW)
    entry = await fresh(entry)
    await submit(entry, user)
    saved = await Entry.get(id=entry.id)
    assert (saved.state, saved.number, saved.submitted_at) == ("submitted", f"{contest.slug.upper()}-01-0001", NOW)
    declaration = await Declaration.get(entry_id=entry.id).prefetch_related("originality", "ip_terms")
    assert (declaration.originality.version, declaration.ip_terms.version, declaration.accepted_at) == (1, 1, NOW)
    message = await OutboxMessage.get(kind="receipt")
    assert message.to_email == "designer@example.org"
    assert saved.number in message.subject


async def test_a_submit_that_loses_the_race_for_its_number_takes_the_next_one(db, monkeypatch):
    """Parallel submits may count the same numbers taken: the loser's retry starts again from a draft."""
    contest, track = await setup_track()
    entries = []
    for email in ("a@example.org", "b@example.org"):
        user = await make_user(email=email)
        entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
        await service.update_entry(entry, complete_input(), by=user, now=NOW)
        entries.append((await fresh(entry), user))
    await submit(*entries[0])
    numbered = service._next_number

    async def stale_count(entry, attempt):  # each try counts one entry fewer than are numbered: the first collides
        return await numbered(entry, attempt - 1)

    monkeypatch.setattr(service, "_next_number", stale_count)
    await submit(*entries[1])
    saved = await Entry.get(id=entries[1][0].id)
    assert (saved.state, saved.number) == ("submitted", f"{contest.slug.upper()}-01-0002")


async def test_submit_without_accepting_the_current_terms_is_refused(db):
    contest, track = await setup_track()
    user = await make_user()
    entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
    await service.update_entry(entry, complete_input(), by=user, now=NOW)
    entry = await fresh(entry)
    with pytest.raises(InvalidInput) as caught:
        await service.submit_entry(entry, by=user, now=NOW, originality_id=0, ip_terms_id=0)
    assert caught.value.field_errors == {"_entry": "Accept the originality declaration and the IP terms."}
    assert (await Entry.get(id=entry.id)).state == "draft"


async def test_submit_lists_what_is_missing(db):
    contest, track = await setup_track(min_images=1)
    user = await make_user()
    entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
    problems = service.submission_problems(entry, declared=False)
    assert problems == ["Give the entry a title.", "Write the concept statement.",
                        "Answer every required question of the track.",
                        "Upload at least the fewest files each part of the entry asks for.",
                        "Accept the originality declaration and the IP terms."]


async def test_submit_one_second_after_the_deadline_keeps_the_draft(db):
    contest, track = await setup_track()
    user = await make_user()
    entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
    await service.update_entry(entry, complete_input(), by=user, now=NOW)
    entry = await fresh(entry)
    last_second = contest.submissions_close_at - timedelta(seconds=1)
    with pytest.raises(DeadlinePassed):
        await submit(entry, user, now=contest.submissions_close_at)
    saved = await Entry.get(id=entry.id)
    assert (saved.state, saved.title) == ("draft", "百年工运拼图盒")
    await submit(await fresh(entry), user, now=last_second)
    assert (await Entry.get(id=entry.id)).state == "submitted"


async def test_numbers_are_sequential_per_contest_and_kept_on_resubmission(db):
    contest, track = await setup_track()
    user = await make_user()
    numbers = []
    for _ in range(2):
        entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
        await service.update_entry(entry, complete_input(), by=user, now=NOW)
        await submit(await fresh(entry), user)
        numbers.append((await Entry.get(id=entry.id)).number)
    assert [n[-4:] for n in numbers] == ["0001", "0002"]
    first = await fresh(await Entry.get(number=numbers[0]))
    await service.withdraw_entry(first, by=user, judging_started=False, now=NOW)
    await service.reopen_entry(first, by=user, now=NOW)
    await submit(await fresh(first), user)
    assert (await Entry.get(id=first.id)).number == numbers[0]


async def test_state_transitions_follow_the_table(db):
    contest, track = await setup_track()
    user = await make_user()
    entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
    await service.withdraw_entry(entry, by=user, judging_started=False, now=NOW)
    with pytest.raises(Conflict):
        await service.withdraw_entry(entry, by=user, judging_started=False, now=NOW)
    with pytest.raises(Conflict):
        await service.update_entry(await fresh(entry), complete_input(), by=user, now=NOW)
    actions = await AuditEvent.filter(subject=f"entry:{entry.id}").order_by("seq").values_list("action", flat=True)
    assert actions == ["entry.created", "entry.state"]


async def test_a_submitted_entry_cannot_be_edited_into_an_incomplete_one(db):
    contest, track = await setup_track()
    user = await make_user()
    entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
    await service.update_entry(entry, complete_input(), by=user, now=NOW)
    await submit(await fresh(entry), user)
    with pytest.raises(InvalidInput):
        await service.update_entry(await fresh(entry), complete_input(title=""), by=user, now=NOW)
    assert (await Entry.get(id=entry.id)).title == "百年工运拼图盒"


async def test_withdrawal_is_undoable_before_the_deadline_final_after_and_refused_once_judging_started(db):
    contest, track = await setup_track()
    user = await make_user()
    entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
    after = contest.submissions_close_at
    outcomes = [service.withdrawal(entry, judging_started=started, now=now)
                for now, started in ((NOW, True), (after, False), (after, True))]
    assert outcomes == [service.Withdrawal.UNDOABLE, service.Withdrawal.FINAL, service.Withdrawal.REFUSED]
    with pytest.raises(service.WithdrawalRefused):
        await service.withdraw_entry(entry, by=user, judging_started=True, now=after)
    assert (await Entry.get(id=entry.id)).state == "draft"


async def test_an_organiser_may_withdraw_once_judging_started(db):
    contest, track = await setup_track()
    user, organiser = await make_user(), await make_user(is_staff=True)
    entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
    outcome = await service.withdraw_entry(entry, by=organiser, judging_started=True, by_organiser=True,
                                           now=contest.submissions_close_at)
    assert (outcome, (await Entry.get(id=entry.id)).state) == (service.Withdrawal.REFUSED, "withdrawn")


async def test_submitting_a_submitted_entry_again_tells_whether_this_save_changed_it(db):
    contest, track = await setup_track()
    user = await make_user()
    entry = await fresh(await service.create_draft(contest, track, by=user, now=NOW))
    await service.update_entry(entry, complete_input(), by=user, now=NOW)
    assert await submit(await fresh(entry), user) == service.Submission.FIRST
    later = NOW + timedelta(minutes=5)
    changed = await fresh(entry)
    await service.update_entry(changed, complete_input(concept="改写的说明"), by=user, now=later)
    assert await submit(changed, user, now=later) == service.Submission.AGAIN
    assert await submit(await fresh(entry), user, now=later + timedelta(minutes=1)) == service.Submission.UNCHANGED
    receipts = await OutboxMessage.filter(to_email=user.email, kind="receipt").count()
    assert (receipts, await Declaration.filter(entry_id=entry.id).count()) == (3, 3)
