"""The organiser's judging console through HTTP: set up a round, take in and assign entries, follow
progress, remind, record conflicts, read the explained results, advance the top N, lock, export."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind
from contest.judging.models import (
    Assignment,
    Conflict,
    Criterion,
    JudgeGroup,
    Panel,
    PanelMember,
    Round,
    RoundEntry,
    Score,
)
from contest.notifications.models import OutboxMessage
from contest.results import bundle
from tests.factories import login_as, make_contest, make_track, make_user
from tests.judging.helpers import make_judge, submitted_entry

pytestmark = pytest.mark.web


@dataclass
class Console:
    contest: object
    track: object
    organiser: object
    judges: list
    group: object
    entries: list
    token: str

    def path(self, suffix: str = "") -> str:
        return f"/admin/c/{self.contest.slug}/rounds{suffix}"


async def console(client, settings) -> Console:
    now = clock.now()
    contest = await make_contest(submissions_open_at=now - timedelta(days=20), submissions_close_at=now - timedelta(days=2),
                                 time_zone="UTC")
    track = await make_track(contest)
    organiser = await make_user(display_name="组委会")
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    judges = [await make_judge(display_name=f"评委{n}") for n in range(3)]
    for judge in judges:
        await ContestRole.create(contest=contest, user=judge, role=ContestRoleKind.JUDGE)
    group = await JudgeGroup.create(contest=contest, name="专家", weight=0.7)
    entries = [await submitted_entry(contest, track, title=f"作品{n}", number=f"T-{n:04d}") for n in range(3)]
    token = await login_as(client, organiser, secret=settings.secret_key)
    return Console(contest, track, organiser, judges, group, entries, token)


def window(days_from: int, days_to: int) -> dict[str, str]:
    now = clock.now()
    return {"opens_at": (now + timedelta(days=days_from)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=days_to)).strftime("%Y-%m-%dT%H:%M")}


ROUND_FORM = {"kind": "preliminary", "name": "初评", "entry_source": "all_eligible", "assignment_mode": "whole_panel",
              "judges_per_entry": "3", "method": "mean", "judges_see_others_scores": "never", "judges_may_score": "1",
              "judges_see_only_assigned": "1"}


async def post(client, c: Console, suffix: str, data: dict | None = None):
    return await client.post(c.path(suffix), data={"csrf_token": c.token, **(data or {})})


async def set_up_round(client, c: Console) -> Round:
    created = await post(client, c, "/new", {**ROUND_FORM, **window(-1, 5)})
    assert created.status_code == 303, created.text
    round_ = await Round.get(contest=c.contest)
    assert created.headers["location"].endswith(f"/rounds/{round_.id}")
    for name, weight in (("创意", "2"), ("工艺", "1")):
        added = await post(client, c, f"/{round_.id}/criteria",
                           {"name": name, "weight": weight, "scale_min": "0", "scale_max": "10", "guidance": "看新意"})
        assert added.status_code == 303, added.text
    assert (await post(client, c, f"/{round_.id}/panels", {"name": "主评审组", "track": str(c.track.id)})).status_code == 303
    panel = await Panel.get(round=round_)
    for judge in c.judges:
        added = await post(client, c, f"/{round_.id}/panels/{panel.id}/members", {"judge": str(judge.id),
                                                                                   "group": str(c.group.id)})
        assert added.status_code == 303, added.text
    assert (await post(client, c, f"/{round_.id}/entries")).status_code == 303
    assert (await post(client, c, f"/{round_.id}/assign")).status_code == 303
    return round_


async def test_an_organiser_sets_up_a_round_through_the_forms(client, settings, db):
    c = await console(client, settings)
    round_ = await set_up_round(client, c)
    assert [cr.name for cr in await Criterion.filter(round=round_)] == ["创意", "工艺"]
    assert await PanelMember.filter(panel__round=round_, group=c.group).count() == 3
    assert await RoundEntry.filter(round=round_).count() == 3
    assert await Assignment.filter(round=round_).count() == 9
    page = await client.get(c.path(f"/{round_.id}"))
    assert page.status_code == 200
    assert "创意" in page.text and "主评审组" in page.text and "评委2" in page.text
    listing = await client.get(c.path())
    assert "初评" in listing.text and "0 / 9" in listing.text


async def test_a_bad_round_form_keeps_the_input_marks_the_fields_and_saves_nothing(client, settings, db):
    c = await console(client, settings)
    answer = await post(client, c, "/new", {**ROUND_FORM, "name": "", "judges_per_entry": "0",
                                             **window(-1, 5), "closes_at": "not a date"})
    assert answer.status_code == 400
    assert answer.text.count('aria-invalid="true"') == 3
    assert 'value="preliminary" selected' in answer.text
    assert not await Round.filter(contest=c.contest).exists()


async def test_a_round_closing_before_submissions_close_is_explained(client, settings, db):
    c = await console(client, settings)
    answer = await post(client, c, "/new", {**ROUND_FORM, **window(-10, -3)})
    assert answer.status_code == 400 and 'id="e-closes_at"' in answer.text
    assert not await Round.exists()


async def test_changing_a_scored_round_asks_to_confirm_first(client, settings, db):
    c = await console(client, settings)
    round_ = await set_up_round(client, c)
    assignment = await Assignment.filter(round=round_).first()
    criterion = await Criterion.filter(round=round_).first()
    await Score.create(assignment=assignment, criterion=criterion, value=5, updated_at=clock.now())
    changed = {**ROUND_FORM, **window(-1, 5), "method": "zscore"}
    asked = await post(client, c, f"/{round_.id}/settings", changed)
    assert asked.status_code == 409 and 'name="confirm"' in asked.text
    assert (await Round.get(id=round_.id)).method == "mean"
    done = await post(client, c, f"/{round_.id}/settings", {**changed, "confirm": "1"})
    assert done.status_code == 303
    assert (await Round.get(id=round_.id)).method == "zscore"


async def test_the_progress_matrix_reminders_and_a_conflict_by_alias(client, settings, db):
    c = await console(client, settings)
    round_ = await set_up_round(client, c)
    first = await Assignment.filter(round=round_, judge=c.judges[0]).order_by("entry_id").first()
    await Assignment.filter(id=first.id).update(completed_at=clock.now())
    page = await client.get(c.path(f"/{round_.id}/progress"))
    assert page.status_code == 200
    assert page.text.count('class="cell cell-complete" title') == 1 and page.text.count('class="cell cell-assigned" title') == 8
    assert (await post(client, c, f"/{round_.id}/reminders")).status_code == 303
    reminders = await OutboxMessage.filter(kind="reminder").order_by("to_email").values_list("to_email", "body_text")
    assert sorted(e for e, _ in reminders) == sorted(j.email for j in c.judges)
    assert all(f"/judge/r/{round_.id}" in body for _, body in reminders)
    alias = await RoundEntry.get(round=round_, entry=c.entries[1]).values_list("alias", flat=True)
    refused = await post(client, c, f"/{round_.id}/conflicts", {"judge": str(c.judges[1].id), "entry": "ZZZ-999",
                                                                 "reason": "同单位"})
    assert refused.status_code == 400 and 'id="e-entry"' in refused.text
    recorded = await post(client, c, f"/{round_.id}/conflicts", {"judge": str(c.judges[1].id), "entry": alias.lower(),
                                                                  "reason": "同单位"})
    assert recorded.status_code == 303
    assert await Conflict.filter(judge=c.judges[1], entry=c.entries[1], source="organiser").exists()
    assert not await Assignment.filter(judge=c.judges[1], entry=c.entries[1]).exists()


async def _score_everything(round_, judges, values):
    criteria = await Criterion.filter(round=round_).order_by("position")
    for judge, per_entry in zip(judges, values, strict=True):
        for entry_id, value in per_entry.items():
            assignment = await Assignment.get(round=round_, judge=judge, entry_id=entry_id)
            for criterion in criteria:
                await Score.create(assignment=assignment, criterion=criterion, value=value, updated_at=clock.now())


async def test_results_advance_by_confirmed_proposal_then_lock_and_export(client, settings, db):
    c = await console(client, settings)
    round_ = await set_up_round(client, c)
    e0, e1, e2 = (e.id for e in c.entries)
    await _score_everything(round_, c.judges, [{e0: 9, e1: 6, e2: 3}, {e0: 8, e1: 7, e2: 2}, {e0: 10, e1: 5, e2: 4}])
    page = await client.get(c.path(f"/{round_.id}/results"))
    assert page.status_code == 200
    assert "90.00" in page.text  # entry 0: judges' totals 90, 80, 100 → mean 90
    assert re.search(r"<td>1</td>\s*<td><span class=\"alias\">", page.text)
    proposal = await post(client, c, f"/{round_.id}/advance", {"n": "2", "scope": "track"})
    assert proposal.status_code == 200 and ("确认" in proposal.text or "Confirm" in proposal.text)
    assert not await RoundEntry.filter(round=round_, advanced=True).exists()  # a proposal saves nothing
    token = re.search(r'name="proposal" value="([0-9,]*)"', proposal.text).group(1)
    assert token == f"{e0},{e1}"
    await Score.filter(assignment__entry_id=e2).update(value=10)  # the figures move before confirming
    moved = await post(client, c, f"/{round_.id}/advance/confirm", {"n": "2", "scope": "track", "proposal": token})
    assert moved.status_code == 409
    assert not await RoundEntry.filter(round=round_, advanced=True).exists()
    new_token = re.search(r'name="proposal" value="([0-9,]*)"', moved.text).group(1)
    confirmed = await post(client, c, f"/{round_.id}/advance/confirm", {"n": "2", "scope": "track",
                                                                        "proposal": new_token})
    assert confirmed.status_code == 303
    assert sorted(await RoundEntry.filter(round=round_, advanced=True).values_list("entry_id", flat=True)) == sorted(
        int(x) for x in new_token.split(","))
    assert (await post(client, c, f"/{round_.id}/lock")).status_code == 400  # the box not ticked
    assert (await Round.get(id=round_.id)).locked_at is None
    assert (await post(client, c, f"/{round_.id}/lock", {"confirm": "1"})).status_code == 303
    download = await client.get(c.path(f"/{round_.id}/bundle"))
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert bundle.verify_bundle(json.loads(download.content)) == []
    locked = await post(client, c, f"/{round_.id}/criteria", {"name": "新", "weight": "1", "scale_min": "0",
                                                              "scale_max": "10"})
    assert locked.status_code == 409


async def test_nobody_but_the_contests_organisers_reaches_a_round(client, settings, db):
    c = await console(client, settings)
    round_ = await set_up_round(client, c)
    other = await make_contest()
    other_organiser = await make_user()
    await ContestRole.create(contest=other, user=other_organiser, role=ContestRoleKind.ORGANISER)
    for suffix in ("", "/progress", "/results", "/bundle"):
        for who in (c.judges[0], other_organiser, await make_user()):
            await login_as(client, who, secret=settings.secret_key)
            assert (await client.get(c.path(f"/{round_.id}{suffix}"))).status_code == 404, (suffix, who.display_name)
    await login_as(client, other_organiser, secret=settings.secret_key)
    assert (await client.get(f"/admin/c/{other.slug}/rounds/{round_.id}")).status_code == 404  # not that contest's


async def test_taking_a_judge_off_the_panel_takes_their_scores_out_of_the_results(client, settings, db):
    c = await console(client, settings)
    round_ = await set_up_round(client, c)
    e0, e1, e2 = (e.id for e in c.entries)
    await _score_everything(round_, c.judges, [{e0: 9, e1: 6, e2: 3}, {e0: 8, e1: 7, e2: 2}, {e0: 10, e1: 5, e2: 4}])
    figures = re.compile(r'<td class="figure">([0-9.]+)</td>')
    assert figures.findall((await client.get(c.path(f"/{round_.id}/results"))).text) == ["90.00", "60.00", "30.00"]
    member = await PanelMember.get(panel__round=round_, judge=c.judges[2])
    asked = await post(client, c, f"/{round_.id}/members/{member.id}/delete")
    assert asked.status_code == 409
    assert "已有评委通过该评审组打分。移除后，这些评分将不再计入本轮结果（审计日志仍保留记录）：请确认后继续。" in asked.text
    assert await Assignment.filter(round=round_, judge=c.judges[2]).count() == 3
    removed = await post(client, c, f"/{round_.id}/members/{member.id}/delete", {"confirm": "1"})
    assert removed.status_code == 303
    told = (await client.get(removed.headers["location"])).text
    assert "已将评委移出评审组，其经由该组的 3 份分配和 6 项评分一并移除（审计日志仍保留记录）。" in told
    assert await Assignment.filter(round=round_, judge=c.judges[2]).count() == 0
    results = (await client.get(c.path(f"/{round_.id}/results"))).text
    assert figures.findall(results) == ["85.00", "65.00", "25.00"]
    assert "评委2" not in results
    progress = (await client.get(c.path(f"/{round_.id}/progress"))).text
    assert "评委2" not in progress


async def test_removing_a_scored_panel_asks_to_confirm_then_takes_its_scores_out(client, settings, db):
    c = await console(client, settings)
    round_ = await set_up_round(client, c)
    e0, e1, e2 = (e.id for e in c.entries)
    await _score_everything(round_, c.judges, [{e0: 9, e1: 6, e2: 3}, {e0: 8, e1: 7, e2: 2}, {e0: 10, e1: 5, e2: 4}])
    panel = await Panel.get(round=round_)
    asked = await post(client, c, f"/{round_.id}/panels/{panel.id}/delete")
    assert (asked.status_code, asked.text.count('name="confirm" value="1" required')) == (409, 1)
    assert await Score.filter(assignment__round=round_).count() == 18
    done = await post(client, c, f"/{round_.id}/panels/{panel.id}/delete", {"confirm": "1"})
    assert done.status_code == 303
    assert (await Panel.filter(round=round_).count(), await Score.filter(assignment__round=round_).count()) == (0, 0)
    told = (await client.get(done.headers["location"])).text
    assert "已删除评审组，经由该组的 9 份分配和 18 项评分一并移除（审计日志仍保留记录）。" in told
