"""The public award gallery, the list of winners and an awarded entry's page, once results are public;
their images, link previews, HTTP caching and the rendered-page cache."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from datetime import timedelta
from functools import partial

import pytest
from starlette.responses import Response

from contest import cache_stamp, clock
from contest.entries.models import Entry, EntryFile, EntryImage
from contest.errors import NotFound
from contest.media.storage import derived_name, new_key
from contest.results.models import Award, AwardStatus
from contest.web.infra.page_cache import Page, PageCache
from tests.factories import login_as, make_contest, make_track, make_user, slot_of_entry
from tests.results.gallery_builders import announced, announced_edition, tiers_for, winner
from tests.sql import counting_queries

pytestmark = pytest.mark.web

KEY = ("testserver", "/c/x/gallery", "", "zh_CN")


def card_titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', html)


@pytest.fixture
async def edition(app):
    return await announced_edition(app.state.store)


async def test_gallery_lists_confirmed_awards_best_grade_first(client, edition):
    response = await client.get("/c/renmin-2025/gallery")
    assert response.status_code == 200
    assert card_titles(response.text) == ["小工匠·阿铆", "海派剪纸茶杯", "钢花", "劳模笔记本"]
    assert "提名未定" not in response.text and "已撤销作品" not in response.text


@pytest.mark.parametrize(("query", "titles", "chosen"), [
    ("?track=product", ["海派剪纸茶杯", "劳模笔记本"], ["生活实用产品赛道"]),
    ("?grade=2", ["钢花", "劳模笔记本"], ["二等奖"]),
    ("?track=ip&grade=1", ["小工匠·阿铆"], ["工运IP赛道", "一等奖"]),
    ("?grade=special", ["小工匠·阿铆"], []),
    ("?track=product&grade=special", [], ["生活实用产品赛道"]),
])
async def test_gallery_filters_by_track_and_grade_with_plain_links(client, edition, query, titles, chosen):
    response = await client.get(f"/c/renmin-2025/gallery{query}")
    assert response.status_code == 200
    assert card_titles(response.text) == titles
    current = re.findall(r'<a class="chip" href="[^"]*" aria-current="true">([^<]+)</a>', response.text)
    assert len(current) == 2  # one chip per filter, "all" when the filter is not used
    assert [label for label in current if label in {"生活实用产品赛道", "工运IP赛道", "一等奖", "二等奖"}] == chosen


async def test_filter_links_keep_the_other_filter(client, edition):
    page = (await client.get("/c/renmin-2025/gallery?track=ip")).text
    links = set(re.findall(r'href="/c/renmin-2025/gallery\?([^"]*)"', page))
    assert {"track=ip&amp;grade=1", "track=ip&amp;grade=2", "track=ip&amp;grade=3", "track=ip&amp;grade=special",
            "track=product", "grade=1"} - links == {"grade=1"}
    assert "track=product" in links


@pytest.mark.parametrize("query", ["?track=nope", "?grade=9", "?page=2", "?page=0", "?page=x", "?page=01"])
async def test_filters_no_link_offers_are_a_missing_page(client, edition, query):
    response = await client.get(f"/c/renmin-2025/gallery{query}")
    assert response.status_code == 404
    assert response.headers["cache-control"] == "no-store"


async def test_unknown_query_parameters_change_nothing(client, edition):
    plain = await client.get("/c/renmin-2025/gallery")
    noisy = await client.get("/c/renmin-2025/gallery?utm_source=wechat&x=1")
    assert noisy.status_code == 200
    assert noisy.text == plain.text


async def test_gallery_pages_48_cards_at_a_time(client, app):
    contest = await announced()
    track = await make_track(contest)
    (tier,) = await tiers_for(contest, track, names=("优秀奖",))
    owner = await make_user()
    for n in range(50):
        await winner(contest, track, tier, app.state.store, title=f"作品{n:02d}", number=f"N-{n:04d}", images=0,
                     owner=owner)
    first = await client.get(f"/c/{contest.slug}/gallery")
    second = await client.get(f"/c/{contest.slug}/gallery?page=2")
    assert [len(card_titles(first.text)), len(card_titles(second.text))] == [48, 2]
    assert 'rel="next"' in first.text and 'rel="prev"' in second.text
    assert card_titles(second.text) == ["作品48", "作品49"]


async def test_cards_have_responsive_lazy_images_with_their_size(client, edition):
    page = (await client.get("/c/renmin-2025/gallery")).text
    images = re.findall(r"<img [^>]+>", page)
    cards = [img for img in images if "card-media" in img]
    assert len(cards) == 4
    assert all('width="200" height="150"' in img and " 200w, " in img and " 400w" in img for img in cards)
    assert [('loading="lazy"' in img) for img in cards] == [False, False, True, True]
    assert page.count('<source type="image/webp" srcset="') == 4
    assert 'sizes="(max-width: 40rem) 50vw' in page


async def test_results_list_names_every_grade_by_track_and_the_vacant_ones(client, edition):
    response = await client.get("/c/renmin-2025/results")
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))
    assert "工运IP赛道 一等奖 小工匠·阿铆 林间设计工作室 · R-01-0001 二等奖 钢花" in text
    assert "三等奖 空缺 生活实用产品赛道 一等奖 海派剪纸茶杯" in text
    assert "网络人气奖 小工匠·阿铆 林间设计工作室 · 工运IP赛道 · R-01-0001" in text
    assert "提名未定" not in text and "已撤销作品" not in text


async def test_entry_page_shows_all_images_the_concept_and_the_chosen_public_name(client, edition):
    response = await client.get("/c/renmin-2025/gallery/R-01-0001")
    assert response.status_code == 200
    page = response.text
    assert "林间设计工作室" in page and "工运IP赛道" in page
    assert "一颗铆钉成了精。\n陪伴一代代工人。" in page
    assert page.count('class="lightbox-link"') == 3
    assert re.findall(r'class="badge badge-award">([^<]+)<', page) == ["一等奖", "网络人气奖"]
    assert 'src="/static/public/js/lightbox.js"' in page
    images = await EntryImage.filter(entry__number="R-01-0001").order_by("position").values_list("key", flat=True)
    assert [page.index(key) for key in images] == sorted(page.index(key) for key in images)


@pytest.mark.parametrize("number", ["R-02-0003", "R-01-0003", "NOPE"])
async def test_entries_without_a_confirmed_award_have_no_page(client, edition, number):
    response = await client.get(f"/c/renmin-2025/gallery/{number}")
    assert response.status_code == 404


async def test_entry_from_another_contest_is_not_found_under_this_one(client, edition, app):
    other = await announced(slug="campus-2025")
    track = await make_track(other)
    (tier,) = await tiers_for(other, track, names=("一等奖",))
    await winner(other, track, tier, app.state.store, title="校园作品", number="C-01-0001")
    assert (await client.get("/c/renmin-2025/gallery/C-01-0001")).status_code == 404
    assert (await client.get("/c/campus-2025/gallery/C-01-0001")).status_code == 200


async def test_link_previews_carry_the_image(client, edition):
    page = (await client.get("/c/renmin-2025/gallery/R-01-0001")).text
    tags = dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[\w:]+)" content="([^"]*)"', page))
    cover = await EntryImage.get(entry__number="R-01-0001", position=0)
    digest = cover.derivatives["display.jpeg"]["sha256"][:16]
    assert tags["og:image"] == f"http://testserver/pub/{digest}/{cover.key}-display.jpeg"
    assert tags["og:title"] == "小工匠·阿铆 · 一等奖"
    assert tags["og:url"] == "http://testserver/c/renmin-2025/gallery/R-01-0001"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("400", "300")
    assert tags["twitter:card"] == "summary_large_image"
    gallery = (await client.get("/c/renmin-2025/gallery")).text
    assert '<meta property="og:image" content="http://testserver/pub/' in gallery


async def test_public_image_urls_name_their_content_and_cache_for_a_year(client, edition, app):
    image = await EntryImage.filter(entry__number="R-01-0002").first()
    for variant, kind in (("thumb.webp", "image/webp"), ("display.jpeg", "image/jpeg")):
        facts = image.derivatives[variant]
        response = await client.get(f"/pub/{facts['sha256'][:16]}/{image.key}-{variant}")
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == facts["sha256"]
        assert response.headers["content-type"] == kind
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert "last-modified" not in response.headers
    stale = await client.get(f"/pub/{'0' * 16}/{image.key}-thumb.webp")
    judging = await client.get(f"/pub/{image.derivatives['thumb.webp']['sha256'][:16]}/{image.key}-judging.webp")
    assert [stale.status_code, judging.status_code] == [404, 404]


async def test_images_of_entries_without_a_confirmed_award_are_not_public(client, edition):
    for number in ("R-02-0003", "R-01-0003"):
        image = await EntryImage.filter(entry__number=number).first()
        facts = image.derivatives["thumb.webp"]
        response = await client.get(f"/pub/{facts['sha256'][:16]}/{image.key}-thumb.webp")
        assert response.status_code == 404
        assert response.headers["cache-control"] == "no-store"


async def test_public_pages_answer_304_to_their_etag(client, edition):
    first = await client.get("/c/renmin-2025/gallery")
    assert first.headers["cache-control"] == "public, max-age=60"
    assert first.headers["vary"] == "Cookie, Accept-Language, Accept-Encoding"
    again = await client.get("/c/renmin-2025/gallery", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]


async def test_signed_in_visitors_get_their_own_page_not_a_shared_one(client, settings, edition):
    anonymous = await client.get("/c/renmin-2025/gallery")
    user = await make_user(display_name="陈晓雯")
    await login_as(client, user, secret=settings.secret_key)
    signed_in = await client.get("/c/renmin-2025/gallery")
    assert "陈晓雯" in signed_in.text and "陈晓雯" not in anonymous.text
    assert signed_in.headers["cache-control"] == "private, no-cache"
    assert card_titles(signed_in.text) == card_titles(anonymous.text)


async def test_a_cached_page_costs_no_query(client, edition):
    await client.get("/c/renmin-2025/gallery")
    with counting_queries() as records:
        again = await client.get("/c/renmin-2025/gallery")
    assert again.status_code == 200
    assert records == []


async def test_each_language_has_its_own_cached_page(client, edition):
    chinese = await client.get("/c/renmin-2025/gallery")
    english = await client.get("/c/renmin-2025/gallery", headers={"accept-language": "en"})
    assert '<html lang="zh-CN">' in chinese.text and '<html lang="en">' in english.text
    assert "Prize 1" in english.text and "Prize 1" not in chinese.text


@pytest.mark.parametrize("winners", [1, 3])
async def test_gallery_queries_do_not_grow_with_the_number_of_winners(client, app, winners):
    contest = await announced()
    track = await make_track(contest)
    (tier,) = await tiers_for(contest, track, names=("优秀奖",))
    for n in range(winners):
        await winner(contest, track, tier, app.state.store, title=f"作品{n}", number=f"Q-{n}", images=2)
    with counting_queries() as records:
        response = await client.get(f"/c/{contest.slug}/gallery")
    assert len(card_titles(response.text)) == winners
    assert len(records) == 5


async def test_concurrent_misses_render_the_page_once(client, app, edition):
    responses = await asyncio.gather(*(client.get("/c/renmin-2025/gallery") for _ in range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    assert len({r.text for r in responses}) == 1
    assert app.state.page_cache.renders == 1


async def test_a_results_change_reaches_the_cached_pages(client, app, edition):
    assert "钢花" in (await client.get("/c/renmin-2025/gallery")).text
    await Award.filter(entry__number="R-01-0002").update(status=AwardStatus.REVOKED)
    assert "钢花" in (await client.get("/c/renmin-2025/gallery")).text  # cached until told
    await cache_stamp.invalidate_results(edition.id)
    # dropped at once: a kept page may be one the embargo now forbids
    assert "钢花" not in (await client.get("/c/renmin-2025/gallery")).text
    assert app.state.page_cache.renders == 2


async def test_a_page_that_is_gone_after_a_change_is_not_served_again(client, app, edition):
    assert (await client.get("/c/renmin-2025/gallery/R-01-0002")).status_code == 200
    await Award.filter(entry__number="R-01-0002").update(status=AwardStatus.REVOKED)
    await cache_stamp.invalidate_results(edition.id)
    await client.get("/c/renmin-2025/gallery/R-01-0002")
    await app.state.page_cache.settle()
    assert (await client.get("/c/renmin-2025/gallery/R-01-0002")).status_code == 404


async def test_another_process_change_reaches_the_cache_within_its_check(client, app, edition):
    await client.get("/c/renmin-2025/gallery")
    cache = app.state.page_cache
    await Award.filter(entry__number="R-01-0002").update(status=AwardStatus.REVOKED)
    stamp = cache_stamp.stamp_directory() / str(edition.id)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    temporary = stamp.with_name(".written-by-another-worker")
    temporary.write_text("written by another worker")
    os.replace(temporary, stamp)  # as invalidate_results writes it: the folder's time moves
    assert "钢花" not in (await client.get("/c/renmin-2025/gallery")).text
    assert cache.renders == 2


async def test_the_contest_page_links_the_gallery_once_results_are_public(client, edition):
    page = (await client.get("/c/renmin-2025")).text
    assert 'href="/c/renmin-2025/gallery"' in page


async def test_past_editions_stay_browsable(client, app, edition):
    later = await make_contest(slug="renmin-2026", announce_at=clock.now() + timedelta(days=90))
    track = await make_track(later)
    (tier,) = await tiers_for(later, track, names=("一等奖",))
    await winner(later, track, tier, app.state.store, title="今年的作品", number="R26-0001")
    past = await client.get("/c/renmin-2025/gallery")
    current = await client.get("/c/renmin-2026/gallery")
    assert [past.status_code, current.status_code] == [200, 404]
    assert "今年的作品" not in past.text


# --- the page cache on its own -------------------------------------------------------------------


def page(body: bytes, contest_id: int = 1, *, public: bool = True) -> Page:
    return Page(Response(body, media_type="text/html"), contest_id, public)


async def test_waiters_share_a_failed_render_and_nothing_is_kept():
    cache = PageCache()
    started = asyncio.Event()

    async def failing() -> Page:
        started.set()
        await asyncio.sleep(0.01)
        raise NotFound()

    first = asyncio.create_task(cache.fill(KEY, failing))
    await started.wait()
    waiters = [asyncio.create_task(cache.fill(KEY, failing)) for _ in range(3)]
    results = await asyncio.gather(first, *waiters, return_exceptions=True)
    assert [type(r) for r in results] == [NotFound] * 4
    assert (await cache.lookup(KEY), cache.renders) == (None, 0)


async def test_a_render_overtaken_by_a_change_is_not_kept():
    cache = PageCache()

    async def render() -> Page:
        cache.outdate([1])  # results changed while this page was being rendered
        return page(b"old")

    assert (await cache.fill(KEY, render)).response.body == b"old"  # its own requests get it
    assert await cache.lookup(KEY) is None


async def test_a_request_after_a_change_does_not_wait_for_a_render_begun_before_it():
    cache = PageCache()
    started, release = asyncio.Event(), asyncio.Event()

    async def old() -> Page:
        started.set()
        await release.wait()
        return page(b"old")

    first = asyncio.create_task(cache.fill(KEY, old))
    await started.wait()
    cache.outdate([1])  # results changed while the old render runs
    later = asyncio.create_task(cache.fill(KEY, partial(asyncio.sleep, 0, page(b"new"))))
    await asyncio.sleep(0)  # the later request is under way (before the fix, it waited for the old render)
    release.set()
    assert ((await later).response.body, (await first).response.body) == (b"new", b"old")
    assert (await cache.lookup(KEY)).body == b"new"


async def test_previews_are_never_kept_and_pages_expire():
    cache = PageCache(ttl=0.05)
    await cache.fill(KEY, partial(asyncio.sleep, 0, page(b"preview", public=False)))
    assert await cache.lookup(KEY) is None
    await cache.fill(KEY, partial(asyncio.sleep, 0, page(b"public")))
    assert cache.fresh(await cache.lookup(KEY))
    await asyncio.sleep(0.06)
    assert not cache.fresh(await cache.lookup(KEY))


async def test_a_page_past_its_ttl_is_re_rendered_once_however_many_ask():
    cache = PageCache(ttl=0)
    await cache.fill(KEY, partial(asyncio.sleep, 0, page(b"v1")))
    cache.ttl = 300
    for _ in range(5):
        cache.refresh_later(KEY, partial(asyncio.sleep, 0.01, page(b"v2")))
    await cache.settle()
    assert (cache.renders, (await cache.lookup(KEY)).body, cache.fresh(await cache.lookup(KEY))) == (2, b"v2", True)


async def test_the_number_of_pages_kept_is_bounded():
    cache = PageCache(max_pages=2)
    for n in range(3):
        await cache.fill(("h", f"/p{n}", "", "zh_CN"), partial(asyncio.sleep, 0, page(b"x")))
    kept = [await cache.lookup(("h", f"/p{n}", "", "zh_CN")) is not None for n in range(3)]
    assert kept == [False, True, True]


async def test_a_winners_video_plays_from_its_page_seekable_and_its_declared_ai_use_is_labelled(client, edition, app):
    """The transcoded copy of a public slot's video, by a content-named URL, with range requests (seeking); an
    entry that declared AI help is labelled on its card and its page."""
    entry = await Entry.get(number="R-01-0001")
    await Entry.filter(id=entry.id).update(ai_disclosure={"extent": "assisted", "tools": "Midjourney", "parts": "纹样"})
    store = app.state.store
    key = new_key()
    movie = bytes(range(256)) * 40
    await store.put(derived_name(key, "video", "MP4"), movie)
    await EntryFile.create(entry=entry, slot=await slot_of_entry(entry), key=key, kind="video", format="mp4",
                           size_bytes=1, sha256="0" * 64,
                           details={"video": {"sha256": hashlib.sha256(movie).hexdigest(), "bytes": len(movie)},
                                    "width": 1280, "height": 720, "duration_s": 3.0, "poster": {}})
    await cache_stamp.invalidate_results(entry.contest_id)
    page = (await client.get("/c/renmin-2025/gallery/R-01-0001")).text
    source = re.search(r'<video [^>]*src="([^"]+)"', page)[1]
    assert source == f"/pub/{hashlib.sha256(movie).hexdigest()[:16]}/{key}.mp4"
    seeking = await client.get(source, headers={"range": "bytes=100-199"})
    assert (seeking.status_code, seeking.content, seeking.headers["content-type"]) == (206, movie[100:200], "video/mp4")
    assert "AI辅助" in page
    assert "AI辅助" in (await client.get("/c/renmin-2025/gallery")).text
    assert (await client.get(source.replace("/pub/", "/pub/0")[:-4] + ".mp4")).status_code == 404  # another digest
