"""The stage before the final through HTTP: the finalist's task list and sample dispatch, the organiser's
finalists with a forfeit and the next entry moving up, the sample register with its photo, and the blind labels."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from contest.accounts.models import ContestRole, ContestRoleKind, User
from contest.audit.models import AuditEvent
from contest.contests.models import Track
from contest.entries.models import TeamMember
from contest.finalists.models import Disposition, Sample
from contest.judging.models import RoundEntry
from tests import imagegen
from tests.factories import NOW, login_as
from tests.finalists.helpers import DUE, final_world
from tests.sql import counting_queries
from tests.web.helpers import form_token

pytestmark = pytest.mark.web
LATE = DUE + timedelta(hours=1)


async def as_designer(client, settings, entry) -> str:
    return await login_as(client, await User.get(id=entry.owner_id), secret=settings.secret_key)


async def as_organiser(client, settings, world) -> str:
    await ContestRole.create(contest=world.contest, user=world.organiser, role=ContestRoleKind.ORGANISER)
    return await login_as(client, world.organiser, secret=settings.secret_key)


def admin(world, page: str) -> str:
    return f"/admin/c/{world.contest.slug}/rounds/{world.final.id}/{page}"


async def test_a_finalist_sees_each_task_with_its_deadline_and_records_the_dispatch(client, settings, at):
    at(NOW)
    world = await final_world()
    entry = world.entries[0]
    token = await as_designer(client, settings, entry)
    dashboard = await client.get("/me/")
    assert f"/me/entries/{entry.id}/tasks" in dashboard.text
    assert f"/me/entries/{entry.id}/tasks" in (await client.get(f"/me/entries/{entry.id}")).text
    page = await client.get(f"/me/entries/{entry.id}/tasks")
    assert page.status_code == 200
    assert ("源文件" in page.text, "寄送实物样品一件" in page.text, "#slot-source" in page.text) == (True, True, True)
    assert page.text.count("待完成") == 2
    refused = await client.post(f"/me/entries/{entry.id}/tasks/sample",
                                data={"csrf_token": token, "courier": "顺丰速运", "tracking_number": ""})
    assert (refused.status_code, "请填写运单号" in refused.text, 'value="顺丰速运"' in refused.text) == (400, True, True)
    sent = await client.post(f"/me/entries/{entry.id}/tasks/sample",
                             data={"csrf_token": token, "courier": "顺丰速运", "tracking_number": "SF1234567890"})
    assert sent.status_code == 303
    sample = await Sample.get(entry_id=entry.id)
    assert (sample.round_id, sample.courier, sample.tracking_number, sample.sent_at) == (
        world.final.id, "顺丰速运", "SF1234567890", NOW)
    assert "SF1234567890" in (await client.get(f"/me/entries/{entry.id}/tasks")).text


async def test_an_entry_that_did_not_reach_the_final_has_no_tasks_and_cannot_send_a_sample(client, settings, at):
    at(NOW)
    world = await final_world()
    entry = world.entries[3]
    token = await as_designer(client, settings, entry)
    page = await client.get(f"/me/entries/{entry.id}/tasks")
    assert (page.status_code, "没有进入终评" in page.text) == (200, True)
    refused = await client.post(f"/me/entries/{entry.id}/tasks/sample",
                                data={"csrf_token": token, "courier": "顺丰", "tracking_number": "SF1"})
    assert (refused.status_code, await Sample.all().count()) == (409, 0)


async def test_the_organiser_sees_missing_tasks_and_confirms_a_forfeit_with_a_reason(client, settings, at):
    at(LATE)
    world = await final_world()
    first, second, third, _ = world.entries
    await as_organiser(client, settings, world)
    page = await client.get(admin(world, "finalists"))
    assert (page.status_code, page.text.count("已缺失"), "作品2" in page.text) == (200, 4, True)  # who moves up
    token = await form_token(client, admin(world, "finalists"))
    blank = await client.post(admin(world, f"finalists/{second.id}/forfeit"), data={"csrf_token": token, "reason": " "})
    assert (blank.status_code, "请写明取消资格的理由" in blank.text) == (400, True)
    done = await client.post(admin(world, f"finalists/{second.id}/forfeit"),
                             data={"csrf_token": token, "reason": "逾期未提交源文件和样品"})
    assert done.status_code == 303
    assert sorted(await RoundEntry.filter(round_id=world.final.id).values_list("entry_id", flat=True)) == [
        first.id, third.id]
    after = await client.get(admin(world, "finalists"))
    assert ("逾期未提交源文件和样品" in after.text, await AuditEvent.filter(action="finalist.forfeited").count()) == (
        True, 1)


async def test_without_the_rule_the_forfeit_is_refused(client, settings, at):
    at(LATE)
    world = await final_world(forfeits=False)
    await as_organiser(client, settings, world)
    token = await form_token(client, admin(world, "finalists"))
    refused = await client.post(admin(world, f"finalists/{world.entries[1].id}/forfeit"),
                                data={"csrf_token": token, "reason": "逾期"})
    assert refused.status_code == 409
    assert await RoundEntry.filter(round_id=world.final.id).count() == 2


async def test_the_register_records_arrival_with_a_photo_and_the_disposition(client, settings, at):
    at(NOW)
    world = await final_world()
    entry = world.entries[0]
    sample = await Sample.create(round=world.final, entry=entry, courier="顺丰", tracking_number="SF9", sent_at=NOW)
    await as_organiser(client, settings, world)
    register = await client.get(admin(world, "samples"))
    assert (register.status_code, "SF9" in register.text, "尚未寄出" in register.text) == (200, True, True)
    token = await form_token(client, admin(world, "samples"))
    no_photo = await client.post(admin(world, f"samples/arrival/{entry.id}"),
                                 data={"csrf_token": token, "condition": "完好", "location": "A-3"})
    assert (no_photo.status_code, 'value="A-3"' in no_photo.text) == (400, True)
    arrived = await client.post(admin(world, f"samples/arrival/{entry.id}"),
                                data={"csrf_token": token, "condition": "外盒压痕，作品完好", "location": "库房 A-3"},
                                files={"photo": ("sample.jpg", imagegen.jpeg(), "image/jpeg")})
    assert arrived.status_code == 303
    photo = await client.get(admin(world, f"samples/{sample.id}/photo"))
    assert (photo.status_code, photo.headers["content-type"], photo.headers["cache-control"]) == (
        200, "image/jpeg", "private, no-store")
    kept = await client.post(admin(world, f"samples/{sample.id}/keeping"),
                             data={"csrf_token": token, "location": "展厅", "disposition": "retained"})
    assert kept.status_code == 303
    stored = await Sample.get(id=sample.id)
    assert (stored.condition, stored.location, stored.disposition, stored.disposed_at) == (
        "外盒压痕，作品完好", "展厅", Disposition.RETAINED, NOW)


async def test_the_labels_carry_aliases_and_judging_links_and_nothing_of_the_designer(client, settings, at):
    at(NOW)
    world = await final_world()
    first, second = world.entries[:2]
    await TeamMember.create(entry=first, name="张文", position=1)
    for entry in (first, second):
        await Sample.create(round=world.final, entry=entry, courier="顺丰", tracking_number="SF1", sent_at=NOW)
    await as_organiser(client, settings, world)
    response = await client.get(admin(world, "samples/labels.pdf"))
    assert (response.status_code, response.headers["content-type"]) == (200, "application/pdf")
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    links = [a.get_object()["/A"]["/URI"] for page in reader.pages for a in page.get("/Annots", [])]
    aliases = [await world.alias(first), await world.alias(second)]
    assert [alias in text for alias in aliases] == [True, True]
    assert links == [f"http://testserver/judge/r/{world.final.id}/{alias}" for alias in sorted(aliases)]
    for entry in (first, second):
        owner = await User.get(id=entry.owner_id)
        assert [entry.title in text, entry.number in text, owner.display_name in text, owner.email in text] == [
            False] * 4
    assert ("张文" in text, "设计师" in text) == (False, False)


async def test_the_organiser_sets_the_tracks_sample_and_the_contests_forfeit_rule(client, settings, at):
    at(NOW)
    world = await final_world(forfeits=False, sample=False)
    await as_organiser(client, settings, world)
    track_page = f"/admin/c/{world.contest.slug}/tracks/{world.track.id}"
    token = await form_token(client, track_page)
    form = {"csrf_token": token, "slug": world.track.slug, "name": world.track.name, "ai_policy": "banned",
            "sample_instructions": "寄送打样一件至组委会", "sample_due_at": "2026-06-20T17:00"}
    refused = await client.post(track_page, data=form)
    assert (refused.status_code, "请勾选上方选项" in refused.text) == (400, True)
    saved = await client.post(track_page, data={**form, "sample_required": "1"})
    assert saved.status_code == 303
    track = await Track.get(id=world.track.id)
    assert (track.sample_required, track.sample_instructions, track.sample_due_at.isoformat()) == (
        True, "寄送打样一件至组委会", "2026-06-20T09:00:00+00:00")
    page = await client.get(track_page)
    assert 'value="2026-06-20T17:00"' in page.text


@pytest.mark.parametrize("finalists", [1, 3])
async def test_the_finalists_page_and_the_register_ask_as_many_queries_for_one_finalist_as_for_three(
        client, settings, at, finalists):
    at(LATE)
    world = await final_world(figures=(9, 8, 7, 6), advance=finalists)
    for entry in world.entries[:finalists]:
        await Sample.create(round=world.final, entry=entry, courier="顺丰", tracking_number="SF1", sent_at=NOW)
    await as_organiser(client, settings, world)
    counts = []
    for page in ("finalists", "samples"):
        with counting_queries() as records:
            response = await client.get(admin(world, page))
        assert response.status_code == 200
        counts.append(len(records))
    assert counts == [27, 8]  # the finalists page ranks the previous round once, for who would move up
