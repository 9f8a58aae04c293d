from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from contest import clock
from contest.contests.models import FileSlot
from contest.entries.models import Entry, EntryImage
from tests.factories import login_as, make_contest, make_entry, make_field, make_track, make_user

pytestmark = pytest.mark.web


def jpeg(width=1600, height=1200, color=(200, 30, 40)) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (width, height), color)
    for x in range(0, width, 97):
        image.paste((x % 255, 90, 160), (x, 0, x + 40, height))
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


async def open_contest():
    now = clock.now()
    contest = await make_contest(submissions_open_at=now - timedelta(days=1), submissions_close_at=now + timedelta(days=1))
    track = await make_track(contest, position=1, min_images=1, max_images=3)
    await make_field(track, "character_name", "text", label="角色名称")
    return contest, track


async def test_designer_creates_fills_uploads_and_submits(client, settings):
    contest, track = await open_contest()
    user = await make_user()
    token = await login_as(client, user, secret=settings.secret_key)
    created = await client.post(f"/me/c/{contest.slug}/new", data={"csrf_token": token, "track": str(track.id)})
    assert created.status_code == 303
    entry = await Entry.get(owner_id=user.id)
    assert created.headers["location"] == f"http://testserver/me/entries/{entry.id}"

    upload = await client.post(f"/me/entries/{entry.id}/slots/images/files", params={"name": "我的设计.jpg"}, content=jpeg(),
                               headers={"x-csrf-token": token, "accept": "application/json"})
    assert upload.status_code == 201, upload.text
    image = await EntryImage.get(entry_id=entry.id)
    assert (image.width, image.height, image.is_cover, image.original_name) == (1600, 1200, True, "我的设计.jpg")
    thumb = await client.get(upload.json()["thumb"])
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/webp"
    assert thumb.headers["etag"] == f'"{image.derivatives["thumb.webp"]["sha256"]}"'
    assert "last-modified" not in thumb.headers

    page = await client.get(f"/me/entries/{entry.id}")
    assert "角色名称" in page.text
    form = {"csrf_token": token, "title": "阿铆", "concept": "铆钉精灵", "character_name": "阿铆", "entrant_kind": "individual",
            "entrant_category": "worker", "action": "submit"}
    refused = await client.post(f"/me/entries/{entry.id}", data=form)
    assert refused.status_code == 400
    assert "请接受原创声明和知识产权条款。" in refused.text
    assert 'value="阿铆"' in refused.text
    originality = page.text.split('name="originality" value="')[1].split('"')[0]
    ip_terms = page.text.split('name="ip_terms" value="')[1].split('"')[0]
    submitted = await client.post(f"/me/entries/{entry.id}", data={**form, "originality": originality, "ip_terms": ip_terms})
    assert submitted.status_code == 303
    receipt = await client.get(submitted.headers["location"])
    saved = await Entry.get(id=entry.id)
    assert saved.state == "submitted"
    assert saved.number in receipt.text
    assert image.sha256 in receipt.text


async def test_another_designers_entry_and_images_are_404(client, settings):
    contest, track = await open_contest()
    owner = await make_user()
    entry = await make_entry(contest, track, owner)
    intruder = await make_user()
    token = await login_as(client, intruder, secret=settings.secret_key)
    responses = [
        await client.get(f"/me/entries/{entry.id}"),
        await client.post(f"/me/entries/{entry.id}", data={"csrf_token": token, "title": "x"}),
        await client.post(f"/me/entries/{entry.id}/slots/images/files", content=jpeg(), headers={"x-csrf-token": token}),
        await client.post(f"/me/entries/{entry.id}/withdraw", data={"csrf_token": token}),
        await client.get("/me/entries/999999"),
    ]
    assert [r.status_code for r in responses] == [404] * 5
    assert await EntryImage.all().count() == 0


async def test_saving_after_the_deadline_keeps_the_draft_and_shows_what_was_typed(client, settings):
    contest, track = await open_contest()
    user = await make_user()
    entry = await make_entry(contest, track, user, title="已保存的标题")
    token = await login_as(client, user, secret=settings.secret_key)
    contest.submissions_close_at = clock.now() - timedelta(seconds=1)
    await contest.save()
    response = await client.post(f"/me/entries/{entry.id}", data={
        "csrf_token": token, "title": "截止后才写好的标题", "concept": "新的设计说明", "action": "save",
        "entrant_kind": "individual", "entrant_category": "worker"})
    assert response.status_code == 409
    assert "投稿已截止，本次修改未保存。" in response.text
    assert 'value="截止后才写好的标题"' in response.text
    saved = await Entry.get(id=entry.id)
    assert (saved.title, saved.state) == ("已保存的标题", "draft")


async def test_a_team_named_in_the_same_form_that_submits_it_is_accepted(client, settings):
    contest, track = await open_contest()
    await FileSlot.filter(track_id=track.id).update(min_count=0)
    user = await make_user()
    entry = await make_entry(contest, track, user)
    token = await login_as(client, user, secret=settings.secret_key)
    page = await client.get(f"/me/entries/{entry.id}")
    terms = {name: page.text.split(f'name="{name}" value="')[1].split('"')[0] for name in ("originality", "ip_terms")}
    submitted = await client.post(f"/me/entries/{entry.id}", data={
        "csrf_token": token, "title": "阿铆", "concept": "铆钉精灵", "character_name": "阿铆", "entrant_kind": "team",
        "entrant_category": "worker", "member_name_0": "甲", "member_name_1": "乙", "action": "submit", **terms})
    assert submitted.status_code == 303, submitted.text
    saved = await Entry.get(id=entry.id).prefetch_related("members")
    assert (saved.state, [m.name for m in saved.members]) == ("submitted", ["甲", "乙"])
