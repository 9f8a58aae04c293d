"""The AI label check page: organisers see the mismatching entries, linked to their entry pages; the home page links
to it beside the near-duplicate images."""

from __future__ import annotations

import pytest

from contest.accounts.models import ContestRole, ContestRoleKind
from tests.console.test_ai_flags import scene
from tests.factories import login_as, make_user

pytestmark = pytest.mark.web


async def test_organiser_sees_the_mismatching_entries_and_what_their_files_say(client, settings):
    contest, entries = await scene()
    organiser = await make_user()
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)
    page = await client.get(f"/admin/c/{contest.slug}/ai-flags", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert page.text.count('<tr class="ai-flag">') == 2
    for name in ("banned_generated", "disclose_undeclared"):
        entry = entries[name]
        assert f'<a href="/admin/c/{contest.slug}/entries/{entry.id}">{entry.number}</a>' in page.text
    assert "C2PA Adobe Firefly" in page.text and "IPTC trainedAlgorithmicMedia" in page.text
    assert "GB 45438 Label=1" in page.text and "Generator Midjourney" in page.text
    assert "禁止赛道" in page.text and "No AI use declared" in page.text
    home = await client.get("/admin/")
    assert f'href="/admin/c/{contest.slug}/ai-flags"' in home.text


async def test_a_judge_of_the_contest_does_not_see_it(client, settings):
    contest, _ = await scene()
    judge = await make_user()
    await ContestRole.create(contest=contest, user=judge, role=ContestRoleKind.JUDGE)
    await login_as(client, judge, secret=settings.secret_key)
    page = await client.get(f"/admin/c/{contest.slug}/ai-flags")
    assert page.status_code == 404
    assert "Adobe Firefly" not in page.text
