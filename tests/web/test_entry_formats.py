"""Issue 14 through HTTP, against the real app: PDF boards, videos, HEIC photos and source files in an entry's
slots. Hostile files of each kind are refused with their reason in Chinese and leave nothing behind; good files
become the rows, copies and downloads the designer expects; and a judge who follows every link of the judging
pages finds none of the metadata, names or organisers-only files the designer's uploads carried."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import httpx
import pytest

from contest.contests.models import SlotAudience
from contest.entries.models import Entry, EntryFile, EntryImage, FileStatus
from contest.entries.queries import bytes_used_by_designer
from contest.judging.models import Round
from tests import imagegen
from tests.jobs import run_jobs
from tests.media import pdfgen
from tests.media import source_samples as samples
from tests.web.entry_formats_scene import (
    ALIAS,
    DESIGNER_EMAIL,
    DESIGNER_NAME,
    MARK,
    NAMES,
    add_slot,
    build_judge_scene,
    crawl,
    footprint,
    heic_claiming,
    planted_board,
    planted_heic,
    planted_sources,
    planted_video,
    post_file,
    tells,
    video_bytes,
)
from tests.web.uploads import designer, small_jpeg, stored_files

pytestmark = pytest.mark.web

MIB = 2**20
BOMB_MB = 100


# --- generated once per module --------------------------------------------------------------------------------

@cache
def one_second_video() -> bytes:
    return video_bytes(seconds=1)


@cache
def zip_bomb() -> bytes:
    from tests.web.entry_formats_scene import zip_bomb as make
    return make(BOMB_MB)


@cache
def small_board(pages: int) -> bytes:
    return pdfgen.board(pages, (74, 105))  # A7: 874 x 1240 px at 300 dpi, quick to render


# --- the hostile corpus of the new kinds ----------------------------------------------------------------------

@dataclass(frozen=True)
class Hostile:
    slot: str                    # "images" (the track's own), "boards", "film" or "sources"
    make: Callable[[], bytes]
    message: str | Callable[[], str]
    name: str = "upload.bin"
    rules: dict[str, object] = field(default_factory=dict)  # the slot's own limits, when the case needs them

    def expected(self) -> str:
        return self.message if isinstance(self.message, str) else self.message()


SLOT_KINDS = {"images": ["image"], "boards": ["pdf"], "film": ["video"], "sources": ["source"]}
PDF_FORMATS = "PDF"


def bomb_ratio_message() -> str:
    ratio = BOMB_MB * MIB // len(zip_bomb())
    return f"该压缩包的压缩比远高于正常文件（最多 100 倍；此压缩包 {ratio} 倍），这是压缩炸弹的特征。"


HOSTILE = {
    "encrypted-pdf": Hostile("boards", lambda: pdfgen.encrypted("secret"),
                             "该 PDF 已加密或设有密码保护。请取消保护后另存，再重新上传。", "board.pdf"),
    "pdf-with-javascript": Hostile("boards", pdfgen.javascript_in_open_action,
                                   "该 PDF 含有 JavaScript，不予接受。请将展板重新导出为普通 PDF。", "board.pdf"),
    "pdf-with-embedded-file": Hostile("boards", lambda: pdfgen.attachment(f"{MARK}.txt"),
                                      "该 PDF 内嵌了附件，不予接受。请将展板重新导出为不含附件的 PDF。", "board.pdf"),
    "pdf-deflate-bomb": Hostile("boards", lambda: pdfgen.bomb(300 * MIB),
                                "该 PDF 的数据量超出展板所需（解压后超过 200 MB）。请缩小其中的图片后重新导出。",
                                "board.pdf"),
    "pdf-too-many-pages": Hostile("boards", lambda: small_board(3), "PDF 页数过多（最多 2 页；此文件 3 页）。",
                                  "board.pdf", {"max_pages": 2}),
    "video-absurd-width": Hostile("film", lambda: video_bytes(size=(8200, 64), seconds=0.1, audio=False),
                                  "视频画面尺寸过大（单边最多 8192 像素；此视频 8200 像素）。", "wide.mp4"),
    "video-too-long": Hostile("film", lambda: video_bytes(seconds=2, audio=False),
                              "视频过长（最长 1 秒；此视频 2 秒）。", "long.mp4", {"max_seconds": 1}),
    "video-truncated": Hostile("film", lambda: one_second_video()[: len(one_second_video()) // 2],
                               "无法读取该视频，文件可能已损坏或不完整。请重新上传。", "cut.mp4"),
    "heic-claiming-60000x60000": Hostile("images", lambda: heic_claiming(60_000, 60_000),
                                         "图片像素过多（最多 5000 万像素）。", "IMG_0002.HEIC"),
    "heic-claiming-20000x100": Hostile("images", lambda: heic_claiming(20_000, 100),
                                       "图片尺寸过大（单边最多 12000 像素）。", "IMG_0003.HEIC"),
    "zip-bomb": Hostile("sources", zip_bomb, bomb_ratio_message, "drafts.zip"),
    "zip-slip": Hostile("sources", lambda: samples.archive({"drafts/../../evil.txt": b"x"}),
                        "该压缩包中有文件会解压到其所在文件夹之外。", "drafts.zip"),
    "jpeg-zip-polyglot": Hostile("sources", imagegen.jpeg_zip_polyglot,
                                 "该文件同时符合两种文件格式，不予接受。请重新导出。", "poly.zip"),
    "executable": Hostile("sources", samples.pe_executable, "不接受程序文件作为源文件。", "setup.zip"),
    "pdf-in-an-image-slot": Hostile("images", lambda: small_board(1),
                                    "这是 PDF 文件，此文件项不接受该格式；此文件项接受 JPEG, PNG, WebP, HEIC。", "board.jpg"),
    "video-in-a-pdf-slot": Hostile("boards", one_second_video,
                                   "这是 MP4 文件，此文件项不接受该格式；此文件项接受 PDF。", "board.pdf"),
}


@cache
def hostile_bytes(case: str) -> bytes:
    return HOSTILE[case].make()


def error_of(response: httpx.Response) -> tuple[int, object]:
    body = response.json() if response.headers.get("content-type") == "application/json" else response.text
    return response.status_code, body


async def entry_with_slot(client, settings, hostile: Hostile):
    entry, token = await designer(client, settings)
    if hostile.slot != "images":
        await add_slot(entry, hostile.slot, SLOT_KINDS[hostile.slot], max_mb=200, **hostile.rules)
    return entry, token


@pytest.mark.parametrize("case", list(HOSTILE))
async def test_a_hostile_file_is_refused_in_chinese_and_leaves_nothing(client, settings, case):
    hostile = HOSTILE[case]
    entry, token = await entry_with_slot(client, settings, hostile)
    before = await footprint(entry)
    response = await post_file(client, entry.id, hostile.slot, hostile_bytes(case), token, name=hostile.name)
    message = hostile.expected()
    assert error_of(response) == (400, {"error": message, "status": 400})
    assert await footprint(entry) == before
    assert await bytes_used_by_designer(entry.owner_id) == 0
    assert await stored_files(settings) == []


@pytest.mark.parametrize("case", ["encrypted-pdf", "video-truncated", "zip-slip", "heic-claiming-60000x60000"])
async def test_a_hostile_file_is_refused_on_the_form_route_too(client, settings, case):
    hostile = HOSTILE[case]
    entry, token = await entry_with_slot(client, settings, hostile)
    before = await footprint(entry)
    response = await client.post(f"/me/entries/{entry.id}/slots/{hostile.slot}/files/form",
                                 data={"csrf_token": token},
                                 files={"files": (hostile.name, hostile_bytes(case), "application/octet-stream")},
                                 headers={"accept": "application/json"})
    assert error_of(response) == (400, {"error": hostile.expected(), "status": 400})
    assert await footprint(entry) == before
    assert await stored_files(settings) == []


# --- good files -------------------------------------------------------------------------------------------------

async def test_a_two_page_pdf_becomes_one_file_and_two_page_images(client, settings):
    entry, token = await designer(client, settings)
    await add_slot(entry, "boards", ["image", "pdf"], max_pages=5)
    data = small_board(2)
    response = await post_file(client, entry.id, "boards", data, token, name="展板.pdf")
    assert response.status_code == 201, response.text
    file = await EntryFile.get(entry_id=entry.id)
    assert (response.json()["id"], response.json()["kind"], response.json()["status"]) == (file.id, "pdf", "ready")
    assert (file.kind, file.format, file.size_bytes, file.original_name) == ("pdf", "pdf", len(data), "展板.pdf")
    pages = await EntryImage.filter(entry_id=entry.id).order_by("page").values_list("source_file_id", "page")
    assert pages == [(file.id, 1), (file.id, 2)]
    assert await bytes_used_by_designer(entry.owner_id) == len(data)  # the PDF counts, its pages do not
    original = await client.get(f"/media/files/{file.key}/original")
    assert (original.status_code, original.content) == (200, data)
    assert original.headers["content-type"] == "application/pdf"
    assert original.headers["content-disposition"].startswith("attachment;")


async def test_a_video_is_processing_then_ready_with_a_poster_and_a_seekable_mp4(client, settings):
    entry, token = await designer(client, settings)
    await add_slot(entry, "film", ["video"], max_mb=200, max_seconds=10)
    response = await post_file(client, entry.id, "film", one_second_video(), token, name="clip.mp4")
    assert response.status_code == 201, response.text
    assert (response.json()["kind"], response.json()["status"]) == ("video", "processing")
    await run_jobs(settings)
    file = await EntryFile.get(entry_id=entry.id)
    assert (file.status, file.failure) == (FileStatus.READY, "")
    assert file.details["poster"], "no poster"
    whole = await client.get(f"/media/files/{file.key}/video.mp4")
    assert (whole.status_code, whole.headers["content-type"]) == (200, "video/mp4")
    assert whole.content[4:8] == b"ftyp"
    part = await client.get(f"/media/files/{file.key}/video.mp4", headers={"range": "bytes=0-99"})
    assert (part.status_code, len(part.content), part.content) == (206, 100, whole.content[:100])
    assert part.headers["content-range"] == f"bytes 0-99/{len(whole.content)}"
    poster_variant = next(iter(file.details["poster"]))
    poster = await client.get(f"/media/files/{file.key}/{poster_variant}")
    assert (poster.status_code, poster.headers["content-type"]) == (200, f"image/{poster_variant.split('.')[1]}")


async def test_a_zip_in_a_source_slot_is_kept_and_downloadable_by_its_designer(client, settings):
    entry, token = await designer(client, settings)
    await add_slot(entry, "sources", ["source"], max_mb=200, audience=SlotAudience.ORGANISERS)
    data = samples.drafts_zip()
    response = await post_file(client, entry.id, "sources", data, token, name="过程稿.zip")
    assert response.status_code == 201, response.text
    file = await EntryFile.get(entry_id=entry.id)
    assert (file.kind, file.format, file.details["entries"]) == ("source", "zip", 3)
    assert await stored_files(settings) == [f"originals/{file.key[:2]}/{file.key}"]  # kept whole, never unpacked
    download = await client.get(f"/media/files/{file.key}/original")
    assert (download.status_code, download.content) == (200, data)
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "%E8%BF%87%E7%A8%8B%E7%A8%BF.zip" in download.headers["content-disposition"]


async def test_a_slots_count_spans_its_kinds_and_a_pdf_is_one_file(client, settings):
    entry, token = await designer(client, settings)
    await add_slot(entry, "boards", ["image", "pdf"], max_count=2, max_pages=5)
    board = await post_file(client, entry.id, "boards", small_board(2), token, name="展板.pdf")
    photo = await post_file(client, entry.id, "boards", small_jpeg(seed=1), token, name="photo.jpg")
    assert (board.status_code, photo.status_code) == (201, 201)  # two page rows and a photo: two files
    before = await footprint(entry)
    full = "此文件项已有 2 个文件，达到上限；请先删除一个再添加。"
    another_photo = await post_file(client, entry.id, "boards", small_jpeg(seed=2), token, name="more.jpg")
    another_board = await post_file(client, entry.id, "boards", small_board(1), token, name="more.pdf")
    assert [error_of(another_photo), error_of(another_board)] == [(409, {"error": full, "status": 409})] * 2
    assert await footprint(entry) == before


async def test_a_zip_in_a_slot_taking_images_and_source_files_is_a_source_file(client, settings):
    """过程稿 as photos or a ZIP: the ZIP's bytes make it a source file, not a broken image."""
    entry, token = await designer(client, settings)
    await add_slot(entry, "process", ["image", "source"], max_mb=200, audience=SlotAudience.ORGANISERS)
    photo = await post_file(client, entry.id, "process", small_jpeg(seed=3), token, name="sketch.jpg")
    drafts = await post_file(client, entry.id, "process", samples.drafts_zip(), token, name="drafts.zip")
    assert (photo.status_code, drafts.status_code) == (201, 201), drafts.text
    assert (photo.json()["kind"], drafts.json()["kind"]) == ("image", "source")


# --- the judge's crawl ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def planted() -> dict[str, bytes]:
    return {"board": planted_board(2), "photo": planted_heic(), "video": planted_video(),
            "source": planted_sources(), "process": imagegen.jpeg_with_metadata(MARK, size=(800, 600))}


@pytest.fixture
async def scene(client, settings, planted):
    scene = await build_judge_scene(client, settings, planted)
    await run_jobs(settings)
    assert (await EntryFile.get(id=scene.files["video"].id)).status == FileStatus.READY
    return scene


JUDGE_VARIANTS = ("jpeg", "webp", "thumb.jpeg", "thumb.webp")
FORBIDDEN = [*tells(MARK), *tells(DESIGNER_NAME), DESIGNER_EMAIL.encode(),
             *(name.encode() for name in NAMES.values())]


def leaks(response: httpx.Response, secrets: list[bytes]) -> list[bytes]:
    headers = b"\n".join(k + b": " + v for k, v in response.headers.raw)
    return [secret for secret in secrets if secret in response.content or secret in headers]


async def test_nothing_a_judge_can_reach_carries_the_designers_metadata_or_names(client, settings, scene):
    pages = ["/judge/", f"/judge/r/{scene.round_id}", scene.score_path]
    copies = [f"{scene.score_path}/{n}.{variant}" for n in (1, 2, 3) for variant in JUDGE_VARIANTS]
    reached = await crawl(client, pages + copies)
    start = pages + copies
    assert {path: r.status_code for path, r in reached.items() if path in start} == dict.fromkeys(start, 200)
    images = [path for path, r in reached.items() if r.headers.get("content-type", "").startswith("image/")]
    # two pages and the photo, and the poster of the video (under the same alias)
    assert {path.split("/")[-1].split(".")[0] for path in images} == {"1", "2", "3", "video-1"}
    keys = [scene.files[kind].key.encode() for kind in scene.files] + [key.encode() for key in scene.image_keys]
    found = {path: leaks(r, FORBIDDEN + keys) for path, r in reached.items()}
    assert {path: secrets for path, secrets in found.items() if secrets} == {}


async def test_the_organisers_only_slot_is_neither_listed_nor_reachable_for_a_judge(client, settings, scene):
    page = await client.get(scene.score_path)
    assert page.status_code == 200
    assert ("文件项 sources" in page.text, "文件项 process" in page.text) == (False, False)
    assert [(await client.get(f"{scene.score_path}/{n}.jpeg")).status_code for n in (1, 2, 3, 4)] == [200] * 3 + [404]
    process_key = (await EntryImage.get(entry_id=scene.entry.id, original_name=NAMES["process"])).key
    direct = [f"/media/files/{scene.files['source'].key}/original", f"/media/files/{scene.files['board'].key}/original",
              f"/media/files/{scene.files['video'].key}/original", f"/media/files/{scene.files['video'].key}/video.mp4",
              f"/media/{process_key}/original", f"/media/{process_key}/judging.jpeg"]
    assert {path: (await client.get(path)).status_code for path in direct} == dict.fromkeys(direct, 404)


VIDEO_TAG = re.compile(r"<video\b[^>]*>.*?</video>", re.DOTALL)
SRC = re.compile(r"""\b(src|poster)\s*=\s*["']([^"']+)["']""")


async def test_the_judge_plays_the_video_under_the_alias_without_its_tags(client, settings, scene):
    """The judges' player (being added with this test): an alias-named URL, the clean transcode, seekable."""
    page = await client.get(scene.score_path)
    player = VIDEO_TAG.search(page.text)
    assert player, "the scoring page shows no <video> element"
    inner = re.findall(r"""<source\b[^>]*\bsrc\s*=\s*["']([^"']+)["']""", player.group(0))
    sources = dict(SRC.findall(player.group(0))) | ({"src": inner[0]} if inner else {})
    src = httpx.URL(f"http://testserver{scene.score_path}").join(sources["src"].replace("&amp;", "&"))
    assert src.path.startswith(f"/judge/r/{scene.round_id}/{ALIAS}/"), src
    video = await client.get(src.raw_path.decode())
    assert (video.status_code, video.headers["content-type"]) == (200, "video/mp4")
    assert leaks(video, [*FORBIDDEN, scene.files["video"].key.encode()]) == []
    part = await client.get(src.raw_path.decode(), headers={"range": "bytes=0-99"})
    assert (part.status_code, part.content) == (206, video.content[:100])
    if "poster" in sources:
        poster = await client.get(httpx.URL(f"http://testserver{scene.score_path}").join(sources["poster"]).path)
        assert poster.status_code == 200 and leaks(poster, FORBIDDEN) == []


async def test_judges_see_the_ai_label_only_where_the_round_says_so(client, settings, scene):
    await Entry.filter(id=scene.entry.id).update(ai_disclosure={"extent": "assisted", "tools": "Firefly", "parts": "底纹"})
    assert "badge-ai" not in (await client.get(scene.score_path)).text
    await Round.filter(id=scene.round_id).update(judges_see_ai_labels=True)
    page = (await client.get(scene.score_path)).text
    assert re.findall(r'class="badge badge-ai">([^<]+)<', page) == ["AI辅助"]
