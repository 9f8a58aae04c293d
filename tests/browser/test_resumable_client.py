"""static/designer/js/resumable.js with the vendored tus-js-client, in Chromium, against tus_routes behind our CSRF
check and body limits: a reload resumes where the upload stopped, and a connection reset mid-piece is retried.
The server is a small app of its own (one signed-in person, no database), since no page wires the routes yet."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from contest.media.storage import TempUpload, UploadStore
from contest.settings import PROJECT_ROOT
from contest.web.infra.cookies import CookieJar
from contest.web.infra.csrf import make_token
from contest.web.infra.csrf_check import CsrfMiddleware
from contest.web.infra.limits import BodyLimitMiddleware
from contest.web.infra.resumable import Grant, tus_routes
from tests.browser.conftest import free_port

pytestmark = pytest.mark.browser

SECRET, SESSION = "resumable-test-secret", "session-of-one"
SIZE = 10 * 1048576 + 12_345  # two pieces of 8 MiB at most
PAGE = """<!doctype html><meta charset="utf-8"><title>tus</title>
<script src="/static/designer/js/vendor/tus-js-client-4.3.1.min.js"></script>
<script src="/static/designer/js/resumable.js"></script>
<script>
  // the same bytes, name and lastModified on every load: the same file chosen again
  window.sameFile = function () {
    var bytes = new Uint8Array(%d);
    for (var i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 13)) & 255;
    return new File([bytes], "作品.mp4", { type: "video/mp4", lastModified: 1764979200000 });
  };
  window.send = function (stopAfter, how) {
    return new Promise(function (resolve) {
      var upload = window.resumableUpload(window.sameFile(), {
        endpoint: "/tus", csrfToken: "%s", metadata: { slot: "video" },
        onProgress: function (sent) {
          if (!stopAfter || sent < stopAfter) return;
          stopAfter = 0;
          if (how === "cancel") upload.cancel().then(function () { resolve("cancelled"); });
          else { upload.abort(); resolve("stopped"); }
        },
        onDone: function (answer) { resolve(answer); },
        onError: function (message, status) { resolve({ error: message, status: status }); }
      });
    });
  };
</script>"""


def expected_bytes() -> bytes:
    return bytes((i * 7 + (i >> 13)) & 255 for i in range(SIZE))


@dataclass
class Server:
    root: Path
    requests: list[str] = field(default_factory=list)
    completed: list[tuple[dict, str, int]] = field(default_factory=list)

    async def authorise(self, request: Request, metadata: dict[str, str]) -> Grant:
        return Grant({"slot": metadata["slot"], "name": metadata["filename"]}, 50 * 1048576)

    async def on_complete(self, request: Request, target: dict, temp: TempUpload) -> dict:
        self.completed.append((target, temp.sha256, temp.bytes))
        return {"done": temp.bytes}

    def app(self) -> Starlette:
        async def page(request: Request) -> HTMLResponse:
            return HTMLResponse(PAGE % (SIZE, make_token(SECRET, SESSION)))

        routes = [Route("/", page), Mount("/static", StaticFiles(directory=PROJECT_ROOT / "static")),
                  *tus_routes("/tus", name="tus", authorise=self.authorise, on_complete=self.on_complete,
                              max_bytes=50 * 1048576)]
        middleware = [Middleware(Logged, requests=self.requests), Middleware(BodyLimitMiddleware),
                      Middleware(OnePerson), Middleware(CsrfMiddleware, secret=SECRET, cookie_name="csrf", secure=False)]
        app = Starlette(routes=routes, middleware=middleware)
        app.state.store = UploadStore(self.root)
        app.state.cookies = CookieJar(secure=False)
        return app


class OnePerson:
    """Every request is the same signed-in person's (the session middleware without its database)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.setdefault("state", {})
        state["user"], state["session_key"], state["consent_due"] = SimpleNamespace(id=1), SESSION, False
        await self.app(scope, receive, send)


class Logged:
    def __init__(self, app: ASGIApp, requests: list[str]) -> None:
        self.app, self.requests = app, requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/tus"):
            offset = dict(scope["headers"]).get(b"upload-offset", b"").decode()
            self.requests.append(f"{scope['method']} {offset}".strip())
        await self.app(scope, receive, send)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, str]]:
    state = Server(tmp_path / "uploads")
    port = free_port()
    running = uvicorn.Server(uvicorn.Config(state.app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.05)
    try:
        yield state, f"http://127.0.0.1:{port}/"
    finally:
        running.should_exit = True
        thread.join(10)


async def test_a_reload_resumes_the_upload_where_it_stopped(browser, server):
    state, url = server
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(url)
    assert await page.evaluate("window.send(8 * 1048576)") == "stopped"
    await page.reload()
    answer = await page.evaluate("window.send(0)")
    await context.close()
    assert answer == {"done": SIZE}
    assert state.requests.count("POST") == 1  # the second run found the first one's upload and went on with it
    # the last piece went on from what the stopped run left (a PATCH the server still held is refused as busy,
    # and the client asks for the offset again)
    assert state.requests[-1].startswith("PATCH ") and 0 < int(state.requests[-1].split()[1]) < SIZE, state.requests
    assert state.completed == [({"slot": "video", "name": "作品.mp4"}, hashlib.sha256(expected_bytes()).hexdigest(),
                                SIZE)]


async def test_a_connection_reset_mid_piece_is_retried_from_the_servers_offset(browser, server):
    state, url = server
    context = await browser.new_context()
    page = await context.new_page()
    resets = []

    async def reset_first_patch(route) -> None:
        if route.request.method == "PATCH" and not resets:
            resets.append(route.request.url)
            await route.abort("connectionreset")
        else:
            await route.continue_()

    await page.route("**/tus/*", reset_first_patch)
    await page.goto(url)
    answer = await page.evaluate("window.send(0)")
    await context.close()
    assert answer == {"done": SIZE} and len(resets) == 1
    assert state.requests[:3] == ["POST", "HEAD", "PATCH 0"]  # the reset PATCH never reached the server
    assert [c[1] for c in state.completed] == [hashlib.sha256(expected_bytes()).hexdigest()]


async def test_cancel_deletes_what_the_server_holds(browser, server):
    state, url = server
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(url)
    assert await page.evaluate("window.send(1048576, 'cancel')") == "cancelled"
    stored = await page.evaluate("Object.keys(localStorage).filter(function (k) { return k.indexOf('tus') === 0; })")
    await context.close()
    assert state.requests[-1] == "DELETE" and stored == []
    assert [p for p in state.root.rglob("*") if p.is_file()] == []
