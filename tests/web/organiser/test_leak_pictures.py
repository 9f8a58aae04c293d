"""The organiser sees which words were read from which picture, boxed on the judging copy."""

from __future__ import annotations

import re

import pytest

from contest.accounts.models import ContestRole, ContestRoleKind
from contest.entries.models import Entry, EntryImage
from contest.judging.leaks import check_entry_leaks
from contest.media.stores import open_store
from tests import imagegen
from tests.factories import NOW, login_as, make_user
from tests.judging.helpers import entry_with_image

pytestmark = pytest.mark.web


async def test_the_words_found_and_their_box_are_shown_over_the_picture(client, settings):
    picture, _ = imagegen.lettered(["设计：陈晓明"], size=(1600, 1000))
    entry, image = await entry_with_image(open_store(settings), picture)
    clean_entry, clean_image = await entry_with_image(open_store(settings), imagegen.lettered([])[0])
    for e in (entry, clean_entry):
        await check_entry_leaks(e, now=NOW)
    organiser = await make_user()
    await ContestRole.create(contest=entry.contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)

    page = await client.get(f"/admin/c/{entry.contest.slug}/leaks")
    left, top, right, bottom = image.ocr_lines[0]["box"]
    href = f"/media/{image.key}/judging.webp"
    assert page.status_code == 200
    assert re.findall(r'<image href="([^"]+)"', page.text) == [href]  # the clean entry is not held
    assert re.findall(r"<rect [^>]*>", page.text) == [
        (f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}"\n'
         '            fill="none" stroke="#d0021b" stroke-width="4" vector-effect="non-scaling-stroke"/>')]
    assert re.findall(r"<li>([^<]*)“<mark>([^<]*)</mark>”</li>", page.text) == [("作者姓名 ", "陈晓明")]
    assert clean_image.key not in page.text
    assert ' style="' not in page.text and "<script>" not in page.text  # the CSP allows neither
    copy = await client.get(href)
    assert (copy.status_code, copy.headers["content-type"]) == (200, "image/webp")


async def test_an_unread_picture_is_shown_for_a_person_to_look_at(client, settings):
    entry, image = await entry_with_image(open_store(settings), imagegen.lettered([])[0])
    await EntryImage.filter(id=image.id).update(ocr_lines=None)
    await check_entry_leaks(await Entry.get(id=entry.id), now=NOW)
    organiser = await make_user()
    await ContestRole.create(contest=entry.contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)
    page = await client.get(f"/admin/c/{entry.contest.slug}/leaks")
    assert re.findall(r'<image href="([^"]+)"', page.text) == [f"/media/{image.key}/judging.webp"]
    assert re.findall(r"<rect ", page.text) == []
    assert "图中文字未能识别：请亲自查看图片" in page.text
