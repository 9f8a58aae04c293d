from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests import imagegen
from tests.web.live_site import Site

pytestmark = [pytest.mark.web, pytest.mark.slow, pytest.mark.any_database]

CHUNK = 64 * 1024


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    site = Site(tmp_path)
    try:
        site.start()
        yield site
    finally:
        site.stop()


@pytest.fixture(scope="module")
def big_png() -> bytes:
    import pyvips

    xyz = pyvips.Image.xyz(5000, 5000)
    pattern = ((xyz[0] // 4) ^ (xyz[1] // 4)) & 255
    image = pattern.bandjoin([(xyz[0] // 25) & 255, (xyz[1] // 25) & 255]).cast("uchar").copy(interpretation="srgb")
    return image.pngsave_buffer(compression=1)


def padded_jpeg(total: int) -> bytes:
    data = imagegen.jpeg((640, 480), 31)
    return data + b"\x00" * (total - len(data))


async def slowly(data: bytes, *, half_sent: asyncio.Event, pause: float) -> AsyncIterator[bytes]:
    for start in range(0, len(data), CHUNK):
        if start >= len(data) // 2:
            half_sent.set()
        yield data[start:start + CHUNK]
        await asyncio.sleep(pause)


async def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


async def killed_upload(site: Site, task: asyncio.Task) -> None:
    site.kill()
    with pytest.raises(httpx.TransportError):
        await asyncio.wait_for(task, timeout=15)


async def test_server_killed_mid_body_leaves_nothing_and_the_retry_stores_one_image(site):
    data = padded_jpeg(4 * 2**20)
    half_sent = asyncio.Event()
    task = asyncio.create_task(site.upload(slowly(data, half_sent=half_sent, pause=0.01)))
    await asyncio.wait_for(half_sent.wait(), timeout=15)
    await wait_for(lambda: any(p.stat().st_size > 0 for p in site.files("tmp")))
    await killed_upload(site, task)
    assert [p.name.endswith(".part") for p in site.files("tmp")] == [True]

    site.start()
    site.assert_consistent()
    assert site.rows("SELECT count(*) FROM entry_image") == [(0,)]

    retry = await site.upload(data)
    assert retry.status_code == 201, retry.text
    assert site.rows("SELECT id, size_bytes FROM entry_image") == [(retry.json()["id"], len(data))]
    site.assert_consistent()
    assert len(site.files("originals") + site.files("derived")) == 7


async def test_server_killed_while_processing_leaves_nothing_and_the_retry_stores_one_image(site, big_png):
    task = asyncio.create_task(site.upload(big_png, name="big.png"))
    await wait_for(lambda: any(p.stat().st_size == len(big_png) for p in site.files("tmp")))
    await killed_upload(site, task)
    assert site.files("originals") == []

    site.start()
    site.assert_consistent()
    assert site.rows("SELECT count(*) FROM entry_image") == [(0,)]

    retry = await site.upload(big_png, name="big.png")
    assert retry.status_code == 201, retry.text
    assert site.rows("SELECT id, original_format, width, height FROM entry_image") == \
        [(retry.json()["id"], "PNG", 5000, 5000)]
    site.assert_consistent()
    assert len(site.files("originals") + site.files("derived")) == 7
