"""Configuring a contest from the browser: a new contest, settings with every error by its field, tracks and
their questions, award tiers, terms versions, copy / export / import, and switching accounts off."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind, Session, User
from contest.audit.models import AuditEvent
from contest.contests.models import AwardTier, Contest, FileSlot, TermsText, Track, TrackField
from contest.entries import service as entry_service
from contest.entries.models import Declaration, EntryImage
from contest.judging.models import Criterion, JudgeGroup, Round
from tests.factories import image_slot, login_as, make_contest, make_track, make_user
from tests.judging.helpers import make_round, submitted_entry
from tests.sql import counting_queries
from tests.web.helpers import form_token

pytestmark = pytest.mark.web


@pytest.fixture
def english(client):
    client.headers["accept-language"] = "en"
    return client


async def staff_token(client, settings) -> tuple[User, str]:
    staff = await make_user(display_name="站点管理员", is_staff=True)
    await login_as(client, staff, secret=settings.secret_key)
    return staff, await form_token(client, "/admin/contests/new")


async def organiser_token(client, settings, contest) -> tuple[User, str]:
    organiser = await make_user(display_name="组委会")
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)
    return organiser, await form_token(client, f"/admin/c/{contest.slug}/settings")


def field_error(html: str, form: str, name: str) -> str:
    match = re.search(rf'<p class="field-error" id="{form}-{name}-error">([^<]*)</p>', html)
    return match.group(1) if match else ""


CONTEST_FORM = {"title": "2027 工会文创大赛", "title_en": "Union design contest 2027", "time_zone": "Asia/Shanghai",
                "submissions_open_at": "2027-03-01T09:00", "submissions_close_at": "2027-05-31T17:00",
                "announce_at": "2027-07-01T10:00", "notice_days": "0", "max_entries_per_designer": "20",
                "max_mb_per_designer": "500", "popular_vote_daily_quota": "3", "popular_vote_share": "0"}


async def test_a_site_organiser_creates_a_contest_whose_dates_are_read_on_its_clock(english, settings):
    staff, token = await staff_token(english, settings)
    made = await english.post("/admin/contests/new", data={"csrf_token": token, "slug": "union-2027", **CONTEST_FORM})
    assert (made.status_code, made.headers["location"]) == (303, "http://testserver/admin/c/union-2027/settings")
    contest = await Contest.get(slug="union-2027")
    assert (contest.title, contest.is_published) == ("2027 工会文创大赛", False)
    assert contest.submissions_close_at.isoformat() == "2027-05-31T09:00:00+00:00"
    event = await AuditEvent.get(action="contest.created")
    assert (event.actor_id, event.contest_id, event.data["slug"]) == (staff.id, contest.id, "union-2027")


async def test_a_contest_organiser_cannot_create_contests(english, settings):
    contest = await make_contest()
    await organiser_token(english, settings, contest)
    assert (await english.get("/admin/contests/new")).status_code == 404


async def test_timeline_errors_are_shown_by_their_fields_and_nothing_is_saved(english, settings):
    contest = await make_contest(title="原标题")
    await make_round(contest, opens_at=contest.submissions_close_at + timedelta(days=1),
                     closes_at=contest.submissions_close_at + timedelta(days=5))
    _, token = await organiser_token(english, settings, contest)
    bad = {**CONTEST_FORM, "csrf_token": token, "title": "新标题", "submissions_open_at": "2027-06-01T09:00",
           "notice_days": "7", "popular_vote_share": "1.5"}
    page = await english.post(f"/admin/c/{contest.slug}/settings", data=bad)
    assert page.status_code == 400
    assert field_error(page.text, "c", "submissions_close_at") == "Submissions must close after they open."
    assert field_error(page.text, "c", "notice_starts_at") == \
        "Enter when the public notice starts, or set its days to 0."
    assert field_error(page.text, "c", "popular_vote_share") == "Enter a share between 0 and 1, for example 0.2."
    assert 'value="新标题"' in page.text
    late = {**CONTEST_FORM, "csrf_token": token, "submissions_open_at": "2026-01-01T09:00",
            "submissions_close_at": "2030-01-01T09:00", "announce_at": "2030-02-01T09:00"}
    page = await english.post(f"/admin/c/{contest.slug}/settings", data=late)
    assert field_error(page.text, "c", "submissions_close_at") == \
        "A judging round closes before this: move the round or this date."
    assert (await Contest.get(id=contest.id)).title == "原标题"
    assert await AuditEvent.filter(action="contest.updated").count() == 0


async def test_settings_save_rules_shown_sanitised_in_the_preview(english, settings):
    contest = await make_contest()
    await entry_service.current_terms(contest)  # publishing needs both texts
    _, token = await organiser_token(english, settings, contest)
    form = {**CONTEST_FORM, "csrf_token": token, "rules_md": "## 参赛须知\n\n<script>alert(1)</script>**原创**",
            "is_published": "1"}
    saved = await english.post(f"/admin/c/{contest.slug}/settings", data=form)
    assert saved.status_code == 303
    page = await english.get(f"/admin/c/{contest.slug}/settings")
    assert "<h2>参赛须知</h2>" in page.text and "<strong>原创</strong>" in page.text
    assert "<script>alert(1)</script>" not in page.text
    event = await AuditEvent.get(action="contest.updated")
    assert event.data["changes"]["title"] == "2027 工会文创大赛"


async def test_tracks_and_questions_are_configured_and_checked(english, settings):
    contest = await make_contest()
    _, token = await organiser_token(english, settings, contest)
    track_form = {"csrf_token": token, "slug": "ip", "name": "工运IP赛道", "name_en": "IP", "ai_policy": "anything"}
    refused = await english.post(f"/admin/c/{contest.slug}/tracks", data=track_form)
    assert refused.status_code == 400
    assert field_error(refused.text, "track-new", "ai_policy") == "Choose one of the options."
    added = await english.post(f"/admin/c/{contest.slug}/tracks", data={**track_form, "ai_policy": "disclose"})
    track = await Track.get(contest_id=contest.id, slug="ip")
    assert added.headers["location"] == f"http://testserver/admin/c/{contest.slug}/tracks/{track.id}"
    assert track.ai_policy == "disclose"
    assert [(s.key, s.kinds) for s in await FileSlot.filter(track_id=track.id)] == [("images", ["image"])]
    page = await english.get(added.headers["location"])
    assert '<option value="disclose" selected>Allowed, with a disclosure</option>' in page.text
    await english.post(added.headers["location"], data={**track_form, "ai_policy": "aigc"})
    assert (await Track.get(id=track.id)).ai_policy == "aigc"
    settings_page = await english.get(f"/admin/c/{contest.slug}/settings")
    assert "<td>An AIGC track: AI is the medium, with a disclosure</td>" in settings_page.text

    fields_url = f"/admin/c/{contest.slug}/tracks/{track.id}/fields"
    no_options = await english.post(fields_url, data={"csrf_token": token, "kind": "choice", "label": "材质",
                                                      "required": "1", "option_value": ["", ""],
                                                      "option_label": ["", ""], "option_label_en": ["", ""]})
    assert field_error(no_options.text, "field-new", "options") == "Give at least one option."
    await english.post(fields_url, data={"csrf_token": token, "kind": "multi_choice", "label": "材质",
                                         "label_en": "Material", "required": "1", "option_value": ["", "", ""],
                                         "option_label": ["纸", "木", ""], "option_label_en": ["Paper", "", ""]})
    await english.post(fields_url, data={"csrf_token": token, "key": "size", "kind": "number", "label": "尺寸"})
    fields = await TrackField.filter(track_id=track.id).order_by("position")
    assert [(f.key, f.kind.value, f.required) for f in fields] == [("material", "multi_choice", True),
                                                                  ("size", "number", False)]
    assert fields[0].options == [{"value": "paper", "label": "纸", "label_en": "Paper"},
                                 {"value": "option", "label": "木", "label_en": ""}]
    renamed = {"csrf_token": token, "kind": "multi_choice", "label": "材质", "required": "1",
               "option_value": ["paper", "option", ""], "option_label": ["纸张", "", "陶"],
               "option_label_en": ["Paper", "", "Clay"]}
    await english.post(f"{fields_url}/{fields[0].id}", data=renamed)  # the cleared row goes, a new one comes
    assert (await TrackField.get(id=fields[0].id)).options == [{"value": "paper", "label": "纸张", "label_en": "Paper"},
                                                               {"value": "clay", "label": "陶", "label_en": "Clay"}]
    await english.post(fields_url, data={"csrf_token": token, "kind": "text", "label": "材质", "label_en": "Material"})
    await english.post(f"{fields_url}/{fields[1].id}/move", data={"csrf_token": token, "step": "-1"})
    assert [f.key for f in await TrackField.filter(track_id=track.id).order_by("position")] == [
        "size", "material", "material_2"]


SLOT_FORM = {"label": "展板", "label_en": "Boards", "kinds": ["pdf", "image"], "min_count": "1", "max_count": "2",
             "max_mb": "50", "preset": "a3_300dpi", "min_short_edge": "0", "min_long_edge": "0", "max_pages": "3",
             "max_seconds": "300", "audience": "judges", "from_round": "0"}


async def test_an_organiser_adds_edits_moves_and_removes_the_parts_of_an_entry(english, settings):
    contest = await make_contest()
    track = await make_track(contest)
    await make_round(contest, name="终评", opens_at=contest.submissions_close_at + timedelta(days=2),
                     closes_at=contest.submissions_close_at + timedelta(days=9))
    _, token = await organiser_token(english, settings, contest)
    url = f"/admin/c/{contest.slug}/tracks/{track.id}"
    page = await english.get(url)
    assert "<option value=\"1\" >终评</option>" in page.text and 'name="kinds" value="video"' in page.text
    refused = await english.post(f"{url}/slots", data={"csrf_token": token, **SLOT_FORM, "kinds": [], "max_count": "0"})
    assert refused.status_code == 400
    assert field_error(refused.text, "slot-new", "kinds") == "Choose at least one kind of file."
    assert field_error(refused.text, "slot-new", "max_count") == "This number is outside the allowed range."
    assert 'id="slot-new-label" name="label" type="text" value="展板"' in refused.text  # the input stays
    added = await english.post(f"{url}/slots", data={"csrf_token": token, **SLOT_FORM})
    assert added.status_code == 303
    boards = await FileSlot.get(track_id=track.id, key="boards")
    assert (boards.kinds, boards.min_short_edge, boards.min_long_edge, boards.audience) == (
        ["image", "pdf"], 3508, 4961, "judges")
    page = await english.get(url)
    assert "Part of the entry added." in page.text
    assert "JPEG, PNG, WebP, HEIC; PDF · 1 to 2 files · up to 50 MB each · A3 at 300 dpi · up to 3 pages a PDF" in \
        page.text
    assert '<option value="a3_300dpi" selected>' in page.text

    edited = await english.post(f"{url}/slots/{boards.id}/edit", data={
        "csrf_token": token, **SLOT_FORM, "preset": "", "min_short_edge": "2000", "min_long_edge": "1000",
        "from_round": "1", "due_at": "2027-07-01T17:00"})
    assert edited.status_code == 303
    boards = await FileSlot.get(id=boards.id)
    assert (boards.min_short_edge, boards.min_long_edge, boards.from_round) == (1000, 2000, 1)
    assert boards.due_at == clock.local_to_utc(datetime(2027, 7, 1, 17), contest.time_zone)
    page = await english.get(url)
    assert "at least 1000 × 2000 px · up to 3 pages a PDF · finalists only" in page.text
    assert 'value="2027-07-01T17:00"' in page.text

    await english.post(f"{url}/slots/{boards.id}/move", data={"csrf_token": token, "step": "-1"})
    assert [s.key for s in await FileSlot.filter(track_id=track.id).order_by("position", "id")] == ["boards", "images"]
    images = await FileSlot.get(track_id=track.id, key="images")
    await english.post(f"{url}/slots/{images.id}/delete", data={"csrf_token": token})
    page = await english.get(url)
    assert "A track needs at least one part of the entry that is filled before submission: add another first." in \
        page.text
    await english.post(f"{url}/slots/{boards.id}/delete", data={"csrf_token": token})
    assert await FileSlot.filter(track_id=track.id).count() == 1
    assert "Part of the entry removed." in (await english.get(url)).text
    forged = await english.post(f"{url}/slots/{images.id}/delete", data={})
    assert forged.status_code == 403
    other = await make_track(await make_contest())
    elsewhere = await english.post(f"{url}/slots/{(await image_slot(other)).id}/delete", data={"csrf_token": token})
    assert elsewhere.status_code == 404
    assert [e.action for e in await AuditEvent.filter(action__startswith="file_slot").order_by("id")] == [
        "file_slot.added", "file_slot.updated", "file_slot.moved", "file_slot.deleted"]


async def test_a_part_with_files_is_not_removed_and_says_why(english, settings):
    contest = await make_contest()
    track = await make_track(contest)
    entry = await submitted_entry(contest, track, await make_user())
    images = await image_slot(track)
    await EntryImage.create(entry=entry, slot=images, key="k" * 32, original_format="JPEG", width=1, height=1,
                            size_bytes=1, sha256="0" * 64)
    _, token = await organiser_token(english, settings, contest)
    url = f"/admin/c/{contest.slug}/tracks/{track.id}"
    await english.post(f"{url}/slots", data={"csrf_token": token, **SLOT_FORM})
    await english.post(f"{url}/slots/{images.id}/delete", data={"csrf_token": token})
    assert "Files were uploaded to this part of the entry, so it cannot be deleted." in (await english.get(url)).text
    narrowed = await english.post(f"{url}/slots/{images.id}/edit", data={
        "csrf_token": token, **SLOT_FORM, "label": "作品图", "kinds": ["pdf"]})
    assert field_error(narrowed.text, f"slot-{images.id}", "kinds") == \
        "Files of a kind you left out are in this part of the entry: keep that kind."
    assert (await FileSlot.get(id=images.id)).kinds == ["image"]


async def test_a_field_answered_by_entries_keeps_its_key(english, settings):
    contest = await make_contest()
    track = await make_track(contest)
    field = await TrackField.create(track=track, key="brand", kind="text", label="老字号")
    await submitted_entry(contest, track, await make_user(), answers={"brand": "王开照相"})
    _, token = await organiser_token(english, settings, contest)
    page = await english.post(f"/admin/c/{contest.slug}/tracks/{track.id}/fields/{field.id}",
                              data={"csrf_token": token, "kind": "number", "label": "合作品牌"})
    assert page.status_code == 400
    assert field_error(page.text, f"field-{field.id}", "kind") == \
        "Entries have answered this field: its key and kind can no longer change."
    assert (await TrackField.get(id=field.id)).label == "老字号"


async def test_a_quota_above_the_submitted_entries_is_refused_after_submissions_close(english, settings):
    now = clock.now()
    contest = await make_contest(submissions_open_at=now - timedelta(days=20), submissions_close_at=now - timedelta(days=1))
    track = await make_track(contest)
    await submitted_entry(contest, track, await make_user())
    _, token = await organiser_token(english, settings, contest)
    tier = {"csrf_token": token, "track": str(track.id), "name": "一等奖", "rank": "1", "quota": "2"}
    page = await english.post(f"/admin/c/{contest.slug}/tiers", data=tier)
    assert page.status_code == 400
    assert field_error(page.text, "tier-new", "quota") == \
        "This quota is larger than the number of entries submitted to the track."
    assert await AwardTier.filter(contest_id=contest.id).count() == 0
    assert (await english.post(f"/admin/c/{contest.slug}/tiers", data={**tier, "quota": "1"})).status_code == 303
    special = await english.post(f"/admin/c/{contest.slug}/tiers", data={
        "csrf_token": token, "track": "", "name": "网络人气奖", "rank": "5", "quota": "1"})
    assert special.status_code == 303
    assert [(t.name, t.track_id, t.is_special) for t in await AwardTier.filter(contest_id=contest.id).order_by("rank")] \
        == [("一等奖", track.id, False), ("网络人气奖", None, True)]


async def test_editing_terms_makes_a_new_version_and_keeps_the_accepted_one(english, settings):
    contest = await make_contest()
    track = await make_track(contest)
    entry = await submitted_entry(contest, track, await make_user())
    originality, ip_terms = await entry_service.current_terms(contest)
    await Declaration.create(entry=entry, user_id=entry.owner_id, originality=originality, ip_terms=ip_terms,
                             accepted_at=clock.now())
    _, token = await organiser_token(english, settings, contest)
    saved = await english.post(f"/admin/c/{contest.slug}/terms", data={
        "csrf_token": token, "kind": "ip_terms", "ip_mode": "licence", "body": "作品著作权归作者，主办方享有非独占使用许可。"})
    assert saved.status_code == 303
    versions = await TermsText.filter(contest_id=contest.id, kind="ip_terms").order_by("version")
    assert [(v.version, v.ip_mode) for v in versions] == [(1, "exhibition_only"), (2, "licence")]
    assert versions[0].body == ip_terms.body
    assert (await entry_service.current_terms(contest))[1].id == versions[1].id
    page = await english.get(f"/admin/c/{contest.slug}/settings")
    assert "Version 2 saved; entries submitted from now on accept it." in page.text
    assert '<textarea id="terms-ip_terms-body" name="body" rows="6" required >作品著作权归作者，主办方享有非独占使用许可。' \
        in page.text
    same = await english.post(f"/admin/c/{contest.slug}/terms", data={
        "csrf_token": token, "kind": "ip_terms", "ip_mode": "licence", "body": "作品著作权归作者，主办方享有非独占使用许可。"})
    assert field_error(same.text, "terms-ip_terms", "body") == \
        "This is the current wording: change it to save a new version."
    assert await TermsText.filter(contest_id=contest.id, kind="ip_terms").count() == 2


async def configured_contest() -> Contest:
    contest = await make_contest(slug="union-2026", title="2026 工会文创大赛")
    track = await make_track(contest, slug="ip", name="工运IP赛道", min_images=2)
    await TrackField.create(track=track, key="character", kind="text", label="角色名", position=1)
    await TrackField.create(track=track, key="scenes", kind="multi_choice", label="延展场景", position=2,
                            options=[{"value": "toy", "label": "玩具", "label_en": "Toy"}])
    await AwardTier.create(contest=contest, track=track, name="一等奖", rank=1, quota=1)
    await AwardTier.create(contest=contest, name="网络人气奖", rank=5, quota=1, is_special=True)
    await JudgeGroup.create(contest=contest, name="专家组", weight=70)
    round_ = await make_round(contest, name="初评", opens_at=contest.submissions_close_at + timedelta(days=2),
                              closes_at=contest.submissions_close_at + timedelta(days=9))
    await Criterion.create(round=round_, name="创意", weight=2, scale_min=0, scale_max=10)
    await submitted_entry(contest, track, await make_user())
    return contest


async def test_a_contest_is_copied_with_its_configuration_and_dates_a_year_later(english, settings):
    source = await configured_contest()
    _, token = await staff_token(english, settings)
    copied = await english.post("/admin/contests/copy", data={
        "csrf_token": token, "source": str(source.id), "slug": "union-2027", "title": "2027 工会文创大赛", "years": "1"})
    assert copied.status_code == 303, copied.text
    contest = await Contest.get(slug="union-2027")
    assert contest.submissions_close_at == source.submissions_close_at.replace(year=source.submissions_close_at.year + 1)
    track = await Track.get(contest_id=contest.id)
    assert (track.slug, (await image_slot(track)).min_count) == ("ip", 2)
    assert [f.key for f in await TrackField.filter(track_id=track.id).order_by("position")] == ["character", "scenes"]
    assert [(t.name, t.track_id) for t in await AwardTier.filter(contest_id=contest.id).order_by("rank")] == \
        [("一等奖", track.id), ("网络人气奖", None)]
    round_ = await Round.get(contest_id=contest.id)
    assert [(c.name, c.weight) for c in await Criterion.filter(round_id=round_.id)] == [("创意", 2.0)]
    assert await contest.entries.all().count() == 0
    assert (await AuditEvent.get(action="contest.copied")).data["source"] == "union-2026"


async def test_export_then_import_gives_the_same_configuration(english, settings):
    source = await configured_contest()
    _, token = await staff_token(english, settings)
    exported = await english.get(f"/admin/c/{source.slug}/export")
    assert exported.headers["content-disposition"] == 'attachment; filename="union-2026-config.json"'
    data = exported.json()
    assert (data["format"], data["version"], data["contest"]["time_zone"]) == ("wenchuang-contest-config", 1,
                                                                               "Asia/Shanghai")
    imported = await english.post("/admin/contests/import", data={"csrf_token": token, "slug": "copy-2026"},
                                  files={"file": ("c.json", exported.content, "application/json")})
    assert imported.status_code == 303, imported.text
    again = (await english.get("/admin/c/copy-2026/export")).json()
    assert again == {**data, "contest": {**data["contest"], "is_published": False}}  # published once checked
    taken = await english.post("/admin/contests/import", data={"csrf_token": token, "slug": "copy-2026"},
                               files={"file": ("c.json", exported.content, "application/json")})
    assert field_error(taken.text, "import", "slug") == "Another contest already uses this address."
    assert await Contest.filter(title=source.title).count() == 2


async def test_an_invalid_file_reports_every_problem_and_creates_nothing(english, settings):
    source = await configured_contest()
    _, token = await staff_token(english, settings)
    data = (await english.get(f"/admin/c/{source.slug}/export")).json()
    data["tracks"][0]["slots"][0]["max_count"] = 0
    data["tracks"][0]["fields"][1]["options"] = []
    data["award_tiers"][0]["track"] = "nowhere"
    data["rounds"][0]["closes_at"] = data["contest"]["submissions_open_at"]
    sent = await english.post("/admin/contests/import", data={"csrf_token": token, "slug": "broken"},
                              files={"file": ("c.json", json.dumps(data).encode(), "application/json")})
    assert sent.status_code == 400
    problems = re.findall(r"<li><code>([^<]*)</code>: ([^<]*)</li>", sent.text)
    assert problems == [
        ("tracks[0] fields[1] options", "Give at least one option."),
        ("tracks[0] slots[0] max_count", "This number is outside the allowed range."),
        ("award_tiers[0] track", "No track of the file has this address."),
        ("rounds[0] closes_at", "The window must close after it opens."),
    ]
    assert await Contest.filter(slug="broken").count() == 0
    garbage = await english.post("/admin/contests/import", data={"csrf_token": token, "slug": "broken"},
                                 files={"file": ("c.json", b"\xff not json", "application/json")})
    assert field_error(garbage.text, "import", "file") == \
        "This is not a contest configuration file of a version we read."


async def test_disabling_a_judge_ends_their_sessions_and_is_logged(english, settings, app):
    contest = await make_contest()
    judge = await make_user(display_name="评委")
    await ContestRole.create(contest=contest, user=judge, role=ContestRoleKind.JUDGE)
    stranger = await make_user()
    await login_as(english, judge, secret=settings.secret_key)
    organiser, _ = await staff_token(english, settings)  # only site organisers disable: it reaches every contest
    token = await form_token(english, f"/admin/c/{contest.slug}/accounts")
    assert await Session.filter(user_id=judge.id).count() == 1
    done = await english.post(f"/admin/c/{contest.slug}/accounts/{judge.id}/active",
                              data={"csrf_token": token, "active": "0"})
    assert done.status_code == 303
    assert (await User.get(id=judge.id)).is_active is False
    assert await Session.filter(user_id=judge.id).count() == 0
    event = await AuditEvent.get(action="account.disabled")
    assert (event.actor_id, event.subject) == (organiser.id, f"user:{judge.id}")
    page = await english.get(f"/admin/c/{contest.slug}/accounts")
    assert "Account disabled; its sessions have ended." in page.text
    refused = await english.post(f"/admin/c/{contest.slug}/accounts/{organiser.id}/active",
                                 data={"csrf_token": token, "active": "0"})
    assert refused.status_code == 404
    assert ((await User.get(id=organiser.id)).is_active, (await User.get(id=stranger.id)).is_active) == (True, True)


async def test_a_site_organiser_finds_and_disables_any_account(english, settings):
    contest = await make_contest()
    designer = await make_user(email="someone@example.net", display_name="设计师")
    staff, _ = await staff_token(english, settings)
    page = await english.get(f"/admin/c/{contest.slug}/accounts", params={"email": " SOMEONE@example.net "})
    assert "设计师 · someone@example.net" in page.text
    token = await form_token(english, f"/admin/c/{contest.slug}/accounts")
    done = await english.post(f"/admin/c/{contest.slug}/accounts/{designer.id}/active",
                              data={"csrf_token": token, "active": "0"})
    assert done.status_code == 303
    assert (await User.get(id=designer.id)).is_active is False
    assert (await AuditEvent.get(action="account.disabled")).actor_id == staff.id
    missing = await english.get(f"/admin/c/{contest.slug}/accounts", params={"email": "nobody@example.net"})
    assert "No account has this e-mail." in missing.text


@pytest.mark.parametrize("item_count", [1, 3])
async def test_the_settings_and_track_pages_make_the_same_queries_however_much_is_configured(
        english, settings, item_count):
    contest = await make_contest()
    by = await make_user()
    for n in range(item_count):
        track = await make_track(contest)
        await TrackField.create(track=track, key=f"q{n}", kind="text", label=f"题{n}")
        await AwardTier.create(contest=contest, track=track, name=f"奖{n}", rank=n + 1)
        entry = await submitted_entry(contest, track, by)
        originality, ip_terms = await entry_service.current_terms(contest)
        await Declaration.create(entry=entry, user=by, originality=originality, ip_terms=ip_terms,
                                 accepted_at=clock.now())
        await TermsText.create(contest=contest, kind="originality", version=n + 2, body=f"第{n + 2}版")
    await organiser_token(english, settings, contest)
    with counting_queries() as queries:
        page = await english.get(f"/admin/c/{contest.slug}/settings")
    assert page.status_code == 200
    assert len(queries) == 9  # the tracks with their fields and slots: one query each
    with counting_queries() as queries:
        page = await english.get(f"/admin/c/{contest.slug}/tracks/{track.id}")
    assert len(queries) == 6  # session, contest, track, its fields, its slots, the rounds


async def test_the_retention_period_is_set_on_the_settings_page_and_a_negative_one_is_refused(english, settings):
    contest = await make_contest()
    await entry_service.current_terms(contest)
    _, token = await organiser_token(english, settings, contest)
    path = f"/admin/c/{contest.slug}/settings"
    refused = await english.post(path, data={**CONTEST_FORM, "csrf_token": token, "retention_days": "-5"})
    assert refused.status_code == 400 and field_error(refused.text, "c", "retention_days")
    saved = await english.post(path, data={**CONTEST_FORM, "csrf_token": token, "retention_days": "730"})
    assert saved.status_code == 303
    assert (await Contest.get(id=contest.id)).retention_days == 730
    assert 'name="retention_days"' in (page := (await english.get(path)).text) and 'value="730"' in page
