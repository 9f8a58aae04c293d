from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from contest.accounts.models import ContestRole, ContestRoleKind
from contest.audit.log import record
from contest.audit.models import AuditEvent
from tests.factories import login_as, make_contest, make_user
from tests.sql import counting_queries

pytestmark = pytest.mark.web

JUNE_1 = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
JUNE_2 = datetime(2026, 6, 2, 17, 0, tzinfo=UTC)  # 01:00 on 3 June in Shanghai


async def a_log(client, settings):
    contest, other = await make_contest(), await make_contest()
    organiser = await make_user(display_name="王组委", email="wang@union.example.org")
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await record("entry.submit", subject="entry:12", now=JUNE_1, actor=organiser, contest_id=contest.id,
                 data={"title": "=HYPERLINK(\"x\")", "标题": "灯笼"})
    await record("round.lock", subject="round:3", now=JUNE_2, contest_id=contest.id)
    await record("entry.submit", subject="entry:99", now=JUNE_2, contest_id=other.id)
    await record("entry.withdraw", subject="entry:120", now=JUNE_2, actor=organiser, contest_id=contest.id)
    await login_as(client, organiser, secret=settings.secret_key)
    return contest


def chain_section(page) -> str:
    return re.search(r'id="chain-title">.*?</section>', page.text, re.DOTALL).group(0)


def seqs(page) -> list[str]:
    return re.findall(r'<td class="num">(\d+)</td>', page.text)


async def test_the_log_shows_this_contests_events_newest_first_and_the_chain_is_ok(client, settings):
    contest = await a_log(client, settings)
    page = await client.get(f"/admin/c/{contest.slug}/audit", headers={"accept-language": "en"})
    assert page.status_code == 200
    assert seqs(page) == ["4", "2", "1"]
    assert "Verify the whole chain now" in chain_section(page)
    verified = await client.get(f"/admin/c/{contest.slug}/audit?verify=1&subject=entry", headers={"accept-language": "en"})
    assert seqs(verified) == ["4", "1"]
    assert "OK: all 4 events of the whole log" in chain_section(verified)
    assert "灯笼" in page.text and "王组委" in page.text


@pytest.mark.parametrize(("query", "expected"), [
    ("action=entry.submit", ["1"]),
    ("actor=wang%40union", ["4", "1"]),
    ("actor=system", ["2"]),
    ("subject=entry", ["4", "1"]),
    ("subject=entry:12", ["1"]),
    ("since=2026-06-03", ["4", "2"]),
    ("until=2026-06-01", ["1"]),
    ("since=2026-06-02&until=2026-06-02", []),
])
async def test_each_filter_narrows_the_log(client, settings, query, expected):
    contest = await a_log(client, settings)
    assert seqs(await client.get(f"/admin/c/{contest.slug}/audit?{query}")) == expected


async def test_a_bad_date_is_explained_next_to_its_field(client, settings):
    contest = await a_log(client, settings)
    page = await client.get(f"/admin/c/{contest.slug}/audit?since=June&until=2026-06-01")
    assert page.status_code == 400
    assert 'id="e-since"' in page.text and 'value="June"' in page.text and seqs(page) == ["1"]


async def test_the_csv_export_has_the_filtered_events_in_chain_order(client, settings):
    contest = await a_log(client, settings)
    response = await client.get(f"/admin/c/{contest.slug}/audit.csv?actor=wang", headers={"accept-language": "en"})
    assert response.status_code == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    first_hash = await AuditEvent.get(seq=1).values_list("hash", flat=True)
    assert table[0] == ["No.", "Time", "Actor", "What happened", "Action", "Subject", "Details", "Hash"]
    assert table[1] == ["1", "2026-06-01T11:00:00+08:00", "王组委 <wang@union.example.org>",
                        'Recorded “entry.submit”: title: =HYPERLINK("x"); 标题: 灯笼.', "entry.submit", "entry:12",
                        '{"title": "=HYPERLINK(\\"x\\")", "标题": "灯笼"}', first_hash]
    assert [row[0] for row in table[1:]] == ["1", "4"]


async def test_a_csv_cell_that_looks_like_a_formula_stays_text(client, settings):
    contest = await a_log(client, settings)
    await record("entry.note", subject="-2+3", now=JUNE_2, contest_id=contest.id)
    response = await client.get(f"/admin/c/{contest.slug}/audit.csv?action=entry.note")
    [_, row] = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert (row[2], row[5]) == ("system", "'-2+3")


async def test_a_changed_event_anywhere_in_the_log_is_reported_with_its_number(client, settings):
    contest = await a_log(client, settings)
    await AuditEvent.filter(seq=3).update(subject="entry:100")  # another contest's event
    page = await client.get(f"/admin/c/{contest.slug}/audit?verify=1", headers={"accept-language": "en"})
    assert "Broken at event No. 3: the event was changed after it was written." in chain_section(page)


async def test_the_log_page_costs_the_same_queries_for_one_event_or_many(client, settings):
    contest = await a_log(client, settings)
    actor = await make_user()
    costs = []
    for _ in range(2):
        with counting_queries() as queries:
            assert (await client.get(f"/admin/c/{contest.slug}/audit")).status_code == 200
        costs.append(len(queries))
        for n in range(3):
            await record("entry.note", subject=f"entry:{n}", now=JUNE_2, actor=actor, contest_id=contest.id)
    assert costs[0] == costs[1]


async def test_a_long_log_pages_and_keeps_its_filters(client, settings):
    contest = await a_log(client, settings)
    for n in range(60):
        await record("score.saved", subject=f"assignment:{n}", now=JUNE_2, contest_id=contest.id)
    first = await client.get(f"/admin/c/{contest.slug}/audit?action=score.saved", headers={"accept-language": "en"})
    assert len(seqs(first)) == 50 and "Page 1 of 2" in first.text and 'rel="prev"' not in first.text
    [older] = re.findall(r'href="([^"]+)" rel="next"', first.text)
    assert "action=score.saved" in older and "page=2" in older
    second = await client.get(older.replace("&amp;", "&"), headers={"accept-language": "en"})
    assert len(seqs(second)) == 10 and "Page 2 of 2" in second.text
    assert 'rel="next"' not in second.text and re.search(r'href="[^"]*page=1[^"]*" rel="prev"', second.text)
