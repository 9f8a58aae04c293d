from __future__ import annotations

from datetime import timedelta

import pytest

from contest import clock
from contest.entries.models import TeamMember
from tests.factories import login_as, make_contest, make_entry, make_field, make_track, make_user
from tests.sql import counting_queries

pytestmark = pytest.mark.web

PAYLOADS = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(2)>', "<svg onload=alert(3)>",
    "javascript:alert(4)", "<iframe src=//evil.example>", "{{ 7*7 }}", "'><a href=javascript:alert(5)>x</a>",
    "<style>*{display:none}</style>", "<body onload=alert(6)>", "</textarea><script>alert(7)</script>",
]


async def open_track():
    now = clock.now()
    contest = await make_contest(submissions_open_at=now - timedelta(days=1), submissions_close_at=now + timedelta(days=1))
    track = await make_track(contest)
    await make_field(track, "character_name", "text")
    return contest, track


@pytest.mark.parametrize("payload", PAYLOADS)
async def test_user_text_never_becomes_markup_on_designer_pages(client, settings, payload):
    contest, track = await open_track()
    user = await make_user(display_name=payload)
    entry = await make_entry(contest, track, user, title=payload, concept=payload, public_name=payload,
                             organisation=payload, answers={"character_name": payload})
    await TeamMember.create(entry=entry, name=payload, role=payload)
    await login_as(client, user, secret=settings.secret_key)
    for path in ("/me/", f"/me/entries/{entry.id}"):
        page = await client.get(path)
        assert page.status_code == 200
        assert 'href="javascript:' not in page.text
        if payload.startswith(("javascript:", "{{")):
            assert payload in page.text, path  # shown as the text it is, never evaluated
        else:
            assert payload not in page.text, path


@pytest.mark.parametrize("entries", [1, 3])
async def test_dashboard_queries_do_not_grow_with_the_number_of_entries(client, settings, entries):
    contest, track = await open_track()
    user = await make_user()
    for n in range(entries):
        await make_entry(contest, track, user, title=f"作品 {n}")
    await login_as(client, user, secret=settings.secret_key)
    with counting_queries() as records:
        response = await client.get("/me/")
    assert response.status_code == 200
    assert response.text.count('class="card entry-card"') == entries
    assert len(records) == 12  # session, user, entries with contest, track, fields, slots, images, files, uploads
    # still held for a job, members; contests; which of them are finalists


async def test_dashboard_lists_what_each_draft_still_misses(client, settings):
    contest, track = await open_track()
    user = await make_user()
    await make_entry(contest, track, user, title="", answers={})
    await login_as(client, user, secret=settings.secret_key)
    page = await client.get("/me/")
    missing = page.text.split('class="missing-list"')[1].split("</ul>")[0]
    assert [item.split("</li>")[0] for item in missing.split("<li>")[1:]] == [
        "请填写作品名称。", "请填写本赛道的全部必填项。", "请为每个文件项上传不少于要求数量的文件。"]
