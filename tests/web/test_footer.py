from __future__ import annotations

import dataclasses
import re

import pytest

from contest.accounts.models import ContestRole
from contest.settings import load_settings
from tests.factories import login_as, make_contest, make_user

pytestmark = pytest.mark.web

ICP, PSB = "京ICP备12345678号-1", "京公网安备11010502000001号"
FILINGS = [("https://beian.miit.gov.cn/", ICP), ("https://beian.mps.gov.cn/#/query/webSearch?code=11010502000001", PSB)]


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, icp_filing=ICP, psb_filing=PSB)


def footer(page: str) -> str:
    return re.search(r'<footer class="site-footer">(.*?)</footer>', page, re.DOTALL).group(1)


def filings(page: str) -> list[tuple[str, str]]:
    """The links of the footer's filings paragraph, in order."""
    found = re.search(r'<p class="filings">(.*?)</p>', footer(page), re.DOTALL)
    return re.findall(r'<a href="([^"]+)" target="_blank" rel="noopener">([^<]+)</a>', found.group(1)) if found else []


async def test_every_kind_of_page_shows_both_filings_with_their_links(client, settings):
    contest = await make_contest(is_published=True)
    organiser, judge, designer = await make_user(), await make_user(), await make_user()
    await ContestRole.create(contest=contest, user=organiser, role="organiser")
    await ContestRole.create(contest=contest, user=judge, role="judge")
    pages = {"public": [(None, "/"), (None, f"/c/{contest.slug}"), (None, "/privacy"), (None, "/account/register")],
             "designer": [(designer, "/me/")], "organiser": [(organiser, "/admin/")], "judge": [(judge, "/judge/")],
             "error": [(None, "/c/no-such-contest"), (designer, "/me/entries/999999")]}
    seen = {}
    for kind, visits in pages.items():
        for user, path in visits:
            client.cookies.clear()
            if user is not None:
                await login_as(client, user, secret=settings.secret_key)
            response = await client.get(path)
            seen[path] = (kind, response.status_code, filings(response.text) == FILINGS)
    assert seen == {"/": ("public", 200, True), f"/c/{contest.slug}": ("public", 200, True),
                    "/privacy": ("public", 200, True), "/account/register": ("public", 200, True),
                    "/me/": ("designer", 200, True), "/admin/": ("organiser", 200, True),
                    "/judge/": ("judge", 200, True), "/c/no-such-contest": ("error", 404, True),
                    "/me/entries/999999": ("error", 404, True)}


async def test_only_the_filing_configured_is_shown(client, app):
    app.state.settings = dataclasses.replace(app.state.settings, psb_filing="")
    assert filings((await client.get("/privacy")).text) == FILINGS[:1]


def test_the_filings_are_read_from_the_environment(tmp_path):
    settings = load_settings({"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_ICP_FILING": f" {ICP} ",
                              "CONTEST_PSB_FILING": PSB})
    assert (settings.icp_filing, settings.psb_filing, settings.psb_filing_code) == (ICP, PSB, "11010502000001")
    assert (load_settings({"CONTEST_DATA_DIR": str(tmp_path)}).icp_filing) == ""
