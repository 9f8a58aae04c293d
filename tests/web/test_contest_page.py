"""The contest's page before and after the announcement: the winners above the call for entries (nothing of them
before), its link preview, and the share poster whose QR code opens the gallery."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image

from contest.contests.models import Contest
from contest.media.storage import derived_name, new_key
from tests import imagegen
from tests.factories import make_track
from tests.results.gallery_builders import announced, announced_edition, tiers_for, winner
from tests.sql import counting_queries

pytestmark = pytest.mark.web

SECOND = timedelta(seconds=1)
PAGE = "/c/renmin-2025"
WINNERS = ("小工匠·阿铆", "钢花", "海派剪纸茶杯", "劳模笔记本")
UNCONFIRMED = ("提名未定", "已撤销作品")


@pytest.fixture
async def edition(app):
    return await announced_edition(app.state.store)


def meta(html: str, name: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', html)
    return found.group(1) if found else None


def winners_outline(html: str) -> list[str]:
    """The winners section's headings and card titles, in page order."""
    section = html[html.index('id="winners-title"'):html.index('class="call-title"')]
    return [re.sub(r"<[^>]+>", "", text).strip() for text in
            re.findall(r'<h[345] class="(?:winners-track-title|winners-grade|card-title)"[^>]*>(.*?)</h[345]>', section)]


def qr_text(png: bytes) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


async def test_after_the_announcement_the_winners_come_first_by_track_and_grade(client, edition):
    page = (await client.get(PAGE)).text
    assert winners_outline(page) == [
        "工运IP赛道", "一等奖", "小工匠·阿铆", "二等奖", "钢花",
        "生活实用产品赛道", "一等奖", "海派剪纸茶杯", "二等奖", "劳模笔记本",
        "特别奖", "网络人气奖", "小工匠·阿铆",
    ]
    assert [title in page for title in UNCONFIRMED] == [False, False]
    assert page.index('id="winners-title"') < page.index('id="tracks-title"') < page.index('id="timeline-title"')


async def test_the_winners_show_their_cover_images(client, edition):
    page = (await client.get(PAGE)).text
    section = page[page.index('id="winners-title"'):page.index('class="call-title"')]
    covers = re.findall(r'<img class="card-media" src="(/pub/[0-9a-f]{16}/[0-9a-f]{32}-thumb\.jpeg)"', section)
    assert len(covers) == 5  # the popular-vote winner twice: under its track and under the special awards
    assert [(await client.get(src)).status_code for src in covers] == [200] * 5


async def test_after_the_announcement_the_page_links_the_gallery_the_award_list_and_the_poster(client, edition):
    page = (await client.get(PAGE)).text
    section = page[page.index('id="winners-title"'):page.index('class="call-title"')]
    links = re.findall(r'<a class="btn [^"]+" href="([^"]+)"', section)
    assert [re.sub(r"\?v=[0-9a-f]{20}$", "?v=…", link) for link in links] == [
        f"{PAGE}/gallery", f"{PAGE}/awards.pdf", f"{PAGE}/awards.xlsx", f"{PAGE}/share-poster.png?v=…"]


async def test_before_the_announcement_nothing_of_the_results_shows(client, edition, at):
    at(edition.announce_at - SECOND)
    page = (await client.get(PAGE)).text
    assert [title in page for title in (*WINNERS, *UNCONFIRMED)] == [False] * 6
    assert [part in page for part in ('id="winners-title"', "/gallery", "awards.pdf", "awards.xlsx", "/pub/")] == \
        [False] * 5
    assert 'id="tracks-title"' in page and "share-poster.png" in page


async def test_the_link_preview_names_the_contest_and_shows_the_share_poster(client, edition, at):
    at(edition.announce_at - SECOND)
    before_page = (await client.get(PAGE)).text
    at(edition.announce_at)
    after_page = (await client.get(PAGE)).text
    previews = [{name: meta(page, name) for name in ("og:title", "og:url", "og:image:type", "og:image:width",
                                                      "og:image:height", "twitter:card")}
                for page in (before_page, after_page)]
    assert previews == [{"og:title": "人民城市 百年工运 2025", "og:url": "http://testserver/c/renmin-2025",
                         "og:image:type": "image/png", "og:image:width": "1080", "og:image:height": "1920",
                         "twitter:card": "summary_large_image"}] * 2
    images = [meta(page, "og:image") for page in (before_page, after_page)]
    assert [re.fullmatch(r"http://testserver/c/renmin-2025/share-poster\.png\?v=[0-9a-f]{20}", i) is not None
            for i in images] == [True, True]
    assert images[0] != images[1]  # the poster changes at the announcement, so its address does
    assert meta(after_page, "og:description") == "人民城市 百年工运 2025获奖作品。"


async def test_the_share_posters_qr_code_opens_the_gallery_once_results_are_public(client, edition, at):
    at(edition.announce_at - SECOND)
    before = await client.get(f"{PAGE}/share-poster.png")
    at(edition.announce_at)
    after = await client.get(f"{PAGE}/share-poster.png")
    assert [r.headers["content-type"] for r in (before, after)] == ["image/png"] * 2
    assert Image.open(io.BytesIO(after.content)).size == (1080, 1920)
    assert qr_text(before.content) == ["http://testserver/c/renmin-2025"]
    assert qr_text(after.content) == ["http://testserver/c/renmin-2025/gallery"]
    assert before.headers["etag"] != after.headers["etag"]


async def test_the_share_poster_is_revalidated_by_its_etag(client, edition):
    first = await client.get(f"{PAGE}/share-poster.png")
    again = await client.get(f"{PAGE}/share-poster.png", headers={"If-None-Match": first.headers["etag"]})
    assert first.headers["cache-control"] == "public, no-cache"
    assert [again.status_code, again.content] == [304, b""]
    await Contest.filter(id=edition.id).update(title="人民城市 百年工运 2025（更正）")
    changed = await client.get(f"{PAGE}/share-poster.png", headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]


async def test_the_share_poster_shows_the_key_visual(client, edition, app):
    key = new_key()
    await app.state.store.put(derived_name(key, "display", "JPEG"),
                              imagegen.encode(Image.new("RGB", (1280, 533), (20, 140, 60)), "JPEG"))
    await Contest.filter(id=edition.id).update(poster_key=key)
    with_banner = Image.open(io.BytesIO((await client.get(f"{PAGE}/share-poster.png")).content)).convert("RGB")
    red, green, blue = with_banner.getpixel((540, 200))
    assert green > 120 and red < 60 and blue < 90
    assert qr_text((await client.get(f"{PAGE}/share-poster.png")).content) == ["http://testserver/c/renmin-2025/gallery"]


async def test_an_unpublished_contest_has_no_share_poster(client, edition):
    await Contest.filter(id=edition.id).update(is_published=False)
    assert (await client.get(f"{PAGE}/share-poster.png")).status_code == 404


@pytest.mark.parametrize("winners", [1, 3])
async def test_the_contest_pages_queries_do_not_grow_with_the_number_of_winners(client, app, winners):
    contest = await announced()
    track = await make_track(contest)
    (tier,) = await tiers_for(contest, track, names=("优秀奖",))
    for n in range(winners):
        await winner(contest, track, tier, app.state.store, title=f"作品{n}", number=f"Q-{n}", images=2)
    with counting_queries() as records:
        response = await client.get(f"/c/{contest.slug}")
    assert len(re.findall(r'<h5 class="card-title">', response.text)) == winners
    assert len(records) == 9
