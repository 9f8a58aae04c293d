"""Who may reach a judging page or image: anyone who may not gets the same 404 as for a missing alias."""

from __future__ import annotations

import pytest

from contest import clock
from contest.judging import setup
from contest.judging.models import Assignment, PanelMember, Round, Score
from tests.factories import login_as, make_user
from tests.web.judge import build_scene, main_of, score_path

pytestmark = pytest.mark.web


@pytest.fixture
async def scene(app, db):
    return await build_scene(app.state.store)


async def _as(client, settings, user):
    client.cookies.clear()
    if user is None:
        return ""
    return await login_as(client, user, secret=settings.secret_key)


def _refusals(scene):
    """(who, path) pairs that must all be refused; the path differs only where the case needs it."""
    wrong_alias = f"/judge/r/{scene.round_.id}/ZZZ-999"
    closed = f"/judge/r/{scene.closed_round.id}/{scene.aliases[0]}"
    page = score_path(scene)
    return [
        ("other panel", scene.other_judge, page),
        ("conflicted", scene.conflicted, page),
        ("designer", scene.designer, page),
        ("anonymous", None, page),
        ("after the window", scene.judge, closed),
        ("wrong alias", scene.judge, wrong_alias),
        ("missing round", scene.judge, f"/judge/r/999999/{scene.aliases[0]}"),
    ]


async def test_scoring_page_is_the_same_404_for_everyone_who_may_not_see_it(client, settings, scene):
    bodies = {}
    for who, user, path in _refusals(scene):
        await _as(client, settings, user)
        answer = await client.get(path)
        assert answer.status_code == 404, who
        bodies[who] = main_of(answer.text, path)
    assert len(set(bodies.values())) == 1, bodies.keys()


@pytest.mark.parametrize("suffix", ["/1.webp", "/1.jpeg", "/conflict"])
async def test_images_and_conflict_page_are_the_same_404(client, settings, scene, suffix):
    bodies = set()
    for who, user, path in _refusals(scene):
        await _as(client, settings, user)
        answer = await client.get(path + suffix)
        assert answer.status_code == 404, who
        bodies.add(main_of(answer.text, path + suffix))
    assert len(bodies) == 1


async def test_autosave_is_the_same_json_404(client, settings, scene):
    field = f"criterion_{scene.criteria[0].id}"
    answers = set()
    for who, user, path in _refusals(scene):
        token = await _as(client, settings, user)
        headers = {"accept": "application/json", "x-csrf-token": token or "x"}
        if user is None:  # an anonymous visitor has a pre-login token like any form on the site
            from contest.web.infra import csrf
            client.cookies.set("contest_csrf", "anon-binding", domain="testserver.local", path="/")
            headers["x-csrf-token"] = csrf.make_token(settings.secret_key, "anon-binding")
        answer = await client.post(path + "/scores", data={field: "5"}, headers=headers)
        assert answer.status_code == 404, (who, answer.text)
        answers.add(answer.text)
    assert len(answers) == 1


async def test_queue_is_404_for_a_non_judge_and_after_the_window(client, settings, scene):
    for user, path in ((scene.designer, f"/judge/r/{scene.round_.id}"), (None, f"/judge/r/{scene.round_.id}"),
                       (scene.judge, f"/judge/r/{scene.closed_round.id}"), (scene.judge, "/judge/r/999999")):
        await _as(client, settings, user)
        assert (await client.get(path)).status_code == 404


async def test_image_route_answers_by_alias(client, settings, scene):
    await _as(client, settings, scene.judge)
    for n, variant, media_type in ((1, "webp", "image/webp"), (2, "jpeg", "image/jpeg"),
                                   (1, "thumb.webp", "image/webp")):
        answer = await client.get(f"{score_path(scene)}/{n}.{variant}")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == media_type
        assert answer.headers["cache-control"] == "private, no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in answer.headers["content-security-policy"]
        assert "last-modified" not in answer.headers
        etag = answer.headers["etag"]
        again = await client.get(f"{score_path(scene)}/{n}.{variant}", headers={"if-none-match": etag})
        assert again.status_code == 304
    for bad in ("3.webp", "0.jpeg", "1.png", "1.display.webp", "1.original"):
        assert (await client.get(f"{score_path(scene)}/{bad}")).status_code == 404, bad
    assert (await client.get(f"{score_path(scene, 1)}/1.webp")).status_code == 404  # entry two has no images


async def _remove_from_panel(judge):
    member = await PanelMember.get(judge=judge).prefetch_related("panel__round")
    await setup.remove_panel_member(member, member.panel.round, by=await make_user(), now=clock.now())


async def test_a_judge_taken_off_the_panel_gets_the_same_404_as_a_missing_page(client, settings, scene):
    token = await _as(client, settings, scene.judge)
    assert (await client.get(score_path(scene))).status_code == 200  # the page is open in a tab
    await _remove_from_panel(scene.judge)
    missing = f"/judge/r/{scene.round_.id}/ZZZ-999"
    for suffix in ("", "/1.webp", "/1.jpeg", "/conflict"):
        gone, never = await client.get(score_path(scene) + suffix), await client.get(missing + suffix)
        assert (gone.status_code, main_of(gone.text, score_path(scene) + suffix)) == (
            404, main_of(never.text, missing + suffix)), suffix
    queue, no_round = await client.get(f"/judge/r/{scene.round_.id}"), await client.get("/judge/r/999999")
    assert (queue.status_code, main_of(queue.text, f"/judge/r/{scene.round_.id}")) == (
        404, main_of(no_round.text, "/judge/r/999999"))
    headers = {"accept": "application/json", "x-csrf-token": token}
    field = f"criterion_{scene.criteria[0].id}"
    saved = await client.post(score_path(scene) + "/scores", data={field: "5"}, headers=headers)
    assert (saved.status_code, saved.text) == (404, (await client.post(missing + "/scores", data={field: "5"},
                                                                       headers=headers)).text)
    completed = await client.post(score_path(scene) + "/complete", data={"csrf_token": token})
    assert completed.status_code == 404
    assert await Score.filter(assignment__judge=scene.judge).count() == 0
    rounds = await client.get("/judge/")
    assert f"/judge/r/{scene.round_.id}\"" not in rounds.text


async def test_a_judge_taken_off_the_panel_leaves_the_others_untouched(client, settings, scene):
    await _remove_from_panel(scene.judge)
    await _as(client, settings, scene.conflicted)
    assert (await client.get(score_path(scene, 1))).status_code == 200
    await _as(client, settings, scene.other_judge)
    page = await client.get(score_path(scene, 2))
    assert page.status_code == 200 and "外滩钟声" in page.text
    assert sorted(await Assignment.filter(round=scene.round_).values_list("judge_id", "entry_id")) == sorted(
        [(scene.conflicted.id, scene.entries[0].id), (scene.conflicted.id, scene.entries[1].id),
         (scene.other_judge.id, scene.entries[2].id)])


@pytest.mark.parametrize("only_assigned", [True, False])
async def test_an_assignment_through_a_panel_the_judge_left_earlier_is_the_same_404(client, settings, scene,
                                                                                     only_assigned):
    await Round.filter(id=scene.round_.id).update(judges_see_only_assigned=only_assigned)
    await PanelMember.filter(judge=scene.judge).delete()  # left before removal dropped assignments
    await _as(client, settings, scene.judge)
    missing = f"/judge/r/{scene.round_.id}/ZZZ-999"
    gone, never = await client.get(score_path(scene)), await client.get(missing)
    assert (gone.status_code, main_of(gone.text, score_path(scene))) == (404, main_of(never.text, missing))
    assert (await client.get(f"/judge/r/{scene.round_.id}")).status_code == 404
    assert f'/judge/r/{scene.round_.id}"' not in (await client.get("/judge/")).text
