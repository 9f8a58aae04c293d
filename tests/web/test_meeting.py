"""The meeting through HTTP: the projector's secret link shows what the room may see and never an entry the
chair has not reached, its stream carries the whole state, and judges and chairs stay in their own meeting."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind
from contest.judging.models import Round
from contest.media.storage import Storage
from contest.media.stores import open_store
from contest.meeting import sessions
from contest.meeting.models import GradeVote
from tests import imagegen
from tests.factories import NOW, attach_picture, chunks, login_as
from tests.meeting.builders import final_room, open_room
from tests.web.helpers import form_token, organiser_of

pytestmark = pytest.mark.web


@pytest.fixture
def store(settings) -> Storage:
    """The store the app serves from (the settings' upload folder)."""
    store = open_store(settings)
    store.ensure_dirs()
    return store


async def _room_on_screen(store, *, identity: bool = False):
    room = await final_room(2)
    now = clock.now()  # the pages ask the real clock whether the round is open
    await Round.filter(id=room.round.id).update(judges_see_identity=identity, opens_at=now - timedelta(hours=1),
                                                closes_at=now + timedelta(days=1))
    for n, entry in enumerate(room.entries):
        await entry.fetch_related("contest", "track")
        await attach_picture(entry, chunks(imagegen.jpeg(size=(1600, 1200), seed=n)), store=store, by=entry.owner,
                             now=NOW, read_text=False)
    session = await open_room(room)
    await sessions.move_to(session, await Round.get(id=room.round.id), 0, by=room.chair, now=NOW)
    return room, session


async def test_the_projector_shows_the_entry_on_screen_by_alias_and_title_and_nothing_of_its_designer(client, store):
    room, session = await _room_on_screen(store)
    page = await client.get(f"/screen/{session.screen_token}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert room.aliases[0] in page.text and "作品1" in page.text
    assert "设计师1" not in page.text and room.entries[0].number not in page.text
    assert "<svg" in page.text  # the QR code judges scan
    assert (await client.get(f"/screen/{session.screen_token}/{room.aliases[0]}/1.jpeg")).status_code == 200
    assert (await client.get(f"/screen/{session.screen_token}/{room.aliases[1]}/1.jpeg")).status_code == 404
    assert (await client.get(f"/screen/{session.screen_token}/{'9' * 23}/1.jpeg")).status_code == 404  # no alias so long
    assert (await client.get(f"/screen/{'x' * 32}")).status_code == 404


async def test_identities_reach_the_projector_only_when_the_round_shows_them(client, store):
    _, session = await _room_on_screen(store, identity=True)
    page = await client.get(f"/screen/{session.screen_token}")
    assert "设计师1" in page.text


async def test_the_stream_opens_on_the_whole_state_with_its_version(client, store):
    room, session = await _room_on_screen(store)
    response = await client.get(f"/screen/{session.screen_token}/events")
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-store"
    assert response.text.startswith("retry: 1000\n\n")
    event = re.search(r"id: (\d+)\.(\d+)\nevent: state\ndata: (.+)\n\n", response.text)
    assert event and int(event.group(1)) == session.version
    assert room.aliases[0] in event.group(3) and "设计师1" not in event.group(3)


async def test_a_judge_of_another_round_and_a_chair_of_another_contest_find_nothing(client, settings, store):
    room, session = await _room_on_screen(store)
    other, _ = await _room_on_screen(store)
    await login_as(client, other.judges[0], secret=settings.secret_key)
    assert (await client.get(f"/judge/r/{room.round.id}/live")).status_code == 404
    client.cookies.clear()
    await login_as(client, room.judges[0], secret=settings.secret_key)
    live = await client.get(f"/judge/r/{room.round.id}/live")
    assert live.status_code == 303 and live.headers["location"].endswith(f"/judge/r/{room.round.id}/{room.aliases[0]}")
    scoring = await client.get(live.headers["location"])
    assert scoring.status_code == 200 and 'data-page="' + room.aliases[0] + '|open|"' in scoring.text

    client.cookies.clear()
    stranger = await organiser_of(other.contest)
    await login_as(client, stranger, secret=settings.secret_key)
    token = await form_token(client, f"/admin/c/{other.contest.slug}/rounds/{other.round.id}/meeting")
    forged = await client.post(f"/admin/c/{room.contest.slug}/rounds/{room.round.id}/meeting/move",
                               data={"csrf_token": token, "position": "1"})
    assert forged.status_code == 404
    assert (await Round.get(id=room.round.id)).live_entry_id == room.entries[0].id


async def test_a_vote_of_another_meeting_cannot_be_confirmed_or_cast_through_this_one(client, settings, store):
    room, session = await _room_on_screen(store)
    other, other_session = await _room_on_screen(store)
    foreign = await GradeVote.create(session=other_session, entry=other.entries[0], choices=[other.tiers[0].id, 0],
                                     opened_at=NOW)
    chair = await organiser_of(room.contest)
    await login_as(client, chair, secret=settings.secret_key)
    base = f"/admin/c/{room.contest.slug}/rounds/{room.round.id}/meeting"
    token = await form_token(client, base)
    confirm = await client.post(f"{base}/votes/{foreign.id}/confirm", data={"csrf_token": token, "choice": "0"})
    assert confirm.status_code == 404
    client.cookies.clear()
    await ContestRole.create(contest=room.contest, user=room.judges[0], role=ContestRoleKind.JUDGE)
    token = await login_as(client, room.judges[0], secret=settings.secret_key)
    cast = await client.post(f"/judge/r/{room.round.id}/live/votes/{foreign.id}", data={"csrf_token": token,
                                                                                      "choice": "0"})
    assert cast.status_code == 404
    assert await foreign.ballots.all().count() == 0


async def test_the_chairs_page_and_the_judges_page_keep_their_sessions_alive_and_the_projector_has_none(
        client, settings, store):
    room, session = await _room_on_screen(store)
    keep_alive = 'src="/static/common/js/keep-alive.js'
    await login_as(client, await organiser_of(room.contest), secret=settings.secret_key)
    assert keep_alive in (await client.get(f"/admin/c/{room.contest.slug}/rounds/{room.round.id}/meeting")).text
    client.cookies.clear()
    await login_as(client, room.judges[0], secret=settings.secret_key)
    assert keep_alive in (await client.get(f"/judge/r/{room.round.id}/{room.aliases[0]}")).text
    client.cookies.clear()
    assert keep_alive not in (await client.get(f"/screen/{session.screen_token}")).text
