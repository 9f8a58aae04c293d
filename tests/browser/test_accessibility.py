"""axe-core (from the npm registry, installed by `make test`) over the pages of every audience, in
Chinese and English: no serious or critical violation anywhere.

The pages are reached the way people reach them, by following links from each audience's start,
so ids and aliases come from the demo as it is. axe is injected into a context that bypasses the
CSP (the pages themselves allow no inline script, and axe arrives as one).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser

AXE = Path(os.environ.get("CONTEST_AXE", Path(__file__).resolve().parents[2] / ".venv/axe/node_modules/axe-core/axe.min.js"))
BLOCKING = {"serious", "critical"}
ACCOUNTS = {
    "designer": ("designer@demo.wenchuang.cn", "demo-designer-2026"),
    "judge": ("judge2@jury.wenchuang.cn", "demo-judge-2026"),
    "organiser": ("organiser@demo.wenchuang.cn", "demo-organiser-2026"),
}
PUBLIC = ["/", "/c/renmin-2026", "/c/renmin-2026/rules", "/c/renmin-2025", "/c/renmin-2025/results",
          "/c/renmin-2025/gallery", "/c/renmin-2025/notice", "/account/login", "/account/register", "/account/reset"]
ORGANISER = ["/admin/", "/admin/c/campus-2026/", "/admin/c/campus-2026/settings", "/admin/c/campus-2026/rounds",
             "/admin/c/campus-2026/people", "/admin/c/campus-2026/exports", "/admin/c/campus-2026/outbox",
             "/admin/c/campus-2026/messages", "/admin/c/campus-2026/audit", "/admin/c/campus-2026/awards",
             "/admin/c/campus-2026/objections", "/admin/c/campus-2026/duplicates", "/admin/c/campus-2026/leaks",
             "/admin/contests/new", "/admin/c/renmin-2025/ceremony"]


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is missing at {AXE}: `make test` installs it from the npm registry")
        pytest.skip(f"axe-core is not installed at {AXE} (make test installs it)")
    return AXE.read_text()


async def violations(page, axe_source: str) -> list[str]:
    await page.add_script_tag(content=axe_source)
    found = await page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                                ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))")
    return [f"{v['id']} ({v['impact']}): {', '.join(v['nodes'][:3])}" for v in found if v["impact"] in BLOCKING]


async def audit(page, paths: list[str], live_server, axe_source: str) -> dict[str, list[str]]:
    problems = {}
    for path in paths:
        response = await page.goto(live_server.url(path))
        assert response.status < 400, (path, response.status)
        found = await violations(page, axe_source)
        if found:
            problems[path] = found
    return problems


async def first_link(page, live_server, start: str, selector: str) -> str:
    await page.goto(live_server.url(start))
    href = await page.locator(selector).first.get_attribute("href")
    return href.removeprefix(live_server.url(""))


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
async def test_every_audience_has_no_serious_or_critical_violation(browser, live_server, axe_source, locale):
    problems: dict[str, list[str]] = {}
    for audience in ("public", "designer", "judge", "organiser"):
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale, bypass_csp=True)
        page = await context.new_page()
        if locale == "en":
            await page.goto(live_server.url("/lang/en?next=/"))
        paths = list(PUBLIC)
        if audience != "public":
            await log_in(page, live_server, ACCOUNTS[audience])
        if audience == "public":
            paths.append(await first_link(page, live_server, "/c/renmin-2025/gallery", "a[href*='/gallery/']"))
        elif audience == "designer":
            paths = ["/me/", "/me/results", "/account/password",
                     await first_link(page, live_server, "/me/", "a[href*='/me/entries/']")]
        elif audience == "judge":
            queue = await first_link(page, live_server, "/judge/", ".judge-round .card-title a")
            paths = ["/judge/", queue, await first_link(page, live_server, queue, ".judge-queue-item a")]
        else:
            round_page = await first_link(page, live_server, "/admin/c/campus-2026/rounds", "table a[href*='/rounds/']")
            paths = [*ORGANISER, round_page, round_page + "/progress", round_page + "/results"]
        problems.update({f"{audience} {path}": found
                         for path, found in (await audit(page, paths, live_server, axe_source)).items()})
        await context.close()
    assert problems == {}
