"""Entries as real calls ask for them (issue 14), end to end in a real browser:

- a designer on a phone-sized page fills a track with boards as a PDF, a phone's HEIC photo, a video and a
  source ZIP; the video's upload is cut off and goes on from where it stopped; the designer submits;
- a judge sees the rendered boards and plays the video, and nothing the judge's browser receives carries the
  names planted in those files' metadata;
- the gallery labels the entry that declared AI help, and its public image carries the implicit label.
"""

from __future__ import annotations

import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.async_api import expect

from tests import imagegen
from tests.browser.conftest import LiveServer, screenshot, server_env, start_server
from tests.browser.helpers import DESIGNER, JUDGE, log_in
from tests.media import pdfgen, source_samples, videogen

pytestmark = pytest.mark.browser

PLANTED = ("Zhang San", "张三", imagegen.MARKER, "VIDEO-MARK-58")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN"}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("formats")


@pytest.fixture(scope="module")
def live_server(work: Path) -> Iterator[LiveServer]:
    """A demo of its own: this module closes the open contest and opens a round in it."""
    server = start_server(work)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The designer's files, each with names planted where a careless pipeline would pass them on."""
    folder = tmp_path_factory.mktemp("formats-files")
    boards = folder / "展板-张三.pdf"
    boards.write_bytes(pdfgen.with_metadata())
    photo = folder / "IMG_0042.HEIC"
    photo.write_bytes(imagegen.heic_photo())
    video = videogen.make_video(folder / "演示-张三.mp4", size=(320, 240), seconds=2,
                                metadata={"title": "VIDEO-MARK-58", "artist": "Zhang San", "comment": "张三"},
                                stream_metadata={"handler_name": "VIDEO-MARK-58"})
    # past 8 MiB, so the page sends it by the resumable protocol, in two pieces: an ISO "free" box at the end is
    # what editors leave as padding, and players skip it
    with video.open("ab") as out:
        out.write(struct.pack(">I4s", 9 * 2**20 + 8, b"free") + bytes(9 * 2**20))
    drafts = folder / "过程稿.zip"
    drafts.write_bytes(source_samples.drafts_zip())
    return {"boards": str(boards), "photos": str(photo), "video": str(video), "source": str(drafts)}


async def upload(page, slot: str, path: str, count: int) -> None:
    await page.set_input_files(f"#f-files-{slot}", path)
    await expect(page.locator(f"#slot-items-{slot} > li")).to_have_count(count, timeout=90_000)


async def test_a_phone_fills_every_slot_a_judge_sees_only_clean_copies(browser, live_server, work, files):
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    await log_in(page, live_server, DESIGNER)
    await page.goto(live_server.url("/me/c/renmin-2026/new"))
    await page.check("label.track-choice:has-text('工运IP赛道') input")
    async with page.expect_navigation():
        await page.click("main button[type=submit]")

    await upload(page, "boards", files["boards"], 1)
    await expect(page.locator("#slot-items-boards .page-strip img")).to_have_count(2)
    await upload(page, "photos", files["photos"], 1)
    await upload(page, "source", files["source"], 1)

    requests: list[tuple[str, str]] = []
    cut: list[str] = []

    async def cut_the_second_piece(route) -> None:
        request = route.request
        requests.append((request.method, request.url))
        if request.method == "PATCH" and request.headers.get("upload-offset", "0") != "0" and not cut:
            cut.append(request.url)
            await route.abort("connectionreset")
        else:
            await route.continue_()

    await page.route("**/slots/video/resumable**", cut_the_second_piece)
    await upload(page, "video", files["video"], 1)
    assert cut, "the second piece was never sent"
    creations = [url for method, url in requests if method == "POST"]
    assert len(creations) == 1, requests  # resumed, not started again
    assert ("HEAD", cut[0]) in requests or sum(method == "PATCH" for method, _ in requests) >= 3, requests
    await screenshot(page, "formats-phone-uploaded")

    for _ in range(60):  # the transcode runs off the request; the page shows 处理中 until it is done
        await page.reload()
        if await page.locator("#slot-items-video img").count():
            break
        await expect(page.locator("#slot-items-video .file-state")).to_contain_text("处理中")
        await page.wait_for_timeout(1000)
    await expect(page.locator("#slot-items-video img")).to_be_visible()

    await page.fill("#f-title", "铆钉记忆")
    await page.fill("#f-concept", "一颗铆钉串起百年工运。")
    await page.fill("#f-character_name", "铆钉娃娃")
    await page.fill("#f-worldview", "一颗铆钉见证百年工运。")
    await page.check("input[name=originality]")
    await page.check("input[name=ip_terms]")
    await screenshot(page, "formats-phone-form")
    async with page.expect_navigation():
        await page.click("button[value=submit]")
    assert "/receipt" in page.url
    number = (await page.text_content(".receipt-number strong")).strip()
    assert await page.locator(".hash-list li").count() == 4  # the PDF, the photo, the video, the ZIP
    await screenshot(page, "formats-phone-receipt")
    await context.close()

    alias = subprocess.run([sys.executable, "-m", "tests.browser.formats_round", number], env=server_env(work),
                           check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    judge = await (await browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")).new_page()
    await log_in(judge, live_server, JUDGE)
    await judge.goto(live_server.url("/judge/"))
    await judge.locator(".judge-round", has_text="格式初评").locator(".card-title a").click()
    queue = judge.url
    await judge.locator(".judge-queue-item a", has_text=alias).click()
    await expect(judge.locator(".score-entry .alias")).to_have_text(alias)
    await expect(judge.locator(".score-thumbs img")).to_have_count(3)  # two rendered pages and the photo
    video = judge.locator(".score-video video")
    await expect(video).to_have_count(1)
    playing = await video.evaluate("""v => new Promise(done => {
        v.muted = true;
        v.addEventListener('timeupdate', () => done(v.currentTime), {once: true});
        v.play().catch(error => done('refused: ' + error));
        setTimeout(() => done('no progress, readyState ' + v.readyState), 20000);
    })""")
    assert isinstance(playing, int | float) and playing >= 0, playing
    await screenshot(judge, "formats-judge-score-page")

    seen = await crawl(judge, [queue, judge.url])
    assert len(seen) >= 6, seen.keys()  # the pages, the page images, the photo, the video and its poster
    for url, body in seen.items():
        for planted in (*PLANTED, "展板-张三", "IMG_0042", "过程稿"):
            assert planted.encode() not in body, (planted, url)


async def crawl(page, pages: list[str]) -> dict[str, bytes]:
    """Every page given and every judge or media URL they point to, fetched with the judge's session: bodies
    and headers together."""
    seen: dict[str, bytes] = {}
    for url in pages:
        response = await page.request.get(url)
        seen[url] = await response.body() + str(response.headers).encode()
        html = (await response.body()).decode()
        for link in await page.evaluate("""html => {
            const doc = new DOMParser().parseFromString(html, 'text/html');
            return [...doc.querySelectorAll('[src],[href],[poster],[srcset],[data-webp],[data-jpeg]')].flatMap(el =>
                ['src', 'href', 'poster', 'srcset', 'data-webp', 'data-jpeg'].map(name => el.getAttribute(name)))
                .filter(Boolean).map(value => value.split(' ')[0]);
        }""", html):
            target = urljoin(url, link)
            if ("/judge/" in target or "/media/" in target) and target not in seen:
                answer = await page.request.get(target)
                seen[target] = await answer.body() + str(answer.headers).encode()
    return seen


async def test_the_gallery_labels_work_made_with_ai_and_its_public_image_says_so(page, live_server):
    await page.goto(live_server.url("/c/renmin-2025/gallery?track=brand"))
    labelled = page.locator(".gallery-card", has=page.locator(".badge-ai"))
    await expect(labelled.first).to_be_visible()
    await expect(labelled.first.locator(".badge-ai")).to_have_text("AI辅助")
    assert await page.locator(".gallery-card").count() > await labelled.count()  # the others declared none
    await screenshot(page, "formats-gallery-ai-label")
    source = await labelled.first.locator("img").first.get_attribute("src")
    image = await page.request.get(live_server.url(source))
    assert image.ok
    body = await image.body()
    assert b"TC260" in body and b"AIGC" in body  # the implicit label of GB 45438, in the XMP
