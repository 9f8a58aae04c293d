"""What a judge's image response says about the original: its aspect ratio and size class, nothing else.
Two entries whose originals differ in pixel size (and in metadata, file name and format) reach the
judge as images of one size, with headers that carry only the copy's own content hash."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from PIL import Image

from contest import clock
from tests import imagegen
from tests.factories import attach_picture, chunks, login_as
from tests.web.judge import build_scene, score_path

pytestmark = pytest.mark.web

SIZES = {"jpeg": (2560, 1600), "webp": (2560, 1600), "thumb.jpeg": (400, 250), "thumb.webp": (400, 250)}


@pytest.fixture
async def scene(app, db):
    scene = await build_scene(app.state.store)  # entry one: 1600 x 1000 JPEGs full of metadata
    other = imagegen.encode(imagegen.poster((2000, 1250), 31).convert("RGBA"), "PNG")
    await attach_picture(scene.entries[1], chunks(other), store=app.state.store, original_name="plain.png",
                       by=scene.designer, now=clock.now())
    return scene


async def test_originals_of_different_sizes_reach_the_judge_at_one_size(client, settings, scene):
    await login_as(client, scene.judge, secret=settings.secret_key)
    seen = {}
    for n in (0, 1):
        for variant in SIZES:
            body = (await client.get(f"{score_path(scene, n)}/1.{variant}")).content
            seen[(n, variant)] = Image.open(io.BytesIO(body)).size
    assert seen == {(n, variant): size for n in (0, 1) for variant, size in SIZES.items()}


async def test_an_image_response_carries_only_the_copys_own_hash(client, settings, scene):
    await login_as(client, scene.judge, secret=settings.secret_key)
    response = await client.get(f"{score_path(scene, 1)}/1.webp")
    body = response.content
    assert (response.status_code, Image.open(io.BytesIO(body)).mode) == (200, "RGB")
    headers = dict(response.headers.items())
    assert re.fullmatch(r"[0-9a-f]{32}", headers.pop("x-request-id"))  # random per request: it tells nothing
    assert headers == {  # no Last-Modified, no size or name of the original
        "content-type": "image/webp", "content-length": str(len(body)),
        "etag": f'"{hashlib.sha256(body).hexdigest()}"', "cache-control": "private, no-store",
        "x-content-type-options": "nosniff", "content-security-policy": "default-src 'none'; sandbox",
        "x-frame-options": "DENY", "referrer-policy": "same-origin", "cross-origin-opener-policy": "same-origin",
    }
