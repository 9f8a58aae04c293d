"""The designer's form tells the truth: resubmitting a changed entry succeeds with a new receipt, a team
submits on the first click, withdrawing is refused when it cannot be undone and judging has started."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest import clock
from contest.accounts.models import EntrantProfile
from contest.entries.models import Declaration, Entry
from contest.notifications.models import OutboxMessage
from tests.factories import login_as, make_contest, make_entry, make_field, make_track, make_user
from tests.judging.helpers import make_round

pytestmark = pytest.mark.web


async def open_contest(**times):
    now = clock.now()
    contest = await make_contest(**{"submissions_open_at": now - timedelta(days=1),
                                    "submissions_close_at": now + timedelta(days=1), **times})
    track = await make_track(contest, position=1, min_images=0, max_images=3)
    await make_field(track, "character_name", "text", label="角色名称")
    return contest, track


async def terms_of(client, entry) -> dict[str, str]:
    page = await client.get(f"/me/entries/{entry.id}")
    return {name: page.text.split(f'name="{name}" value="')[1].split('"')[0] for name in ("originality", "ip_terms")}


def form(token: str, **changes: str) -> dict[str, str]:
    return {"csrf_token": token, "title": "阿铆", "concept": "铆钉精灵", "character_name": "阿铆",
            "entrant_kind": "individual", "entrant_category": "worker", "action": "submit", **changes}


async def receipts(user) -> int:
    return await OutboxMessage.filter(to_email=user.email, kind="receipt").count()


async def test_save_and_submit_again_on_a_submitted_entry_succeeds_with_a_new_receipt(client, settings):
    contest, track = await open_contest()
    user = await make_user()
    entry = await make_entry(contest, track, user)
    token = await login_as(client, user, secret=settings.secret_key)
    terms = await terms_of(client, entry)
    first = await client.post(f"/me/entries/{entry.id}", data={**form(token), **terms})
    assert first.status_code == 303, first.text

    again = await client.post(f"/me/entries/{entry.id}", data={**form(token, concept="铆钉精灵，新的说明"), **terms})
    assert (again.status_code, again.headers["location"]) == (303, f"http://testserver/me/entries/{entry.id}/receipt")
    page = await client.get(again.headers["location"])
    assert "修改已保存并重新提交" in page.text
    assert (await receipts(user), await Declaration.filter(entry_id=entry.id).count()) == (2, 2)


async def test_save_and_submit_again_without_changes_says_so(client, settings):
    contest, track = await open_contest()
    user = await make_user()
    entry = await make_entry(contest, track, user)
    token = await login_as(client, user, secret=settings.secret_key)
    terms = await terms_of(client, entry)
    await client.post(f"/me/entries/{entry.id}", data={**form(token), **terms})

    again = await client.post(f"/me/entries/{entry.id}", data={**form(token), **terms})
    assert again.status_code == 303, again.text
    page = await client.get(again.headers["location"])
    assert "没有修改，作品仍为已提交" in page.text
    assert (await receipts(user), await Declaration.filter(entry_id=entry.id).count()) == (2, 2)


async def test_a_team_entry_submits_on_the_first_click(client, settings):
    contest, track = await open_contest()
    user = await make_user()
    entry = await make_entry(contest, track, user)
    token = await login_as(client, user, secret=settings.secret_key)
    terms = await terms_of(client, entry)
    submitted = await client.post(f"/me/entries/{entry.id}", data={
        **form(token, entrant_kind="team", member_name_0="甲", member_role_0="插画"), **terms})
    assert submitted.status_code == 303, submitted.text
    saved = await Entry.get(id=entry.id).prefetch_related("members")
    assert (saved.state, [(m.name, m.role) for m in saved.members]) == ("submitted", [("甲", "插画")])


async def test_team_members_are_refused_on_an_individual_entry_and_kept_on_screen(client, settings):
    contest, track = await open_contest()
    user = await make_user()
    entry = await make_entry(contest, track, user)
    token = await login_as(client, user, secret=settings.secret_key)
    refused = await client.post(f"/me/entries/{entry.id}", data=form(token, action="save", member_name_0="甲"))
    assert refused.status_code == 400
    assert "只有团队作品可以填写团队成员。" in refused.text
    assert 'value="甲"' in refused.text
    assert await (await Entry.get(id=entry.id)).members.all().count() == 0


async def test_withdrawing_before_the_deadline_can_be_undone(client, settings):
    contest, track = await open_contest()
    user = await make_user()
    entry = await make_entry(contest, track, user, state="submitted", number="C-01-0001")
    token = await login_as(client, user, secret=settings.secret_key)
    unconfirmed = await client.post(f"/me/entries/{entry.id}/withdraw", data={"csrf_token": token})
    assert (unconfirmed.status_code, "请勾选确认框后再撤回。" in unconfirmed.text) == (400, True)
    assert (await Entry.get(id=entry.id)).state == "submitted"
    withdrawn = await client.post(f"/me/entries/{entry.id}/withdraw", data={"csrf_token": token, "confirm": "yes"})
    assert withdrawn.status_code == 303
    restored = await client.post(f"/me/entries/{entry.id}/reopen", data={"csrf_token": token})
    assert restored.status_code == 303
    assert (await Entry.get(id=entry.id)).state == "draft"


async def test_withdrawal_after_the_deadline_once_judging_started_is_refused_for_the_designer(client, settings):
    now = clock.now()
    contest, track = await open_contest(submissions_open_at=now - timedelta(days=3),
                                        submissions_close_at=now - timedelta(days=1))
    await make_round(contest, opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1))
    user = await make_user()
    entry = await make_entry(contest, track, user, state="submitted", number="C-01-0002")
    token = await login_as(client, user, secret=settings.secret_key)
    page = await client.get(f"/me/entries/{entry.id}")
    assert "评审已经开始，作品不能再撤回" in page.text
    refused = await client.post(f"/me/entries/{entry.id}/withdraw", data={"csrf_token": token, "confirm": "yes"})
    assert refused.status_code == 409
    assert "评审已经开始，作品不能再撤回" in refused.text
    assert (await Entry.get(id=entry.id)).state == "submitted"


async def test_a_new_entry_is_prefilled_from_the_profile_the_last_entry_saved(client, settings):
    contest, track = await open_contest()
    user = await make_user()
    first = await make_entry(contest, track, user)
    token = await login_as(client, user, secret=settings.secret_key)
    saved = await client.post(f"/me/entries/{first.id}", data=form(
        token, action="save", entrant_category="student", school="上海大学", supervisor_name="王老师",
        supervisor_email="wang@shu.edu.cn", phone="13800138000"))
    assert saved.status_code == 303, saved.text
    profile = await EntrantProfile.get(user_id=user.id).prefetch_related("user")
    assert (profile.category, profile.school, profile.supervisor_name, profile.user.phone) == (
        "student", "上海大学", "王老师", "13800138000")

    created = await client.post(f"/me/c/{contest.slug}/new", data={"csrf_token": token, "track": str(track.id)})
    page = await client.get(created.headers["location"])
    for shown in ('value="上海大学"', 'value="王老师"', 'value="wang@shu.edu.cn"', 'value="13800138000"',
                  '<option value="student" selected>'):
        assert shown in page.text


async def test_saving_after_the_deadline_does_not_claim_the_draft_was_saved(client, settings):
    now = clock.now()
    contest, track = await open_contest(submissions_close_at=now - timedelta(seconds=1))
    user = await make_user()
    entry = await make_entry(contest, track, user)
    token = await login_as(client, user, secret=settings.secret_key)
    response = await client.post(f"/me/entries/{entry.id}", data=form(token, action="save", title="截止后"))
    assert response.status_code == 409
    assert "已保存" not in response.text
    assert "投稿已截止，本次修改未保存。" in response.text
    # what was typed stays selectable (not in a disabled fieldset) and the page warns before leaving it
    assert ('value="截止后"' in response.text, "data-unsaved" in response.text) == (True, True)
    assert '<fieldset class="entry-fields stack">' in response.text


async def test_a_refused_submission_of_a_saved_draft_is_not_marked_unsaved(client, settings):
    contest, track = await open_contest()
    user = await make_user()
    entry = await make_entry(contest, track, user)
    token = await login_as(client, user, secret=settings.secret_key)
    response = await client.post(f"/me/entries/{entry.id}", data=form(token, title="已保存的草稿"))
    assert (response.status_code, "请接受原创声明和知识产权条款。" in response.text) == (400, True)
    assert ("data-unsaved" in response.text, (await Entry.get(id=entry.id)).title) == (False, "已保存的草稿")


async def test_autosave_saves_a_draft_and_answers_json(client, settings):
    contest, track = await open_contest()
    user = await make_user()
    entry = await make_entry(contest, track, user)
    token = await login_as(client, user, secret=settings.secret_key)
    headers = {"x-csrf-token": token, "accept": "application/json"}
    saved = await client.post(f"/me/entries/{entry.id}/autosave", data=form(token, title="半截标题", concept=""),
                              headers=headers)
    assert (saved.status_code, saved.json()) == (200, {"saved": True})
    assert ((await Entry.get(id=entry.id)).title, (await Entry.get(id=entry.id)).concept) == ("半截标题", "")
    refused = await client.post(f"/me/entries/{entry.id}/autosave", data=form(token, member_name_0="甲"),
                                headers=headers)
    assert (refused.status_code, refused.json()["fields"]) == (
        400, {"members": "只有团队作品可以填写团队成员。请把参赛形式改为“团队”，或清空成员。"})


async def test_autosave_leaves_a_submitted_entry_to_the_button(client, settings):
    contest, track = await open_contest()
    user = await make_user()
    entry = await make_entry(contest, track, user, state="submitted", number="C-01-0003")
    token = await login_as(client, user, secret=settings.secret_key)
    response = await client.post(f"/me/entries/{entry.id}/autosave", data=form(token, title="自动保存"),
                                 headers={"x-csrf-token": token, "accept": "application/json"})
    assert (response.status_code, (await Entry.get(id=entry.id)).title) == (409, "海派剪纸")
    assert await receipts(user) == 0
