"""The entry page's images: the same file twice is refused, and each change answers with the new list."""

from __future__ import annotations

import pytest

from contest.entries.models import EntryImage
from tests.web.uploads import (
    designer,
    image_action,
    listed,
    post_image,
    small_jpeg,
    snapshot,
    stored_files,
    three_images,
)

pytestmark = pytest.mark.web

SECOND_TIME = "这张图片已在本作品中（第 {n} 张），无需再次上传。"


async def test_the_same_file_twice_on_one_entry_is_refused_by_its_hash(client, settings):
    entry, token = await designer(client, settings)
    first = await post_image(client, entry.id, small_jpeg(seed=1), token, name="a.jpg")
    await post_image(client, entry.id, small_jpeg(seed=2), token)
    files, before = await stored_files(settings), await snapshot()
    again = await post_image(client, entry.id, small_jpeg(seed=1), token, name="another-name.jpg")
    assert (again.status_code, again.json()) == (409, {"error": SECOND_TIME.format(n=1), "status": 409})
    assert (await snapshot(), await stored_files(settings)) == (before, files)
    assert first.status_code == 201


async def test_the_same_file_twice_in_one_form_keeps_one(client, settings):
    entry, token = await designer(client, settings)
    files = [("files", ("a.jpg", small_jpeg(seed=3), "image/jpeg")), ("files", ("b.jpg", small_jpeg(seed=3), "image/jpeg"))]
    response = await client.post(f"/me/entries/{entry.id}/slots/images/files/form", data={"csrf_token": token}, files=files)
    assert response.status_code == 303
    assert await EntryImage.filter(entry_id=entry.id).values_list("original_name", flat=True) == ["a.jpg"]
    page = (await client.get(response.headers["location"])).text
    assert SECOND_TIME.format(n=1) in page


async def test_the_same_file_on_two_entries_is_accepted(client, settings):
    entry, token = await designer(client, settings)
    other = await entry.clone()
    other.number = None
    await other.save()
    answers = [await post_image(client, e.id, small_jpeg(seed=4), token) for e in (entry, other)]
    assert [a.status_code for a in answers] == [201, 201]


async def test_an_upload_answers_with_the_list_that_replaces_the_old_one(client, settings):
    entry, token = await designer(client, settings)
    ids = [(await post_image(client, entry.id, small_jpeg(seed=n), token)).json() for n in range(2)]
    assert listed(ids[1]["html"]) == [ids[0]["id"], ids[1]["id"]]
    assert 'data-room="8"' in ids[1]["html"]
    assert ids[1]["html"].lstrip().startswith('<ol class="image-list slot-items" id="slot-items-images"')


@pytest.mark.parametrize(("action", "order"), [("up", "bac"), ("down", "acb"), ("cover", "abc")])
async def test_an_image_action_answers_with_the_new_list(client, settings, action, order):
    entry, token, (a, b, c) = await three_images(client, settings)
    response = await image_action(client, entry.id, b, action, token)
    named = {"a": a, "b": b, "c": c}
    assert listed(response.json()["html"]) == [named[x] for x in order]
    cover = 'class="image-item is-cover" data-id="{}"'.format(b if action == "cover" else a)
    assert cover in response.json()["html"]


async def test_a_reorder_answers_with_the_new_list(client, settings):
    entry, token, (a, b, c) = await three_images(client, settings)
    response = await client.post(f"/me/entries/{entry.id}/images/order", data={"csrf_token": token, "order": f"{c},{a},{b}"},
                                 headers={"accept": "application/json"})
    assert listed(response.json()["html"]) == [c, a, b]


async def test_without_a_script_an_image_action_still_redirects_to_the_list(client, settings):
    entry, token, (a, b, c) = await three_images(client, settings)
    response = await client.post(f"/me/entries/{entry.id}/images/{c}/up", data={"csrf_token": token})
    assert (response.status_code, response.headers["location"]) == (303, f"http://testserver/me/entries/{entry.id}#files")
    page = (await client.get(f"/me/entries/{entry.id}")).text
    assert listed(page) == [a, c, b]
