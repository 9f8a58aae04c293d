"""CONTEST_PUBLIC_MEDIA_URL: a public gallery copy is fetched from the CDN (or the bucket) in front of the
store, under its stored name versioned by its content; what must pass through the app still does."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from contest.app import create_app
from contest.entries.models import Entry, EntryImage
from contest.media.storage import derived_name
from tests.results.gallery_builders import announced_edition

pytestmark = pytest.mark.web

CDN = "https://cdn.example.org/wenchuang"


@pytest.fixture
async def cdn_client(settings, db):
    app = create_app(replace(settings, public_media_url=CDN), manage_database=False)
    await announced_edition(app.state.store)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http:
        yield http


async def test_a_public_copy_redirects_to_the_cdn_under_its_stored_name_and_digest(cdn_client):
    image = await EntryImage.filter(entry__number="R-01-0002").first()
    digest = image.derivatives["thumb.webp"]["sha256"][:16]
    response = await cdn_client.get(f"/pub/{digest}/{image.key}-thumb.webp")
    assert response.status_code == 301
    assert response.headers["location"] == f"{CDN}/{derived_name(image.key, 'thumb', 'WEBP')}?v={digest}"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    stale = await cdn_client.get(f"/pub/{'0' * 16}/{image.key}-thumb.webp")
    assert stale.status_code == 404


async def test_a_copy_labelled_as_ai_made_is_still_served_by_the_app(cdn_client):
    image = await EntryImage.filter(entry__number="R-01-0002").first()
    await Entry.filter(id=image.entry_id).update(ai_disclosure={"extent": "assisted", "tools": "Midjourney",
                                                                "parts": "纹样"})
    response = await cdn_client.get(f"/pub/{image.derivatives['thumb.webp']['sha256'][:16]}/{image.key}-thumb.webp")
    assert (response.status_code, response.headers["content-type"]) == (200, "image/webp")
