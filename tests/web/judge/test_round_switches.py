"""The round's switches as a judge meets them: others' scores (never / after their own / always) and
"judges see only the entries assigned to them" switched off (the whole of their panel's track)."""

from __future__ import annotations

import re

import pytest

from contest import clock
from contest.entries.states import LeakStatus
from contest.judging import scoring
from contest.judging.models import Assignment, Conflict, OthersScores, Panel, PanelMember, Round, RoundEntry, Score
from tests.factories import login_as, make_track
from tests.judging.helpers import submitted_entry
from tests.web.judge import build_scene, main_of, score_path

pytestmark = pytest.mark.web

OTHERS = re.compile(r'<section class="others-scores".*?</section>', re.DOTALL)
CELL = re.compile(r"<td>([^<]*)</td>")


@pytest.fixture
async def scene(app, db):
    return await build_scene(app.state.store)


async def _switch(scene, **switches):
    await Round.filter(id=scene.round_.id).update(**switches)
    scene.round_ = await Round.get(id=scene.round_.id)


async def _score(scene, judge, entry, values, *, submit):
    assignment = await Assignment.get(round=scene.round_, judge=judge, entry=entry)
    for criterion, value in zip(scene.criteria, values, strict=True):
        await scoring.save_score(assignment, criterion=criterion, value=value, now=clock.now(), by=judge)
    if submit:
        await scoring.complete_assignment(assignment, now=clock.now(), by=judge)


async def _others_on_page(client, scene, n=1):
    """The other judges' values shown on the judge's page of entry n, or None without the section."""
    page = await client.get(score_path(scene, n))
    assert page.status_code == 200
    found = OTHERS.search(page.text)
    return None if found is None else CELL.findall(found.group(0))


# --- others' scores ------------------------------------------------------------------------------


async def test_others_scores_never_shows_them(client, settings, scene):
    await _score(scene, scene.conflicted, scene.entries[1], ["7", "4"], submit=True)
    await _score(scene, scene.judge, scene.entries[1], ["5", "3"], submit=True)
    await login_as(client, scene.judge, secret=settings.secret_key)
    assert await _others_on_page(client, scene) is None


async def test_others_scores_after_own_shows_them_once_the_judge_submitted(client, settings, scene):
    await _switch(scene, judges_see_others_scores=OthersScores.AFTER_OWN)
    await _score(scene, scene.conflicted, scene.entries[1], ["7", "4"], submit=True)
    token = await login_as(client, scene.judge, secret=settings.secret_key)
    assert await _others_on_page(client, scene) is None
    await _score(scene, scene.judge, scene.entries[1], ["5", "3"], submit=False)
    assert await _others_on_page(client, scene) is None  # scored, not yet submitted
    done = await client.post(score_path(scene, 1) + "/complete", data={"csrf_token": token})
    assert done.status_code == 303
    assert await _others_on_page(client, scene) == ["7", "4"]
    assert await _others_on_page(client, scene, 0) is None  # entry one: not submitted there


async def test_others_scores_always_shows_submitted_ones_only(client, settings, scene):
    await _switch(scene, judges_see_others_scores=OthersScores.ALWAYS)
    await _score(scene, scene.conflicted, scene.entries[1], ["7.5", "4"], submit=False)
    await login_as(client, scene.judge, secret=settings.secret_key)
    assert await _others_on_page(client, scene) == []  # a draft is not shown
    await scoring.complete_assignment(await Assignment.get(judge=scene.conflicted, entry=scene.entries[1]),
                                      now=clock.now(), by=scene.conflicted)
    assert await _others_on_page(client, scene) == ["7.5", "4"]


async def test_others_scores_leave_out_a_judge_in_conflict(client, settings, scene):
    await _switch(scene, judges_see_others_scores=OthersScores.ALWAYS)
    await _score(scene, scene.judge, scene.entries[0], ["9", "5"], submit=True)
    stale = await Assignment.get(judge=scene.conflicted, entry=scene.entries[0])  # scored before the conflict
    for criterion in scene.criteria:
        await Score.create(assignment=stale, criterion=criterion, value=2, updated_at=clock.now())
    await Assignment.filter(id=stale.id).update(completed_at=clock.now())
    await _score(scene, scene.conflicted, scene.entries[1], ["7", "4"], submit=True)
    await login_as(client, scene.judge, secret=settings.secret_key)
    assert await _others_on_page(client, scene, 0) == []
    await _score(scene, scene.judge, scene.entries[1], ["5", "3"], submit=True)
    assert await _others_on_page(client, scene, 1) == ["7", "4"]


# --- judges see only assigned: off ---------------------------------------------------------------


async def _panel_tracks(scene):
    """Panel A takes the scene's track; a second track with one entry belongs to panel B."""
    track = await scene.entries[0].track
    second = await make_track(await scene.round_.contest, name="潮玩老字号")
    extra = await submitted_entry(await scene.round_.contest, second, title="老字号新玩")
    await RoundEntry.create(round=scene.round_, entry=extra, alias="KWD-3PX")
    panel_a = await Panel.get(members__judge=scene.judge)
    await Panel.filter(id=panel_a.id).update(track=track)
    await Panel.filter(members__judge=scene.other_judge).update(track=second)
    return panel_a, extra


def _queue_aliases(html):
    return re.findall(r'<span class="alias">([^<]+)</span>', html)


async def test_with_only_assigned_off_a_judge_sees_and_scores_their_panels_whole_track(client, settings, scene):
    panel_a, _ = await _panel_tracks(scene)
    await _switch(scene, judges_see_only_assigned=False)
    token = await login_as(client, scene.judge, secret=settings.secret_key)
    queue = await client.get(f"/judge/r/{scene.round_.id}")
    assert sorted(_queue_aliases(queue.text)) == sorted(scene.aliases)  # not KWD-3PX: panel B's track
    assert "0 / 3" in queue.text
    unassigned = score_path(scene, 2)
    assert (await client.get(unassigned)).status_code == 200
    assert (await client.get(unassigned + "/1.webp")).status_code == 404  # entry three has no images
    assert not await Assignment.filter(judge=scene.judge, entry=scene.entries[2]).exists()  # a GET changes nothing
    field = f"criterion_{scene.criteria[0].id}"
    saved = await client.post(unassigned + "/scores", data={field: "6"},
                              headers={"accept": "application/json", "x-csrf-token": token})
    assert (saved.status_code, saved.json()) == (200, {"saved": {field: "6"}, "scored": 0, "total": 3})
    taken = await Assignment.get(judge=scene.judge, entry=scene.entries[2])
    assert (taken.panel_id, await Score.filter(assignment=taken).values_list("value", flat=True)) == (
        panel_a.id, [6])


async def test_with_only_assigned_off_another_panels_track_is_the_same_404(client, settings, scene):
    await _panel_tracks(scene)
    await _switch(scene, judges_see_only_assigned=False)
    token = await login_as(client, scene.judge, secret=settings.secret_key)
    theirs, missing = f"/judge/r/{scene.round_.id}/KWD-3PX", f"/judge/r/{scene.round_.id}/ZZZ-999"
    for suffix in ("", "/conflict"):
        a, b = await client.get(theirs + suffix), await client.get(missing + suffix)
        assert (a.status_code, main_of(a.text, theirs + suffix)) == (404, main_of(b.text, missing + suffix))
    field = f"criterion_{scene.criteria[0].id}"
    headers = {"accept": "application/json", "x-csrf-token": token}
    a = await client.post(theirs + "/scores", data={field: "5"}, headers=headers)
    b = await client.post(missing + "/scores", data={field: "5"}, headers=headers)
    assert (a.status_code, a.text) == (404, b.text)
    assert not await Assignment.filter(judge=scene.judge, entry__title="老字号新玩").exists()


async def test_with_only_assigned_off_conflicts_and_held_entries_leave_no_trace(client, settings, scene):
    await _panel_tracks(scene)
    await _switch(scene, judges_see_only_assigned=False)
    await login_as(client, scene.conflicted, secret=settings.secret_key)
    path = f"/judge/r/{scene.round_.id}"
    with_them = main_of((await client.get(path)).text, path)
    assert sorted(_queue_aliases(with_them)) == sorted(scene.aliases[1:])
    assert (await client.get(score_path(scene, 0))).status_code == 404
    held = await submitted_entry(await scene.round_.contest, await scene.entries[0].track, leak_status=LeakStatus.FLAGGED)
    await RoundEntry.create(round=scene.round_, entry=held, alias="HLD-7TT")
    with_held = main_of((await client.get(path)).text, path)
    await RoundEntry.filter(entry_id__in=[scene.entries[0].id, held.id]).delete()
    without_them = main_of((await client.get(path)).text, path)
    assert with_them == with_held == without_them


async def test_with_only_assigned_off_a_judge_taken_off_the_panel_sees_nothing(client, settings, scene):
    await _panel_tracks(scene)
    await _switch(scene, judges_see_only_assigned=False)
    await PanelMember.filter(judge=scene.judge).delete()
    await Assignment.filter(judge=scene.judge, round=scene.round_).delete()
    await login_as(client, scene.judge, secret=settings.secret_key)
    assert (await client.get(f"/judge/r/{scene.round_.id}")).status_code == 404
    assert (await client.get(score_path(scene, 2))).status_code == 404


async def test_with_only_assigned_off_a_conflict_on_an_unassigned_entry_takes_it_out(client, settings, scene):
    await _panel_tracks(scene)
    await _switch(scene, judges_see_only_assigned=False)
    token = await login_as(client, scene.judge, secret=settings.secret_key)
    declared = await client.post(score_path(scene, 2) + "/conflict", data={"csrf_token": token, "reason": "学生"})
    assert declared.status_code == 303
    assert (await Conflict.get(judge=scene.judge, entry=scene.entries[2])).reason == "学生"
    assert not await Assignment.filter(judge=scene.judge, entry=scene.entries[2]).exists()
    queue = await client.get(f"/judge/r/{scene.round_.id}")
    assert sorted(_queue_aliases(queue.text)) == sorted(scene.aliases[:2])
    assert (await client.get(score_path(scene, 2))).status_code == 404
