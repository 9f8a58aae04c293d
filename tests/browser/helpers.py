"""What many browser tests do the same way: the demo's accounts, signing in through the login form, and
pressing a button that leads to a new page."""

from __future__ import annotations

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
