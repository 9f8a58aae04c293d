"""The entry form for an entrant under 14: refused in Chinese where the contest does not accept minors, kept as
typed when the guardian's part is missing, submitted with it; organisers see the guardian, the gallery's
name is the one the guardian chose."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from contest import clock
from contest.contests.models import Contest
from contest.entries import minors
from contest.entries.minors import Guardian
from contest.entries.models import Entry
from contest.entries.states import EntryState
from tests.factories import login_as, make_contest, make_entry, make_field, make_track, make_user
from tests.results.gallery_builders import announced_edition
from tests.web.helpers import form_token, organiser_of
from tests.web.organiser.test_config import CONTEST_FORM

pytestmark = pytest.mark.web

GUARDIAN = {"has_minor": "yes", "guardian_name": "张建国", "guardian_relation": "父亲",
            "guardian_contact": "13800138000", "minor_naming": "surname", "guardian_consent": "yes"}


async def minor_entry(client, settings, *, accepts_minors: bool = True):
    now = clock.now()
    contest = await make_contest(submissions_open_at=now - timedelta(days=1), submissions_close_at=now + timedelta(days=1),
                                 accepts_minors=accepts_minors)
    track = await make_track(contest, position=1, min_images=0, max_images=3)
    await make_field(track, "character_name", "text", label="角色名称")
    user = await make_user()
    entry = await make_entry(contest, track, user)
    token = await login_as(client, user, secret=settings.secret_key)
    page = (await client.get(f"/me/entries/{entry.id}")).text
    terms = {name: page.split(f'name="{name}" value="')[1].split('"')[0] for name in ("originality", "ip_terms")}
    return entry, {"csrf_token": token, "title": "我的小铆钉", "concept": "铆钉精灵", "character_name": "阿铆",
                   "entrant_kind": "individual", "entrant_category": "student", "public_name": "张小明",
                   "school": "杨浦区实验小学", "action": "submit", **terms}


async def test_a_contest_without_minors_refuses_in_chinese_and_keeps_what_was_typed(client, settings):
    entry, form = await minor_entry(client, settings, accepts_minors=False)
    page = await client.post(f"/me/entries/{entry.id}", data={**form, **GUARDIAN})
    assert page.status_code == 400
    assert "本大赛不接受未满十四周岁的参赛者，因此不能为其填写本作品" in page.text
    assert 'value="我的小铆钉"' in page.text and 'name="has_minor" value="yes" checked' in page.text
    assert (await Entry.get(id=entry.id)).title == "海派剪纸"


async def test_without_the_guardians_consent_nothing_is_submitted_and_nothing_typed_is_lost(client, settings):
    entry, form = await minor_entry(client, settings)
    page = await client.post(f"/me/entries/{entry.id}", data={**form, **GUARDIAN, "guardian_consent": ""})
    assert page.status_code == 400
    assert "须经监护人同意处理未成年人的个人信息，才能提交作品。" in page.text
    for typed in ('value="张建国"', 'value="父亲"', 'value="13800138000"', 'value="surname" checked'):
        assert typed in page.text
    assert (await Entry.get(id=entry.id)).state == EntryState.DRAFT


async def test_a_wrong_contact_is_refused_in_chinese_beside_its_field(client, settings):
    entry, form = await minor_entry(client, settings)
    page = await client.post(f"/me/entries/{entry.id}", data={**form, **GUARDIAN, "guardian_contact": "12345"})
    assert page.status_code == 400
    assert '<p class="field-error" id="e-guardian_contact">请填写监护人的手机号码（以 1 开头的 11 位数字）或电子邮箱。</p>' \
        in page.text
    assert 'value="12345"' in page.text


async def test_with_the_guardian_it_is_submitted_and_organisers_see_the_guardian(client, settings):
    entry, form = await minor_entry(client, settings)
    submitted = await client.post(f"/me/entries/{entry.id}", data={**form, **GUARDIAN})
    assert submitted.status_code == 303, submitted.text
    stored = await Entry.get(id=entry.id)
    assert (stored.state, stored.public_name, stored.guardian_consented_at is not None) == (
        EntryState.SUBMITTED, "张同学", True)
    await login_as(client, await organiser_of(entry.contest), secret=settings.secret_key)
    page = await client.get(f"/admin/c/{(await stored.contest).slug}/entries/{entry.id}")
    section = page.text.split('class="section entry-minor"')[1].split("</section>")[0]
    for shown in ("未满十四周岁的参赛者及其监护人", "张建国", "父亲", "13800138000", "张同学"):
        assert shown in section


async def test_organisers_turn_on_minors_on_the_settings_page_and_it_shows_as_on(client, settings):
    contest = await make_contest()
    await login_as(client, await organiser_of(contest), secret=settings.secret_key)
    token = await form_token(client, f"/admin/c/{contest.slug}/settings")
    saved = await client.post(f"/admin/c/{contest.slug}/settings",
                              data={**CONTEST_FORM, "csrf_token": token, "accepts_minors": "1"})
    assert saved.status_code == 303, saved.text
    assert (await Contest.get(id=contest.id)).accepts_minors is True
    page = await client.get(f"/admin/c/{contest.slug}/settings")
    assert re.search(r'<input[^>]*name="accepts_minors"[^>]*checked', page.text)



async def test_the_gallery_names_a_minor_as_the_guardian_chose(app, client):
    edition = await announced_edition(app.state.store)
    entry = await Entry.get(contest_id=edition.id, title="小工匠·阿铆")
    minors.apply(entry, Guardian(minor=True, naming="surname"), typed_name="张小明", now=clock.now())
    await entry.save()
    page = await client.get("/c/renmin-2025/gallery")
    assert "张同学" in page.text and "张小明" not in page.text and "林间设计工作室" not in page.text
