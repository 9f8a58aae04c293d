"""`contest worker`: on PostgreSQL a separate process takes the jobs the web process queued (a video uploaded is
transcoded by it); on SQLite it refuses, since the web process runs its own in-memory queue."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from contest.entries.models import EntryFile, FileStatus
from tests import s3
from tests.commands import run_cli
from tests.web.entry_formats_scene import add_slot, post_file, video_bytes
from tests.web.uploads import designer

pytestmark = pytest.mark.unit
ON_POSTGRESQL = bool(os.environ.get("CONTEST_TEST_DATABASE_URL"))


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
    env = {**os.environ, "CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": db,
           "CONTEST_UPLOAD_DIR": str(settings.upload_dir), "CONTEST_MAIL_DIR": str(tmp_path / "mail"),
           **s3.environment(settings)}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "contest", "worker", "--once", env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    file = await EntryFile.get(entry_id=entry.id)
    assert (file.status, file.failure) == (FileStatus.READY, "")
    assert file.details["poster"], "no poster"
