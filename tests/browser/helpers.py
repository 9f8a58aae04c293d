"""What many browser tests do the same way: the demo's accounts, signing in through the login form, pressing a
button that leads to a new page, a design file to upload and a designer's new entry to upload it to."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests import imagegen

ORGANISER = ("organiser@demo.wenchuang.cn", "demo-organiser-2026")
JUDGE = ("judge1@jury.wenchuang.cn", "demo-judge-2026")
DESIGNER = ("designer@demo.wenchuang.cn", "demo-designer-2026")


async def log_in(page, server, account: tuple[str, str]) -> None:
    """Sign in as `account` (e-mail, password) on `server`'s login form and wait for the page it leads to."""
    await page.goto(server.url("/account/login"))
    await page.fill("#f-email", account[0])
    await page.fill("#f-password", account[1])
    await submit(page, "main button[type=submit]")


async def submit(page, selector: str) -> None:
    async with page.expect_navigation():
        await page.click(selector)


async def download(page, selector: str, folder: Path) -> Path:
    """Click `selector`, which starts a download, and save the file in `folder` under its suggested name."""
    async with page.expect_download() as started:
        await page.click(selector)
    download = await started.value
    path = folder / download.suggested_filename
    await download.save_as(path)
    return path


def design(folder, name: str, seed: int, size: tuple[int, int] = (1600, 1200)) -> str:
    path = folder / name
    imagegen.poster(size, seed=seed).save(path, "JPEG", quality=85)
    return str(path)


async def new_entry(page, live_server) -> None:
    """The demo designer's new draft in the open contest, marked so that a test can tell a reload from the same page."""
    await log_in(page, live_server, DESIGNER)
    await page.goto(live_server.url("/me/c/renmin-2026/new"))
    async with page.expect_navigation():
        await page.click("main button[type=submit]")
    await page.evaluate("window.__samePage = true")


async def phone_page(browser, **options):
    """A page in a new phone-sized context (390×844, touch, zh-CN), and the list its script errors go to."""
    context = await browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                        has_touch=True, locale="zh-CN", **options)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


TYPED_TITLE, TYPED_CONCEPT = "还没保存的标题", "先打字，再加图片：这段文字不能丢。"


async def type_without_saving(page) -> None:
    """Type an entry form's title and concept, not saved: what later steps must not lose."""
    await page.fill("#f-title", TYPED_TITLE)
    await page.fill("#f-concept", TYPED_CONCEPT)


async def assert_typed_text_kept(page) -> None:
    assert await page.evaluate("window.__samePage === true"), "the page was reloaded"
    assert (await page.input_value("#f-title"), await page.input_value("#f-concept")) == (TYPED_TITLE, TYPED_CONCEPT)


CLOSE_SECONDS = 60


async def close_context(context) -> None:
    """Leave every page of the context, then close it. A page holding a live stream (the meeting's screens) once
    left Playwright's context.close() waiting for good and hung CI (2026-12-07): leaving first ends the streams,
    and the bound turns any such wait into a failure with a traceback instead of a silent hang."""
    for page in context.pages:
        await page.goto("about:blank")
    await asyncio.wait_for(context.close(), CLOSE_SECONDS)
