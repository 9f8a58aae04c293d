"""`contest worker`: on PostgreSQL a separate process takes the jobs the web process queued (a video uploaded is
transcoded by it); on SQLite it refuses, since the web process runs its own in-memory queue."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import sys

import pytest

from contest.entries.models import EntryFile, EntryImage, FileStatus, HeldUpload
from contest.media.storage import derived_name
from contest.media.stores import open_store
from tests import imagegen, s3
from tests.commands import run_cli
from tests.web.entry_formats_scene import add_slot, post_file, video_bytes
from tests.web.uploads import designer, post_image

pytestmark = pytest.mark.unit
ON_POSTGRESQL = bool(os.environ.get("CONTEST_TEST_DATABASE_URL"))


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, media_work="jobs")  # images too are made by the worker process


async def run_worker_once(settings, db: str, tmp_path) -> None:
    env = {**os.environ, "CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": db,
           "CONTEST_UPLOAD_DIR": str(settings.upload_dir), "CONTEST_MAIL_DIR": str(tmp_path / "mail"),
           **s3.environment(settings)}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "contest", "worker", "--once", env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()


@pytest.mark.any_database
def test_the_worker_refuses_sqlite_and_says_why(tmp_path):
    env = {"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": f"sqlite://{tmp_path}/cli.sqlite3"}
    result = run_cli("worker", "--once", env=env)
    refusal = "contest: on SQLite the web process runs its jobs itself; contest worker needs PostgreSQL"
    assert (result.returncode, result.stderr) == (2, f"{refusal} (CONTEST_DATABASE_URL).\n")


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the queue is PostgreSQL's (CONTEST_TEST_DATABASE_URL)")
async def test_a_video_uploaded_on_postgresql_is_transcoded_by_a_worker_process(client, settings, db, tmp_path):
    entry, token = await designer(client, settings)
    await add_slot(entry, "film", ["video"], max_mb=200, max_seconds=10)
    response = await post_file(client, entry.id, "film", video_bytes(seconds=1), token, name="clip.mp4")
    assert (response.status_code, response.json()["status"]) == (201, "processing")
    await run_worker_once(settings, db, tmp_path)
    file = await EntryFile.get(entry_id=entry.id)
    assert (file.status, file.failure) == (FileStatus.READY, "")
    assert file.details["poster"], "no poster"


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the queue is PostgreSQL's (CONTEST_TEST_DATABASE_URL)")
async def test_an_image_held_on_postgresql_is_made_by_a_worker_process(client, settings, db, tmp_path):
    entry, token = await designer(client, settings)
    response = await post_image(client, entry.id, imagegen.jpeg((1200, 800), seed=12), token)
    assert (response.status_code, response.json()["status"]) == (201, "processing")
    await run_worker_once(settings, db, tmp_path)
    image = await EntryImage.get(entry_id=entry.id)
    assert (image.width, image.height) == (1200, 800)
    assert await HeldUpload.filter(entry_id=entry.id).count() == 0
    assert await open_store(settings).size(derived_name(image.key, "thumb", "WEBP")) > 0
