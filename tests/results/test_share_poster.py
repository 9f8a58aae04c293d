"""The share poster without HTTP: what it shows before and after the announcement, its digest, and a layout that
holds for the longest texts and a nearly square banner."""

from __future__ import annotations

import io
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import zxingcpp
from PIL import Image

from contest.results import share_poster
from contest.results.share_poster import HEIGHT, PosterSpec, layout, render, spec_for
from tests import imagegen

pytestmark = pytest.mark.unit

ANNOUNCE = datetime(2026, 6, 1, 10, tzinfo=UTC)
URLS = {"gallery_url": "https://wenchuang.example.cn/c/x/gallery", "contest_url": "https://wenchuang.example.cn/c/x"}


def contest(**values):
    base = {"title": "人民城市 百年工运", "title_en": "", "tagline": "以设计致敬劳动者", "host_bodies": "市总工会",
            "poster_key": "", "announce_at": ANNOUNCE}
    return SimpleNamespace(**{**base, **values})


def decoded(png: bytes) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_before_the_announcement_the_poster_is_the_call_for_entries():
    spec = spec_for(contest(), now=ANNOUNCE - timedelta(seconds=1), **URLS)
    assert (spec.headline, spec.scan_hint, spec.url) == ("", share_poster.SCAN_CONTEST, URLS["contest_url"])


def test_from_the_announcement_the_poster_opens_the_gallery():
    spec = spec_for(contest(poster_key="ab" * 16), now=ANNOUNCE, **URLS)
    assert (spec.headline, spec.scan_hint, spec.url) == (share_poster.REVEALED, share_poster.SCAN_GALLERY,
                                                         URLS["gallery_url"])
    assert spec.banner.endswith(f"{'ab' * 16}-display.jpg")


def test_every_fact_the_poster_shows_changes_its_digest():
    spec = spec_for(contest(), now=ANNOUNCE, **URLS)
    changed = [replace(spec, **{f.name: getattr(spec, f.name) + "x"}).digest for f in fields(PosterSpec)]
    assert len({spec.digest, *changed}) == len(changed) + 1


LONGEST = {"title": "长" * 120, "title_en": "Long " * 60, "tagline": "长" * 200, "hosts": "上海市总工会、" * 20}


@pytest.mark.parametrize("announced", [False, True])
@pytest.mark.parametrize("banner", [None, (1600, 900), (1200, 1100)])
def test_nothing_overlaps_with_the_longest_texts(announced, banner):
    spec = replace(spec_for(contest(), now=ANNOUNCE if announced else ANNOUNCE - timedelta(1), **URLS), **LONGEST)
    places = layout(spec, banner)
    text_bottom, card_bottom = places.text_top + places.text_height, places.card_top + share_poster.CARD_HEIGHT
    assert places.banner + 96 <= places.text_top and text_bottom + share_poster.GAP <= places.card_top
    assert card_bottom + 40 <= places.hosts_top and places.hosts_top + 2 * share_poster.HOSTS.leading <= HEIGHT - 56


def test_a_short_poster_keeps_the_whole_banner_up_to_16_to_9():
    spec = spec_for(contest(), now=ANNOUNCE, **URLS)
    assert [layout(spec, size).banner for size in ((1280, 533), (1200, 1100))] == [450, share_poster.BANNER_MAX_HEIGHT]


def test_the_longest_poster_with_a_nearly_square_banner_keeps_its_qr_code_readable():
    spec = replace(spec_for(contest(), now=ANNOUNCE, **URLS), **LONGEST)
    banner = imagegen.encode(Image.new("RGB", (1200, 1100), (20, 140, 60)), "JPEG")
    png = render(spec, banner)
    poster = Image.open(io.BytesIO(png)).convert("RGB")
    assert poster.size == (share_poster.WIDTH, HEIGHT)
    assert decoded(png) == [URLS["gallery_url"]]
    height = layout(spec, (1200, 1100)).banner
    top, below = poster.getpixel((540, height // 3)), poster.getpixel((540, height + 40))
    assert top[1] > 120 and below[1] < 100  # the banner, cut to what room is left, and the darkened backdrop
