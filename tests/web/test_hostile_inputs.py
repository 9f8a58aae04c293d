"""No input gives a 500: the reported cases, then every route walked with hostile values.

The walk signs in as a role each route serves (RELIABILITY.md T1's policy table), with a valid form
token so the form handlers are reached, and sends Unicode digits, huge and negative numbers, empty
and very long strings, NUL and control characters, nested JSON, files where text is expected and
repeated keys, in the path, the query string and the form. The field names are the ones the app's
own pages render for that route. Any 5xx fails; a refusal must be one of our pages, in the user's
language.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import compile_path

from contest import clock
from contest.accounts import invitations
from contest.accounts.models import ContestRoleKind
from contest.contests.models import Contest
from contest.entries.models import Entry
from contest.judging.models import Conflict
from tests.factories import login_as, make_contest, make_track, make_user
from tests.web.test_authorization import ALLOW, PARAM, POLICY, World, app_routes, build_world, sign_in

pytestmark = pytest.mark.web


def lang(response) -> str | None:
    match = re.search(r'<html lang="([^"]+)"', response.text)
    return match.group(1) if match else None


def headline(response) -> str:
    return re.search(r"<h1>(.*?)</h1>", response.text, re.S).group(1).strip()


# --- the reported cases ----------------------------------------------------------------------------


async def test_a_unicode_digit_as_page_or_image_number_is_read_as_no_number(client, settings, app):
    world = await build_world(app.state.store, images=False)
    await sign_in(client, settings, world, "organiser")
    slug = world.params["slug"]
    for page in (f"/admin/c/{slug}/audit", f"/admin/c/{slug}/outbox"):
        first, odd = await client.get(page + "?page=1"), await client.get(page + "?page=²")
        assert (odd.status_code, odd.text) == (200, first.text)
    gallery = await client.get(f"/c/{slug}/gallery?page=²")
    assert (gallery.status_code, headline(gallery)) == (404, "页面不存在，或您无权查看。")
    await sign_in(client, settings, world, "judge")
    score = f"/judge/r/{world.params['round_id']}/{world.params['alias']}"
    first, odd = await client.get(score + "?image=1"), await client.get(score + "?image=²")
    assert (odd.status_code, odd.text) == (200, first.text)


async def test_deeply_nested_json_in_a_contest_import_is_refused_and_creates_nothing(client, settings):
    staff = await make_user(is_staff=True)
    token = await login_as(client, staff, secret=settings.secret_key)
    nested = ("[" * 50_000 + "]" * 50_000).encode()
    answer = await client.post("/admin/contests/import", data={"csrf_token": token, "slug": "imported"},
                               files={"file": ("c.json", nested, "application/json")})
    assert answer.status_code == 400
    assert "这不是本系统可读取版本的赛事配置文件。" in answer.text
    assert await Contest.filter(slug="imported").count() == 0


async def test_a_nineteen_character_entry_number_in_the_conflict_form_is_no_entry(client, settings, app):
    world = await build_world(app.state.store, images=False)
    token = await sign_in(client, settings, world, "organiser")
    before = await Conflict.all().count()
    answer = await client.post(f"/admin/c/{world.params['slug']}/rounds/{world.params['round_id']}/conflicts",
                               data={"csrf_token": token, "judge": str(world.users["judge"].id),
                                     "entry": "1234567890123456789"})
    assert answer.status_code == 400
    assert "本轮没有这个代号或编号的作品。" in answer.text
    assert await Conflict.all().count() == before


async def test_an_organiser_invited_without_a_designer_profile_can_start_an_entry(client, settings):
    now = clock.now()
    contest = await make_contest(submissions_open_at=now.replace(year=now.year - 1),
                                 submissions_close_at=now.replace(year=now.year + 1))
    track = await make_track(contest)
    link = {}
    await invitations.invite(contest, email="new.organiser@example.net", role=ContestRoleKind.ORGANISER,
                             by=await make_user(is_staff=True), now=now, link_for=lambda t: link.setdefault("t", t))
    organiser = await invitations.accept(link["t"], display_name="新组委", password="a long enough passphrase", now=now)
    token = await login_as(client, organiser, secret=settings.secret_key)
    answer = await client.post(f"/me/c/{contest.slug}/new", data={"csrf_token": token, "track": str(track.id)})
    entry = await Entry.get(owner_id=organiser.id)
    assert (answer.status_code, answer.headers["location"]) == (303, f"http://testserver/me/entries/{entry.id}")
    assert (entry.track_id, entry.public_name, entry.entrant_kind, entry.entrant_category) == (
        track.id, "新组委", "individual", "worker")
