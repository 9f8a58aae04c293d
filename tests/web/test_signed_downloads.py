"""CONTEST_S3_SIGNED_DOWNLOADS: on the bucket, an original is downloaded from a short-lived signed URL the app
hands out after its usual permission check, not through a worker."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from contest.contests.models import SlotAudience
from contest.entries.models import EntryFile
from tests.media import source_samples as samples
from tests.web.entry_formats_scene import add_slot, post_file
from tests.web.uploads import designer

pytestmark = pytest.mark.web


@pytest.fixture
def settings(settings, s3_server):
    return replace(settings, **s3_server.settings(s3_server.new_bucket()), s3_signed_downloads=True)


async def test_the_owner_is_sent_to_a_signed_url_that_serves_the_original(client, settings):
    entry, token = await designer(client, settings)
    await add_slot(entry, "sources", ["source"], max_mb=200, audience=SlotAudience.ORGANISERS)
    data = samples.drafts_zip()
    assert (await post_file(client, entry.id, "sources", data, token, name="过程稿.zip")).status_code == 201
    file = await EntryFile.get(entry_id=entry.id)
    response = await client.get(f"/media/files/{file.key}/original")
    assert (response.status_code, response.headers["cache-control"]) == (303, "private, no-store")
    location = response.headers["location"]
    assert location.startswith(f"{settings.s3_endpoint}/{settings.s3_bucket}/originals/{file.key[:2]}/{file.key}?")
    assert parse_qs(urlsplit(location).query)["X-Amz-Expires"] == ["300"]
    fetched = httpx.get(location)
    assert (fetched.status_code, fetched.content) == (200, data)


async def test_a_visitor_who_may_not_see_the_file_gets_no_url(client, settings):
    entry, token = await designer(client, settings)
    await add_slot(entry, "sources", ["source"], max_mb=200, audience=SlotAudience.ORGANISERS)
    assert (await post_file(client, entry.id, "sources", samples.drafts_zip(), token, name="a.zip")).status_code == 201
    file = await EntryFile.get(entry_id=entry.id)
    client.cookies.clear()
    response = await client.get(f"/media/files/{file.key}/original")
    assert (response.status_code, response.headers.get("location")) == (404, None)
