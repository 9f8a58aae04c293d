"""Rendered HTML of public results pages, kept in each worker process.

A hit costs no database query and no template: the bytes, their ETag and headers. A miss is
rendered by ONE request while every other request for the same key waits for it (single
flight), so a cold start under load does not send every connection to the database at once.
When a contest's results change, its pages are dropped at once: the next request renders (the
others wait for it), because a kept page may be one the embargo now forbids (an announcement
moved later, an award revoked). A page that is only older than `TTL` is served once more while
one background render replaces it; one that is no longer there (the re-render is a 404) is dropped.

Key: (path, the page's own query parameters, locale). Neither the scheme nor the host is part of it:
pages link with paths, and the absolute URLs of link previews come from CONTEST_PUBLIC_URL, so a page
is the same whoever asked for it. Unknown query parameters are not part of it, so they cannot fill
the memory; the number of pages kept is bounded too.

Only pages that are public go in (never an organiser's preview, never an error), and only for
visitors who are not signed in and have no flash message waiting: the page header names the
signed-in user. `contest.cache_stamp` says when a contest's results changed, before every lookup:
with stamp files, one stat call (the stamps re-read when the folder moved, after this process's own
change, and at least once a second); through the database, nothing while this process's listener holds
its lease, else one read of the generations (contest.cache_stamp_db).

A kept page keeps its brotli and gzip bytes too, compressed once (in a thread) when it is stored; every
answer carries the ETag of the bytes it sends (contest.web.infra.compression).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from contest import cache_stamp
from contest.errors import ContestError
from contest.web.infra import compression
from contest.web.infra.templating import request_locale

TTL = 300.0
MAX_PAGES = 1024
MAX_AGE = 60
PUBLIC_CACHE = f"public, max-age={MAX_AGE}"
SIGNED_IN_CACHE = "private, no-cache"
NO_STORE = "no-store"
VARY = "Cookie, Accept-Language, Accept-Encoding"

Key = tuple[str, str, str]
Render = Callable[[], Awaitable["Page"]]
log = logging.getLogger("contest.web.page_cache")


@dataclass
class Page:
    """What a results handler produced: the response, whose contest it shows, and whether it is public."""

    response: Response
    contest_id: int
    public: bool


@dataclass(frozen=True)
class Stored:
    body: bytes
    media_type: str
    etag: str
    contest_id: int
    expires: float
    encoded: dict[str, bytes]  # the body compressed, by encoding; empty for a body too small to gain


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@dataclass
class PageCache:
    ttl: float = TTL
    max_pages: int = MAX_PAGES
    renders: int = 0  # how many pages were rendered (tests read it)
    _pages: OrderedDict[Key, Stored] = field(default_factory=OrderedDict)
    # a render under way, with the epoch it began in: a request may wait for it only in the same epoch
    _pending: dict[Key, tuple[int, asyncio.Future[Page]]] = field(default_factory=dict)
    _refills: set[asyncio.Task[None]] = field(default_factory=set)
    _epoch: int = 0  # moves whenever results change; a render that saw it move is not kept
    watch: cache_stamp.Watch = field(init=False)

    def __post_init__(self) -> None:
        self.watch = cache_stamp.watch_for(self.outdate)

    async def lookup(self, key: Key) -> Stored | None:
        """The page kept for `key`, fresh or past its TTL; None when there is none."""
        await self.watch.check()
        return self._pages.get(key)

    def kept(self, key: Key) -> Stored | None:
        """The page kept for `key`, as it is now (no look at the stamps)."""
        return self._pages.get(key)

    def fresh(self, stored: Stored) -> bool:
        return stored.expires > time.monotonic()

    def refresh_later(self, key: Key, render: Render) -> None:
        """Re-render a page past its TTL once, in the background, while its last version is served."""
        if key in self._pending:
            return
        task = asyncio.create_task(self._refill(key, render))
        self._refills.add(task)
        task.add_done_callback(self._refills.discard)

    async def _refill(self, key: Key, render: Render) -> None:
        try:
            await self.fill(key, render)
        except ContestError:  # not there any more (a 404 now): the old version must not be served either
            self._pages.pop(key, None)
        except Exception:
            log.exception("re-rendering %s failed", key[0])
            self._pages.pop(key, None)

    async def settle(self) -> None:
        """Wait until the background re-renders are done."""
        while self._refills:
            await asyncio.gather(*self._refills)

    async def fill(self, key: Key, render: Render) -> Page:
        """Render `key` once however many requests ask at the same time; keep it if it is public."""
        epoch = self._epoch
        pending = self._pending.get(key)
        if pending is not None and pending[0] == epoch:
            return await asyncio.shield(pending[1])
        future: asyncio.Future[Page] = asyncio.get_running_loop().create_future()
        self._pending[key] = (epoch, future)
        try:
            page = await render()
            stored = await self._keepable(page, epoch)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: nobody may be waiting
            raise
        finally:
            if self._pending.get(key, (0, None))[1] is future:
                del self._pending[key]
        self.renders += 1
        if stored is not None and epoch == self._epoch:
            self._store(key, stored)
        future.set_result(page)
        return page

    async def _keepable(self, page: Page, epoch: int) -> Stored | None:
        if not (page.public and page.response.status_code == 200 and epoch == self._epoch):
            return None
        body = bytes(page.response.body)
        encoded = await anyio.to_thread.run_sync(_compressed_variants, body)
        media_type = page.response.headers.get("content-type", "text/html; charset=utf-8")
        return Stored(body, media_type, etag_of(body), page.contest_id, time.monotonic() + self.ttl, encoded)

    def _store(self, key: Key, stored: Stored) -> None:
        self._pages[key] = stored
        self._pages.move_to_end(key)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)

    def outdate(self, contest_ids: Iterable[int]) -> None:
        """The pages of these contests are dropped, and renders under way are not kept."""
        changed = set(contest_ids)
        self._epoch += 1
        for key, stored in list(self._pages.items()):
            if stored.contest_id in changed:
                del self._pages[key]


def _compressed_variants(body: bytes) -> dict[str, bytes]:
    if len(body) < compression.MIN_SIZE:
        return {}
    return {encoding: compression.compress(body, encoding, best=True) for encoding in compression.ENCODINGS}


def cache_for(request: Request) -> PageCache:
    """The app's page cache, made at first use (the stamp directory follows the app's settings)."""
    state = request.app.state
    cache = getattr(state, "page_cache", None)
    if cache is None:
        cache_stamp.configure_for(state.settings)
        cache = state.page_cache = PageCache()
    return cache


def cacheable(request: Request) -> bool:
    jar = request.app.state.cookies
    return request.state.user is None and jar.flash not in request.cookies


def cache_key(request: Request, params: Iterable[str]) -> Key:
    query = "&".join(f"{name}={request.query_params[name]}" for name in params if name in request.query_params)
    return request.scope["path"], query, request_locale(request)


async def serve(request: Request, render: Render, *, params: Iterable[str] = ()) -> Response:
    """A results page: from the cache for visitors who are not signed in, else rendered for this request."""
    if not cacheable(request):
        page = await render()
        return _finish(request, page.response, public=page.public, shared=False)
    cache = cache_for(request)
    key = cache_key(request, params)
    stored = await cache.lookup(key)
    if stored is not None:
        if not cache.fresh(stored):
            cache.refresh_later(key, render)
        return _from_store(request, stored)
    page = await cache.fill(key, render)
    stored = cache.kept(key)
    if stored is not None:  # kept: its bytes are compressed already
        return _from_store(request, stored)
    # every waiter shares the one Page: each answers with its own Response
    copy = Response(page.response.body, page.response.status_code, media_type=page.response.media_type)
    return _finish(request, copy, public=page.public, shared=True)


def _from_store(request: Request, stored: Stored) -> Response:
    headers = {"ETag": stored.etag, "Cache-Control": PUBLIC_CACHE, "Vary": VARY, "Content-Type": stored.media_type}
    return compression.encoded_response(request.headers, stored.body, headers, compressed=stored.encoded.__getitem__)


def _finish(request: Request, response: Response, *, public: bool, shared: bool) -> Response:
    """Caching headers: no-store for a preview, an ETag (and 304) once public."""
    if not public:
        response.headers["Cache-Control"] = NO_STORE
        return response
    body = bytes(response.body)
    headers = {"ETag": etag_of(body), "Cache-Control": PUBLIC_CACHE if shared else SIGNED_IN_CACHE, "Vary": VARY,
               "Content-Type": response.headers.get("content-type", "text/html; charset=utf-8")}
    return compression.encoded_response(request.headers, body, headers, status_code=response.status_code,
                                        compressed=partial(compression.compress, body))
