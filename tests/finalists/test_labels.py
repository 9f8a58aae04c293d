"""The blind labels: each sample's alias and a QR code of its judging page, and nothing that names the designer."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from contest.finalists.labels import Label, label_sheet

pytestmark = pytest.mark.unit


def read(pdf: bytes) -> tuple[str, list[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    links = [a.get_object()["/A"]["/URI"] for page in reader.pages for a in page.get("/Annots", [])]
    return text, links


async def test_each_label_carries_its_alias_and_a_link_to_its_judging_page_ten_to_a_page():
    labels = [Label(f"QXM-{n:03d}", f"https://contest.example.org/judge/r/7/QXM-{n:03d}") for n in range(11)]
    pdf = await label_sheet(labels, round_name="终评")
    text, links = read(pdf)
    assert [label.alias in text for label in labels] == [True] * 11
    assert links == [label.url for label in labels]
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    assert PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width == pytest.approx(595.28, abs=0.1)  # A4


async def test_an_empty_register_prints_a_sheet_without_labels():
    text, links = read(await label_sheet([], round_name="终评"))
    assert ("样品盲评标签" in text, links) == (True, [])

