"""Paper at the final through HTTP: the chair enters a judge's paper sheet (CSRF, values kept on a refusal,
never over a submitted sheet), it shows as the chair's entry to organisers and to the judge, and the blank
sheets print each judge's entries by alias, never a name or a title."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest

from contest import clock
from contest.judging.models import Assignment, Conflict, ConflictSource, Round, Score
from contest.judging.scoring import complete_assignment, field_name, save_score
from contest.meeting import sessions
from tests.factories import NOW, login_as
from tests.meeting.builders import final_room, open_room
from tests.web.helpers import form_token, organiser_of

pytestmark = pytest.mark.web

REASON = "平板电脑没电，评委在纸上打分"


async def _room(*, opened: bool = True):
    room = await final_room(3)
    now = clock.now()  # the pages ask the real clock whether the round is open
    await Round.filter(id=room.round.id).update(opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1))
    if opened:
        session = await open_room(room)
        await sessions.move_to(session, await Round.get(id=room.round.id), 0, by=room.chair, now=NOW)
    return room


async def _as_chair(client, settings, room):
    chair = await organiser_of(room.contest)
    await login_as(client, chair, secret=settings.secret_key)
    return chair, f"/admin/c/{room.contest.slug}/rounds/{room.round.id}/meeting"


async def _assignment(room, judge):
    return await Assignment.get(round_id=room.round.id, entry_id=room.entries[0].id, judge_id=judge.id)


async def test_the_chair_enters_a_judges_paper_sheet_and_every_organisers_view_says_so(client, settings):
    room = await _room()
    judge = room.judges[1]
    chair, base = await _as_chair(client, settings, room)
    console = await client.get(base)
    assert f"{base}/paper/{judge.id}" in console.text
    form = await client.get(f"{base}/paper/{judge.id}")
    assert form.status_code == 200
    assert judge.display_name in form.text and room.aliases[0] in form.text and "0–10" in form.text
    token = await form_token(client, f"{base}/paper/{judge.id}")
    field = field_name(room.criterion.id)
    answer = await client.post(f"{base}/paper/{judge.id}", data={
        "csrf_token": token, "entry": str(room.entries[0].id), field: "7.5", "reason": REASON})
    assert answer.status_code == 303 and answer.headers["location"].endswith(base)

    stored = await _assignment(room, judge)
    assert (stored.completed_at is not None, stored.entered_by_id, stored.entered_reason) == (True, chair.id, REASON)
    assert await Score.filter(assignment_id=stored.id).values_list("value", flat=True) == [Decimal("7.50")]
    console = await client.get(base)
    assert "paper-mark" in console.text and REASON in console.text
    assert f"{base}/paper/{judge.id}" not in console.text  # nothing more to enter for that judge
    progress = await client.get(f"/admin/c/{room.contest.slug}/rounds/{room.round.id}/progress")
    assert 'id="paper-sheets"' in progress.text and REASON in progress.text and chair.display_name in progress.text

    client.cookies.clear()
    await login_as(client, judge, secret=settings.secret_key)
    own = await client.get(f"/judge/r/{room.round.id}/{room.aliases[0]}")
    assert own.status_code == 200 and 'id="paper-note"' in own.text
    assert chair.display_name in own.text and REASON in own.text


async def test_a_refused_sheet_keeps_what_was_typed_and_saves_nothing(client, settings):
    room = await _room()
    judge = room.judges[0]
    _, base = await _as_chair(client, settings, room)
    token = await form_token(client, f"{base}/paper/{judge.id}")
    field = field_name(room.criterion.id)
    answer = await client.post(f"{base}/paper/{judge.id}", data={
        "csrf_token": token, "entry": str(room.entries[0].id), field: "12", "reason": REASON})
    assert answer.status_code == 400
    assert 'value="12"' in answer.text and REASON in answer.text and f'id="e-{field}"' in answer.text
    blank = await client.post(f"{base}/paper/{judge.id}", data={
        "csrf_token": token, "entry": str(room.entries[0].id), field: "6", "reason": ""})
    assert blank.status_code == 400 and 'value="6"' in blank.text and 'id="e-reason"' in blank.text
    assert not await Score.filter(assignment__round_id=room.round.id).exists()


async def test_a_submitted_sheet_is_refused_with_a_message_and_the_typed_values_stay(client, settings):
    room = await _room()
    judge = room.judges[0]
    assignment = await _assignment(room, judge)
    await save_score(assignment, criterion=room.criterion, value=4, now=clock.now(), by=judge)
    await complete_assignment(assignment, now=clock.now(), by=judge)
    _, base = await _as_chair(client, settings, room)
    page = await client.get(f"{base}/paper/{judge.id}")
    assert 'id="paper-submitted"' in page.text and 'id="paper-submit"' not in page.text
    token = await form_token(client, base)
    field = field_name(room.criterion.id)
    answer = await client.post(f"{base}/paper/{judge.id}", data={
        "csrf_token": token, "entry": str(room.entries[0].id), field: "9", "reason": REASON})
    assert answer.status_code == 409 and 'id="paper-refusal"' in answer.text
    assert 'value="9"' in answer.text and REASON in answer.text
    assert await Score.filter(assignment_id=assignment.id).values_list("value", flat=True) == [Decimal("4.00")]
    assert (await _assignment(room, judge)).entered_by_id is None


async def test_without_the_form_token_nothing_is_entered_and_a_judge_finds_no_such_page(client, settings):
    room = await _room()
    judge = room.judges[0]
    _, base = await _as_chair(client, settings, room)
    field = field_name(room.criterion.id)
    forged = await client.post(f"{base}/paper/{judge.id}", data={
        "entry": str(room.entries[0].id), field: "9", "reason": REASON})
    assert forged.status_code == 403
    client.cookies.clear()
    token = await login_as(client, room.judges[1], secret=settings.secret_key)
    assert (await client.get(f"{base}/paper/{judge.id}")).status_code == 404
    by_judge = await client.post(f"{base}/paper/{judge.id}", data={
        "csrf_token": token, "entry": str(room.entries[0].id), field: "9", "reason": REASON})
    assert by_judge.status_code == 404
    assert (await client.get(f"{base}/score-sheets.pdf")).status_code == 404
    assert not await Score.filter(assignment__round_id=room.round.id).exists()


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


async def test_blank_sheets_list_each_judges_entries_by_alias_with_the_criteria_and_no_names(client, settings):
    room = await _room(opened=False)  # printed before the meeting opens
    await Conflict.create(contest=room.contest, judge=room.judges[2], entry=room.entries[1],
                          source=ConflictSource.ORGANISER, reason="同单位")
    _, base = await _as_chair(client, settings, room)
    response = await client.get(f"{base}/score-sheets.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pages = _pages(response.content)
    assert len(pages) == 3  # one page per judge of the panel
    for judge, text in zip(room.judges, pages, strict=True):
        assert judge.display_name in text and "纸质评分表" in text and room.contest.title in text
        assert "综合" in text and "0–10 分" in text and "权重 1" in text
        assert "评委签字" in text and "日期" in text
    assert [[alias in text for alias in room.aliases] for text in pages] == [
        [True, True, True], [True, True, True], [True, False, True]]  # the conflict leaves the third judge's sheet
    every = "".join(pages)
    for entry in room.entries:
        assert entry.public_name not in every and entry.title not in every and entry.number not in every
