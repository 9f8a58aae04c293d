from __future__ import annotations

import os

import pytest
from PIL import Image, ImageChops, ImageStat

from contest import demo_art

pytestmark = [pytest.mark.unit, pytest.mark.any_database]


def spread(image: Image.Image) -> float:
    return max(ImageStat.Stat(image.convert("RGB")).stddev)


def same(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a, b).getbbox() is None


@pytest.mark.parametrize("track", demo_art.TRACKS)
def test_render_artwork_is_deterministic(track):
    assert same(demo_art.render_artwork(7, track=track, size=(400, 300)),
                demo_art.render_artwork(7, track=track, size=(400, 300)))


@pytest.mark.parametrize("track", demo_art.TRACKS)
def test_render_artwork_has_requested_size_and_mode(track):
    image = demo_art.render_artwork(1, track=track, size=(640, 480))
    assert (image.size, image.mode) == ((640, 480), "RGB")


def test_render_artwork_default_size():
    assert demo_art.render_artwork(0, track="ip").size == (1600, 1200)


@pytest.mark.parametrize("track", demo_art.TRACKS)
def test_render_artwork_differs_across_seeds(track):
    images = [demo_art.render_artwork(seed, track=track, size=(200, 150)) for seed in range(6)]
    pairs = [(a, b) for i, a in enumerate(images) for b in images[i + 1:]]
    assert [same(a, b) for a, b in pairs] == [False] * len(pairs)


@pytest.mark.parametrize("track", demo_art.TRACKS)
@pytest.mark.parametrize("seed", range(8))
def test_render_artwork_is_not_flat(track, seed):
    assert spread(demo_art.render_artwork(seed, track=track, size=(320, 240))) > 20


def test_render_artwork_rejects_unknown_track():
    with pytest.raises(ValueError, match="unknown track"):
        demo_art.render_artwork(1, track="poetry")


def test_consecutive_seeds_change_palette_and_variant():
    designs = [demo_art.design_for(seed, "product") for seed in range(2000, 2006)]
    assert len({d.variant for d in designs}) == 6
    assert len({d.palette for d in designs}) == 6


@pytest.mark.parametrize("track", demo_art.TRACKS)
def test_render_entry_images_gives_distinct_views(track):
    views = demo_art.render_entry_images(3, track=track, count=5, size=(320, 240))
    assert [v.size for v in views] == [(320, 240)] * 5
    assert same(views[0], demo_art.render_artwork(3, track=track, size=(320, 240)))
    assert [same(views[0], v) for v in views[1:4]] == [False, False, False]
    assert min(spread(v) for v in views) > 20


def test_render_entry_images_is_deterministic():
    first = demo_art.render_entry_images(9, track="brand", count=4, size=(200, 150))
    second = demo_art.render_entry_images(9, track="brand", count=4, size=(200, 150))
    assert [same(a, b) for a, b in zip(first, second, strict=True)] == [True] * 4


def test_render_entry_images_count_zero_is_empty():
    assert demo_art.render_entry_images(1, track="ip", count=0) == []


def test_render_poster_size_determinism_and_variety():
    poster = demo_art.render_poster(4)
    assert (poster.size, poster.mode) == ((1920, 800), "RGB")
    assert same(poster, demo_art.render_poster(4))
    assert not same(poster, demo_art.render_poster(5))
    assert spread(poster) > 25


def test_render_poster_custom_size():
    assert demo_art.render_poster(1, size=(960, 400)).size == (960, 400)


def test_entry_picture_files_are_drawn_once_and_reused(tmp_path):
    first = demo_art.entry_picture_files(str(tmp_path), 7, "ip", 2, (320, 240))
    stamps = [os.stat(path).st_mtime_ns for path in first]
    again = demo_art.entry_picture_files(str(tmp_path), 7, "ip", 2, (320, 240))
    assert again == first
    assert [os.stat(path).st_mtime_ns for path in again] == stamps
    with Image.open(first[1]) as picture:
        assert (picture.format, picture.size) == ("JPEG", (320, 240))
    expected = demo_art.render_entry_images(7, track="ip", count=2, size=(320, 240))[1]
    with Image.open(first[1]) as picture:
        assert ImageStat.Stat(ImageChops.difference(picture.convert("RGB"), expected.convert("RGB"))).mean[0] < 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ip-7-0-320x240.jpg", "ip-7-1-320x240.jpg"]


def test_poster_file_is_drawn_once(tmp_path):
    path = demo_art.poster_file(str(tmp_path), 3)
    stamp = os.stat(path).st_mtime_ns
    assert demo_art.poster_file(str(tmp_path), 3) == path
    assert os.stat(path).st_mtime_ns == stamp
