"""Pages link with paths; absolute URLs (link previews, e-mails) come from CONTEST_PUBLIC_URL, never from
the Host header, so a page kept by the cache is right for every scheme and host it is served to."""

from __future__ import annotations

import re

import pytest

from contest.notifications.models import OutboxMessage
from contest.notifications.outbox import outgoing
from tests.factories import make_contest
from tests.results.gallery_builders import announced_edition
from tests.web.helpers import signed_in_organiser

pytestmark = pytest.mark.web

HREF = re.compile(r'(?:href|src|action)="([^"]*)"')


@pytest.fixture
async def edition(app):
    return await announced_edition(app.state.store)


def og(page: str, name: str) -> str:
    return re.search(rf'<meta property="og:{name}" content="([^"]*)">', page).group(1)


async def test_a_gallery_page_links_with_paths_and_shares_the_configured_url(client, edition, settings):
    path = f"/c/{edition.slug}/gallery"
    page = (await client.get(f"https://evil.example{path}")).text
    assert "evil.example" not in page
    links = HREF.findall(re.sub(r'<link rel="canonical"[^>]*>', "", page))
    assert [link for link in links if not link.startswith(("/", "#"))] == []
    assert (og(page, "url"), og(page, "image").startswith(settings.public_url + "/pub/")) == \
        (settings.public_url + path, True)


async def test_the_page_cache_serves_one_page_to_http_and_https_alike(client, app, edition, settings):
    path = f"/c/{edition.slug}/gallery/R-01-0001"
    over_https = await client.get(f"https://testserver{path}")
    over_http = await client.get(f"http://testserver{path}")
    elsewhere = await client.get(f"http://other.example{path}")
    assert (over_https.status_code, over_http.text, elsewhere.text) == (200, over_https.text, over_https.text)
    assert ("https://testserver" in over_http.text, "other.example" in elsewhere.text) == (False, False)
    assert app.state.page_cache.renders == 1


async def test_an_invitation_link_uses_the_configured_url_not_the_host_header(client, settings):
    contest = await make_contest()
    token = await signed_in_organiser(client, settings, contest)
    sent = await client.post(f"/admin/c/{contest.slug}/people/invite", headers={"host": "evil.example"},
                             data={"csrf_token": token, "email": "judge@example.net", "role": "organiser"})
    assert sent.status_code == 303
    message = await OutboxMessage.get(kind="invitation", to_email="judge@example.net")
    _, sent_text = outgoing(message)
    links = re.findall(r"\S+/account/invite/\S+", sent_text)
    assert [link.startswith(settings.public_url + "/account/invite/") for link in links] == [True]
    assert "evil.example" not in sent_text
