from __future__ import annotations

import shutil
from dataclasses import replace

import httpx
import pytest

from contest.app import create_app
from contest.contests.models import FileSlot
from tests.connections import NOWHERE, database_at
from tests.factories import make_contest, make_track

pytestmark = pytest.mark.web


async def test_home_lists_published_contests_only(client):
    shown = await make_contest(title="人民城市 百年工运")
    await make_contest(title="内部草稿", is_published=False)
    response = await client.get("/")
    assert response.status_code == 200
    assert shown.title in response.text
    assert "内部草稿" not in response.text


async def test_contest_home_shows_tracks_in_order_and_timeline(client):
    contest = await make_contest()
    await make_track(contest, name="潮玩老字号赛道", position=3)
    await make_track(contest, name="工运IP赛道", position=1)
    response = await client.get(f"/c/{contest.slug}")
    assert response.status_code == 200
    text = response.text
    assert text.index("工运IP赛道") < text.index("潮玩老字号赛道")
    assert "征集截止" in text


async def test_contest_home_shows_each_tracks_parts_of_the_entry(client):
    contest = await make_contest()
    track = await make_track(contest, name="工运IP赛道", min_images=2, max_images=6, max_file_mb=20)
    await FileSlot.create(track=track, key="boards", label="展板", kinds=["pdf"], min_count=1, max_count=1, max_mb=50,
                          min_short_edge=3508, min_long_edge=4961, max_pages=2, position=2)
    await FileSlot.create(track=track, key="video", label="答辩视频", kinds=["video"], min_count=1, max_count=1,
                          max_mb=200, max_seconds=120, from_round=1, position=3)
    client.headers["accept-language"] = "en"
    text = (await client.get(f"/c/{contest.slug}")).text
    assert "<strong>Images</strong>: JPEG, PNG, WebP, HEIC · 2 to 6 files · up to 20 MB each · at least 800 × 1200 px" \
        in text
    assert "<strong>展板</strong>: PDF · 1 file(s) · up to 50 MB each · A3 at 300 dpi · up to 2 pages a PDF" in text
    video = "MP4, MOV, WebM · 1 file(s) · up to 200 MB each · up to 120 seconds of video · finalists only"
    assert f"<strong>答辩视频</strong>: {video}" in text


async def test_unknown_contest_is_the_same_404_as_an_unknown_path(client):
    hidden = await make_contest(is_published=False)
    unknown = await client.get("/c/no-such-contest")
    unpublished = await client.get(f"/c/{hidden.slug}")
    nowhere = await client.get("/no/such/page")
    assert [unknown.status_code, unpublished.status_code, nowhere.status_code] == [404, 404, 404]
    bodies = {r.text.replace(r.url.path, "PATH") for r in (unknown, unpublished, nowhere)}
    assert len(bodies) == 1


async def test_rules_markdown_is_sanitised(client):
    contest = await make_contest(rules_md="# 参赛须知\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))")
    response = await client.get(f"/c/{contest.slug}/rules")
    assert "<h1>参赛须知</h1>" in response.text
    assert "<script>alert(1)" not in response.text
    assert "href=\"javascript:" not in response.text


async def test_language_switch_sets_cookie_and_page_follows(client):
    contest = await make_contest(title="文创大赛", title_en="Design Contest")
    switched = await client.get("/lang/en", params={"next": f"/c/{contest.slug}"})
    assert switched.status_code == 303
    assert switched.headers["location"] == f"/c/{contest.slug}"
    page = await client.get(f"/c/{contest.slug}")
    assert '<html lang="en">' in page.text
    assert "Design Contest" in page.text
    assert "Tracks" in page.text


async def test_language_switch_refuses_offsite_redirect(client):
    response = await client.get("/lang/en", params={"next": "//evil.example/"})
    assert response.headers["location"] == "/"


async def test_chinese_is_the_default_and_accept_language_is_honoured(client):
    default = await client.get("/")
    english = await client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    assert '<html lang="zh-CN">' in default.text
    assert '<html lang="en">' in english.text


async def test_healthz_answers_without_the_database_or_the_session(client):
    with database_at(NOWHERE):
        response = await client.get("/healthz", headers={"cookie": "contest_session=whoever"})
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response.headers["cache-control"] == "no-store"


async def test_readyz_is_ok_when_the_database_and_storage_answer(client):
    response = await client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_is_503_naming_the_database_without_its_reason(client):
    with database_at(NOWHERE):
        response = await client.get("/readyz")
    assert (response.status_code, response.json()) == (503, {"status": "unavailable", "failed": ["database"]})
    assert response.headers["cache-control"] == "no-store"


async def test_readyz_is_503_when_the_upload_folder_cannot_be_written(client, settings):
    shutil.rmtree(settings.upload_dir / "tmp")
    (settings.upload_dir / "tmp").write_text("a file where the folder should be")
    response = await client.get("/readyz")
    assert (response.status_code, response.json()) == (503, {"status": "unavailable", "failed": ["storage"]})


async def test_probes_answer_whatever_host_a_load_balancer_asks_by(settings, db):
    app = create_app(replace(settings, allowed_hosts=("contest.example.org",)), manage_database=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://10.0.0.7:8000") as http:
        statuses = [(await http.get(path)).status_code for path in ("/healthz", "/readyz", "/")]
    assert statuses == [200, 200, 400]


async def test_html_pages_carry_security_headers(client):
    response = await client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
