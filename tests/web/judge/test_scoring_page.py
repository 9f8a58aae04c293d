from __future__ import annotations

import re

import pytest

from contest.judging.models import Assignment, Conflict, Score
from tests.factories import login_as
from tests.web.judge import build_scene, main_of, score_path

pytestmark = pytest.mark.web


@pytest.fixture
async def scene(app, db):
    return await build_scene(app.state.store)


async def test_round_list_shows_progress(client, settings, scene):
    await login_as(client, scene.judge, secret=settings.secret_key)
    page = await client.get("/judge/")
    assert page.status_code == 200
    assert f'href="/judge/r/{scene.round_.id}"' in page.text
    assert "0 / 2" in page.text
    assert f'/judge/r/{scene.closed_round.id}"' not in page.text  # its window has passed


async def test_queue_lists_the_judges_aliases(client, settings, scene):
    await login_as(client, scene.judge, secret=settings.secret_key)
    page = await client.get(f"/judge/r/{scene.round_.id}")
    assert page.status_code == 200
    shown = re.findall(r'<span class="alias">([A-Z0-9-]+)</span>', page.text)
    assert sorted(shown) == sorted(scene.aliases[:2])
    assert "0 / 2" in page.text


async def test_scoring_page_has_images_criteria_and_forms(client, settings, scene):
    await login_as(client, scene.judge, secret=settings.secret_key)
    page = await client.get(score_path(scene))
    path = score_path(scene)
    assert page.status_code == 200
    text = page.text
    assert f'<source id="score-stage-webp" type="image/webp" srcset="{path}/1.webp">' in text
    assert f'src="{path}/1.jpeg"' in text and f'{path}/2.thumb.webp' in text
    assert "海派剪纸" in text and "以剪纸讲述百年工运。" in text and "宣纸" in text
    for criterion in scene.criteria:
        assert f'name="criterion_{criterion.id}" type="text" inputmode="decimal"' in text
    assert "0–10" in text and "1–5" in text and "新颖程度" in text
    assert 'name="comment"' in text and 'name="reason"' in text
    assert f'action="{path}/complete"' in text and f'action="{path}/conflict"' in text
    assert 'data-csrf="' in text and 'data-save-url="' + path + '/scores"' in text
    assert 'rel="next"' in text or 'rel="prev"' in text
    assert "<script>" not in text and " style=" not in text


async def test_autosave_saves_and_overwrites_one_row(client, settings, scene):
    token = await login_as(client, scene.judge, secret=settings.secret_key)
    field = f"criterion_{scene.criteria[0].id}"
    headers = {"x-csrf-token": token, "accept": "application/json"}
    first = await client.post(f"{score_path(scene)}/scores", data={field: "7.5"}, headers=headers)
    assert first.status_code == 200
    assert first.json() == {"saved": {field: "7.5"}, "scored": 0, "total": 2}
    second = await client.post(f"{score_path(scene)}/scores", data={field: "8", "comment": "好"}, headers=headers)
    assert second.json()["saved"] == {field: "8", "comment": "好"}
    rows = await Score.filter(criterion_id=scene.criteria[0].id).values_list("value", flat=True)
    assert [str(v) for v in rows] == ["8.00"]
    assignment = await Assignment.get(round_id=scene.round_.id, judge_id=scene.judge.id, entry_id=scene.entries[0].id)
    assert assignment.comment == "好"


async def test_autosave_progress_counts_submitted_entries_as_the_organiser_does(client, settings, scene):
    token = await login_as(client, scene.judge, secret=settings.secret_key)
    data = {f"criterion_{c.id}": "3" for c in scene.criteria}
    headers = {"x-csrf-token": token, "accept": "application/json"}
    answer = await client.post(f"{score_path(scene)}/scores", data=data, headers=headers)
    assert (answer.json()["scored"], answer.json()["total"]) == (0, 2)
    await client.post(f"{score_path(scene)}/complete", data={"csrf_token": token})
    answer = await client.post(f"{score_path(scene)}/scores", data=data, headers=headers)
    assert (answer.json()["scored"], answer.json()["total"]) == (1, 2)


async def test_out_of_scale_is_refused_with_the_field(client, settings, scene):
    token = await login_as(client, scene.judge, secret=settings.secret_key)
    good, bad = (f"criterion_{c.id}" for c in scene.criteria)
    answer = await client.post(f"{score_path(scene)}/scores", data={good: "5", bad: "6"},
                               headers={"x-csrf-token": token, "accept": "application/json"})
    assert answer.status_code == 400
    body = answer.json()
    assert set(body["fields"]) == {bad} and body["error"]
    assert await Score.all().count() == 0  # one bad field saves nothing


async def test_autosave_without_token_is_refused(client, settings, scene):
    await login_as(client, scene.judge, secret=settings.secret_key)
    field = f"criterion_{scene.criteria[0].id}"
    answer = await client.post(f"{score_path(scene)}/scores", data={field: "5"}, headers={"accept": "application/json"})
    assert answer.status_code == 403
    assert await Score.all().count() == 0


async def test_form_without_script_redirects_back(client, settings, scene):
    token = await login_as(client, scene.judge, secret=settings.secret_key)
    field = f"criterion_{scene.criteria[1].id}"
    answer = await client.post(f"{score_path(scene)}/scores",
                               data={"csrf_token": token, field: "4", "comment": "", f"criterion_{scene.criteria[0].id}": ""})
    assert answer.status_code == 303
    assert answer.headers["location"].endswith(score_path(scene))
    page = await client.get(score_path(scene))
    assert f'name="{field}"' in page.text and 'value="4"' in page.text


async def test_form_without_script_keeps_input_on_error(client, settings, scene):
    token = await login_as(client, scene.judge, secret=settings.secret_key)
    field = f"criterion_{scene.criteria[0].id}"
    answer = await client.post(f"{score_path(scene)}/scores", data={"csrf_token": token, field: "11"})
    assert answer.status_code == 400
    assert 'value="11"' in answer.text and 'aria-invalid="true"' in answer.text


async def test_submit_refuses_until_every_criterion_is_scored(client, settings, scene):
    token = await login_as(client, scene.judge, secret=settings.secret_key)
    headers = {"x-csrf-token": token, "accept": "application/json"}
    await client.post(f"{score_path(scene)}/scores", data={f"criterion_{scene.criteria[0].id}": "6"}, headers=headers)
    refused = await client.post(f"{score_path(scene)}/complete", data={"csrf_token": token})
    assert refused.status_code == 400
    marked = re.search(rf'id="e-criterion_{scene.criteria[1].id}" ?([a-z]*)>([^<]*)</p>', refused.text)
    assert marked and marked.group(1) != "hidden" and marked.group(2)  # the unscored field is marked
    assert f'id="e-criterion_{scene.criteria[0].id}" hidden>' in refused.text
    assignment = await Assignment.get(round_id=scene.round_.id, judge_id=scene.judge.id, entry_id=scene.entries[0].id)
    assert assignment.completed_at is None
    await client.post(f"{score_path(scene)}/scores", data={f"criterion_{scene.criteria[1].id}": "2"}, headers=headers)
    done = await client.post(f"{score_path(scene)}/complete", data={"csrf_token": token})
    assert done.status_code == 303
    await assignment.refresh_from_db()
    assert assignment.completed_at is not None


async def test_declaring_a_conflict_removes_the_entry_from_the_queue(client, settings, scene):
    token = await login_as(client, scene.judge, secret=settings.secret_key)
    refused = await client.post(f"{score_path(scene)}/conflict", data={"csrf_token": token, "reason": "  "})
    assert refused.status_code == 400
    assert await Conflict.filter(judge_id=scene.judge.id).count() == 0
    answer = await client.post(f"{score_path(scene)}/conflict", data={"csrf_token": token, "reason": "我认识作者"})
    assert answer.status_code == 303
    assert answer.headers["location"].endswith(f"/judge/r/{scene.round_.id}")
    queue = main_of((await client.get(f"/judge/r/{scene.round_.id}")).text, "/nothing")
    assert scene.aliases[0] not in queue and scene.aliases[1] in queue
    assert "0 / 1" in queue
    assert (await client.get(score_path(scene))).status_code == 404


async def test_read_only_round_shows_no_inputs_to_change(client, settings, scene):
    scene.round_.judges_may_score = False
    await scene.round_.save()
    token = await login_as(client, scene.judge, secret=settings.secret_key)
    page = await client.get(score_path(scene))
    assert page.status_code == 200
    assert "readonly" in page.text and "/complete" not in page.text
    answer = await client.post(f"{score_path(scene)}/scores", data={f"criterion_{scene.criteria[0].id}": "5"},
                               headers={"x-csrf-token": token, "accept": "application/json"})
    assert answer.status_code == 409
    assert await Score.all().count() == 0
