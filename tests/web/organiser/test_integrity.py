from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image, ImageOps

from contest import clock
from contest.accounts.models import ContestRole, ContestRoleKind
from contest.audit.models import AuditEvent
from contest.entries.models import DuplicateDismissal, Entry, EntryImage, ReferenceImage
from tests import imagegen
from tests.factories import login_as, make_contest, make_entry, make_track, make_user
from tests.web.helpers import form_token

pytestmark = pytest.mark.web


def encoded(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


async def upload(client, entry, data: bytes, token: str) -> None:
    response = await client.post(f"/me/entries/{entry.id}/slots/images/files", params={"name": "x.jpg"}, content=data,
                                 headers={"x-csrf-token": token, "accept": "application/json"})
    assert response.status_code == 201, response.text


async def two_entries_with_a_copied_design(client, settings):
    now = clock.now()
    contest = await make_contest(submissions_open_at=now - timedelta(days=1), submissions_close_at=now + timedelta(days=1))
    track = await make_track(contest, min_width=64, min_height=64)
    original = imagegen.poster(seed=11, size=(1200, 900))
    different = imagegen.poster(seed=97, size=(1200, 900))
    alice, bob = await make_user(), await make_user()
    alice_entry = await make_entry(contest, track, alice, title="原作")
    bob_entry = await make_entry(contest, track, bob, title="改图")
    await upload(client, alice_entry, encoded(original), await login_as(client, alice, secret=settings.secret_key))
    bob_token = await login_as(client, bob, secret=settings.secret_key)
    copied = ImageOps.crop(original, border=60).resize((900, 675))
    await upload(client, bob_entry, encoded(copied, quality=45), bob_token)
    await upload(client, bob_entry, encoded(different), bob_token)
    return contest, original


async def test_organiser_sees_the_copied_pair_and_not_the_different_image(client, settings):
    contest, _ = await two_entries_with_a_copied_design(client, settings)
    organiser = await make_user()
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)
    page = await client.get(f"/admin/c/{contest.slug}/duplicates")
    assert page.status_code == 200
    assert page.text.count("<tr>") == 2  # the header row and exactly one pair
    assert "原作" in page.text and "改图" in page.text


async def test_reference_images_are_compared_with_every_entry(client, settings):
    contest, original = await two_entries_with_a_copied_design(client, settings)
    organiser = await make_user(is_staff=True)
    await login_as(client, organiser, secret=settings.secret_key)
    token = await form_token(client, f"/admin/c/{contest.slug}/duplicates")
    recoloured = ImageOps.colorize(ImageOps.grayscale(original), black="#102030", white="#f0e0c0")
    response = await client.post(f"/admin/c/{contest.slug}/references", data={"csrf_token": token, "label": "投诉附件"},
                                 files={"file": ("complaint.jpg", encoded(recoloured), "image/jpeg")})
    assert response.status_code == 303
    reference = await ReferenceImage.get(contest_id=contest.id)
    assert reference.label == "投诉附件"
    page = await client.get(f"/admin/c/{contest.slug}/duplicates")
    assert page.text.count("投诉附件") == 2  # paired with the original and with its copy
    thumb = await client.get(f"/admin/c/{contest.slug}/references/{reference.key}")
    assert (thumb.status_code, thumb.headers["content-type"]) == (200, "image/webp")


async def test_designers_and_other_contests_organisers_get_404(client, settings):
    contest, _ = await two_entries_with_a_copied_design(client, settings)
    other = await make_contest()
    outsider = await make_user()
    await ContestRole.create(contest=other, user=outsider, role=ContestRoleKind.ORGANISER)
    await login_as(client, outsider, secret=settings.secret_key)
    assert (await client.get(f"/admin/c/{contest.slug}/duplicates")).status_code == 404
    key = (await EntryImage.first()).key
    assert (await client.get(f"/media/{key}/thumb.webp")).status_code == 404
    assert (await client.get(f"/admin/c/{other.slug}/duplicates")).status_code == 200


async def test_organisers_clear_or_redact_entries_held_by_the_leak_check(client, settings):
    contest = await make_contest()
    track = await make_track(contest)
    owner = await make_user(display_name="欧阳明")
    named = await make_entry(contest, track, owner, title="欧阳明的灯", concept="作者欧阳明。", state="submitted",
                             leak_status="flagged")
    harmless = await make_entry(contest, track, owner, title="灯", state="submitted", leak_status="flagged")
    organiser = await make_user()
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    token = await login_as(client, organiser, secret=settings.secret_key)
    page = await client.get(f"/admin/c/{contest.slug}/leaks")
    assert page.status_code == 200 and "<mark>欧阳明</mark>" in page.text
    blank = await client.post(f"/admin/c/{contest.slug}/leaks/{named.id}/redact",
                              data={"csrf_token": token, "title": " ", "concept": "x"})
    assert blank.status_code == 400 and f'id="title-{named.id}-error"' in blank.text
    redacted = await client.post(f"/admin/c/{contest.slug}/leaks/{named.id}/redact",
                                 data={"csrf_token": token, "title": "弄堂的灯", "concept": "灯影里的弄堂。"})
    cleared = await client.post(f"/admin/c/{contest.slug}/leaks/{harmless.id}/clear", data={"csrf_token": token})
    assert (redacted.status_code, cleared.status_code) == (303, 303)
    assert await Entry.filter(id=named.id).values_list("leak_status", "title", flat=False) == [("redacted", "弄堂的灯")]
    assert (await Entry.get(id=harmless.id)).leak_status == "clear"
    again = await client.post(f"/admin/c/{contest.slug}/leaks/{harmless.id}/clear", data={"csrf_token": token})
    assert again.status_code == 404  # no longer held


async def organiser_on_the_copied_pair(client, settings):
    contest, _ = await two_entries_with_a_copied_design(client, settings)
    organiser = await make_user(display_name="秘书处小王")
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)
    path = f"/admin/c/{contest.slug}/duplicates"
    page = await client.get(path)
    keys = re.findall(r'name="(?:left|right)" value="([0-9a-f]+)"', page.text)
    return contest, path, keys, await form_token(client, path)


async def test_a_dismissed_pair_leaves_the_open_list_and_keeps_its_note_audited(client, settings):
    contest, path, keys, token = await organiser_on_the_copied_pair(client, settings)
    assert len(keys) == 2
    response = await client.post(f"{path}/dismiss", data={"csrf_token": token, "left": keys[0], "right": keys[1],
                                                          "note": "  同一作者的两个版本，已核实  "})
    assert (response.status_code, response.headers["location"]) == (303, f"http://testserver{path}")
    page = await client.get(path)
    assert "未发现相似图片。" in page.text
    dismissed = page.text.split('class="section duplicates-dismissed"', 1)[1]
    assert "同一作者的两个版本，已核实" in dismissed and "秘书处小王" in dismissed and "原作" in dismissed
    [row] = await DuplicateDismissal.all().values("key_a", "key_b", "note")
    assert row == {"key_a": min(keys), "key_b": max(keys), "note": "同一作者的两个版本，已核实"}
    events = await AuditEvent.filter(action="duplicate.dismissed").values_list("contest_id", "data")
    assert events == [(contest.id, {"images": sorted(keys), "note": "同一作者的两个版本，已核实"})]


async def test_dismissing_without_a_note_keeps_the_pair_open_and_says_why(client, settings):
    _, path, keys, token = await organiser_on_the_copied_pair(client, settings)
    response = await client.post(f"{path}/dismiss", data={"csrf_token": token, "left": keys[1], "right": keys[0],
                                                          "note": "   "})
    assert response.status_code == 400
    assert "请写明这两张图片不是重复的理由。" in response.text and response.text.count('name="left"') == 1
    assert await DuplicateDismissal.all().count() == 0


async def test_a_pair_that_is_not_flagged_cannot_be_dismissed(client, settings):
    _, path, keys, token = await organiser_on_the_copied_pair(client, settings)
    response = await client.post(f"{path}/dismiss", data={"csrf_token": token, "left": keys[0], "right": "f" * 32,
                                                          "note": "试试"})
    assert response.status_code == 404
    assert await DuplicateDismissal.all().count() == 0


async def test_fingerprints_stored_before_v2_are_rehashed_and_the_pair_is_still_found(client, settings):
    from contest.entries.duplicates import near_duplicates, rehash_stored_images
    from contest.media.similarity import HEX_PER_HASH, LEGACY_REGIONS
    from contest.media.stores import open_store

    contest, _ = await two_entries_with_a_copied_design(client, settings)
    current = {row.id: row.phash for row in await EntryImage.all()}
    for image_id, phash in current.items():  # as uploads made before version 2 carry it
        await EntryImage.filter(id=image_id).update(phash="v1:" + phash.split(":")[1][:LEGACY_REGIONS * HEX_PER_HASH])
    assert len(await near_duplicates(contest)) == 1  # old fingerprints still compare
    assert await rehash_stored_images(open_store(settings)) == 3
    assert {row.id: row.phash for row in await EntryImage.all()} == current
    assert len(await near_duplicates(contest)) == 1
    assert await rehash_stored_images(open_store(settings)) == 0
