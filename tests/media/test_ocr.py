"""Reading the text drawn into an image (rendered here with Noto Sans CJK)."""

from __future__ import annotations

import pytest

from contest.media import ocr
from tests import imagegen

pytestmark = [pytest.mark.unit, pytest.mark.any_database]


def overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two boxes."""
    width = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    area = width * height
    return area / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - area)


def test_chinese_and_latin_lines_are_read_with_their_boxes(tmp_path):
    image, drawn = imagegen.lettered(["设计：陈晓明", "Northlight Studio"])
    image.save(tmp_path / "board.png")
    lines = ocr.read_text(tmp_path / "board.png")
    assert [line.text for line in lines] == ["设计：陈晓明", "Northlight Studio"]
    assert [overlap(line.box, box) > 0.8 for line, box in zip(lines, drawn, strict=True)] == [True, True]


def test_boxes_are_in_the_pixels_of_a_copy_larger_than_the_reading_size(tmp_path):
    image, drawn = imagegen.lettered(["作者 赵雨桐 浙江理工大学"], size=(2560, 1600))
    image.save(tmp_path / "judging.webp", quality=86)
    [line] = ocr.read_text(tmp_path / "judging.webp")
    assert (line.text, overlap(line.box, drawn[0]) > 0.8) == ("作者 赵雨桐 浙江理工大学", True)


def test_a_design_without_text_reads_as_nothing(tmp_path):
    imagegen.lettered([])[0].save(tmp_path / "clean.png")
    assert ocr.read_text(tmp_path / "clean.png") == []


def test_one_engine_serves_the_whole_process():
    assert ocr.engine() is ocr.engine()


async def test_reading_off_the_event_loop_gives_the_same_lines(tmp_path):
    image, _ = imagegen.lettered(["陈晓明"])
    image.save(tmp_path / "a.png")
    assert [line.text for line in await ocr.read_text_async(tmp_path / "a.png")] == ["陈晓明"]


def test_the_same_picture_is_read_once_and_a_changed_one_again(tmp_path, monkeypatch):
    image, _ = imagegen.lettered(["王子涵"])
    image.save(tmp_path / "first.png")
    image.save(tmp_path / "again.png")
    imagegen.lettered(["王子涵二稿"])[0].save(tmp_path / "changed.png")
    reads = []
    read_pixels = ocr._read_pixels
    monkeypatch.setattr(ocr, "_read_pixels", lambda path: reads.append(path.name) or read_pixels(path))
    monkeypatch.setattr(ocr, "_memo", type(ocr._memo)())
    texts = [[line.text for line in ocr.read_text(tmp_path / name)] for name in ("first.png", "again.png", "changed.png")]
    assert (texts, reads) == ([["王子涵"], ["王子涵"], ["王子涵二稿"]], ["first.png", "changed.png"])
