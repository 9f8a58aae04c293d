"""An entry to upload to, signed in as its designer, and the requests and reads around its images: for the
upload, image-list and flash tests."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import httpx

from contest import clock
from contest.audit.models import AuditEvent
from contest.entries.models import Entry, EntryImage
from contest.media.stores import open_store
from contest.settings import Settings
from tests import imagegen
from tests.factories import login_as, make_contest, make_entry, make_track, make_user


async def designer(client, settings, *, contest_fields=None, **track_fields):
    now = clock.now()
    contest = await make_contest(submissions_open_at=now - timedelta(days=1),
                                 submissions_close_at=now + timedelta(days=1), **(contest_fields or {}))
    track = await make_track(contest, **{"min_width": 64, "min_height": 64, **track_fields})
    user = await make_user()
    entry = await make_entry(contest, track, user)
    token = await login_as(client, user, secret=settings.secret_key)
    return entry, token


async def post_image(client, entry_id: int, data, token: str | None, *, name: str = "design.jpg",
                     headers: dict | None = None) -> httpx.Response:
    base = {"accept": "application/json"} | ({"x-csrf-token": token} if token is not None else {})
    return await client.post(f"/me/entries/{entry_id}/slots/images/files", params={"name": name}, content=data,
                             headers=base | (headers or {}))


async def image_action(client, entry_id: int, image_id: int, action: str, token: str) -> httpx.Response:
    return await client.post(f"/me/entries/{entry_id}/images/{image_id}/{action}", data={"csrf_token": token},
                             headers={"accept": "application/json"})


def listed(html: str) -> list[int]:
    """The image ids in a rendered image list, in their order."""
    return [int(n) for n in re.findall(r'<li class="image-item[^"]*" data-id="(\d+)"', html)]


async def three_images(client, settings):
    entry, token = await designer(client, settings)
    ids = []
    for seed in range(3):
        response = await post_image(client, entry.id, small_jpeg(seed=seed), token)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return entry, token, ids


def small_jpeg(size=(320, 240), seed=1) -> bytes:
    return imagegen.jpeg(size, seed)


async def snapshot() -> tuple[list[dict], list[dict], int]:
    entries = await Entry.all().order_by("id").values()
    images = await EntryImage.all().order_by("id").values()
    return entries, images, await AuditEvent.all().count()


def files_under(root: Path) -> list[str]:
    """Every file under `root`, relative."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


async def stored_files(settings: Settings) -> list[str]:
    """Every stored file, relative: under the upload folder (tmp/, originals/, derived/ and anything else), and
    in the bucket when the app stores there."""
    in_bucket = await open_store(settings).stored_names() if settings.storage == "s3" else []
    return sorted(files_under(settings.upload_dir) + in_bucket)
