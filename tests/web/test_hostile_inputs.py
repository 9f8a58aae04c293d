"""No input gives a 500: the reported cases, then every route walked with hostile values.

The walk signs in as a role each route serves (docs/reliability.md T1's policy table), with a valid form
token so the form handlers are reached, and sends Unicode digits, huge and negative numbers, empty
and very long strings, NUL and control characters, nested JSON, files where text is expected and
repeated keys, in the path, the query string and the form. The field names are the ones the app's
own pages render for that route. Any 5xx fails; a refusal must be one of our pages, in the user's
language.
"""

from __future__ import annotations

import json
import re
import traceback
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from starlette.routing import compile_path

from contest import clock
from contest.accounts.models import ContestRoleKind
from contest.console import invitations
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
    return re.search(r"<h1>(.*?)</h1>", response.text, re.DOTALL).group(1).strip()


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


async def test_a_nul_in_a_form_value_or_a_url_is_no_server_error(client, settings, app):
    world = await build_world(app.state.store, images=False)
    token = await sign_in(client, settings, world, "organiser")
    answer = await client.post(f"/admin/c/{world.params['slug']}/rounds/{world.params['round_id']}/conflicts",
                               data={"csrf_token": token, "judge": str(world.users["judge"].id), "entry": "a\x00b"})
    assert answer.status_code == 400
    assert "本轮没有这个代号或编号的作品。" in answer.text
    audit = f"/admin/c/{world.params['slug']}/audit"
    dropped, plain = await client.get(audit + "?actor=a%00b"), await client.get(audit + "?actor=ab")
    assert (dropped.status_code, dropped.text) == (200, plain.text)
    answer = await client.get("/c/a%00b/gallery")
    assert (answer.status_code, headline(answer)) == (400, "无法处理该请求。")


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


# --- every route, walked with hostile values -------------------------------------------------------

HOSTILE = (
    "²", "٣", "１２", "Ⅻ", "-1", "0", "-0", "+1", "1e309", "NaN", "0x1f", "", " ", "9" * 19, "9" * 40, "9" * 5000,
    "x" * 20_000, "\x00", "a\x00b", "\x1b[2J\r\n\t\x7f", "\u202e\u200b", "🎨" * 50, "../../etc/passwd", "<b>&amp;",
    "[" * 5000, json.dumps({"a": [[[[{"b": None}]]]]}), "true", "null", "2026-02-30T25:61", "QXM-4K7", "WORLD-01-0001",
)
hostile_text = st.one_of(st.sampled_from(HOSTILE), st.integers(-(2**70), 2**70).map(str), st.text(max_size=12))
HOSTILE_FILES = (b"[" * 60_000, b'{"format": "wenchuang-contest-config", "version": 1, "contest": ' * 200, b"\xff\xfe\x00",
                 b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, b"%PDF-1.4\n" + b"A" * 1000)
QUERY_NAMES = ("page", "image", "track", "grade", "next", "name", "kind", "state", "draft", "entry", "email",
               "anonymised", "verify", "since", "until", "action", "actor", "subject", "judge", "locale")
# read by handlers, but on no page of the world (script-driven, or shown only in states it lacks)
UNRENDERED_FIELDS = ("order", "message_id", "votes", "rule", "key", "n", "scope", "verdict", "confirm", "step",
                     "tier", "entry", "judge", "reason", "code", "email", "slug", "title", "years", "file")
ROLES_BY_PREFERENCE = ("organiser", "designer_a", "judge", "anonymous", "designer_b", "judge_conflicted",
                       "judge_other_panel")
MAX_PARTS = 45  # read_form refuses more than 50 fields: stay under it so the handlers are reached


class Forms(HTMLParser):
    """The fields of every form on a page, by where the form posts."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, set[str]] = {}
        self.action: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self.action = urlsplit(attributes.get("action") or "").path
            self.found.setdefault(self.action, set())
        elif tag in ("input", "select", "textarea", "button") and self.action and attributes.get("name"):
            self.found[self.action].add(attributes["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.action = None


def served_roles(name: str, method: str) -> list[str]:
    """Who the world's contest serves at this route; where it serves nobody (site organisers' pages, a vote
    that is off), a site organiser and a visitor still knock."""
    row = POLICY[(name, method)]
    return [role for role in ROLES_BY_PREFERENCE if row[role] == ALLOW] or ["site_organiser", "anonymous"]


async def form_fields(client, settings, app, world: World) -> dict[str, set[str]]:
    """Field names per POST route, read from the forms the app's own pages render for the world."""
    posts = [(name, compile_path(template)[0]) for name, method, template in app_routes(app) if method == "POST"]
    fields: dict[str, set[str]] = {name: set() for name, _ in posts}
    for name, method, template in app_routes(app):
        if method != "GET" or not served_roles(name, method) or NOT_PAGES.search(name):
            continue
        await sign_in(client, settings, world, served_roles(name, method)[0])
        page = await client.get(world.path(template, name))
        if "text/html" not in page.headers.get("content-type", ""):
            continue
        parser = Forms()
        parser.feed(page.text)
        for action, names in parser.found.items():
            for route, pattern in posts:
                if pattern.match(action):
                    fields[route] |= names - {"csrf_token"}
    return fields


@st.composite
def path_for(draw, world: World, template: str, name: str) -> str:
    """The route's own object, or one parameter replaced by a hostile value."""
    hostile = draw(st.sampled_from([None, None, *PARAM.findall(template)]))

    def value(match: re.Match) -> str:
        param, kind = match.group(1), match.group(2)
        valid = {**world.params, **world.per_route.get(name, {})}[param]
        if param != hostile:
            return quote(valid, safe="")
        digits = st.sampled_from(("0", "00" + valid, "2147483648", "9" * 19, "9" * 40))
        return quote(draw(digits if kind == "int" else hostile_text), safe="")
    return re.sub(r"\{(\w+)(?::(\w+))?\}", value, template)


@st.composite
def hostile_request(draw, world: World, fields: dict[str, set[str]], everywhere: list[str], name: str, method: str,
                    template: str) -> dict:
    role = draw(st.sampled_from(served_roles(name, method)))
    path = draw(path_for(world, template, name))
    query = draw(st.lists(st.tuples(st.sampled_from(QUERY_NAMES), hostile_text), max_size=3))
    names = sorted(fields.get(name) or []) or draw(st.lists(st.sampled_from(everywhere), max_size=8, unique=True))
    data: list[tuple[str, str]] = []
    files: list[tuple[str, tuple[str, bytes, str]]] = []
    for field in names[:MAX_PARTS // 2]:
        shape = draw(st.sampled_from(("text", "text", "missing", "repeated", "file")))
        if shape == "file":
            files.append((field, ("x.json", draw(st.sampled_from(HOSTILE_FILES)), "application/json")))
        elif shape != "missing":
            data += [(field, draw(hostile_text)) for _ in range(2 if shape == "repeated" else 1)]
    as_json = draw(st.booleans())
    return {"role": role, "path": path + ("?" + urlencode(query) if query else ""), "data": data, "files": files,
            "accept": "application/json" if as_json else "text/html"}


async def send(client, settings, world: World, method: str, plan: dict):
    token = await sign_in(client, settings, world, plan["role"])
    headers = {"accept": plan["accept"], "x-csrf-token": token}
    if method == "GET":
        return await client.get(plan["path"], headers=headers)
    data = [("csrf_token", token), *plan["data"]]
    if plan["files"]:
        return await client.post(plan["path"], data=dict_of_lists(data), files=plan["files"], headers=headers)
    return await client.post(plan["path"], content=urlencode(data).encode(),
                             headers={**headers, "content-type": "application/x-www-form-urlencoded"})


def dict_of_lists(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def assert_answered(response, plan: dict) -> None:
    """Never a 5xx; a refusal is one of our pages (or JSON) in the user's language."""
    assert response.status_code < 500, (plan, response.text[:500])
    if response.status_code < 400:
        return
    if "application/json" in response.headers.get("content-type", ""):
        assert set(response.json()) >= {"error"}, (plan, response.text[:300])
    else:
        assert lang(response) == "zh-CN", (plan, response.status_code, response.text[:300])


NOT_PAGES = re.compile(r"certificate|export|zip|csv|bundle|image|poster|original|attachment|healthz|readyz|set_language")
CHUNKS = 6  # the walk in parts: one Hypothesis run over every route would draw more than it allows per example
_fields: dict[str, set[str]] = {}


@pytest.fixture
async def walk(client, settings, app):
    world = await build_world(app.state.store, images=False)
    world.users["site_organiser"] = await make_user(is_staff=True)
    if not _fields:  # the same names in every world: read the pages once
        _fields.update(await form_fields(client, settings, app, world))
    everywhere = sorted(set().union(UNRENDERED_FIELDS, *_fields.values()))
    routes = [(name, method, template) for name, method, template in app_routes(app) if served_roles(name, method)]
    return world, _fields, everywhere, routes


@pytest.mark.parametrize("chunk", range(CHUNKS))
@hypothesis_settings(derandomize=True, max_examples=3, deadline=None, database=None, phases=(Phase.generate,),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(data=st.data())
async def test_no_hostile_input_to_any_route_gives_a_server_error(client, settings, walk, chunk, data):
    world, fields, everywhere, routes = walk
    failures = []
    for name, method, template in routes[chunk::CHUNKS]:
        plan = data.draw(hostile_request(world, fields, everywhere, name, method, template), label=f"{method} {name}")
        try:
            assert_answered(await send(client, settings, world, method, plan), plan)
        except Exception as exc:  # noqa: BLE001 - every failing route of the walk is reported, not only the first
            failures.append(f"{method} {name}: {plan['path'][:200]} {plan['data']!r:.300}\n"
                            + "".join(traceback.format_exception(exc)[-4:]))
    assert failures == [], "\n".join(failures)
