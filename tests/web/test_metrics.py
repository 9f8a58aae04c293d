"""/metrics: requests by route template and status, latency, uploads, the outbox, and who may scrape."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from contest import tasks
from contest.app import create_app
from contest.jobs import queue
from contest.notifications.models import OutboxMessage, OutboxState
from tests.web.uploads import designer, post_image, small_jpeg

pytestmark = pytest.mark.web

TOKEN = "scrape-" + "k3Vq9" * 8


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(client: httpx.AsyncClient) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert response.headers["cache-control"] == "no-store"
    return response.text


def client_for(app, *, address: str = "127.0.0.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                             base_url="http://testserver")


async def test_requests_are_counted_by_route_template_and_status_never_by_path(client):
    before = await scrape(client)
    await client.get("/healthz")
    await client.get("/healthz")
    await client.get("/c/no-such-contest-7f3a")
    await client.get("/no/such/page-s3cr3t-token")
    after = await scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("contest_http_requests_total", method="GET", route="/healthz", status="200") == 2
    assert delta("contest_http_requests_total", method="GET", route="/c/{slug}", status="404") == 1
    assert delta("contest_http_requests_total", method="GET", route="(unmatched)", status="404") == 1
    assert delta("contest_http_request_duration_seconds_count", method="GET", route="/healthz") == 2
    assert "no-such-contest" not in after and "s3cr3t" not in after


async def test_an_accepted_upload_is_counted_with_its_bytes_and_its_route_has_no_id(client, settings):
    entry, token = await designer(client, settings)
    image = small_jpeg()
    before = await scrape(client)
    response = await post_image(client, entry.id, image, token)
    assert response.status_code == 201, response.text
    refused = await post_image(client, entry.id, b"not an image at all", token)
    assert refused.status_code == 400
    after = await scrape(client)

    assert value(after, "contest_uploads_total", kind="image") - value(before, "contest_uploads_total", kind="image") == 1
    assert (value(after, "contest_upload_bytes_total", kind="image")
            - value(before, "contest_upload_bytes_total", kind="image")) == len(image)
    route = "/me/entries/{entry_id}/slots/{slot}/files"
    assert value(after, "contest_http_requests_total", method="POST", route=route, status="201") >= 1
    assert f"/me/entries/{entry.id}/" not in after


async def test_the_outbox_gauge_is_read_from_the_database_at_each_scrape(client):
    for state, count in ((OutboxState.QUEUED, 3), (OutboxState.FAILED, 1)):
        for n in range(count):
            await OutboxMessage.create(kind="receipt", to_email=f"{state}{n}@example.com", subject="s", body_text="b",
                                       state=state)
    text = await scrape(client)
    assert [value(text, "contest_outbox_messages", state=str(s)) for s in OutboxState] == [3, 0, 0, 1]
    await OutboxMessage.filter(state=OutboxState.FAILED).update(state=OutboxState.SENT)
    text = await scrape(client)
    assert [value(text, "contest_outbox_messages", state=str(s)) for s in OutboxState] == [3, 0, 1, 0]


async def test_without_a_token_only_a_local_client_that_came_straight_may_scrape(app):
    async with client_for(app) as local, client_for(app, address="203.0.113.9") as remote:
        assert (await local.get("/metrics")).status_code == 200
        assert (await local.get("/metrics", headers={"x-forwarded-for": "203.0.113.9"})).status_code == 404
        assert (await local.get("/metrics", headers={"x-real-ip": "203.0.113.9"})).status_code == 404
        refused = await remote.get("/metrics")
        assert refused.status_code == 404
        assert "contest_http_requests_total" not in refused.text


async def test_with_a_token_every_scrape_needs_it_even_from_this_machine(settings, db):
    app = create_app(dataclasses.replace(settings, metrics_token=TOKEN), manage_database=False)
    async with client_for(app) as local, client_for(app, address="203.0.113.9") as remote:
        assert (await local.get("/metrics")).status_code == 404
        assert (await remote.get("/metrics", headers={"authorization": "Bearer wrong"})).status_code == 404
        assert (await remote.get("/metrics", headers={"authorization": f"Basic {TOKEN}"})).status_code == 404
        granted = await remote.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
        assert granted.status_code == 200
        assert "contest_http_requests_total" in granted.text


async def test_prometheus_may_scrape_a_worker_by_its_address_when_the_site_allows_only_its_name(settings, db):
    app = create_app(dataclasses.replace(settings, allowed_hosts=("contest.example.org",)), manage_database=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 40000)),
                                 base_url="http://127.0.0.1:8000") as local:
        assert (await local.get("/")).status_code == 400
        assert "contest_http_requests_total" in await scrape(local)


async def test_jobs_are_timed_by_task_and_the_waiting_ones_counted_at_each_scrape(client, settings):
    before = await scrape(client)
    await queue.defer(tasks.REHASH_TASK, contest_id=None)
    waiting = await scrape(client)
    await tasks.run_until_empty(settings)
    after = await scrape(client)
    assert [value(text, "contest_job_queue_depth", queue="default") for text in (waiting, after)] == [1, 0]
    runs = [value(text, "contest_job_duration_seconds_count", job=tasks.REHASH_TASK, outcome="ok")
            for text in (before, after)]
    assert runs[1] == runs[0] + 1
