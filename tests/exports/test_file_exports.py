"""The originals ZIP with file slots: every PDF, video and source file as uploaded, in slot order; the anonymised
ZIP only what judges may see (images and a PDF's pages re-encoded, a video's transcoded copy), never a source file,
a PDF itself, or anything from a slot only organisers see."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from PIL import Image

from contest.contests.models import FileSlot, SlotAudience
from contest.entries.models import EntryFile, EntryImage, FileStatus
from contest.exports import service
from contest.exports.archive import member_name, originals_zip
from contest.media.storage import UploadStore, new_key
from tests.exports.scenario import MARKERS, METADATA_MARKER, ORIGINAL_SIZE, add_original, build, original_bytes
from tests.factories import slot_of_entry

pytestmark = pytest.mark.unit

PDF = f"%PDF-1.7\n% Author {METADATA_MARKER}\n".encode() + b"0" * 2000
VIDEO = f"....ftypisom author={METADATA_MARKER}".encode() + b"1" * 3000
TRANSCODED = b"....ftypisom clean" + b"2" * 3000
SOURCE = f"PK\x03\x04 {METADATA_MARKER}".encode() + b"3" * 1000


@pytest.fixture
def store(tmp_path) -> UploadStore:
    return UploadStore(tmp_path / "uploads")


def stored(store: UploadStore, data: bytes) -> str:
    key = new_key()
    store.original_path(key).parent.mkdir(parents=True, exist_ok=True)
    store.original_path(key).write_bytes(data)
    return key


async def add_file(entry, slot, store, data: bytes, *, kind: str, fmt: str, name: str, position: int = 0,
                   **fields) -> EntryFile:
    return await EntryFile.create(entry=entry, slot=slot, key=stored(store, data),
                                  kind=kind, format=fmt, original_name=name, position=position, size_bytes=len(data),
                                  sha256=hashlib.sha256(data).hexdigest(), **fields)


async def scene(store: UploadStore):
    scenario = await build(store)
    entry, track = scenario.entry, scenario.ip
    boards = await slot_of_entry(entry)
    pdf = await add_file(entry, boards, store, PDF, kind="pdf", fmt="pdf", name="展板 board.pdf", details={"pages": 2})
    for page in (1, 2):
        image = await add_original(entry, store, original_bytes(10 + page), position=2 + page, name="")
        await EntryImage.filter(id=image.id).update(source_file_id=pdf.id, page=page)
    videos = await FileSlot.create(track=track, key="video", label="视频", kinds=["video"], position=5,
                                   audience=SlotAudience.JUDGES)
    video = await add_file(entry, videos, store, VIDEO, kind="video", fmt="mp4", name="film.mp4",
                           details={"video": {"bytes": len(TRANSCODED), "sha256": hashlib.sha256(TRANSCODED).hexdigest()}})
    copy = store.derived_path(video.key, "video", "MP4")
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(TRANSCODED)
    await add_file(entry, videos, store, VIDEO + b"x", kind="video", fmt="mov", name="raw.mov", position=1,
                   status=FileStatus.PROCESSING)
    sources = await FileSlot.create(track=track, key="source", label="源文件", kinds=["source"], position=6)
    await add_file(entry, sources, store, SOURCE, kind="source", fmt="zip", name="工程文件.zip")
    private = await FileSlot.create(track=track, key="private", label="身份证明", kinds=["image"], position=7,
                                    audience=SlotAudience.ORGANISERS)
    image = await add_original(entry, store, original_bytes(20), position=5, name="证件.jpg")
    await EntryImage.filter(id=image.id).update(slot_id=private.id)
    return scenario


def opened(chunks: list[bytes]) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(chunks)))


async def test_originals_hold_every_uploaded_file_in_slot_order_byte_for_byte(db, store):
    scenario = await scene(store)
    archive = opened([c async for c in originals_zip(scenario.ip, store, anonymised=False)])
    assert archive.namelist() == [
        "WC-IP-0001/01-etc-passwd.jpg", "WC-IP-0001/02-MKFILE-设计稿.jpg", "WC-IP-0001/03-展板-board.pdf",
        "WC-IP-0001/04-film.mp4", "WC-IP-0001/05-raw.mov", "WC-IP-0001/06-工程文件.zip", "WC-IP-0001/07-证件.jpg",
        "SHA256SUMS"]
    assert archive.read("WC-IP-0001/03-展板-board.pdf") == PDF
    assert archive.read("WC-IP-0001/04-film.mp4") == VIDEO
    assert archive.read("WC-IP-0001/06-工程文件.zip") == SOURCE
    sums = archive.read("SHA256SUMS").decode()
    assert f"{hashlib.sha256(SOURCE).hexdigest()}  WC-IP-0001/06-工程文件.zip\n" in sums
    assert archive.testzip() is None


async def test_anonymised_holds_only_what_judges_see(db, store):
    scenario = await scene(store)
    data = b"".join([c async for c in originals_zip(scenario.ip, store, anonymised=True)])
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["WC-IP-0001/01.jpg", "WC-IP-0001/02.jpg", "WC-IP-0001/03.jpg", "WC-IP-0001/04.jpg",
                                  "WC-IP-0001/05.mp4", "SHA256SUMS"]
    for page in ("WC-IP-0001/03.jpg", "WC-IP-0001/04.jpg"):  # the PDF's rendered pages, re-encoded
        copy = Image.open(io.BytesIO(archive.read(page)))
        assert (copy.format, copy.size) == ("JPEG", ORIGINAL_SIZE)
    assert archive.read("WC-IP-0001/05.mp4") == TRANSCODED
    assert f"{hashlib.sha256(TRANSCODED).hexdigest()}  WC-IP-0001/05.mp4\n" in archive.read("SHA256SUMS").decode()
    assert PDF not in data and SOURCE not in data and VIDEO not in data
    assert [m for m in MARKERS if m.encode() in data] == []


def test_a_file_keeps_its_own_extension():
    assert member_name("WC-1", 4, "a.b.PDF", "pdf", anonymised=False) == "WC-1/04-a-b.pdf"
    assert member_name("WC-1", 4, "x", "../sh", anonymised=True) == "WC-1/04.sh"


async def test_the_exports_page_counts_uploads_not_rendered_pages(db, store):
    scenario = await scene(store)
    (ip, _) = await service.track_summaries(scenario.contest)
    uploads = [*scenario.originals.values(), PDF, VIDEO, VIDEO + b"x", SOURCE, original_bytes(20)]
    assert (ip.originals, ip.original_bytes) == (7, sum(len(data) for data in uploads))
