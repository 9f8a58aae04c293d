"""Request ids (taken from the front server when sane, else made), and one JSON log line per request."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import logging
import re
from collections.abc import Iterator

import httpx
import pytest
from pythonjsonlogger.json import JsonFormatter
from starlette.applications import Starlette
from starlette.routing import Route

from contest.app import create_app
from contest.logs import ACCESS_LOGGER, RequestIdFilter, logging_config
from contest.web.infra.access import AccessMiddleware
from contest.web.infra.request_id import RequestIdMiddleware
from tests.factories import login_as, make_user

pytestmark = pytest.mark.web

GENERATED = re.compile(r"[0-9a-f]{32}")
NGINX_ID = "4f1c2a9be07d4b3c8e5a6f7d1e2c3b4a"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """What the access logger writes, through the formatter and filter every process is configured with."""
    config = logging_config(access_log=True)
    options = {key: value for key, value in config["formatters"]["json"].items() if key != "()"}
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(**options))
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger(ACCESS_LOGGER)
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(level)


def lines_of(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture
def logging_app(settings, db):
    return create_app(dataclasses.replace(settings, access_log=True), manage_database=False)


async def test_a_sane_request_id_from_the_front_server_is_echoed(client):
    response = await client.get("/healthz", headers={"x-request-id": NGINX_ID})
    assert response.headers["x-request-id"] == NGINX_ID


@pytest.mark.parametrize("header", [
    'abc" , "level": "CRITICAL', "x" * 65, "short", "../../etc/passwd", "id with spaces 12345", "ünïcödé-12345"])
async def test_a_malformed_request_id_is_replaced_by_a_new_one(client, header):
    response = await client.get("/healthz", headers={"x-request-id": header.encode()})
    assert GENERATED.fullmatch(response.headers["x-request-id"])


async def test_each_request_without_an_id_gets_its_own(client):
    first, second = await client.get("/healthz"), await client.get("/no-such-page")
    assert second.status_code == 404
    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert all(GENERATED.fullmatch(i) for i in ids) and ids[0] != ids[1]


async def test_one_json_line_per_request_with_its_route_never_its_path_query_or_cookies(logging_app, settings,
                                                                                         log_lines):
    user = await make_user()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=logging_app), base_url="http://testserver") as c:
        await login_as(c, user, secret=settings.secret_key)
        log_lines.truncate(0)
        log_lines.seek(0)
        response = await c.get("/c/secret-slug-9x?token=hunter2", headers={"x-request-id": NGINX_ID})
    [line] = lines_of(log_lines)
    assert set(line) == {"time", "level", "logger", "message", "request_id", "method", "route", "status",
                         "duration_ms", "bytes"}
    assert (line["level"], line["logger"], line["message"]) == ("INFO", "contest.access", "request")
    assert (line["request_id"], line["method"], line["route"], line["status"]) == (NGINX_ID, "GET", "/c/{slug}", 404)
    assert line["bytes"] == response.num_bytes_downloaded and isinstance(line["duration_ms"], float | int)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00", line["time"])
    text = log_lines.getvalue()
    assert "secret-slug" not in text and "hunter2" not in text
    assert not any(value in text for value in c.cookies.values())


async def test_no_line_is_written_when_the_access_log_is_off(client, log_lines):
    logging.getLogger(ACCESS_LOGGER).setLevel(logging.INFO)
    await client.get("/healthz")
    assert lines_of(log_lines) == []


async def test_an_unhandled_error_keeps_its_request_id_in_the_answer_and_the_log(logging_app, log_lines):
    async def broken(request):
        raise RuntimeError("boom")

    logging_app.router.routes.insert(0, Route("/broken/{n:int}", broken))
    transport = httpx.ASGITransport(app=logging_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        response = await c.get("/broken/7", headers={"x-request-id": NGINX_ID, "accept": "application/json"})
    assert (response.status_code, response.headers["x-request-id"]) == (500, NGINX_ID)
    [line] = lines_of(log_lines)
    assert (line["request_id"], line["route"], line["status"]) == (NGINX_ID, "/broken/{n}", 500)


async def test_a_streamed_response_passes_each_chunk_on_before_the_next_is_made():
    first_sent = asyncio.Event()

    async def streaming(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
        await send({"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True})
        await asyncio.wait_for(first_sent.wait(), 5)  # a middleware that buffered would never let this end
        await send({"type": "http.response.body", "body": b"data: 2\n\n", "more_body": False})

    scope = {"type": "http", "method": "GET", "path": "/events", "headers": [], "app": Starlette(), "state": {}}
    received = []

    async def send(message):
        received.append(message)
        if message.get("body") == b"data: 1\n\n":
            first_sent.set()

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    await RequestIdMiddleware(AccessMiddleware(streaming, log_requests=False))(scope, receive, send)
    assert [m.get("body") for m in received] == [None, b"data: 1\n\n", b"data: 2\n\n"]
    assert dict(received[0]["headers"])[b"x-request-id"]
