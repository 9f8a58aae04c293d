"""The organisers' entry page: every file slot by slot, a PDF's and a video's own metadata for organisers only,
source files to download, the AI disclosure and each file's provenance signal."""

from __future__ import annotations

import pytest

from contest.accounts.models import ContestRole, ContestRoleKind
from contest.contests.models import FileSlot, SlotAudience
from contest.entries.models import EntryFile, EntryImage, FileStatus
from contest.media.provenance import TRAINED
from tests.factories import login_as, make_contest, make_entry, make_track, make_user, slot_of_entry

pytestmark = pytest.mark.web

PDF_METADATA = {"author": "张三设计工作室", "creator": "Illustrator 28", "producer": "Acrobat PDFLibrary",
                "title": "海报初稿", "xmp": "<x:xmpmeta>" + "x" * 9000 + "</x:xmpmeta>", "document_id": ["ab12cd"],
                "attachments": ["联系方式.txt"], "form_fields": ["签名"]}
THUMB = {"thumb.webp": {"width": 200, "height": 150, "bytes": 10, "sha256": "0" * 64}}


def file_row(entry, slot, key: str, kind: str, fmt: str, **fields):
    values = {"entry": entry, "slot": slot, "key": key, "kind": kind, "format": fmt, "size_bytes": 3 * 2**20,
              "sha256": "1" * 64, **fields}
    return EntryFile.create(**values)


async def entry_with_files(number: str = "WC-0007"):
    contest = await make_contest()
    track = await make_track(contest, ai_policy="disclose")
    designer = await make_user(display_name="设计者")
    entry = await make_entry(contest, track, designer, state="submitted", number=number, title="城市记忆",
                             ai_disclosure={"extent": "assisted", "tools": "Midjourney 6", "parts": "背景纹样"})
    boards = await slot_of_entry(entry)
    video_slot = await FileSlot.create(track=track, key="video", label="视频", kinds=["video"], position=5)
    source_slot = await FileSlot.create(track=track, key="source", label="源文件", kinds=["source"], position=6,
                                        audience=SlotAudience.ORGANISERS)
    await EntryImage.create(entry=entry, slot=boards, key="img-key-1", original_format="JPEG", width=3508,
                            height=4961, size_bytes=10, sha256="2" * 64, derivatives=THUMB,
                            provenance={"digital_source_type": TRAINED})
    pdf = await file_row(entry, boards, "pdf-key-1", "pdf", "pdf", original_name="board.pdf",
                         details={"pages": 2, "page_sizes_mm": [[297, 420]] * 2, "metadata": PDF_METADATA},
                         provenance={"generator": "Midjourney"})
    for page in (1, 2):
        await EntryImage.create(entry=entry, slot=boards, key=f"page-key-{page}", source_file=pdf, page=page,
                                original_format="PNG", width=3508, height=4961, size_bytes=10, sha256="3" * 64,
                                derivatives=THUMB, position=page)
    await file_row(entry, video_slot, "video-key-1", "video", "mp4", original_name="film.mp4",
                   details={"duration_s": 75, "width": 1280, "height": 720, "poster": THUMB,
                            "video": {"bytes": 5, "sha256": "4" * 64},
                            "metadata": {"encoder": "Lavf60", "com.apple.quicktime.author": "李四"}})
    await file_row(entry, video_slot, "video-key-2", "video", "mp4", original_name="cut.mp4",
                   status=FileStatus.FAILED, failure="too_long", position=1)
    await file_row(entry, source_slot, "source-key-1", "source", "zip", original_name="工程文件.zip")
    return contest, entry


async def as_organiser(client, settings, contest):
    organiser = await make_user()
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)


async def test_organiser_sees_every_file_with_its_own_metadata(client, settings):
    contest, entry = await entry_with_files()
    await as_organiser(client, settings, contest)
    page = await client.get(f"/admin/c/{contest.slug}/entries/{entry.id}", headers={"accept-language": "en"})
    assert page.status_code == 200
    text = page.text
    for key in ("img-key-1", "page-key-1", "page-key-2"):
        assert f"/media/{key}/thumb.webp" in text
    assert "/media/pdf-key-1/" not in text  # a PDF is shown by its pages
    assert "2 page(s)" in text
    assert "own metadata (organisers only)" in text
    for value in ("张三设计工作室", "Illustrator 28", "Acrobat PDFLibrary", "海报初稿", "ab12cd", "联系方式.txt", "签名"):
        assert value in text, value
    assert "x" * 3989 in text and "x" * 3990 not in text  # the XMP packet, cut at 4000 characters
    assert '<video controls preload="metadata"' in text
    assert 'src="/media/files/video-key-1/video.mp4"' in text
    assert 'poster="/media/files/video-key-1/thumb.webp"' in text
    assert "1:15" in text and "Lavf60" in text and "李四" in text
    assert "The video is too long" in text  # the failed one, with its reason
    assert 'href="/media/files/source-key-1/original" download' in text and "工程文件.zip" in text
    assert "Organisers only" in text
    assert "AI-assisted" in text and "Midjourney 6" in text and "背景纹样" in text
    assert "IPTC: trainedAlgorithmicMedia" in text and "Generator: Midjourney" in text


async def test_entry_list_links_to_the_entry_page(client, settings):
    contest, entry = await entry_with_files()
    await as_organiser(client, settings, contest)
    page = await client.get(f"/admin/c/{contest.slug}/entries")
    assert f'href="/admin/c/{contest.slug}/entries/{entry.id}"' in page.text


@pytest.mark.parametrize("role", ["judge", "other_designer", "owner"])
async def test_nobody_else_sees_the_page_or_its_metadata(client, settings, role):
    contest, entry = await entry_with_files()
    user = await make_user()
    if role == "judge":
        await ContestRole.create(contest=contest, user=user, role=ContestRoleKind.JUDGE)
    if role == "owner":
        user = await entry.owner
    await login_as(client, user, secret=settings.secret_key)
    page = await client.get(f"/admin/c/{contest.slug}/entries/{entry.id}")
    assert page.status_code == 404
    assert "张三设计工作室" not in page.text and "Lavf60" not in page.text


async def test_an_entry_of_another_contest_is_not_found(client, settings):
    contest, entry = await entry_with_files()
    other_contest = await make_contest()
    other = await make_entry(other_contest, await make_track(other_contest), await make_user(), state="submitted",
                             number="WC-0008")
    await as_organiser(client, settings, contest)
    page = await client.get(f"/admin/c/{contest.slug}/entries/{other.id}")
    assert page.status_code == 404
    assert (await client.get(f"/admin/c/{contest.slug}/entries/{entry.id}")).status_code == 200
