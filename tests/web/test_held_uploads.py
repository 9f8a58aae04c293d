"""Images and PDFs made by jobs (CONTEST_MEDIA_WORK=jobs, the default on PostgreSQL): the upload answers once the
original is stored, the designer sees 处理中, and a worker's job makes exactly what the request would have made.
What the request can refuse at once it still refuses; what only the job can find is shown with its reason."""

from __future__ import annotations

import dataclasses
import time

import pytest

from contest import clock
from contest.audit.models import AuditEvent
from contest.entries import held, images
from contest.entries.models import Entry, EntryFile, EntryImage, HeldStatus, HeldUpload
from contest.entries.queries import entry_for_designer
from contest.entries.service import submission_problems
from contest.entries.states import LeakStatus
from contest.errors import IMAGE_REFUSALS
from contest.jobs import queue
from contest.media import pipeline
from contest.media.storage import derived_name
from contest.media.stores import open_store
from tests import imagegen
from tests.factories import attach_picture, chunks
from tests.jobs import clear_queue, jobs_of, run_jobs
from tests.media import pdfgen
from tests.web import test_entry_edits as edits_scene
from tests.web.entry_formats_scene import add_slot, post_file
from tests.web.uploads import designer, listed, post_image, stored_files

pytestmark = pytest.mark.unit
WAIT = "Wait until every upload has been processed."


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, media_work="jobs")


async def lists(client, entry_id: int) -> str:
    response = await client.get(f"/me/entries/{entry_id}/files", headers={"accept": "application/json"})
    assert response.status_code == 200
    return response.json()["html"]


async def problems(entry) -> list[str]:
    return submission_problems(await entry_for_designer(await entry.owner, entry.id), declared=True)


async def test_an_image_is_processing_until_a_worker_makes_it_then_it_is_what_the_request_would_have_made(
        client, settings):
    entry, token = await designer(client, settings)
    response = await post_image(client, entry.id, imagegen.jpeg((900, 600), seed=4), token)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "processing"
    assert await EntryImage.filter(entry_id=entry.id).count() == 0
    page = await lists(client, entry.id)
    assert "data-processing" in page and "处理中" in page
    assert WAIT in await problems(entry)

    await run_jobs(settings)

    image = await EntryImage.get(entry_id=entry.id)
    assert await HeldUpload.filter(entry_id=entry.id).count() == 0
    assert (image.width, image.height, image.is_cover) == (900, 600, True)
    assert image.phash and image.ocr_lines is not None
    store = open_store(settings)
    for name in image.derivatives:
        variant, fmt = name.split(".")
        assert await store.size(derived_name(image.key, variant, fmt.upper())) == image.derivatives[name]["bytes"]
    page = await lists(client, entry.id)
    assert "data-processing" not in page and listed(page) == [image.id]
    assert WAIT not in await problems(entry)
    added = await AuditEvent.get(action="image.added")
    assert added.actor_id == entry.owner_id and added.data["sha256"] == image.sha256


async def test_a_job_run_twice_makes_the_image_once(client, settings):
    entry, token = await designer(client, settings)
    upload_id = (await post_image(client, entry.id, imagegen.jpeg(seed=5), token)).json()["id"]
    await held.schedule(upload_id, contest_id=entry.contest_id)  # while one waits, scheduling again adds none
    await queue.defer(held.MAKE_TASK, contest_id=entry.contest_id, held_id=upload_id)  # a second run all the same
    await run_jobs(settings)
    await queue.defer(held.MAKE_TASK, contest_id=entry.contest_id, held_id=upload_id)  # and a third after it
    await run_jobs(settings)
    assert await EntryImage.filter(entry_id=entry.id).count() == 1
    assert [job.status for job in await jobs_of(held.MAKE_TASK)] == ["succeeded"] * 3


async def test_a_file_only_the_job_can_refuse_shows_its_reason_until_the_designer_removes_it(client, settings):
    entry, token = await designer(client, settings)
    broken = imagegen.truncated(imagegen.jpeg((900, 600), seed=6))  # its header is whole: the request takes it
    response = await post_image(client, entry.id, broken, token, name="海报.jpg")
    assert response.status_code == 201, response.text

    await run_jobs(settings)

    refused = await HeldUpload.get(entry_id=entry.id)
    assert refused.status == HeldStatus.FAILED
    assert refused.failure["message"] == IMAGE_REFUSALS["truncated"]
    assert [name for name in await stored_files(settings) if refused.key in name] == []  # nothing of it kept
    page = await lists(client, entry.id)
    assert "图片不完整" in page and "海报.jpg" in page and "data-processing" not in page
    assert "Remove the files that could not be processed." in await problems(entry)

    removed = await client.post(f"/me/entries/{entry.id}/refused/{refused.id}/remove", data={"csrf_token": token},
                                headers={"accept": "application/json"})
    assert removed.status_code == 200
    assert await HeldUpload.filter(entry_id=entry.id).count() == 0
    assert "Remove the files that could not be processed." not in await problems(entry)


async def test_what_the_header_tells_is_refused_in_the_request_and_nothing_is_kept(client, settings):
    entry, token = await designer(client, settings, min_width=1000, min_height=800)
    response = await post_image(client, entry.id, imagegen.jpeg((640, 480), seed=7), token)
    assert response.status_code == 400
    assert "640×480" in response.json()["error"]
    assert await HeldUpload.all().count() == 0
    assert [name for name in await stored_files(settings) if not name.startswith("tmp/")] == []


async def test_the_same_file_again_while_the_first_is_processing_is_refused(client, settings):
    entry, token = await designer(client, settings)
    data = imagegen.jpeg(seed=8)
    assert (await post_image(client, entry.id, data, token)).status_code == 201
    again = await post_image(client, entry.id, data, token)
    assert again.status_code == 409
    assert await HeldUpload.filter(entry_id=entry.id).count() == 1


async def test_an_upload_held_counts_against_the_slot(client, settings):
    entry, token = await designer(client, settings, max_images=1)
    assert (await post_image(client, entry.id, imagegen.jpeg(seed=9), token)).status_code == 201
    second = await post_image(client, entry.id, imagegen.jpeg(seed=10), token)
    assert second.status_code == 409
    await run_jobs(settings)
    assert await EntryImage.filter(entry_id=entry.id).count() == 1


async def test_an_upload_whose_job_was_lost_is_queued_again_at_start(client, settings):
    entry, token = await designer(client, settings)
    assert (await post_image(client, entry.id, imagegen.jpeg(seed=11), token)).status_code == 201
    await clear_queue()  # the in-memory queue of a stopped process
    assert await held.requeue() == 1
    await run_jobs(settings)
    assert await EntryImage.filter(entry_id=entry.id).count() == 1


async def test_a_pdf_board_is_rendered_by_its_job(client, settings):
    entry, token = await designer(client, settings)
    await add_slot(entry, "board", ["pdf"], min_count=0, max_count=1)
    response = await post_file(client, entry.id, "board", pdfgen.board(pages=2), token, name="展板.pdf")
    assert response.status_code == 201, response.text
    assert (response.json()["kind"], response.json()["status"]) == ("pdf", "processing")

    await run_jobs(settings)

    board = await EntryFile.get(entry_id=entry.id)
    pages = await EntryImage.filter(source_file_id=board.id).order_by("page")
    assert (board.kind, board.details["pages"], [page.page for page in pages]) == ("pdf", 2, [1, 2])
    assert await HeldUpload.all().count() == 0


async def test_the_text_in_a_held_image_is_checked_for_the_designers_name_once_its_job_has_read_it(
        client, settings):
    scene = await edits_scene.build(client, settings, may_edit=True)
    picture, _ = imagegen.lettered([f"设计：{edits_scene.DESIGNER_NAME}"], size=(1600, 1000))
    response = await client.post(f"/me/entries/{scene.entry.id}/slots/images/files", params={"name": "设计稿.jpg"},
                                 content=imagegen.encode(picture, "JPEG", quality=92),
                                 headers={"x-csrf-token": scene.token, "accept": "application/json"})
    assert response.status_code == 201, response.text
    assert (await Entry.get(id=scene.entry.id)).leak_status == LeakStatus.CLEAR  # no text read yet

    await run_jobs(settings)

    assert (await Entry.get(id=scene.entry.id)).leak_status == LeakStatus.FLAGGED


async def test_a_machine_too_busy_for_the_requests_limit_does_not_make_the_job_refuse_the_image(
        client, settings, monkeypatch):
    made_slowly = pipeline.process_image

    def slow(*args, **kwargs):
        time.sleep(0.6)  # a machine so busy that making the copies outlasts the request's limit
        return made_slowly(*args, **kwargs)

    monkeypatch.setattr(pipeline, "process_image", slow)
    monkeypatch.setattr(images, "REQUEST_SECONDS", 0.3)
    entry, token = await designer(client, settings)
    with pytest.raises(images.ImageRefused) as in_the_request:  # the request's limit bites on such a machine
        await attach_picture(entry, chunks(imagegen.jpeg(seed=14)), store=open_store(settings), by=await entry.owner,
                             now=clock.now())
    assert in_the_request.value.message == IMAGE_REFUSALS["timeout"]
    assert (await post_image(client, entry.id, imagegen.jpeg(seed=13), token)).status_code == 201

    await run_jobs(settings)

    assert await EntryImage.filter(entry_id=entry.id).count() == 1
    assert await HeldUpload.filter(entry_id=entry.id).count() == 0
