"""Pages, styles and scripts travel compressed when the client asks; images and streamed downloads never do."""

from __future__ import annotations

import gzip

import brotli
import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import StreamingResponse
from starlette.routing import Route

from contest.settings import PROJECT_ROOT
from contest.web.infra.compression import CompressionMiddleware, choose
from tests.factories import make_track
from tests.results.gallery_builders import announced, tiers_for, winner

pytestmark = pytest.mark.web

DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


async def raw_get(client: httpx.AsyncClient, path: str, **headers: str) -> tuple[httpx.Response, bytes]:
    """The response and its body as it travelled (httpx would decode it)."""
    async with client.stream("GET", path, headers=headers) as response:
        return response, b"".join([chunk async for chunk in response.aiter_raw()])


def vary(response: httpx.Response) -> list[str]:
    return [v.strip() for v in response.headers.get("vary", "").split(",")]


@pytest.fixture
async def gallery(app) -> str:
    contest = await announced(slug="renmin-2025")
    track = await make_track(contest, slug="ip", name="工运IP赛道")
    tiers = await tiers_for(contest, track)
    for n, tier in enumerate(tiers):
        await winner(contest, track, tier, app.state.store, title=f"作品{n}", number=f"R-01-{n:04d}")
    return "/c/renmin-2025/gallery"


@pytest.mark.parametrize("encoding", ["br", "gzip"])
async def test_a_cached_page_travels_compressed_and_decodes_to_the_page(client, app, gallery, encoding):
    plain, plain_body = await raw_get(client, gallery, **{"accept-encoding": "identity"})
    first, first_body = await raw_get(client, gallery, **{"accept-encoding": encoding})
    again, again_body = await raw_get(client, gallery, **{"accept-encoding": encoding})
    assert (plain.headers.get("content-encoding"), first.headers["content-encoding"]) == (None, encoding)
    assert DECODE[encoding](first_body) == plain_body
    assert again_body == first_body
    assert len(first_body) * 3 < len(plain_body)
    assert [vary(r) for r in (plain, first)] == [["Cookie", "Accept-Language", "Accept-Encoding"]] * 2


async def test_the_page_cache_keeps_the_compressed_bytes(client, app, gallery):
    _, body = await raw_get(client, gallery, **{"accept-encoding": "br"})
    stored = await app.state.page_cache.lookup(("/c/renmin-2025/gallery", "", "zh_CN"))
    assert stored is not None and set(stored.encoded) == {"br", "gzip"}
    assert stored.encoded["br"] == body


@pytest.mark.parametrize("encoding", ["br", "gzip"])
async def test_each_encoding_has_its_own_etag_and_answers_304_to_it(client, gallery, encoding):
    plain = await client.get(gallery, headers={"accept-encoding": "identity"})
    packed = await client.get(gallery, headers={"accept-encoding": encoding})
    assert packed.headers["etag"] == plain.headers["etag"][:-1] + f'-{encoding}"'
    again = await client.get(gallery, headers={"accept-encoding": encoding, "if-none-match": packed.headers["etag"]})
    assert (again.status_code, again.headers["etag"], again.content) == (304, packed.headers["etag"], b"")
    other = await client.get(gallery, headers={"accept-encoding": "identity", "if-none-match": packed.headers["etag"]})
    assert other.status_code == 200


@pytest.mark.parametrize("path", ["/static/common/css/base.css", "/static/public/js/lightbox.js"])
async def test_static_text_files_travel_compressed_and_answer_304(client, path):
    on_disk = (PROJECT_ROOT / path.removeprefix("/")).read_bytes()
    response, body = await raw_get(client, path, **{"accept-encoding": "gzip, br"})
    assert response.headers["content-encoding"] == "br"
    assert brotli.decompress(body) == on_disk
    assert "Accept-Encoding" in vary(response)
    again = await client.get(path, headers={"accept-encoding": "gzip, br", "if-none-match": response.headers["etag"]})
    assert (again.status_code, again.headers["etag"]) == (304, response.headers["etag"])
    plain, plain_body = await raw_get(client, path, **{"accept-encoding": "identity"})
    assert (plain.headers.get("content-encoding"), plain_body, vary(plain)) == (None, on_disk, ["Accept-Encoding"])


async def test_pages_rendered_per_request_travel_compressed(client):
    response, body = await raw_get(client, "/account/login", **{"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert b"</html>" in gzip.decompress(body)
    assert int(response.headers["content-length"]) == len(body)
    assert "Accept-Encoding" in vary(response)


async def test_images_are_not_compressed(client, app, gallery):
    html = (await client.get(gallery)).text
    src = html.split('src="', 1)[1].split('"', 1)[0]
    response, _ = await raw_get(client, src, **{"accept-encoding": "br, gzip"})
    assert response.headers["content-type"].startswith("image/")
    assert response.headers.get("content-encoding") is None


async def test_streamed_responses_pass_uncompressed():
    async def chunks():
        yield b"<p>" + b"x" * 4000
        yield b"</p>"

    async def download(request):
        return StreamingResponse(chunks(), media_type="text/html")

    app = CompressionMiddleware(Starlette(routes=[Route("/", download)]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response, body = await raw_get(client, "/", **{"accept-encoding": "br"})
    assert response.headers.get("content-encoding") is None
    assert body == b"<p>" + b"x" * 4000 + b"</p>"


@pytest.mark.parametrize(("header", "chosen"), [
    ("gzip, deflate, br, zstd", "br"), ("gzip", "gzip"), ("br;q=0.5, gzip", "gzip"), ("gzip;q=0, br;q=0", None),
    ("identity", None), ("", None), ("*", "br"), ("*;q=0", None), ("GZIP", "gzip"),
])
def test_the_encoding_follows_the_clients_weights(header, chosen):
    assert choose(header) == chosen
