"""A contest's dashboard: entries by track, category and day as SVG charts with their figures as a table,
judge progress per round, and the cases waiting for the committee."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from contest.accounts.models import ContestRole, ContestRoleKind, EntrantCategory
from contest.contests.models import AwardTier
from contest.entries.states import EntryState, LeakStatus
from contest.judging.models import Assignment, Conflict, ConflictSource
from contest.results.models import Award, AwardStatus, Objection, ObjectionStatus
from contest.web.organiser.dashboard import column_chart, row_chart
from tests.factories import login_as, make_contest, make_track, make_user
from tests.judging.helpers import make_round, submitted_entry
from tests.sql import counting_queries

pytestmark = pytest.mark.web


def utc(day: int, hour: int) -> datetime:
    return datetime(2026, 5, day, hour, 0, tzinfo=UTC)


async def busy_contest():
    contest = await make_contest(time_zone="Asia/Shanghai")
    ip, product = await make_track(contest, name="工运IP赛道"), await make_track(contest, name="生活实用产品赛道")
    designer = await make_user()
    # 20:00 UTC on 1 May is 04:00 on 2 May in Shanghai
    await submitted_entry(contest, ip, designer, submitted_at=utc(1, 20), entrant_category=EntrantCategory.STUDENT)
    await submitted_entry(contest, ip, designer, submitted_at=utc(2, 3), entrant_category=EntrantCategory.STUDENT,
                          leak_status=LeakStatus.FLAGGED)
    await submitted_entry(contest, product, designer, submitted_at=utc(4, 3), entrant_category=EntrantCategory.MASTER)
    withdrawn = await submitted_entry(contest, product, designer, state=EntryState.WITHDRAWN, submitted_at=utc(4, 3))
    await submitted_entry(contest, product, designer, state=EntryState.DRAFT)
    judge = await make_user(display_name="评委")
    round_ = await make_round(contest, name="初评")
    entries = await contest.entries.filter(state=EntryState.SUBMITTED).order_by("id")
    await Assignment.create(round=round_, entry=entries[0], judge=judge, completed_at=utc(5, 1))
    await Assignment.create(round=round_, entry=entries[1], judge=judge)
    await Conflict.create(contest=contest, judge=judge, entry=entries[2], source=ConflictSource.DECLARED)
    for status in (ObjectionStatus.RECEIVED, ObjectionStatus.UNDER_REVIEW, ObjectionStatus.REJECTED):
        await Objection.create(contest=contest, entry=withdrawn, objector_name="王", objector_email="w@example.org",
                               body="抄袭", status=status)
    return contest


async def test_the_dashboard_counts_submitted_entries_and_open_cases(client, settings):
    client.headers["accept-language"] = "en"
    contest = await busy_contest()
    organiser = await make_user()
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)
    page = await client.get(f"/admin/c/{contest.slug}/")
    assert page.status_code == 200
    html = page.text
    assert re.search(r'<desc id="chart-track-desc">工运IP赛道: 2; 生活实用产品赛道: 1</desc>', html)
    assert re.search(r'<desc id="chart-category-desc">Professional team \(union, design agency, university\): 0; '
                     r"Worker: 0; Student: 2; Master creator[^:]*: 1</desc>", html)
    assert re.search(r'<desc id="chart-day-desc">05-02: 2; 05-03: 0; 05-04: 1</desc>', html)
    assert '<th scope="row">工运IP赛道</th><td>2</td>' in html
    assert re.search(r"初评</a></th>\s*<td>0</td>\s*<td>1 / 2</td>", html)
    cases = re.findall(r'<span class="stat-value">(\d+)</span><span class="stat-label">(?:<a [^>]*>)?([^<]+)<',
                       html.split('id="cases-title"')[1])
    assert cases == [("2", "Open objections"), ("0", "Near-duplicate image pairs"), ("1", "Held by the leak check"),
                     ("1", "Conflicts of interest")]


async def test_the_dashboard_is_hidden_from_judges_and_other_contests_organisers(client, settings):
    contest, other = await make_contest(), await make_contest()
    organiser = await make_user()
    await ContestRole.create(contest=other, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)
    assert (await client.get(f"/admin/c/{contest.slug}/")).status_code == 404
    assert (await client.get(f"/admin/c/{other.slug}/")).status_code == 200


def test_row_chart_scales_bars_to_the_largest_value():
    chart = row_chart([("甲", 4), ("乙", 2), ("丙", 0)])
    assert [(bar.offset, bar.length) for bar in chart.bars] == [(0, 380.0), (28, 190.0), (56, 0.0)]
    assert (chart.height, chart.total) == (84, 6)
    assert [bar.length for bar in row_chart([("甲", 0)]).bars] == [0.0]


def test_column_chart_labels_at_most_eight_days():
    chart = column_chart([(f"05-{d:02d}", d) for d in range(1, 31)])
    assert [bar.label for bar in chart.bars if bar.labelled] == ["05-01", "05-05", "05-09", "05-13", "05-17",
                                                                 "05-21", "05-25", "05-29"]
    assert chart.bars[-1].length == 160.0


@pytest.mark.parametrize("item_count", [1, 3])
async def test_the_dashboard_makes_the_same_queries_however_big_the_contest(client, settings, item_count):
    contest = await make_contest()
    designer = await make_user()
    for n in range(item_count):
        track = await make_track(contest)
        entry = await submitted_entry(contest, track, designer, submitted_at=utc(n + 1, 3))
        await make_round(contest, name=f"第{n}轮", position=n + 1)
        tier = await AwardTier.create(contest=contest, track=track, name="一等奖", prize_fen=100_000)
        await Award.create(contest=contest, tier=tier, entry=entry, status=AwardStatus.CONFIRMED)
    organiser = await make_user()
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)
    with counting_queries() as queries:
        page = await client.get(f"/admin/c/{contest.slug}/")
    assert page.status_code == 200
    assert len(queries) == 22  # 17, and the prize payouts' awards with their tiers, entries, tracks and payees
