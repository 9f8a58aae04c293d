"""The audit chain's head is published: on the results page as it stood at the announcement, and on the audit page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind
from contest.audit.log import record
from contest.audit.models import AuditEvent
from tests.factories import login_as, make_contest, make_user
from tests.results.gallery_builders import announced

pytestmark = pytest.mark.web

HEAD = re.compile(r"<code[^>]*>(\d+:[0-9a-f]{64})</code>")


async def test_the_results_page_publishes_the_head_as_it_stood_at_the_announcement(client):
    contest = await announced()
    for days in (3, 2, 0):  # two events before the announcement (a day ago), one after
        await record("entry.note", subject="entry:1", now=clock.now() - timedelta(days=days), contest_id=contest.id)
    second = await AuditEvent.get(seq=2)
    page = await client.get(f"/c/{contest.slug}/results")
    assert (page.status_code, HEAD.findall(page.text)) == (200, [f"2:{second.hash}"])
    assert "第 2 号事件" in page.text


async def test_an_organisers_preview_before_the_announcement_publishes_no_head(client, settings):
    contest = await make_contest(announce_at=clock.now() + timedelta(days=1))
    await record("entry.note", subject="entry:1", now=clock.now(), contest_id=contest.id)
    organiser = await make_user()
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)
    preview = await client.get(f"/c/{contest.slug}/results")
    assert (preview.status_code, HEAD.findall(preview.text)) == (200, [])
    audit = await client.get(f"/admin/c/{contest.slug}/audit")
    assert (audit.status_code, HEAD.findall(audit.text)) == (200, [f"1:{(await AuditEvent.get(seq=1)).hash}"])
