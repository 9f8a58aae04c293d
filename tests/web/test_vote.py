"""The popular vote through the site: verification by code, voting within the quota, each visitor's
own order, candidate images only while the vote runs, the organisers' page and the public summary."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import httpx
import pytest

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind
from contest.audit.models import AuditEvent
from contest.judging.models import Round, RoundEntry
from contest.notifications.models import OutboxMessage
from contest.notifications.outbox import outgoing
from contest.results.models import Vote, Voter
from tests.factories import login_as, make_contest, make_track, make_user
from tests.judging.helpers import make_round, submitted_entry
from tests.results.gallery_builders import add_image
from tests.web.helpers import TOKEN_PATTERN, form_token

pytestmark = pytest.mark.web

CANDIDATE = re.compile(r'id="c-([0-9a-f]{16})"')


async def open_vote(*, quota: int = 3, entries: int = 3, opens: timedelta = -timedelta(days=1)):
    """A contest whose final round (and so its vote) runs now, with `entries` finalists."""
    now = clock.now()
    contest = await make_contest(popular_vote_enabled=True, popular_vote_daily_quota=quota,
                                 submissions_open_at=now - timedelta(days=30),
                                 submissions_close_at=now - timedelta(days=10), announce_at=now + timedelta(days=20))
    track = await make_track(contest, name="生活实用产品赛道")
    final = await make_round(contest, kind="final", name="终评", opens_at=now + opens, closes_at=now + timedelta(days=2),
                             secret="final-secret")
    for n in range(entries):
        entry = await submitted_entry(contest, track, title=f"入围作品{n}", public_name=f"设计师{n}")
        await RoundEntry.create(round=final, entry=entry, alias=f"FIN-{n:03d}")
    return contest, final


def vote_url(contest, tail: str = "") -> str:
    return f"/c/{contest.slug}/vote{tail}"


async def become_voter(client: httpx.AsyncClient, contest, email: str) -> str:
    """Verify `email` through the forms, as a visitor does; returns the page's form token."""
    token = await form_token(client, vote_url(contest))
    sent = await client.post(vote_url(contest, "/code"), data={"csrf_token": token, "email": email})
    assert sent.status_code == 200 and 'name="code"' in sent.text
    body = outgoing(await OutboxMessage.filter(to_email=email, kind="vote_code").order_by("-id").first())[1]
    code = re.search(r"\b(\d{6})\b", body).group(1)
    verified = await client.post(vote_url(contest, "/verify"), data={"csrf_token": token, "email": email, "code": code})
    assert verified.status_code == 303
    return await form_token(client, vote_url(contest))


async def cast(client, contest, token: str, key: str) -> httpx.Response:
    return await client.post(vote_url(contest, "/cast"), data={"csrf_token": token, "candidate": key})


async def test_a_contest_without_a_vote_has_no_vote_pages(client):
    contest = await make_contest()
    for path in (vote_url(contest), vote_url(contest, "/img/0/0-thumb.webp")):
        assert (await client.get(path)).status_code == 404


async def test_before_the_vote_opens_no_finalist_is_shown(client):
    contest, _ = await open_vote(opens=timedelta(hours=3))
    page = await client.get(vote_url(contest))
    assert page.status_code == 200
    assert CANDIDATE.findall(page.text) == [] and "finalists-title" not in page.text


async def test_a_visitor_verifies_by_code_then_votes_up_to_the_daily_quota(client):
    contest, _ = await open_vote(quota=2)
    anonymous = await client.get(vote_url(contest))
    assert anonymous.headers["cache-control"] == "no-store"
    assert 'name="candidate"' not in anonymous.text  # no vote buttons before verification
    token = await become_voter(client, contest, "fan@example.com")
    keys = CANDIDATE.findall((await client.get(vote_url(contest))).text)
    assert len(keys) == 3
    first = await cast(client, contest, token, keys[0])
    assert first.status_code == 303 and first.headers["location"].endswith(f"#c-{keys[0]}")
    await cast(client, contest, token, keys[1])
    refused = await cast(client, contest, token, keys[2])
    assert refused.status_code == 303
    page = await client.get(vote_url(contest))
    assert "您今天的票数已用完" in page.text
    assert 'name="candidate"' not in page.text and page.text.count("badge-announced") == 2
    voter = await Voter.get(contest=contest, email="fan@example.com")
    assert await Vote.filter(voter=voter).count() == 2
    assert set(await Vote.filter(voter=voter).values_list("ip", flat=True)) == {"127.0.0.1"}


async def test_finalists_show_no_counts_and_no_names_while_judges_score_blind(client):
    contest, final = await open_vote()
    token = await become_voter(client, contest, "fan@example.com")
    keys = CANDIDATE.findall((await client.get(vote_url(contest))).text)
    await cast(client, contest, token, keys[0])
    page = (await client.get(vote_url(contest))).text
    assert "设计师" not in page and "Votes counted" not in page
    await Round.filter(id=final.id).update(judges_see_identity=True)
    assert "设计师0" in (await client.get(vote_url(contest))).text


async def test_a_wrong_code_is_shown_by_its_field_and_makes_nobody_a_voter(client):
    contest, _ = await open_vote()
    token = await form_token(client, vote_url(contest))
    await client.post(vote_url(contest, "/code"), data={"csrf_token": token, "email": "fan@example.com"})
    answer = await client.post(vote_url(contest, "/verify"),
                               data={"csrf_token": token, "email": "fan@example.com", "code": "12345x"})
    assert answer.status_code == 400
    assert re.search(r'id="f-code"[^>]*aria-invalid="true"', answer.text) and 'id="e-code"' in answer.text
    assert "contest_vote" not in answer.headers.get("set-cookie", "")
    assert await Voter.filter(verified_at__isnull=False).count() == 0


async def test_a_bad_address_is_shown_by_its_field_and_sends_nothing(client):
    contest, _ = await open_vote()
    token = await form_token(client, vote_url(contest))
    answer = await client.post(vote_url(contest, "/code"), data={"csrf_token": token, "email": "fan.example.com"})
    assert answer.status_code == 400 and 'id="e-email"' in answer.text and 'value="fan.example.com"' in answer.text
    assert await OutboxMessage.all().count() == 0


async def test_each_voter_has_an_own_order_that_stays(app, client):
    contest, _ = await open_vote(entries=8)
    await become_voter(client, contest, "a@example.com")
    orders = [CANDIDATE.findall((await client.get(vote_url(contest))).text) for _ in range(3)]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as other:
        await become_voter(other, contest, "b@example.com")
        theirs = CANDIDATE.findall((await other.get(vote_url(contest))).text)
    assert orders[0] == orders[1] == orders[2]
    assert sorted(theirs) == sorted(orders[0]) and theirs != orders[0]


async def test_a_forged_or_foreign_voter_cookie_votes_nothing(client):
    contest, _ = await open_vote()
    other_contest, _ = await open_vote()
    await become_voter(client, other_contest, "fan@example.com")
    foreign = next(c for c in client.cookies.jar if c.name == "contest_vote")
    token = await form_token(client, vote_url(contest))
    keys = CANDIDATE.findall((await client.get(vote_url(contest))).text)
    voter = await Voter.get(email="fan@example.com")
    for value in (foreign.value, f"{voter.id}.1.{'0' * 64}"):
        client.cookies.set("contest_vote", value, domain="testserver.local", path=vote_url(contest))
        answer = await cast(client, contest, token, keys[0])
        assert answer.status_code == 303
        assert 'name="email"' in (await client.get(vote_url(contest))).text  # asked to verify, not a voter
    assert await Vote.all().count() == 0


async def test_concurrent_votes_through_the_site_stop_at_the_quota(client):
    contest, _ = await open_vote(quota=2, entries=6)
    token = await become_voter(client, contest, "fan@example.com")
    keys = CANDIDATE.findall((await client.get(vote_url(contest))).text)
    answers = await asyncio.gather(*(cast(client, contest, token, key) for key in keys))
    assert all(a.status_code == 303 for a in answers)
    assert await Vote.all().count() == 2


async def organiser_of(client, settings, contest) -> str:
    organiser = await make_user()
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    return await login_as(client, organiser, secret=settings.secret_key)


async def stuff(contest, final, *, voters: int = 10) -> None:
    """`voters` verified voters behind one address, each with one vote for the first finalist."""
    entry_id = (await RoundEntry.filter(round=final).order_by("id").first()).entry_id
    now = clock.now()
    for n in range(voters):
        voter = await Voter.create(contest=contest, email=f"x{n}q@example.com", verified_at=now)
        await Vote.create(voter=voter, entry_id=entry_id, day=now.date(), ip="203.0.113.5",
                          created_at=now - timedelta(minutes=n * 7))


async def test_organisers_see_counts_and_clusters_and_void_one_with_a_note(client, settings):
    contest, final = await open_vote()
    await stuff(contest, final)
    token = await organiser_of(client, settings, contest)
    page = await client.get(f"/admin/c/{contest.slug}/vote")
    assert page.status_code == 200 and "203.0.113.5" in page.text
    form = re.search(r'name="rule" value="(\w+)">\s*<input type="hidden" name="key" value="([^"]+)">\s*'
                     r'<input type="hidden" name="votes" value="([\d,]+)">', page.text)
    rule, key, votes = form.groups()
    answer = await client.post(f"/admin/c/{contest.slug}/vote/void",
                               data={"csrf_token": token, "rule": rule, "key": key, "votes": votes, "note": "同一网吧"})
    assert answer.status_code == 303
    assert await Vote.filter(voided=True, void_reason="shared_address").count() == 10
    event = await AuditEvent.get(action="vote.voided")
    assert event.data["key"] == "203.0.113.5" and event.data["note"] == "同一网吧"
    again = await client.post(f"/admin/c/{contest.slug}/vote/void",
                              data={"csrf_token": token, "rule": rule, "key": key, "votes": votes})
    assert again.status_code == 409 and "未作废任何投票" in again.text
    assert await AuditEvent.filter(action="vote.voided").count() == 1


async def test_after_the_vote_the_public_sees_what_was_voided_and_why_but_nothing_personal(client):
    contest, final = await open_vote()
    await stuff(contest, final)
    await Vote.filter(ip="203.0.113.5").update(voided=True, void_reason="shared_address")
    await Round.filter(id=final.id).update(closes_at=clock.now() - timedelta(seconds=1))
    page = await client.get(vote_url(contest))
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "大量投票人来自同一网络地址" in page.text
    assert re.search(r"作废票数</dt><dd class=\"stat-value\">10<", page.text)
    assert "203.0.113" not in page.text and "example.com" not in page.text
    assert CANDIDATE.findall(page.text) == [] and TOKEN_PATTERN.search(page.text) is None


async def test_candidate_images_are_served_only_while_the_vote_is_open(app, client):
    contest, final = await open_vote(entries=1)
    finalist = (await RoundEntry.get(round=final).prefetch_related("entry")).entry
    image = await add_image(finalist, app.state.store, cover=True)
    page = await client.get(vote_url(contest))
    src = re.search(r'<img class="card-media" src="([^"]+)"', page.text).group(1)
    assert image.key in src and 'loading="eager"' in page.text
    served = await client.get(src)
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert served.headers["cache-control"] == "public, max-age=600"
    outsider = await submitted_entry(contest, await make_track(contest), title="未入围")
    other = await add_image(outsider, app.state.store)
    digest = other.derivatives["thumb.jpeg"]["sha256"][:16]
    assert (await client.get(vote_url(contest, f"/img/{digest}/{other.key}-thumb.jpeg"))).status_code == 404
    await Round.filter(id=final.id).update(locked_at=clock.now())
    assert (await client.get(src)).status_code == 404
