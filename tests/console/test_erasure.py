from __future__ import annotations

from datetime import timedelta

import pytest

from contest.accounts.models import ContestRole, ContestRoleKind, EntrantProfile, PrivacyConsent, Session, User
from contest.accounts.passwords import verify_password
from contest.audit.models import AuditEvent
from contest.audit.queries import verify_whole_log
from contest.console import account_deletion, erasure
from contest.contests.models import AwardTier
from contest.entries.models import Entry, EntryImage, TeamMember
from contest.entries.states import EntryState
from contest.errors import InvalidInput
from contest.media.storage import original_name
from contest.media.stores import open_store
from contest.results.models import Award, AwardStatus, PayoutState
from tests import imagegen
from tests.factories import NOW, PASSWORD, attach_picture, chunks, make_contest, make_entry, make_track, make_user

pytestmark = pytest.mark.unit

AFTER = NOW + timedelta(days=1)


async def designer_with_entries(store):
    """陈晓明 with a draft, an awarded entry and an unawarded one (each with a picture) in an announced contest."""
    contest = await make_contest(announce_at=NOW - timedelta(days=1))
    track = await make_track(contest, min_width=64, min_height=64)
    owner = await make_user(email="cxm@qq.com", display_name="陈晓明", phone="13800138000")
    await EntrantProfile.filter(user_id=owner.id).update(school="上海大学", supervisor_name="王老师")
    entries = {}
    for name, state in (("draft", EntryState.DRAFT), ("won", EntryState.SUBMITTED), ("lost", EntryState.SUBMITTED)):
        entry = await make_entry(contest, track, owner, state=state, title=f"作品{name}", public_name="陈晓明",
                                 school="上海大学", supervisor_name="王老师", supervisor_email="wang@shu.edu.cn")
        await TeamMember.create(entry=entry, name="李四", position=0)
        await attach_picture(entry, chunks(imagegen.jpeg(seed=len(entries))), store=store, original_name="陈晓明.jpg",
                             by=owner, now=NOW)
        entries[name] = entry
    tier = await AwardTier.create(contest=contest, name="一等奖", rank=1, quota=1)
    await Award.create(contest=contest, tier=tier, entry=entries["won"], status=AwardStatus.CONFIRMED)
    return owner, entries


async def stored(store, entry: Entry) -> list[bool]:
    keys = await EntryImage.filter(entry_id=entry.id).values_list("key", flat=True)
    return [await store.size(original_name(key)) is not None for key in keys]


async def test_deleting_an_account_keeps_the_awarded_record_and_nothing_that_names_its_owner(db, settings):
    store = open_store(settings)
    owner, entries = await designer_with_entries(store)
    lost_keys = await EntryImage.filter(entry_id=entries["lost"].id).values_list("key", flat=True)
    await account_deletion.delete_account(owner, password=PASSWORD, store=store, now=AFTER)

    user = await User.get(id=owner.id)
    assert user.email.startswith("deleted-") and user.email.endswith("@invalid")
    assert (user.display_name, user.phone, user.is_active) == (erasure.ANONYMOUS_NAME, "", False)
    assert not await verify_password(user.password_hash, PASSWORD)
    profile = await EntrantProfile.get(user_id=owner.id)
    assert (profile.school, profile.supervisor_name) == ("", "")
    assert not await Session.filter(user_id=owner.id).exists()
    assert await PrivacyConsent.filter(user_id=owner.id).values_list("ip", flat=True) == [""]

    assert not await Entry.filter(id=entries["draft"].id).exists()
    won = await Entry.get(id=entries["won"].id)
    assert (won.title, won.public_name, won.school, won.supervisor_email) == ("作品won", "陈晓明", "", "")
    assert await stored(store, won) == [True]
    assert await EntryImage.filter(entry_id=won.id).values_list("original_name", flat=True) == [""]
    lost = await Entry.get(id=entries["lost"].id)
    assert (lost.title, lost.public_name, lost.concept) == ("作品lost", "", "")
    assert not await EntryImage.filter(entry_id=lost.id).exists()
    assert [await store.size(original_name(key)) for key in lost_keys] == [None]
    assert not await TeamMember.filter(entry__owner_id=owner.id).exists()

    event = await AuditEvent.filter(action="account.deleted").get()
    assert event.subject == erasure.account_reference(owner) and "cxm@qq.com" not in str(event.data)
    assert (await verify_whole_log()).ok


async def test_a_wrong_password_deletes_nothing(db, settings):
    owner = await make_user(email="keep@qq.com")
    with pytest.raises(InvalidInput) as caught:
        await account_deletion.delete_account(owner, password="not my password", store=open_store(settings), now=NOW)
    assert list(caught.value.field_errors) == ["password"]
    assert (await User.get(id=owner.id)).email == "keep@qq.com"


async def test_a_judge_is_told_to_be_removed_from_the_contest_first(db, settings):
    judge = await make_user(email="judge@jury.cn")
    await ContestRole.create(contest=await make_contest(), user=judge, role=ContestRoleKind.JUDGE)
    with pytest.raises(account_deletion.HasRoles):
        await account_deletion.delete_account(judge, password=PASSWORD, store=open_store(settings), now=NOW)
    assert (await User.get(id=judge.id)).is_active


async def test_an_entry_still_being_judged_holds_the_deletion_until_the_announcement(db, settings):
    contest = await make_contest(announce_at=NOW + timedelta(days=5))
    owner = await make_user()
    await make_entry(contest, await make_track(contest), owner, state=EntryState.SUBMITTED)
    with pytest.raises(account_deletion.ResultsPending):
        await account_deletion.delete_account(owner, password=PASSWORD, store=open_store(settings), now=NOW)
    assert await account_deletion.refusal(owner, NOW + timedelta(days=6)) is None


async def test_deleting_a_winners_account_erases_the_payee_and_keeps_the_amounts(db, settings):
    from contest.results import payees, payouts
    from contest.results.models import Payout
    from contest.results.sealing import Sealer, new_key
    from tests.results.payout_builders import payee_form, prize

    found = await prize()
    claim = await payouts.claim_for_winner(found.winner, found.award.id, now=NOW)
    payee = payees.parse_payee(payee_form(), team_members=None, keeps_numbers=False)
    await payouts.save_payee(claim, payee, sealer=Sealer([new_key()]), by=found.winner, now=NOW)
    await account_deletion.delete_account(found.winner, password=PASSWORD, store=open_store(settings), now=AFTER)
    stored = await Payout.get(award_id=found.award.id)
    assert (stored.payee_name, stored.id_number_sealed, stored.account_masked, stored.phone) == ("", "", "", "")
    assert (stored.state, stored.submitted_at) == (PayoutState.SUBMITTED, NOW)
