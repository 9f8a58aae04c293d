"""Edits to an entry that judges may already read: every change is checked again before a judge sees
it, a round closed to edits freezes the entry, and the declaration always names the current files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from contest import clock
from contest.entries.models import Declaration, Entry, EntryImage, TeamMember
from contest.entries.states import LeakStatus
from contest.judging.models import Assignment, Criterion, Round, RoundEntry
from contest.notifications.models import OutboxMessage
from tests import imagegen
from tests.factories import login_as, make_contest, make_field, make_track, make_user
from tests.judging.helpers import make_judge, make_round, submitted_entry

pytestmark = pytest.mark.web

DESIGNER_NAME = "林青禾"
DESIGNER_EMAIL = "qinghe.lin@studio.example.com"
ALIAS = "KTP-3WX"
FROZEN_ZH = "本作品所在的评审轮次现在不允许参赛者修改作品；未作任何更改。"
FROZEN_EN = "A judging round that includes this entry does not allow designers to edit it now; nothing was changed."


@dataclass
class Scene:
    round_: Round
    entry: Entry
    designer: object
    judge: object
    token: str = ""


async def build(client, settings, *, may_edit: bool, opens_in: timedelta = -timedelta(hours=1),
                closes_in: timedelta = timedelta(days=1), locked: bool = False) -> Scene:
    """A contest still open for submissions whose judging round already holds one clear, submitted entry."""
    now = clock.now()
    contest = await make_contest(submissions_open_at=now - timedelta(days=2), submissions_close_at=now + timedelta(days=2))
    track = await make_track(contest, position=1, min_images=0, max_images=5)
    await make_field(track, "material", "text", required=False)
    round_ = await make_round(contest, opens_at=now + opens_in, closes_at=now + closes_in, designers_may_edit=may_edit,
                              locked_at=now if locked else None)
    await Criterion.create(round=round_, name="创意", scale_min=0, scale_max=10)
    designer = await make_user(display_name=DESIGNER_NAME, email=DESIGNER_EMAIL)
    entry = await submitted_entry(contest, track, designer, title="海派剪纸", concept="以剪纸讲述百年工运。",
                                  number="WC-01-0001", leak_status=LeakStatus.CLEAR, answers={"material": "宣纸"})
    judge = await make_judge()
    await RoundEntry.create(round=round_, entry=entry, alias=ALIAS)
    await Assignment.create(round=round_, entry=entry, judge=judge)
    scene = Scene(round_, entry, designer, judge)
    scene.token = await login_as(client, designer, secret=settings.secret_key)
    return scene


def form(scene: Scene, **changes: str) -> dict[str, str]:
    values = {"csrf_token": scene.token, "title": "海派剪纸", "concept": "以剪纸讲述百年工运。", "material": "宣纸",
              "entrant_kind": "individual", "entrant_category": "worker", "action": "save"}
    values.update(changes)
    return values


async def upload(client, scene: Scene, seed: int = 0):
    return await client.post(f"/me/entries/{scene.entry.id}/slots/images/files", params={"name": "设计稿.jpg"},
                             content=imagegen.jpeg((1300, 900), seed=seed),
                             headers={"x-csrf-token": scene.token, "accept": "application/json"})


async def test_an_edit_during_an_open_round_is_held_from_the_judge_until_checked(client, settings, db):
    scene = await build(client, settings, may_edit=True)
    await login_as(client, scene.judge, secret=settings.secret_key)
    before = await client.get(f"/judge/r/{scene.round_.id}/{ALIAS}")
    assert (before.status_code, "以剪纸讲述百年工运。" in before.text) == (200, True)

    scene.token = await login_as(client, scene.designer, secret=settings.secret_key)
    concept = f"设计者{DESIGNER_NAME}，联系 {DESIGNER_EMAIL}。"
    saved = await client.post(f"/me/entries/{scene.entry.id}", data=form(scene, concept=concept))
    assert saved.status_code == 303
    entry = await Entry.get(id=scene.entry.id)
    assert (entry.concept, entry.leak_status) == (concept, LeakStatus.FLAGGED)

    await login_as(client, scene.judge, secret=settings.secret_key)
    queue = await client.get(f"/judge/r/{scene.round_.id}")
    page = await client.get(f"/judge/r/{scene.round_.id}/{ALIAS}")
    assert (queue.status_code, page.status_code) == (200, 404)
    assert [DESIGNER_NAME in queue.text, DESIGNER_EMAIL in queue.text, ALIAS in queue.text] == [False, False, False]
    assert [DESIGNER_NAME in page.text, DESIGNER_EMAIL in page.text] == [False, False]


async def test_a_changed_organisation_or_team_is_checked_against_the_text_already_there(client, settings, db):
    scene = await build(client, settings, may_edit=True)
    scene.entry.concept = "青禾工作室的新作，与陈小工合作完成。"
    await scene.entry.save()
    organisation = await client.post(f"/me/entries/{scene.entry.id}",
                                     data=form(scene, concept=scene.entry.concept, organisation="青禾工作室"))
    assert organisation.status_code == 303
    assert (await Entry.get(id=scene.entry.id)).leak_status == LeakStatus.FLAGGED

    await Entry.filter(id=scene.entry.id).update(leak_status=LeakStatus.CLEAR, organisation="")
    team = await client.post(f"/me/entries/{scene.entry.id}", data=form(
        scene, concept=scene.entry.concept, entrant_kind="team", member_name_0="陈小工"))
    assert team.status_code == 303
    saved = await Entry.get(id=scene.entry.id)
    assert (saved.leak_status, await TeamMember.filter(entry_id=saved.id).values_list("name", flat=True)) == (
        LeakStatus.FLAGGED, ["陈小工"])


async def test_an_image_change_in_an_open_round_runs_the_check_again(client, settings, db):
    scene = await build(client, settings, may_edit=True)
    await Entry.filter(id=scene.entry.id).update(concept=f"{DESIGNER_NAME}的剪纸")  # written before the check existed
    added = await upload(client, scene)
    assert added.status_code == 201, added.text
    assert (await Entry.get(id=scene.entry.id)).leak_status == LeakStatus.FLAGGED


async def test_saving_unchanged_text_keeps_an_organisers_decision(client, settings, db):
    scene = await build(client, settings, may_edit=True)
    await Entry.filter(id=scene.entry.id).update(leak_status=LeakStatus.REDACTED)
    saved = await client.post(f"/me/entries/{scene.entry.id}", data=form(scene))
    assert saved.status_code == 303
    assert (await Entry.get(id=scene.entry.id)).leak_status == LeakStatus.REDACTED


@pytest.mark.parametrize(("opens_in", "language", "message"), [
    (-timedelta(hours=1), "zh-CN", FROZEN_ZH),  # open
    (timedelta(hours=1), "en", FROZEN_EN),  # scheduled
])
async def test_a_round_closed_to_edits_refuses_them_and_keeps_what_was_typed(client, settings, db, opens_in, language,
                                                                              message):
    scene = await build(client, settings, may_edit=False, opens_in=opens_in)
    client.headers["accept-language"] = language
    refused = await client.post(f"/me/entries/{scene.entry.id}", data=form(scene, title="改过的标题"))
    assert refused.status_code == 409
    assert refused.text.count(message) == 1
    assert 'value="改过的标题"' in refused.text
    page = await client.get(f"/me/entries/{scene.entry.id}")
    assert page.text.count(message) == 1
    entry = await Entry.get(id=scene.entry.id)
    assert (entry.title, entry.leak_status) == ("海派剪纸", LeakStatus.CLEAR)


async def test_every_image_route_is_refused_while_the_round_is_closed_to_edits(client, settings, db):
    scene = await build(client, settings, may_edit=True)
    ids = [(await upload(client, scene, seed)).json()["id"] for seed in (1, 2)]
    await Round.filter(id=scene.round_.id).update(designers_may_edit=False)
    before = await EntryImage.filter(entry_id=scene.entry.id).order_by("position").values_list("id", "position", "is_cover")
    base = f"/me/entries/{scene.entry.id}/images"
    upload_form = f"/me/entries/{scene.entry.id}/slots/images/files/form"
    json_headers = {"x-csrf-token": scene.token, "accept": "application/json"}
    answers = [
        await upload(client, scene, 3),
        await client.post(upload_form, data={"csrf_token": scene.token},
                          files={"files": ("a.jpg", imagegen.jpeg((1300, 900), seed=4), "image/jpeg")}),
        await client.post(f"{base}/order", data={"order": f"{ids[1]},{ids[0]}"}, headers=json_headers),
        *[await client.post(f"{base}/{ids[1]}/{action}", data={"csrf_token": scene.token})
          for action in ("up", "down", "cover", "delete")],
    ]
    assert [a.status_code for a in answers] == [409] * 7
    assert [answers[0].json()["error"], answers[2].json()["error"]] == [FROZEN_ZH, FROZEN_ZH]
    assert all(FROZEN_ZH in a.text for a in answers)
    after = await EntryImage.filter(entry_id=scene.entry.id).order_by("position").values_list("id", "position", "is_cover")
    assert after == before


@pytest.mark.parametrize("round_state", ["closed", "locked"])
async def test_a_finished_round_does_not_freeze_the_entry(client, settings, db, round_state):
    timing = {"closed": {"opens_in": -timedelta(days=2), "closes_in": -timedelta(seconds=1)},
              "locked": {"locked": True}}[round_state]
    scene = await build(client, settings, may_edit=False, **timing)
    saved = await client.post(f"/me/entries/{scene.entry.id}", data=form(scene, title="改过的标题"))
    assert saved.status_code == 303
    assert (await Entry.get(id=scene.entry.id)).title == "改过的标题"
    page = await client.get(f"/me/entries/{scene.entry.id}")
    assert FROZEN_ZH not in page.text


async def test_an_image_added_to_a_submitted_entry_is_declared_with_a_new_receipt(client, settings, db):
    scene = await build(client, settings, may_edit=True)
    await Entry.filter(id=scene.entry.id).update(state="draft")
    page = await client.get(f"/me/entries/{scene.entry.id}")
    terms = {name: page.text.split(f'name="{name}" value="')[1].split('"')[0] for name in ("originality", "ip_terms")}
    first = await upload(client, scene, 1)
    submitted = await client.post(f"/me/entries/{scene.entry.id}", data=form(scene, action="submit", **terms))
    assert submitted.status_code == 303, submitted.text
    second = await upload(client, scene, 2)
    assert (first.status_code, second.status_code) == (201, 201)

    hashes = list(await EntryImage.filter(entry_id=scene.entry.id).order_by("position").values_list("sha256", flat=True))
    declarations = await Declaration.filter(entry_id=scene.entry.id).order_by("id")
    assert [[f["sha256"] for f in d.file_hashes] for d in declarations] == [hashes[:1], hashes]
    receipt = await client.get(f"/me/entries/{scene.entry.id}/receipt")
    lists = [part.split("</ol>")[0] for part in receipt.text.split('class="hash-list"')[1:]]
    assert [[item.split("</code>")[0] for item in listed.split("<code>")[1:]] for listed in lists] == [hashes, hashes[:1]]
    assert receipt.text.count("本作品此前的声明记录") == 1
    receipts = await OutboxMessage.filter(kind="receipt").order_by("id").values_list("to_email", "body_text")
    assert [to for to, _ in receipts] == [DESIGNER_EMAIL, DESIGNER_EMAIL]
    assert [[h in body for h in hashes] for _, body in receipts] == [[True, False], [True, True]]


async def test_after_every_kind_of_change_the_latest_declaration_names_the_current_files(client, settings, db):
    scene = await build(client, settings, may_edit=True)
    await Entry.filter(id=scene.entry.id).update(state="draft")
    page = await client.get(f"/me/entries/{scene.entry.id}")
    terms = {name: page.text.split(f'name="{name}" value="')[1].split('"')[0] for name in ("originality", "ip_terms")}
    ids = [(await upload(client, scene, seed)).json()["id"] for seed in (1, 2)]
    base = f"/me/entries/{scene.entry.id}"
    changes = [
        (f"{base}", form(scene, action="submit", **terms)),
        (f"{base}/slots/images/files/form", None),
        (f"{base}/images/{ids[0]}/delete", {"csrf_token": scene.token}),
        (f"{base}/images/{ids[1]}/down", {"csrf_token": scene.token}),
        (f"{base}/images/{ids[1]}/cover", {"csrf_token": scene.token}),
        (f"{base}", form(scene, concept="改写后的设计说明。")),
        (f"{base}", form(scene, action="submit", concept="改写后的设计说明。", **terms)),
    ]
    declared_after = []
    for path, data in changes:
        if data is None:
            answer = await client.post(path, data={"csrf_token": scene.token},
                                       files={"files": ("c.jpg", imagegen.jpeg((1300, 900), seed=3), "image/jpeg")})
        else:
            answer = await client.post(path, data=data)
        assert answer.status_code == 303, (path, answer.text)
        current = sorted(await EntryImage.filter(entry_id=scene.entry.id).values_list("sha256", flat=True))
        latest = await Declaration.filter(entry_id=scene.entry.id).order_by("-accepted_at", "-id").first()
        assert sorted(f["sha256"] for f in latest.file_hashes) == current, path
        declared_after.append(await Declaration.filter(entry_id=scene.entry.id).count())
    # submit, add, delete, (order and cover change no file), text, submit again with the same terms and files
    assert declared_after == [1, 2, 3, 3, 3, 4, 5]
    assert await OutboxMessage.filter(kind="receipt").count() == 5
