"""Screening on the web: organisers tick entries and return them for a fix or disqualify them; the designer reads
the outcome and the reason, fixes a returned entry and submits it again before the fix deadline, not after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from contest import clock
from contest.contests.models import Contest
from contest.entries import service
from contest.entries.models import Entry
from contest.entries.states import EntryState
from contest.notifications.models import OutboxMessage
from tests.factories import login_as, make_contest, make_track, make_user
from tests.judging.helpers import submitted_entry
from tests.web.helpers import form_token, organiser_of

pytestmark = pytest.mark.web

REASON = "展板右下角有作者姓名，请删除后重新提交。"


@dataclass
class Scene:
    contest: Contest
    entries: list[Entry]
    organiser: object


async def build(count: int = 2) -> Scene:
    """A contest whose submissions closed yesterday, with `count` submitted entries."""
    now = clock.now()
    contest = await make_contest(submissions_open_at=now - timedelta(days=20), submissions_close_at=now - timedelta(days=1))
    track = await make_track(contest, position=1, min_images=0)
    entries = [await submitted_entry(contest, track, await make_user(display_name=f"设计者{i}"),
                                     number=f"{contest.slug.upper()}-01-{i + 1:04d}", submitted_at=now - timedelta(days=2))
               for i in range(count)]
    return Scene(contest, entries, await organiser_of(contest))


def due_in(days: int, contest: Contest) -> str:
    return clock.to_zone(clock.now() + timedelta(days=days), contest.time_zone).strftime("%Y-%m-%dT%H:%M")


async def organiser_token(client, settings, scene: Scene) -> str:
    await login_as(client, scene.organiser, secret=settings.secret_key)
    return await form_token(client, f"/admin/c/{scene.contest.slug}/entries")


async def test_organisers_return_ticked_entries_in_bulk_and_each_designer_is_told(client, settings, db):
    scene = await build(3)
    token = await organiser_token(client, settings, scene)
    picked = [str(e.id) for e in scene.entries[:2]]
    done = await client.post(f"/admin/c/{scene.contest.slug}/entries/screen", data={
        "csrf_token": token, "entry": picked, "action": "return", "template": "author_name", "reason": REASON,
        "fix_due_at": due_in(3, scene.contest)})
    assert done.status_code == 303
    states = [e.state for e in await Entry.filter(contest_id=scene.contest.id).order_by("id")]
    assert states == [EntryState.RETURNED, EntryState.RETURNED, EntryState.SUBMITTED]
    assert await OutboxMessage.filter(kind="entry_returned").count() == 2
    listing = await client.get(f"/admin/c/{scene.contest.slug}/entries")
    assert listing.text.count("退回修改") >= 2 and REASON[:20] in listing.text
    dashboard = await client.get(f"/admin/c/{scene.contest.slug}/")
    assert '<span class="stat-value">2</span><span class="stat-label">退回修改</span>' in dashboard.text


async def test_a_template_alone_is_sent_in_the_organisers_language(client, settings, db):
    scene = await build(1)
    token = await organiser_token(client, settings, scene)
    done = await client.post(f"/admin/c/{scene.contest.slug}/entries/screen", data={
        "csrf_token": token, "entry": str(scene.entries[0].id), "action": "return", "template": "size", "reason": "",
        "fix_due_at": due_in(3, scene.contest)})
    assert done.status_code == 303
    assert (await Entry.get(id=scene.entries[0].id)).screening_reason.startswith("展板尺寸不符合要求")


async def test_an_entry_of_another_contest_in_the_form_changes_nothing(client, settings, db):
    scene = await build(1)
    other = await build(1)
    token = await organiser_token(client, settings, scene)
    forged = await client.post(f"/admin/c/{scene.contest.slug}/entries/screen", data={
        "csrf_token": token, "entry": [str(scene.entries[0].id), str(other.entries[0].id)], "action": "disqualify",
        "reason": "抄袭", "confirm": "1"})
    assert forged.status_code == 404
    assert [e.state for e in await Entry.filter(id__in=[scene.entries[0].id, other.entries[0].id])] == [
        EntryState.SUBMITTED, EntryState.SUBMITTED]
    assert await OutboxMessage.all().count() == 0


async def test_refused_input_is_kept_and_explained(client, settings, db):
    scene = await build(1)
    token = await organiser_token(client, settings, scene)
    refused = await client.post(f"/admin/c/{scene.contest.slug}/entries/screen", data={
        "csrf_token": token, "entry": str(scene.entries[0].id), "action": "disqualify", "reason": "已在别处发表"})
    assert refused.status_code == 400
    assert "请勾选确认：取消资格后不能撤销。" in refused.text and "已在别处发表" in refused.text
    assert (await Entry.get(id=scene.entries[0].id)).state == EntryState.SUBMITTED


async def test_the_designer_reads_why_fixes_the_entry_and_submits_it_again(client, settings, db):
    scene = await build(1)
    entry = scene.entries[0]
    token = await organiser_token(client, settings, scene)
    one = await client.post(f"/admin/c/{scene.contest.slug}/entries/{entry.id}/screen", data={
        "csrf_token": token, "action": "return", "reason": REASON, "fix_due_at": due_in(3, scene.contest)})
    assert one.status_code == 303

    owner = await entry.owner
    designer_token = await login_as(client, owner, secret=settings.secret_key)
    dashboard = await client.get("/me/")
    assert "组委会退回修改" in dashboard.text and REASON in dashboard.text
    page = await client.get(f"/me/entries/{entry.id}")
    assert REASON in page.text and "保存并重新提交" in page.text
    originality, ip_terms = await service.current_terms(scene.contest)
    sent = await client.post(f"/me/entries/{entry.id}", data={
        "csrf_token": designer_token, "title": "海派剪纸（修改）", "concept": "以剪纸讲述百年工运。",
        "entrant_kind": "individual", "entrant_category": "worker", "action": "submit",
        "originality": str(originality.id), "ip_terms": str(ip_terms.id)})
    assert sent.status_code == 303, sent.text[:500]
    receipt = await client.get(sent.headers["location"])
    assert f"修改后的作品 {entry.number} 已重新提交，将重新参加评审。" in receipt.text
    fixed = await Entry.get(id=entry.id)
    assert (fixed.state, fixed.title) == (EntryState.SUBMITTED, "海派剪纸（修改）")


async def test_past_the_fix_deadline_the_designer_is_told_and_nothing_is_saved(client, settings, db):
    scene = await build(1)
    entry = scene.entries[0]
    await Entry.filter(id=entry.id).update(state=EntryState.RETURNED, screening_reason=REASON,
                                           fix_due_at=clock.now() - timedelta(minutes=1))
    owner = await entry.owner
    token = await login_as(client, owner, secret=settings.secret_key)
    page = await client.get(f"/me/entries/{entry.id}")
    assert "修改截止时间" in page.text and "已过" in page.text and "保存并重新提交" not in page.text
    refused = await client.post(f"/me/entries/{entry.id}", data={
        "csrf_token": token, "title": "改过", "concept": "x", "entrant_kind": "individual",
        "entrant_category": "worker", "action": "save"})
    assert refused.status_code == 409
    assert (await Entry.get(id=entry.id)).title == "海派剪纸"


async def test_a_disqualified_entry_shows_its_reason_and_no_form(client, settings, db):
    scene = await build(1)
    entry = scene.entries[0]
    token = await organiser_token(client, settings, scene)
    done = await client.post(f"/admin/c/{scene.contest.slug}/entries/{entry.id}/screen", data={
        "csrf_token": token, "action": "disqualify", "reason": "作品已在其他比赛获奖", "confirm": "1"})
    assert done.status_code == 303
    await login_as(client, await entry.owner, secret=settings.secret_key)
    page = await client.get(f"/me/entries/{entry.id}")
    assert "已被组委会取消参赛资格" in page.text and "作品已在其他比赛获奖" in page.text
    assert "保存修改" not in page.text


@pytest.mark.parametrize(("fix_due_at", "message"), [
    ("0001-01-01T00:00", "请输入日期和时间。"), ("明天", "请输入日期和时间。"), ("", "请填写修改截止时间。")])
async def test_an_unreadable_or_missing_fix_deadline_is_a_message_not_an_error(client, settings, db, fix_due_at,
                                                                                message):
    scene = await build(1)
    token = await organiser_token(client, settings, scene)
    refused = await client.post(f"/admin/c/{scene.contest.slug}/entries/screen", data={
        "csrf_token": token, "entry": str(scene.entries[0].id), "action": "return", "reason": REASON,
        "fix_due_at": fix_due_at})
    assert refused.status_code == 400
    assert message in refused.text
    assert (await Entry.get(id=scene.entries[0].id)).state == EntryState.SUBMITTED


async def test_an_entry_withdrawn_meanwhile_refuses_the_whole_action_and_keeps_the_form(client, settings, db):
    scene = await build(2)
    token = await organiser_token(client, settings, scene)
    first, gone = scene.entries
    await Entry.filter(id=gone.id).update(state=EntryState.WITHDRAWN)
    refused = await client.post(f"/admin/c/{scene.contest.slug}/entries/screen", data={
        "csrf_token": token, "entry": [str(first.id), str(gone.id)], "action": "return", "reason": REASON,
        "fix_due_at": due_in(3, scene.contest)})
    assert refused.status_code == 409
    assert f"作品 {gone.number} 已不能退回或取消资格" in refused.text and REASON in refused.text
    assert (await Entry.get(id=first.id)).state == EntryState.SUBMITTED
