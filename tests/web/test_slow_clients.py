"""Slow clients against a real `contest serve` on 127.0.0.1: headers that never finish, a body that trickles,
a client that leaves mid-upload. Every wait is bounded; the server's limits are set short through CONTEST_*."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from contest import i18n
from contest.web.infra.limits import BodyTooSlow
from tests.web.live_site import Site

pytestmark = [pytest.mark.web, pytest.mark.slow, pytest.mark.any_database]

SOCKETS = 150
BODY = 2 * 2**20


@pytest.fixture
def strict_site(tmp_path: Path) -> Iterator[Site]:
    site = Site(tmp_path, CONTEST_HEADER_TIMEOUT="1", CONTEST_BODY_TIMEOUT="1", CONTEST_BODY_MIN_RATE="100000")
    try:
        site.start()
        yield site
    finally:
        site.stop()


def upload_head(site: Site, length: int) -> bytes:
    return (f"POST /me/entries/{site.entry}/slots/images/files?name=a.jpg HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: contest_session={site.session}\r\nX-CSRF-Token: {site.csrf}\r\nAccept: application/json\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {length}\r\n\r\n").encode()


async def connect(site: Site) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", int(site.base_url.rsplit(":", 1)[1]))


async def answer_and_close(reader: asyncio.StreamReader, timeout: float) -> bytes:
    """Everything the server sends until it closes the connection; b"still open" if it does not in time."""
    try:
        return await asyncio.wait_for(reader.read(), timeout)
    except TimeoutError:
        return b"still open"


async def test_connections_whose_headers_never_finish_are_answered_408_and_closed(strict_site):
    connections = [await connect(strict_site) for _ in range(SOCKETS)]
    for n, (_, writer) in enumerate(connections):
        if n % 10:  # and every tenth one sends nothing at all
            writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow")
    async with httpx.AsyncClient(base_url=strict_site.base_url, timeout=10) as client:
        meanwhile = await client.get("/healthz")
    answers = await asyncio.gather(*(answer_and_close(reader, 15) for reader, _ in connections))
    for _, writer in connections:
        writer.close()
    assert meanwhile.status_code == 200
    timeout = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    assert answers == [timeout] * SOCKETS


async def test_an_upload_that_trickles_is_cut_with_a_408_and_nothing_is_saved(strict_site):
    reader, writer = await connect(strict_site)
    writer.write(upload_head(strict_site, BODY))
    response = b""
    deadline = time.monotonic() + 20
    while not response and time.monotonic() < deadline:
        writer.write(b"\xff" * 1024)  # 5 KiB/s where 100 KB/s are needed
        await writer.drain()
        with contextlib.suppress(TimeoutError):
            response = await asyncio.wait_for(reader.read(), 0.2)
    writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    message = i18n.translate("zh_CN", BodyTooSlow.message)
    assert (head.split(b"\r\n")[0], b"connection: close" in head.lower()) == (b"HTTP/1.1 408 Request Timeout", True)
    assert json.loads(body) == {"error": message, "status": 408}
    strict_site.assert_consistent()
    assert strict_site.rows("SELECT count(*) FROM entry_image") == [(0,)]


async def test_a_client_that_leaves_mid_upload_is_one_log_line(tmp_path):
    site = Site(tmp_path)
    site.start()
    try:
        logged_before = site.log.read_text()
        reader, writer = await connect(site)
        writer.write(upload_head(site, BODY) + b"\xff" * 65536)
        await writer.drain()
        await asyncio.sleep(0.5)
        writer.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any(
                word in site.log.read_text() for word in ("went away", "Traceback")):
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient(base_url=site.base_url, timeout=10) as client:
            assert (await client.get("/healthz")).status_code == 200
        logged = site.log.read_text()[len(logged_before):].splitlines()
    finally:
        site.stop()
    line = rf"client went away after (\d+) of {BODY} bytes: POST /me/entries/{site.entry}/slots/images/files"
    records = [json.loads(text) for text in logged]  # JSON lines (contest.logs)
    assert [bool(re.fullmatch(line, record["message"])) for record in records] == [True]
    assert int(re.fullmatch(line, records[0]["message"]).group(1)) <= 65536
    assert (records[0]["level"], bool(re.fullmatch(r"[0-9a-f]{32}", records[0]["request_id"]))) == ("WARNING", True)
    site.assert_consistent()
    assert site.rows("SELECT count(*) FROM entry_image") == [(0,)]
