"""docs/reliability.md G4 / T5 through HTTP: every results route, image and link-preview tag at one second
before the announcement, at it and one second after, for every role. Before it, each is the same 404
as a missing page (with `Cache-Control: no-store`) for all but the contest's organisers, who get a
marked preview; at the time it all appears, with no action by anyone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind
from contest.contests.models import Contest
from contest.entries.models import EntryImage
from tests.factories import make_track, make_user
from tests.results.gallery_builders import announced, tiers_for, winner
from tests.web.helpers import sign_in

pytestmark = pytest.mark.web

SECOND = timedelta(seconds=1)
ROLES = ("anonymous", "winner", "designer", "judge", "organiser")
ROUTES = ("results", "gallery", "gallery_filtered", "entry", "thumb", "display")
OG_TAG = re.compile(r'<meta (?:property|name)="(?:og|twitter):')


@dataclass
class Edition:
    contest: Contest
    announce_at: datetime
    paths: dict[str, str]
    missing: dict[str, str]
    users: dict[str, object]


def image_path(image: EntryImage, variant: str) -> str:
    return f"/pub/{image.derivatives[variant]['sha256'][:16]}/{image.key}-{variant}"


@pytest.fixture
async def edition(app) -> Edition:
    # close to the real time: signed-in sessions are resumed with the frozen clock and must not expire
    announce_at = clock.now().replace(microsecond=0)
    contest = await announced(slug="embargo-2026", announce_at=announce_at)
    track = await make_track(contest, slug="ip")
    tiers = await tiers_for(contest, track)
    owner = await make_user(display_name="获奖者")
    entry = await winner(contest, track, tiers[0], app.state.store, title="小工匠·阿铆", number="E-01-0001", images=2,
                         owner=owner, public_name="林间设计工作室")
    image = await EntryImage.filter(entry=entry).order_by("position").first()
    users = {"winner": owner, "designer": await make_user(), "judge": await make_user(),
             "organiser": await make_user()}
    await ContestRole.create(contest=contest, user=users["judge"], role=ContestRoleKind.JUDGE)
    await ContestRole.create(contest=contest, user=users["organiser"], role=ContestRoleKind.ORGANISER)
    slug = contest.slug
    paths = {"results": f"/c/{slug}/results", "gallery": f"/c/{slug}/gallery",
             "gallery_filtered": f"/c/{slug}/gallery?track=ip&grade=1", "entry": f"/c/{slug}/gallery/E-01-0001",
             "thumb": image_path(image, "thumb.webp"), "display": image_path(image, "display.jpeg")}
    missing = {"results": "/c/embargo-2099/results", "gallery": "/c/embargo-2099/gallery",
               "gallery_filtered": "/c/embargo-2099/gallery?track=ip&grade=1",
               "entry": f"/c/{slug}/gallery/E-01-0099",
               "thumb": f"/pub/{'0' * 16}/{'0' * 32}-thumb.webp", "display": f"/pub/{'0' * 16}/{'0' * 32}-display.jpeg"}
    return Edition(contest, announce_at, paths, missing, users)


def same_page(response, other) -> bool:
    """The same page but for the address it was asked at (the language links name it)."""
    return response.text.replace(response.url.path, "PATH") == other.text.replace(other.url.path, "PATH")


HEADERS_THAT_NAME_THE_BODY = {"content-length"}


def header_names(response) -> set[str]:
    return set(response.headers) - HEADERS_THAT_NAME_THE_BODY


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("role", [r for r in ROLES if r != "organiser"])
async def test_one_second_before_the_announcement_results_are_the_missing_page(client, settings, edition, at, role,
                                                                               route):
    at(edition.announce_at - SECOND)
    await sign_in(client, settings, edition, role)
    hidden = await client.get(edition.paths[route])
    missing = await client.get(edition.missing[route])
    assert [hidden.status_code, missing.status_code] == [404, 404]
    assert hidden.headers["cache-control"] == missing.headers["cache-control"] == "no-store"
    assert header_names(hidden) == header_names(missing)
    assert same_page(hidden, missing)
    assert "小工匠·阿铆" not in hidden.text and "林间设计工作室" not in hidden.text


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("role", ROLES)
async def test_at_the_announcement_and_after_results_are_public_without_anyone_acting(client, settings, edition, at,
                                                                                     role, route):
    await sign_in(client, settings, edition, role)
    answers = []
    for moment in (edition.announce_at - SECOND, edition.announce_at, edition.announce_at + SECOND):
        at(moment)
        answers.append(await client.get(edition.paths[route]))
    expected_before = 200 if role == "organiser" else 404
    assert [a.status_code for a in answers] == [expected_before, 200, 200]
    assert answers[0].headers["cache-control"] == "no-store"
    public = "public, max-age=31536000, immutable" if route in {"thumb", "display"} else \
        "public, max-age=60" if role == "anonymous" else "private, no-cache"
    assert [a.headers["cache-control"] for a in answers[1:]] == [public, public]
    assert answers[1].content == answers[2].content


@pytest.mark.parametrize("route", ["results", "gallery", "gallery_filtered", "entry"])
async def test_organisers_preview_is_marked_uncached_and_carries_no_link_preview(client, settings, edition, at, route):
    await sign_in(client, settings, edition, "organiser")
    at(edition.announce_at - SECOND)
    preview = await client.get(edition.paths[route])
    at(edition.announce_at)
    public = await client.get(edition.paths[route])
    assert 'class="preview-banner"' in preview.text and 'class="preview-banner"' not in public.text
    assert '<meta name="robots" content="noindex">' in preview.text
    assert OG_TAG.search(preview.text) is None
    assert "etag" not in preview.headers
    assert "小工匠·阿铆" in preview.text


async def test_link_previews_appear_at_the_announcement(client, edition, at):
    at(edition.announce_at - SECOND)
    before = [await client.get(edition.paths[r]) for r in ("gallery", "entry")]
    at(edition.announce_at)
    after = [await client.get(edition.paths[r]) for r in ("gallery", "entry")]
    assert [OG_TAG.search(r.text) is None for r in before] == [True, True]
    thumb = edition.paths["display"]
    assert [f'<meta property="og:image" content="http://testserver{thumb}">' in r.text for r in after] == [True, True]


async def test_the_contest_page_links_the_gallery_only_from_the_announcement(client, edition, at):
    link = f'href="/c/{edition.contest.slug}/gallery"'
    at(edition.announce_at - SECOND)
    before = (await client.get(f"/c/{edition.contest.slug}")).text
    home = (await client.get("/")).text
    at(edition.announce_at)
    after = (await client.get(f"/c/{edition.contest.slug}")).text
    assert [link in before, "/gallery" in home, link in after] == [False, False, True]


async def test_an_organisers_preview_is_never_served_to_anyone_else(client, settings, edition, at):
    at(edition.announce_at - SECOND)
    await sign_in(client, settings, edition, "organiser")
    assert (await client.get(edition.paths["gallery"])).status_code == 200
    await sign_in(client, settings, edition, "anonymous")
    assert (await client.get(edition.paths["gallery"])).status_code == 404


async def test_without_an_announcement_time_nothing_is_ever_public(client, edition, at):
    await Contest.filter(id=edition.contest.id).update(announce_at=None)
    at(edition.announce_at + timedelta(days=3650))
    answers = [await client.get(edition.paths[route]) for route in ROUTES]
    assert [a.status_code for a in answers] == [404] * len(ROUTES)
