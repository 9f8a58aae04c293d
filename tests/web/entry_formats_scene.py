"""Files of every slot kind for the HTTP tests of issue 14 (tests/web/test_entry_formats.py): hostile ones that
must be refused, good ones full of planted metadata, and a judging scene whose entry holds a PDF board, a HEIC
photo, a video and an organisers-only source ZIP, uploaded through the designer's own routes."""

from __future__ import annotations

import io
import re
import struct
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pikepdf
import pillow_heif

from contest import clock
from contest.contests.models import FileSlot, SlotAudience
from contest.entries.models import Entry, EntryFile, EntryImage
from contest.entries.queries import bytes_used_by_designer
from contest.entries.states import EntryState
from contest.judging.models import Assignment, Criterion, RoundEntry
from tests import imagegen
from tests.factories import login_as, make_contest, make_entry, make_track, make_user
from tests.judging.helpers import make_judge, make_round, panel_with
from tests.media import pdfgen
from tests.media import source_samples as samples
from tests.media.videogen import make_video

MARK = "QZX9PLANT"  # in every planted field, file name and the designer's identity; never in a judge's response
DESIGNER_NAME = f"李{MARK}设计师"
DESIGNER_EMAIL = f"{MARK.lower()}@studio.example.com"
NAMES = {"board": f"{MARK}_展板.pdf", "photo": f"{MARK}_IMG_0001.HEIC", "video": f"{MARK}_clip.mp4",
         "source": f"{MARK}_drafts.zip", "process": f"{MARK}_process.jpg"}
ALIAS = "JDG-7XQ"


# --- files -----------------------------------------------------------------------------------------------------

def video_bytes(**options: object) -> bytes:
    """A tiny video (160 x 120, 1 s by default) made by PyAV, as bytes."""
    with tempfile.TemporaryDirectory() as folder:
        return make_video(Path(folder) / "clip", **options).read_bytes()  # type: ignore[arg-type]


def zip_bomb(megabytes: int = 100) -> bytes:
    """A ZIP of ``megabytes`` MB of zeros: about a thousand times smaller than what it unpacks to."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bomb.zip"
        samples.zeros_bomb(path, megabytes)
        return path.read_bytes()


def heic_claiming(width: int, height: int) -> bytes:
    """A real HEIC photo whose image-size property (ispe) says ``width`` x ``height``."""
    data = bytearray(imagegen.heic_photo(size=(320, 240)))
    at = data.find(b"ispe")
    assert at > 0, "no ispe box"
    struct.pack_into(">II", data, at + 8, width, height)  # after the box type: version/flags, then the sizes
    return bytes(data)


def planted_board(pages: int = 2) -> bytes:
    """Small boards whose document info and XMP carry the marker (no form fields, attachments or scripts)."""
    def plant(pdf: pikepdf.Pdf) -> None:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp["dc:creator"] = [DESIGNER_NAME]
            xmp["dc:title"] = f"XMP title {MARK}"
            xmp["xmp:CreatorTool"] = f"Tool {MARK}"
        pdf.docinfo["/Author"] = DESIGNER_NAME
        pdf.docinfo["/Creator"] = f"Creator {MARK}"
        pdf.docinfo["/Producer"] = f"Producer {MARK}"
        pdf.docinfo["/Title"] = f"Title {MARK}"
        pdf.docinfo["/Subject"] = f"Subject {MARK}"
        pdf.docinfo["/Keywords"] = f"Keywords {MARK}"
    return pdfgen.edit(pdfgen.board(pages, (74, 105), author=DESIGNER_NAME), plant)  # A7: quick to render


def planted_heic() -> bytes:
    """An iPhone-like HEIC whose EXIF (Artist, Copyright, GPS...), XMP and ICC carry the marker."""
    photo = imagegen.heic_photo(MARK, size=(1200, 900))
    assert pillow_heif.open_heif(io.BytesIO(photo)).info.get("exif"), "the HEIC lost its EXIF"
    return photo


def planted_video() -> bytes:
    tags = {"title": f"Title {MARK}", "artist": DESIGNER_NAME, "comment": f"Comment {MARK}",
            "encoder": f"Encoder {MARK}", "copyright": f"(c) {MARK}"}
    return video_bytes(seconds=1, metadata=tags, stream_metadata={"handler_name": f"Handler {MARK}"})


def planted_sources() -> bytes:
    return samples.archive({f"{MARK}/notes.txt": f"草稿 {DESIGNER_NAME}".encode(),
                            f"{MARK}/sketch.png": imagegen.png((120, 90))})


# --- what an upload leaves ------------------------------------------------------------------------------------

async def footprint(entry: Entry) -> tuple[list[dict], list[dict], int]:
    """Image rows, file rows and the designer's storage used: a refusal changes none of them."""
    images = await EntryImage.all().order_by("id").values()
    files = await EntryFile.all().order_by("id").values()
    return images, files, await bytes_used_by_designer(entry.owner_id)


async def add_slot(entry: Entry, key: str, kinds: list[str], **rules: Any) -> FileSlot:
    position = await FileSlot.filter(track_id=entry.track_id).count()
    return await FileSlot.create(track_id=entry.track_id, key=key, label=f"文件项 {key}", kinds=kinds,
                                 position=position, **rules)


async def post_file(client: httpx.AsyncClient, entry_id: int, slot: str, data: bytes, token: str, *,
                    name: str) -> httpx.Response:
    return await client.post(f"/me/entries/{entry_id}/slots/{slot}/files", params={"name": name}, content=data,
                             headers={"accept": "application/json", "x-csrf-token": token})


# --- the judging scene ----------------------------------------------------------------------------------------

@dataclass
class JudgeScene:
    entry: Entry
    round_id: int
    judge_token: str
    files: dict[str, EntryFile]  # board, video, source
    image_keys: list[str]        # every EntryImage key of the entry (pages, photo, the organisers' process photo)

    @property
    def score_path(self) -> str:
        return f"/judge/r/{self.round_id}/{ALIAS}"


async def build_judge_scene(client: httpx.AsyncClient, settings, files: dict[str, bytes]) -> JudgeScene:
    """The designer uploads every file through HTTP, the entry is submitted and put in an open round, and the
    client ends signed in as the round's judge."""
    now = clock.now()
    contest = await make_contest(submissions_open_at=now - timedelta(days=1), submissions_close_at=now + timedelta(days=1))
    track = await make_track(contest, min_width=64, min_height=64)
    owner = await make_user(display_name=DESIGNER_NAME, email=DESIGNER_EMAIL)
    entry = await make_entry(contest, track, owner, title="石库门灯影", public_name=DESIGNER_NAME,
                             organisation=f"{MARK}工作室")
    token = await login_as(client, owner, secret=settings.secret_key)
    await add_slot(entry, "boards", ["pdf"], max_pages=5, audience=SlotAudience.JUDGES)
    await add_slot(entry, "film", ["video"], max_seconds=10, audience=SlotAudience.JUDGES)
    await add_slot(entry, "sources", ["source"], max_mb=200, audience=SlotAudience.ORGANISERS)
    await add_slot(entry, "process", ["image"], audience=SlotAudience.ORGANISERS)
    uploads = [("boards", "board"), ("images", "photo"), ("film", "video"), ("sources", "source"),
               ("process", "process")]
    for slot, kind in uploads:
        response = await post_file(client, entry.id, slot, files[kind], token, name=NAMES[kind])
        assert response.status_code == 201, (kind, response.text)
    await Entry.filter(id=entry.id).update(state=EntryState.SUBMITTED)
    round_ = await make_round(contest, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1))
    await Criterion.create(round=round_, name="创意", scale_min=0, scale_max=10, position=1)
    await RoundEntry.create(round=round_, entry=entry, alias=ALIAS)
    judge = await make_judge()
    panel = await panel_with(round_, [judge])
    await Assignment.create(round=round_, entry=entry, judge=judge, panel=panel)
    judge_token = await login_as(client, judge, secret=settings.secret_key)
    by_kind = {f.kind: f for f in await EntryFile.filter(entry_id=entry.id)}
    keys = await EntryImage.filter(entry_id=entry.id).values_list("key", flat=True)
    return JudgeScene(entry, round_.id, judge_token,
                      {"board": by_kind["pdf"], "video": by_kind["video"], "source": by_kind["source"]},
                      [str(k) for k in keys])


LINK = re.compile(r"""(?:src|href|poster)\s*=\s*["']([^"']+)["']""")


def links(html: str, page: str) -> list[str]:
    """Same-site paths (with their query) under /judge/ and /media/ that a page points at, fragments dropped."""
    found = []
    for raw in LINK.findall(html):
        url = httpx.URL(f"http://testserver{page}").join(raw.replace("&amp;", "&"))
        path = url.raw_path.decode()
        if url.host == "testserver" and path.startswith(("/judge/", "/media/")):
            found.append(path)
    return found


async def crawl(client: httpx.AsyncClient, start: list[str], *, limit: int = 200) -> dict[str, httpx.Response]:
    """Every page and file a judge reaches from ``start`` by GET, breadth first."""
    seen: dict[str, httpx.Response] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = await client.get(path)
        seen[path] = response
        if response.headers.get("content-type", "").startswith("text/html"):
            queue += [p for p in links(response.text, path) if p not in seen]
    return seen


def tells(marker: str) -> list[bytes]:
    """How a planted string may appear in bytes: UTF-8, UTF-16 (PDF text strings, EXIF XP tags), escaped."""
    forms = [marker.encode(), marker.encode("utf-16-be"), marker.encode("utf-16-le"),
             marker.encode("unicode_escape"), marker.encode("ascii", "xmlcharrefreplace")]
    return list(dict.fromkeys(forms))
