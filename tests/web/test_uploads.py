from __future__ import annotations

import asyncio
import gc
import io
import re
import warnings
from datetime import timedelta

import httpx
import pytest
from PIL import Image

from contest import clock
from contest.entries.models import Entry, EntryImage
from contest.media.pipeline import scaled, snapped_edge
from contest.media.stores import open_store
from tests import imagegen
from tests.factories import login_as, make_entry, make_user
from tests.web.uploads import (
    designer,
    files_under,
    image_action,
    listed,
    post_image,
    small_jpeg,
    snapshot,
    stored_files,
    three_images,
)

pytestmark = pytest.mark.web

MIB = 2**20
ROUTE_LIMIT = 26 * MIB
TOO_LARGE = "上传的文件太大。"
NOT_PROCESSED = "无法处理该请求。"
CSRF = "表单已过期或来自其他网站。请刷新页面后重试。"
NOT_FOUND = "页面不存在，或您无权查看。"
DEADLINE = "投稿已截止，本次修改未保存。"
ENTRY_FULL = "此文件项已有 {limit} 个文件，达到上限；请先删除一个再添加。"
STORAGE_FULL = "您的存储空间已用完。"
CHOOSE_IMAGE = "请至少选择一个文件。"
BELOW_MINIMUM = "图片小于最低要求 1200×800 像素（横竖均可）；此图片为 1199×800 像素。"
OVER_25_MB = "超过 25 MB 上限（此文件 {size} MB）。请减小文件大小后重新上传。"
OVER_25_MB_UNMEASURED = "超过 25 MB 上限。请减小文件大小后重新上传。"
REASONS = {
    "empty": "文件为空。",
    "unsupported_type": "仅接受 JPEG、PNG、WebP、HEIC 图片；该文件不是这些格式。请导出为 JPEG 或 PNG 后再上传。",
    "truncated": "图片不完整（上传可能中断了），请重新上传。",
    "corrupt": "无法读取该图片，文件可能已损坏。",
    "too_many_pixels": "图片像素过多（最多 5000 万像素）。",
    "too_large_side": "图片尺寸过大（单边最多 12000 像素）。",
    "too_small": "图片太小。",
    "multi_frame": "不接受动图或多页图片。",
}
NOT_YET_ACCEPTED = {"anim.gif": "GIF", "scan.tif": "TIFF", "paint.bmp": "BMP", "photo.avif": "AVIF",
                    "layers.jpg": "PSD", "print.jpg": "EPS", "print-dos.jpg": "EPS"}
# a kind some slots take, but not an image slot: the refusal names what this slot takes
NOT_HERE = {"doc.jpg": "这是 PDF 文件，此文件项不接受该格式；此文件项接受 JPEG, PNG, WebP, HEIC。"}
VARIANT_NAMES = ["display-JPEG", "display-WEBP", "judging-JPEG", "judging-WEBP", "thumb-JPEG", "thumb-WEBP"]
KEY = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(autouse=True)
def spooled_file_warnings():
    """The form route leaves its spooled files unclosed (see test_form_upload_closes_its_spooled_files):
    collect those warnings here, so they fail that one test instead of whichever test the GC runs in."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        yield caught
        gc.collect()


def unclosed_files(caught: list[warnings.WarningMessage]) -> list[str]:
    gc.collect()
    return [str(w.message).split(" object at ")[0] for w in caught if issubclass(w.category, ResourceWarning)]


def files_of(key: str) -> list[str]:
    ext = {"JPEG": "jpg", "WEBP": "webp"}
    derived = [f"derived/{key[:2]}/{key}-{name.split('-')[0]}.{ext[name.split('-')[1]]}" for name in VARIANT_NAMES]
    return sorted([f"originals/{key[:2]}/{key}", *derived])


def body(response: httpx.Response) -> object:
    return response.json() if response.headers.get("content-type") == "application/json" else response.text


async def assert_refused(response: httpx.Response, status: int, message: str, before, settings) -> None:
    assert (response.status_code, body(response)) == (status, {"error": message, "status": status})
    assert await snapshot() == before
    assert await stored_files(settings) == []


# --- the hostile corpus --------------------------------------------------------------------------

HOSTILE = imagegen.hostile_files()


def refusal_of(hostile: imagegen.HostileFile) -> str:
    """Image formats people export by mistake are named, with what to do instead."""
    if hostile.name in NOT_YET_ACCEPTED:
        return f"这是 {NOT_YET_ACCEPTED[hostile.name]} 文件，暂不接受。请导出为 JPEG 或 PNG 后再上传。"
    return NOT_HERE.get(hostile.name) or REASONS[hostile.reason]


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
async def test_hostile_file_is_refused_and_leaves_nothing(client, settings, hostile):
    entry, token = await designer(client, settings)
    before = await snapshot()
    response = await post_image(client, entry.id, hostile.data, token, name=hostile.name)
    await assert_refused(response, 400, refusal_of(hostile), before, settings)


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
async def test_hostile_file_is_refused_on_the_form_route(client, settings, hostile):
    entry, token = await designer(client, settings)
    before = await snapshot()
    response = await client.post(f"/me/entries/{entry.id}/slots/images/files/form", data={"csrf_token": token},
                                 files={"files": (hostile.name, hostile.data, "image/jpeg")},
                                 headers={"accept": "application/json"})
    await assert_refused(response, 400, refusal_of(hostile), before, settings)


async def test_image_below_the_track_minimum_is_refused(client, settings):
    entry, token = await designer(client, settings, min_width=1200, min_height=800)
    before = await snapshot()
    response = await post_image(client, entry.id, imagegen.jpeg((1199, 800)), token)
    await assert_refused(response, 400, BELOW_MINIMUM, before, settings)


async def test_image_at_the_track_minimum_is_accepted(client, settings):
    entry, token = await designer(client, settings, min_width=1200, min_height=800)
    response = await post_image(client, entry.id, imagegen.jpeg((1200, 800)), token)
    assert response.status_code == 201, response.text
    assert (response.json()["width"], response.json()["height"]) == (1200, 800)


async def test_a_phone_heic_is_accepted_upright_and_its_original_stays_the_designers(client, settings):
    entry, token = await designer(client, settings, min_width=800, min_height=800)
    response = await post_image(client, entry.id, imagegen.heic_photo(size=(1600, 1200)), token, name="IMG_0001.HEIC")
    assert response.status_code == 201, response.text
    assert (response.json()["width"], response.json()["height"]) == (1200, 1600)
    image = await EntryImage.get(entry_id=entry.id)
    assert image.original_format == "HEIF"
    original = await client.get(f"/media/{image.key}/original")
    assert (original.status_code, original.headers["content-type"]) == (200, "image/heic")


@pytest.fixture(scope="module")
def over_route_limit() -> bytes:
    return imagegen.garbage(ROUTE_LIMIT + 1, seed=2)


async def test_body_over_the_route_limit_is_413_with_its_size(client, settings, over_route_limit):
    entry, token = await designer(client, settings)
    before = await snapshot()
    response = await post_image(client, entry.id, over_route_limit, token)
    await assert_refused(response, 413, OVER_25_MB.format(size="26.1"), before, settings)


async def test_body_over_the_route_limit_with_a_small_content_length_is_413(client, settings, over_route_limit):
    entry, token = await designer(client, settings)
    before = await snapshot()
    response = await post_image(client, entry.id, over_route_limit, token, headers={"content-length": "1000"})
    await assert_refused(response, 413, TOO_LARGE, before, settings)


async def test_streamed_body_over_the_route_limit_is_413(client, settings, over_route_limit):
    async def chunks():
        for start in range(0, len(over_route_limit), MIB):
            yield over_route_limit[start:start + MIB]

    entry, token = await designer(client, settings)
    before = await snapshot()
    response = await post_image(client, entry.id, chunks(), token)
    await assert_refused(response, 413, OVER_25_MB_UNMEASURED, before, settings)


async def test_content_length_over_the_route_limit_is_413_whatever_the_body(client, settings):
    entry, token = await designer(client, settings)
    before = await snapshot()
    response = await post_image(client, entry.id, small_jpeg(), token, headers={"content-length": str(ROUTE_LIMIT + 1)})
    await assert_refused(response, 413, OVER_25_MB.format(size="26.1"), before, settings)


def same_size_jpegs(count: int) -> list[bytes]:
    """Different files of one size: the same image with a different byte after its end marker."""
    data = small_jpeg()
    return [data + bytes([n]) for n in range(count)]


def padded_jpeg(total: int) -> bytes:
    """A valid JPEG padded after its end marker to exactly ``total`` bytes (decoders ignore the tail)."""
    data = small_jpeg()
    return data + b"\x00" * (total - len(data))


async def test_file_over_the_track_limit_is_413_with_both_figures(client, settings):
    entry, token = await designer(client, settings, max_file_mb=1)
    before = await snapshot()
    response = await post_image(client, entry.id, padded_jpeg(MIB + 1), token)
    await assert_refused(response, 413, "超过 1 MB 上限（此文件 1.1 MB）。请减小文件大小后重新上传。", before, settings)


async def test_a_35_mb_file_is_refused_before_its_bytes_are_read(client, settings):
    entry, token = await designer(client, settings)
    before = await snapshot()

    async def chunks():
        yield small_jpeg()
        raise AssertionError("the body was read")

    response = await post_image(client, entry.id, chunks(), token, headers={"content-length": str(36_909_875)})
    await assert_refused(response, 413, OVER_25_MB.format(size="35.2"), before, settings)


async def test_a_file_over_the_limit_on_the_form_route_is_named_with_its_size(client, settings):
    entry, token = await designer(client, settings, max_file_mb=1)
    before = await snapshot()
    response = await client.post(f"/me/entries/{entry.id}/slots/images/files/form", data={"csrf_token": token},
                                 files={"files": ("big.jpg", padded_jpeg(3 * MIB // 2), "image/jpeg")},
                                 headers={"accept": "application/json"})
    await assert_refused(response, 413, "超过 1 MB 上限（此文件 1.5 MB）。请减小文件大小后重新上传。", before, settings)


async def test_file_at_the_track_limit_is_accepted(client, settings):
    entry, token = await designer(client, settings, max_file_mb=1)
    response = await post_image(client, entry.id, padded_jpeg(MIB), token)
    assert response.status_code == 201, response.text
    assert await EntryImage.filter(entry_id=entry.id).values_list("size_bytes", flat=True) == [MIB]


async def test_file_over_25_mib_but_under_the_route_limit_is_413(client, settings):
    entry, token = await designer(client, settings, max_file_mb=100)
    before = await snapshot()
    response = await post_image(client, entry.id, padded_jpeg(25 * MIB + 1), token)
    await assert_refused(response, 413, OVER_25_MB.format(size="25.1"), before, settings)


# --- multipart abuse -----------------------------------------------------------------------------

async def test_form_with_more_than_ten_files_is_refused(client, settings):
    entry, token = await designer(client, settings)
    before = await snapshot()
    files = [("files", (f"{n}.jpg", small_jpeg(seed=n), "image/jpeg")) for n in range(11)]
    response = await client.post(f"/me/entries/{entry.id}/slots/images/files/form", data={"csrf_token": token}, files=files,
                                 headers={"accept": "application/json"})
    await assert_refused(response, 400, NOT_PROCESSED, before, settings)


async def test_form_with_a_huge_text_field_is_refused(client, settings):
    entry, token = await designer(client, settings)
    before = await snapshot()
    response = await client.post(f"/me/entries/{entry.id}/slots/images/files/form",
                                 data={"csrf_token": token, "note": "x" * (64 * 1024 + 1)},
                                 files={"files": ("a.jpg", small_jpeg(), "image/jpeg")},
                                 headers={"accept": "application/json"})
    await assert_refused(response, 400, NOT_PROCESSED, before, settings)


async def test_form_with_a_garbage_boundary_is_refused(client, settings):
    entry, token = await designer(client, settings)
    before = await snapshot()
    body = (f'--real\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            '--real\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\n\r\n').encode()
    body += small_jpeg() + b"\r\n--real--\r\n"
    response = await client.post(f"/me/entries/{entry.id}/slots/images/files/form", content=body,
                                 headers={"content-type": "multipart/form-data; boundary=\x7f\x00garbage",
                                          "accept": "application/json"})
    await assert_refused(response, 400, NOT_PROCESSED, before, settings)


async def test_form_with_a_body_that_never_closes_its_parts_is_refused(client, settings):
    entry, token = await designer(client, settings)
    before = await snapshot()
    body = (f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            '--b\r\nContent-Disposition: form-data; name="files"; filename="a.jpg"\r\n\r\n').encode() + small_jpeg()
    response = await client.post(f"/me/entries/{entry.id}/slots/images/files/form", content=body,
                                 headers={"content-type": "multipart/form-data; boundary=b",
                                          "accept": "application/json"})
    await assert_refused(response, 400, CHOOSE_IMAGE, before, settings)


async def test_form_upload_accepts_several_files(client, settings):
    entry, token = await designer(client, settings)
    files = [("files", (f"{n}.jpg", small_jpeg(seed=n), "image/jpeg")) for n in range(2)]
    response = await client.post(f"/me/entries/{entry.id}/slots/images/files/form", data={"csrf_token": token}, files=files)
    assert (response.status_code, response.headers["location"]) == (303, f"http://testserver/me/entries/{entry.id}#files")
    rows = await EntryImage.filter(entry_id=entry.id).order_by("position").values_list("original_name", "position")
    assert rows == [("0.jpg", 0), ("1.jpg", 1)]


async def test_form_upload_closes_its_spooled_files(client, settings, spooled_file_warnings):
    entry, token = await designer(client, settings)
    files = [("files", (f"{n}.jpg", small_jpeg(seed=n), "image/jpeg")) for n in range(2)]
    response = await client.post(f"/me/entries/{entry.id}/slots/images/files/form", data={"csrf_token": token}, files=files)
    del response
    assert unclosed_files(spooled_file_warnings) == []


# --- polyglots and file names --------------------------------------------------------------------

async def test_jpeg_zip_polyglot_is_accepted_but_derivatives_are_pixels_only(client, settings):
    entry, token = await designer(client, settings)
    response = await post_image(client, entry.id, imagegen.jpeg_zip_polyglot(), token, name="poly.jpg")
    assert response.status_code == 201, response.text
    image = await EntryImage.get(entry_id=entry.id)
    assert await stored_files(settings) == files_of(image.key)
    store = open_store(settings)
    derived = [await store.read(name) for name in files_of(image.key) if name.startswith("derived/")]
    assert [(b"PK\x03\x04" in data, b"payload.html" in data) for data in derived] == [(False, False)] * 6


@pytest.mark.parametrize(("name", "stored"), [
    ("../../etc/passwd.jpg", "passwd.jpg"),
    ("a\x00b.jpg", "ab.jpg"),
    ("..\\..\\win.jpg", "win.jpg"),
    ("/abs/path/x.jpg", "x.jpg"),
    ("dir/\x1b[31mred\u202e.jpg", "[31mred.jpg"),
    ("设计/海报 终稿.jpg", "海报 终稿.jpg"),
], ids=["dotdot-slash", "nul", "dotdot-backslash", "absolute", "control-and-bidi", "chinese-dir"])
async def test_hostile_file_name_is_kept_as_a_clean_basename_only(client, settings, tmp_path, name, stored):
    entry, token = await designer(client, settings)
    response = await post_image(client, entry.id, small_jpeg(), token, name=name)
    assert response.status_code == 201, response.text
    image = await EntryImage.get(entry_id=entry.id)
    assert image.original_name == stored
    assert KEY.fullmatch(image.key)
    assert await stored_files(settings) == files_of(image.key)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uploads"]
    assert files_under(tmp_path) == [f"uploads/{path}" for path in files_under(settings.upload_dir)]


# --- odd but honest images -----------------------------------------------------------------------

ODD = {
    "cmyk-jpeg": (imagegen.cmyk_jpeg, (400, 300)),
    "png-16-bit-rgb": (imagegen.png16, (400, 300)),
    "png-16-bit-grey": (imagegen.grey16_png, (300, 200)),
    "palette-png-transparent": (imagegen.palette_png_with_transparency, (300, 200)),
    "rgba-png": (imagegen.rgba_png, (300, 200)),
    "progressive-jpeg": (imagegen.progressive_jpeg, (800, 600)),
    "grey-jpeg": (imagegen.grey_jpeg, (400, 300)),
    "mpo": (imagegen.mpo, (640, 480)),
    "webp": (imagegen.webp, (800, 600)),
}


def decoded(response: httpx.Response) -> Image.Image:
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return image


@pytest.mark.parametrize("kind", ODD)
async def test_odd_but_honest_image_is_accepted_and_normalised(client, settings, kind):
    make, size = ODD[kind]
    entry, token = await designer(client, settings)
    response = await post_image(client, entry.id, make(), token, name=f"{kind}.img")
    assert response.status_code == 201, response.text
    image = await EntryImage.get(entry_id=entry.id)
    assert (image.width, image.height) == size
    assert await stored_files(settings) == files_of(image.key)
    display = decoded(await client.get(f"/media/{image.key}/display.jpeg"))
    assert (display.format, display.mode, display.size) == ("JPEG", "RGB", scaled(size, min(1280, snapped_edge(size))))
    assert (display.info.get("icc_profile"), display.info.get("exif")) == (None, None)


async def test_cmyk_jpeg_keeps_its_colours(client, settings):
    entry, token = await designer(client, settings)
    await post_image(client, entry.id, imagegen.cmyk_jpeg(), token)
    image = await EntryImage.get(entry_id=entry.id)
    display = decoded(await client.get(f"/media/{image.key}/display.jpeg"))
    w, h = display.size
    cyan, magenta = display.getpixel((w // 8, h // 2)), display.getpixel((w * 7 // 8, h // 2))
    assert (cyan[0] < 100, cyan[1] > 120, cyan[2] > 180) == (True, True, True)
    assert (magenta[0] > 180, magenta[1] < 100, magenta[2] > 100) == (True, True, True)


async def test_transparent_palette_png_is_flattened_on_white_in_jpeg(client, settings):
    entry, token = await designer(client, settings)
    await post_image(client, entry.id, imagegen.palette_png_with_transparency(), token)
    image = await EntryImage.get(entry_id=entry.id)
    display = decoded(await client.get(f"/media/{image.key}/display.jpeg"))
    w, h = display.size
    left, top_right = display.getpixel((w * 2 // 15, h // 2)), display.getpixel((w * 5 // 6, h // 5))
    assert (min(left) > 245, top_right[0] > 230, top_right[1] < 30) == (True, True, True)


def near(pixel, colour) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel, colour, strict=True))


@pytest.mark.parametrize("orientation", range(1, 9))
async def test_exif_orientation_is_applied(client, settings, orientation):
    entry, token = await designer(client, settings)
    response = await post_image(client, entry.id, imagegen.oriented_jpeg(orientation, (600, 400)), token)
    assert response.status_code == 201, response.text
    image = await EntryImage.get(entry_id=entry.id)
    assert (image.width, image.height, response.json()["width"], response.json()["height"]) == (600, 400, 600, 400)
    display = decoded(await client.get(f"/media/{image.key}/display.jpeg"))
    corners = [display.getpixel((10, 10)), display.getpixel((629, 10)), display.getpixel((320, 416))]
    assert display.size == (640, 427)  # scaled up to the smallest class (EDGES)
    assert [near(corners[0], imagegen.RED), near(corners[1], imagegen.GREEN), near(corners[2], (128, 128, 128))] \
        == [True, True, True]


# --- whose entry, when, how many -----------------------------------------------------------------

async def test_upload_to_another_designers_entry_is_404_and_stores_nothing(client, settings):
    entry, _ = await designer(client, settings)
    intruder = await make_user()
    token = await login_as(client, intruder, secret=settings.secret_key)
    before = await snapshot()
    raw = await post_image(client, entry.id, small_jpeg(), token)
    await assert_refused(raw, 404, NOT_FOUND, before, settings)
    form = await client.post(f"/me/entries/{entry.id}/slots/images/files/form", data={"csrf_token": token},
                             files={"files": ("a.jpg", small_jpeg(), "image/jpeg")}, headers={"accept": "application/json"})
    await assert_refused(form, 404, NOT_FOUND, before, settings)


async def test_upload_after_the_deadline_is_409_and_keeps_the_draft(client, settings):
    now = clock.now()
    entry, token = await designer(client, settings)
    await entry.contest.filter(id=entry.contest_id).update(submissions_close_at=now - timedelta(seconds=1))
    before = await snapshot()
    response = await post_image(client, entry.id, small_jpeg(), token)
    await assert_refused(response, 409, DEADLINE, before, settings)
    assert await Entry.filter(id=entry.id).values_list("state", flat=True) == ["draft"]


async def test_upload_over_the_per_entry_file_quota_is_409(client, settings):
    entry, token = await designer(client, settings, max_images=1)
    first = await post_image(client, entry.id, small_jpeg(seed=1), token)
    assert first.status_code == 201, first.text
    files, before = await stored_files(settings), await snapshot()
    second = await post_image(client, entry.id, small_jpeg(seed=2), token)
    assert (second.status_code, second.json()) == (409, {"error": ENTRY_FULL.format(limit=1), "status": 409})
    assert (await snapshot(), await stored_files(settings)) == (before, files)


async def test_upload_over_the_per_designer_byte_quota_is_409(client, settings):
    data = small_jpeg()
    entry, token = await designer(client, settings, contest_fields={"max_bytes_per_designer": 2 * len(data) - 1})
    other = await make_entry(entry.contest, await entry.track, await entry.owner)
    first = await post_image(client, entry.id, data, token)
    assert first.status_code == 201, first.text
    files, before = await stored_files(settings), await snapshot()
    second = await post_image(client, other.id, data, token)
    assert (second.status_code, second.json()) == (409, {"error": STORAGE_FULL, "status": 409})
    assert (await snapshot(), await stored_files(settings)) == (before, files)


async def test_upload_filling_the_byte_quota_exactly_is_accepted(client, settings):
    files = same_size_jpegs(2)
    entry, token = await designer(client, settings, contest_fields={"max_bytes_per_designer": 2 * len(files[0])})
    responses = [await post_image(client, entry.id, data, token) for data in files]
    assert [r.status_code for r in responses] == [201, 201]


async def test_concurrent_uploads_cannot_exceed_the_file_quota(client, settings):
    entry, token = await designer(client, settings, max_images=2)
    responses = await asyncio.gather(*(post_image(client, entry.id, small_jpeg(seed=n), token) for n in range(5)))
    assert sorted(r.status_code for r in responses) == [201, 201, 409, 409, 409]
    assert [r.json() for r in responses if r.status_code == 409] == [{"error": ENTRY_FULL.format(limit=2), "status": 409}] * 3
    keys = await EntryImage.filter(entry_id=entry.id).order_by("position").values_list("key", flat=True)
    assert len(keys) == 2
    assert await stored_files(settings) == sorted(files_of(keys[0]) + files_of(keys[1]))
    positions = await EntryImage.filter(entry_id=entry.id).order_by("position").values_list("position", "is_cover")
    assert positions == [(0, True), (1, False)]


async def test_concurrent_uploads_cannot_exceed_the_byte_quota(client, settings):
    files = same_size_jpegs(5)
    entry, token = await designer(client, settings, contest_fields={"max_bytes_per_designer": 2 * len(files[0])})
    responses = await asyncio.gather(*(post_image(client, entry.id, data, token) for data in files))
    assert sorted(r.status_code for r in responses) == [201, 201, 409, 409, 409]
    keys = await EntryImage.filter(entry_id=entry.id).values_list("key", flat=True)
    assert await stored_files(settings) == sorted(files_of(keys[0]) + files_of(keys[1]))


# --- CSRF ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", [None, "", "0" * 64, "not-a-token"], ids=["missing", "empty", "zeros", "garbage"])
async def test_raw_upload_without_a_valid_csrf_header_is_403(client, settings, header):
    entry, _ = await designer(client, settings)
    before = await snapshot()
    response = await post_image(client, entry.id, small_jpeg(), header)
    await assert_refused(response, 403, CSRF, before, settings)


async def test_raw_upload_with_another_sessions_token_is_403(client, settings, app):
    entry, _ = await designer(client, settings)
    other = await make_user()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as second:
        foreign = await login_as(second, other, secret=settings.secret_key)
    before = await snapshot()
    response = await post_image(client, entry.id, small_jpeg(), foreign)
    await assert_refused(response, 403, CSRF, before, settings)


async def test_form_upload_without_csrf_token_is_403(client, settings):
    entry, _ = await designer(client, settings)
    before = await snapshot()
    response = await client.post(f"/me/entries/{entry.id}/slots/images/files/form", data={"note": "x"},
                                 files={"files": ("a.jpg", small_jpeg(), "image/jpeg")}, headers={"accept": "application/json"})
    await assert_refused(response, 403, CSRF, before, settings)


async def test_cross_site_upload_with_a_valid_token_is_403(client, settings):
    entry, token = await designer(client, settings)
    before = await snapshot()
    response = await post_image(client, entry.id, small_jpeg(), token, headers={"sec-fetch-site": "cross-site"})
    await assert_refused(response, 403, CSRF, before, settings)


# --- serving -------------------------------------------------------------------------------------

async def uploaded(client, settings, data: bytes | None = None) -> tuple[EntryImage, str]:
    entry, token = await designer(client, settings)
    response = await post_image(client, entry.id, data or small_jpeg(), token)
    assert response.status_code == 201, response.text
    return await EntryImage.get(id=response.json()["id"]), token


@pytest.mark.parametrize(("variant", "media_type"), [
    ("thumb.webp", "image/webp"), ("thumb.jpeg", "image/jpeg"), ("display.webp", "image/webp"),
    ("display.jpeg", "image/jpeg"), ("judging.webp", "image/webp"), ("judging.jpeg", "image/jpeg"),
])
async def test_derivative_is_served_with_type_nosniff_sandbox_and_content_etag(client, settings, variant, media_type):
    image, _ = await uploaded(client, settings)
    response = await client.get(f"/media/{image.key}/{variant}")
    etag = f'"{image.derivatives[variant]["sha256"]}"'
    assert (response.status_code, response.headers["content-type"], response.headers["etag"]) == (200, media_type, etag)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert "last-modified" not in response.headers
    assert decoded(response).format == {"image/webp": "WEBP", "image/jpeg": "JPEG"}[media_type]
    again = await client.get(f"/media/{image.key}/{variant}", headers={"if-none-match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)


@pytest.mark.parametrize(("make", "media_type"), [
    (small_jpeg, "image/jpeg"), (lambda: imagegen.png((320, 240)), "image/png"),
    (lambda: imagegen.webp((320, 240)), "image/webp"),
], ids=["jpeg", "png", "webp"])
async def test_original_is_served_to_its_owner_with_the_detected_type(client, settings, make, media_type):
    data = make()
    image, _ = await uploaded(client, settings, data)
    response = await client.get(f"/media/{image.key}/original")
    assert (response.status_code, response.headers["content-type"], response.content) == (200, media_type, data)
    assert (response.headers["etag"], response.headers["x-content-type-options"]) == (f'"{image.sha256}"', "nosniff")
    assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert "last-modified" not in response.headers
    again = await client.get(f"/media/{image.key}/original", headers={"if-none-match": f'"{image.sha256}"'})
    assert again.status_code == 304


async def test_png_named_jpg_is_served_as_png(client, settings):
    entry, token = await designer(client, settings)
    await post_image(client, entry.id, imagegen.png((320, 240)), token, name="really.jpg")
    image = await EntryImage.get(entry_id=entry.id)
    response = await client.get(f"/media/{image.key}/original")
    assert (image.original_format, response.headers["content-type"]) == ("PNG", "image/png")


@pytest.mark.parametrize("path", ["original", "display.jpeg", "thumb.webp"])
async def test_images_of_others_are_404_like_a_missing_key(client, settings, app, path):
    image, _ = await uploaded(client, settings)
    missing = "0123456789abcdef0123456789abcdef"
    await login_as(client, await make_user(), secret=settings.secret_key)
    other = [await client.get(f"/media/{image.key}/{path}"), await client.get(f"/media/{missing}/{path}")]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as anonymous:
        anon = [await anonymous.get(f"/media/{image.key}/{path}"), await anonymous.get(f"/media/{missing}/{path}")]
    assert [r.status_code for r in other + anon] == [404] * 4
    assert other[0].text.replace(image.key, missing) == other[1].text
    assert anon[0].text.replace(image.key, missing) == anon[1].text
    assert NOT_FOUND in other[0].text


# --- delete, cover, order ------------------------------------------------------------------------

async def order_of(entry: Entry) -> list[tuple[int, int, bool]]:
    return await EntryImage.filter(entry_id=entry.id).order_by("position").values_list("id", "position", "is_cover")


async def test_delete_removes_the_row_and_every_file_of_its_key(client, settings):
    entry, token, (a, b, c) = await three_images(client, settings)
    keys = dict(await EntryImage.filter(entry_id=entry.id).values_list("id", "key"))
    response = await image_action(client, entry.id, b, "delete", token)
    assert (response.status_code, response.json()["ok"]) == (200, True)
    assert listed(response.json()["html"]) == [a, c]
    assert await order_of(entry) == [(a, 0, True), (c, 1, False)]
    assert await stored_files(settings) == sorted(files_of(keys[a]) + files_of(keys[c]))


async def test_deleting_the_cover_makes_the_next_image_the_cover(client, settings):
    entry, token, (a, b, c) = await three_images(client, settings)
    await image_action(client, entry.id, a, "delete", token)
    assert await order_of(entry) == [(b, 0, True), (c, 1, False)]


async def test_cover_and_moves_keep_positions_dense_and_one_cover(client, settings):
    entry, token, (a, b, c) = await three_images(client, settings)
    await image_action(client, entry.id, c, "cover", token)
    assert await order_of(entry) == [(a, 0, False), (b, 1, False), (c, 2, True)]
    await image_action(client, entry.id, c, "up", token)
    assert await order_of(entry) == [(a, 0, False), (c, 1, True), (b, 2, False)]
    await image_action(client, entry.id, a, "up", token)
    assert await order_of(entry) == [(a, 0, False), (c, 1, True), (b, 2, False)]
    await image_action(client, entry.id, a, "down", token)
    assert await order_of(entry) == [(c, 0, True), (a, 1, False), (b, 2, False)]
    await image_action(client, entry.id, b, "down", token)
    assert await order_of(entry) == [(c, 0, True), (a, 1, False), (b, 2, False)]


async def test_image_action_on_another_designers_image_is_404(client, settings):
    entry, _, (a, _b, _c) = await three_images(client, settings)
    files, before = await stored_files(settings), await snapshot()
    token = await login_as(client, await make_user(), secret=settings.secret_key)
    responses = [await image_action(client, entry.id, a, action, token) for action in ("delete", "cover", "up")]
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert (await snapshot(), await stored_files(settings)) == (before, files)
