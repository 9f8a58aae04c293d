"""docs/reliability.md G1 / T3 for the judges' pages: crawl everything a judge can reach (pages, JSON,
headers, images) and find none of the designer's marker strings, no storage key, no /media/ URL."""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin

import pytest

from contest import clock
from contest.console import invitations
from contest.judging import progress
from contest.judging.models import Round
from contest.notifications.models import OutboxMessage
from tests.factories import login_as, make_user
from tests.web.judge import (
    BASE,
    DESIGNER_EMAIL,
    DESIGNER_NAME,
    ENTRY_NUMBER,
    MARKERS,
    ORGANISATION,
    build_scene,
    score_path,
)

pytestmark = pytest.mark.web

LINK = re.compile(r'(?:href|src|srcset|data-previous|data-next|data-webp|data-jpeg)="([^"]+)"')


def _forms(marker: str) -> set[bytes]:
    return {marker.encode(), marker.encode("utf-16-le"), quote(marker).encode(),
            marker.encode("unicode_escape"), marker.lower().encode(), marker.upper().encode()}


def _leaks(payload: bytes, needles: list[str]) -> list[str]:
    return [n for n in needles for form in _forms(n) if form in payload]


async def _crawl(client, start: list[str]) -> dict[str, bytes]:
    """Every /judge/ URL reachable from `start` by links, sources and data attributes: url -> headers + body."""
    seen: dict[str, bytes] = {}
    todo = list(start)
    while todo and len(seen) < 300:
        url = todo.pop()
        if url in seen:
            continue
        answer = await client.get(url)
        assert answer.status_code in (200, 304), (url, answer.status_code)
        seen[url] = str(answer.headers.multi_items()).encode() + answer.content
        if answer.headers.get("content-type", "").startswith("text/html"):
            for found in LINK.findall(answer.text):
                absolute = urljoin(BASE + url, found.replace("&amp;", "&"))
                if absolute.startswith(BASE + "/judge/"):
                    todo.append(absolute.removeprefix(BASE))
    return seen


@pytest.fixture
async def scene(app, db):
    return await build_scene(app.state.store)


async def test_nothing_a_judge_receives_names_the_designer(client, settings, scene):
    token = await login_as(client, scene.judge, secret=settings.secret_key)
    pages = await _crawl(client, ["/judge/", *(f"{score_path(scene, n)}/conflict" for n in (0, 1))])
    assert any(url.endswith(".webp") for url in pages) and any(url.endswith("/conflict") for url in pages)
    assert score_path(scene) in pages and f"{score_path(scene)}/2.jpeg" in pages
    headers = {"x-csrf-token": token, "accept": "application/json"}
    path = score_path(scene)
    for data in ({f"criterion_{scene.criteria[0].id}": "6"}, {f"criterion_{scene.criteria[0].id}": "60"},
                 {"comment": "ok"}):
        answer = await client.post(f"{path}/scores", data=data, headers=headers)
        pages[f"POST {path}/scores {data}"] = str(answer.headers.multi_items()).encode() + answer.content
    refused = await client.post(f"{path}/complete", data={"csrf_token": token})
    pages[f"POST {path}/complete"] = str(refused.headers.multi_items()).encode() + refused.content
    needles = [*MARKERS, *scene.keys, "/media/", "original_name", "entry_id", "owner"]
    leaks = {url: _leaks(body, needles) for url, body in pages.items()}
    assert {url: found for url, found in leaks.items() if found} == {}


async def test_images_carry_no_metadata_markers(client, settings, scene):
    await login_as(client, scene.judge, secret=settings.secret_key)
    for variant in ("webp", "jpeg", "thumb.webp", "thumb.jpeg"):
        body = (await client.get(f"{score_path(scene)}/1.{variant}")).content
        assert b"MRK7QZ" not in body and b"Exif" not in body and b"XMP" not in body


async def test_e_mails_to_judges_name_no_designer(scene):
    """Reminders and invitations are all a judge receives by e-mail; neither may carry the designer's identity."""
    now = clock.now()
    organiser = await make_user()
    await progress.send_reminders(scene.round_, link=f"{BASE}/judge/r/{scene.round_.id}", by=organiser, now=now)
    await invitations.invite(await scene.round_.contest, email="invitee@jury.example.net", role="judge", by=organiser,
                             now=now, link_for=lambda token: f"{BASE}/account/invite/{token}")
    judges = [scene.judge.email, scene.other_judge.email, scene.conflicted.email, "invitee@jury.example.net"]
    mails = await OutboxMessage.filter(to_email__in=judges).values_list("subject", "body_text")
    assert len(mails) == 4  # three reminders (nobody has submitted) and the invitation
    payload = "\n".join(f"{subject}\n{body}" for subject, body in mails).encode()
    assert _leaks(payload, [*MARKERS, *scene.keys, "/media/"]) == []


async def test_a_round_that_shows_identities_names_the_entrant_on_the_queue_and_the_scoring_page(client, settings, scene):
    """The one switch that lifts anonymity: public name, organisation and school, never the e-mail or number."""
    await login_as(client, scene.judge, secret=settings.secret_key)
    hidden = [(await client.get(p)).text for p in (f"/judge/r/{scene.round_.id}", score_path(scene))]
    assert [DESIGNER_NAME in page or ORGANISATION in page for page in hidden] == [False, False]
    await Round.filter(id=scene.round_.id).update(judges_see_identity=True)
    shown = [(await client.get(p)).text for p in (f"/judge/r/{scene.round_.id}", score_path(scene))]
    for page in shown:
        assert f"{DESIGNER_NAME} · {ORGANISATION} · {ORGANISATION}" in page and "参赛者信息" in page
        assert DESIGNER_EMAIL not in page and ENTRY_NUMBER not in page
    assert DESIGNER_NAME not in (await client.get(score_path(scene, 1))).text  # another entrant's page
