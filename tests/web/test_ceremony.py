"""The ceremony view and its 公布 press over HTTP: organisers only, results hidden from everyone else until
the press and public from it; the settings' mode; the judge's sharing box; the designer's feedback."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from contest import clock
from contest.audit.models import AuditEvent
from contest.contests.models import Contest
from contest.judging.models import Assignment, Criterion, RoundEntry, Score
from contest.results.models import Award, AwardStatus
from tests.factories import login_as, make_user
from tests.judging.helpers import make_judge, make_round
from tests.results.ceremony_builders import press_edition
from tests.web.judge import build_scene, score_path

pytestmark = pytest.mark.web

RESULT_PATHS = ("/c/press-2026/gallery", "/c/press-2026/results", "/c/press-2026/gallery/P-0001")


@pytest.fixture(autouse=True)
def english(client):
    client.headers["accept-language"] = "en"


@pytest.fixture
async def show(app):
    return await press_edition(app.state.store)


def slides(html: str) -> list[str]:
    return re.findall(r'<section class="slide ([a-z- ]+)"', html)


async def image_paths(client, settings, show) -> list[str]:
    await login_as(client, show.organiser, secret=settings.secret_key)
    page = await client.get("/admin/c/press-2026/ceremony")
    client.cookies.clear()
    return re.findall(r'<link rel="preload" as="image" href="([^"]+)">', page.text)


async def test_the_organiser_sees_every_winner_in_reveal_order_with_every_picture_preloaded(client, settings, show):
    client.headers["accept-language"] = "zh-CN"
    await login_as(client, show.organiser, secret=settings.secret_key)
    page = await client.get("/admin/c/press-2026/ceremony")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    text = page.text
    titles = re.findall(r'<h3 class="winner-title">([^<]+)</h3>', text)
    assert titles == ["铆钉书签", "劳模笔记本", "钢花", "小工匠·阿铆", "小工匠·阿铆", "海派剪纸茶杯"]
    assert re.findall(r'<h2 class="slide-grade-name">([^<]+)</h2>', text) == [
        "优秀奖", "优秀奖", "二等奖", "网络人气奖", "一等奖", "一等奖"]
    assert re.findall(r'<p class="winner-name">([^<]+)</p>', text)[:2] == ["设计师3", "设计师5"]
    preloaded = re.findall(r'<link rel="preload" as="image" href="([^"]+)">', text)
    shown = re.findall(r'<img src="([^"]+)"[^>]*data-ceremony-image', text)
    assert len(preloaded) == 10 and set(shown) == set(preloaded) and len(shown) == 12
    assert all(re.fullmatch(r"/pub/[0-9a-f]{16}/[0-9a-f]{32}-display\.webp", p) for p in preloaded)
    assert 'action="/admin/c/press-2026/ceremony/announce"' in text and 'name="csrf_token"' in text
    assert "organiser/js/ceremony.js" in text and "<script>" not in text and " style=" not in text
    assert 'src="/static/common/js/keep-alive.js' in text  # the show may stay on one slide for an hour
    for path in preloaded[:2]:
        assert (await client.get(path)).status_code == 200


async def test_before_the_press_results_are_a_missing_page_for_everyone_but_organisers(client, settings, show):
    paths = [*RESULT_PATHS, *(await image_paths(client, settings, show))[:1]]
    designer, judge = await make_user(), await make_judge()
    for user in (None, designer, judge):
        client.cookies.clear()
        if user is not None:
            await login_as(client, user, secret=settings.secret_key)
        assert [(await client.get(p)).status_code for p in paths] == [404] * len(paths)
        ceremony = await client.get("/admin/c/press-2026/ceremony")
        assert ceremony.status_code in ((404,) if user else (302, 303, 401))
        assert "小工匠" not in ceremony.text
    token = await login_as(client, designer, secret=settings.secret_key)
    refused = await client.post("/admin/c/press-2026/ceremony/announce", data={"csrf_token": token})
    assert refused.status_code == 404
    assert (await Contest.get(id=show.contest.id)).announce_at is None


async def test_the_press_lifts_the_embargo_at_that_moment_for_everyone(client, settings, show):
    client.cookies.clear()
    assert (await client.get("/c/press-2026/gallery")).status_code == 404  # and the page cache saw it so
    token = await login_as(client, show.organiser, secret=settings.secret_key)
    pressed = await client.post("/admin/c/press-2026/ceremony/announce", data={"csrf_token": token})
    assert pressed.status_code == 303
    assert pressed.headers["location"].endswith("/admin/c/press-2026/ceremony#announced")
    contest = await Contest.get(id=show.contest.id)
    assert contest.announce_at is not None and contest.announce_at <= clock.now()
    after = await client.get("/admin/c/press-2026/ceremony")
    assert "The results are public" in after.text and 'ceremony/announce"' not in after.text
    again = await client.post("/admin/c/press-2026/ceremony/announce", data={"csrf_token": token})
    assert again.status_code == 409
    assert await AuditEvent.filter(action="results.announced_at_press").count() == 1
    paths = await image_paths(client, settings, show)
    client.cookies.clear()
    gallery = await client.get("/c/press-2026/gallery")
    assert gallery.status_code == 200 and "海派剪纸茶杯" in gallery.text and "Preview" not in gallery.text
    assert [(await client.get(p)).status_code for p in [*RESULT_PATHS, paths[0]]] == [200] * 4


async def test_the_press_without_a_form_token_changes_nothing(client, settings, show):
    await login_as(client, show.organiser, secret=settings.secret_key)
    refused = await client.post("/admin/c/press-2026/ceremony/announce", data={})
    assert refused.status_code == 403
    assert (await Contest.get(id=show.contest.id)).announce_at is None


async def test_with_an_award_unconfirmed_the_screen_ends_without_the_button_and_the_press_is_refused(
        client, settings, show):
    await Award.filter(tier_id=show.tiers["ip-2"].id).update(status=AwardStatus.PROPOSED)
    token = await login_as(client, show.organiser, secret=settings.secret_key)
    page = await client.get("/admin/c/press-2026/ceremony")
    assert 'ceremony/announce"' not in page.text and "钢花" not in page.text
    assert "1 awards still await confirmation" in page.text
    refused = await client.post("/admin/c/press-2026/ceremony/announce", data={"csrf_token": token})
    assert refused.status_code == 409
    assert (await Contest.get(id=show.contest.id)).announce_at is None


async def test_the_dashboard_says_the_results_are_announced_at_the_ceremony_press(client, settings, show):
    token = await login_as(client, show.organiser, secret=settings.secret_key)
    before = await client.get("/admin/c/press-2026/")
    assert "Results announced at the ceremony press: they stay private" in before.text
    assert 'href="/admin/c/press-2026/ceremony"' in before.text
    await client.post("/admin/c/press-2026/ceremony/announce", data={"csrf_token": token})
    assert "Announced at the ceremony press, at" in (await client.get("/admin/c/press-2026/")).text


async def test_the_settings_refuse_a_time_in_press_mode(client, settings, show):
    token = await login_as(client, show.organiser, secret=settings.secret_key)
    form = {"csrf_token": token, "title": "大赛", "time_zone": "Asia/Shanghai", "announce_by_press": "1",
            "announce_at": "2027-01-01T10:00", "notice_days": "0", "max_entries_per_designer": "20",
            "max_mb_per_designer": "500", "popular_vote_daily_quota": "3"}
    refused = await client.post("/admin/c/press-2026/settings", data=form)
    assert refused.status_code == 400
    assert "leave the announcement time empty" in refused.text
    assert (await Contest.get(id=show.contest.id)).announce_at is None
    page = await client.get("/admin/c/press-2026/settings")
    assert re.search(r'name="announce_by_press" value="1" checked', page.text)


async def test_the_judge_shares_a_comment_by_autosave_and_by_the_plain_form(client, settings, app):
    scene = await build_scene(app.state.store)
    token = await login_as(client, scene.judge, secret=settings.secret_key)
    page = await client.get(score_path(scene))
    assert 'type="hidden" name="comment_shared" value="0"' in page.text
    assert re.search(r'name="comment_shared" value="1" data-autosave-check[^>]*>', page.text).group(0).count("checked") == 0
    headers = {"x-csrf-token": token, "accept": "application/json"}
    saved = await client.post(f"{score_path(scene)}/scores", data={"comment_shared": "1"}, headers=headers)
    assert saved.json()["saved"] == {"comment_shared": "1"}
    assignment = await Assignment.get(round_id=scene.round_.id, judge_id=scene.judge.id, entry_id=scene.entries[0].id)
    assert assignment.comment_shared is True
    plain = await client.post(f"{score_path(scene)}/scores",
                              data={"csrf_token": token, "comment": "好", "comment_shared": "0"})
    assert plain.status_code == 303
    assert (await Assignment.get(id=assignment.id)).comment_shared is False
    await client.post(f"{score_path(scene)}/scores",
                      data={"csrf_token": token, "comment": "好", "comment_shared": ["0", "1"]})
    assert (await Assignment.get(id=assignment.id)).comment_shared is True
    page = await client.get(score_path(scene))
    assert "checked" in re.search(r'name="comment_shared" value="1" data-autosave-check[^>]*>', page.text).group(0)
    assert await AuditEvent.filter(action="assignment.comment_shared").count() == 3


async def test_the_designer_reads_feedback_after_the_press_without_judges_names(client, settings, show):
    await Contest.filter(id=show.contest.id).update(feedback_to_entrants=True)
    entry = await Award.filter(tier_id=show.tiers["ip-2"].id).first().prefetch_related("entry__owner")
    round_ = await make_round(show.contest, kind="final", name="终评", position=2, secret="s",
                              opens_at=clock.now() - timedelta(days=20), closes_at=clock.now() - timedelta(days=10))
    criterion = await Criterion.create(round=round_, name="创意", scale_max=10)
    await RoundEntry.create(round=round_, entry=entry.entry, alias="F-1")
    for name, value, comment, shared in (("王评委", "8", "线条流畅。", True), ("李评委", "7", "仅供组委会。", False)):
        judge = await make_judge(display_name=name)
        assignment = await Assignment.create(round=round_, entry=entry.entry, judge=judge, comment=comment,
                                             comment_shared=shared)
        await Score.create(assignment=assignment, criterion=criterion, value=Decimal(value), updated_at=clock.now())
    await login_as(client, entry.entry.owner, secret=settings.secret_key)
    before = await client.get("/me/results")
    assert "The results are announced at the award ceremony." in before.text and "线条流畅" not in before.text
    token = await login_as(client, show.organiser, secret=settings.secret_key)
    await client.post("/admin/c/press-2026/ceremony/announce", data={"csrf_token": token})
    await login_as(client, entry.entry.owner, secret=settings.secret_key)
    after = (await client.get("/me/results")).text
    assert "The judges' feedback" in after and "<td>7.5</td>" in after and "线条流畅。" in after
    assert "仅供组委会" not in after and "王评委" not in after and "李评委" not in after
