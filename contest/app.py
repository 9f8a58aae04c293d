"""create_app(settings) -> the Starlette application: routes, middleware, lifespan, error pages."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext

from starlette.applications import Starlette
from starlette.middleware import Middleware
from tortoise.contrib.starlette import RegisterTortoise

from contest import cache_stamp, plain_sql, tasks
from contest.db import check_sqlite_pragmas, settings_config
from contest.jobs import queue
from contest.media.stores import open_store
from contest.settings import PROJECT_ROOT, Settings, load_settings
from contest.sms.senders import sender_for
from contest.web.infra.access import AccessMiddleware
from contest.web.infra.compression import CompressionMiddleware
from contest.web.infra.cookies import CookieJar
from contest.web.infra.csrf_check import CsrfMiddleware
from contest.web.infra.errors import EXCEPTION_HANDLERS
from contest.web.infra.forms import CloseFormsMiddleware, NulMiddleware
from contest.web.infra.headers import SecurityHeadersMiddleware
from contest.web.infra.limits import BodyLimitMiddleware
from contest.web.infra.probes import HostCheckMiddleware
from contest.web.infra.request_id import RequestIdMiddleware
from contest.web.infra.session import SessionMiddleware
from contest.web.infra.templating import Renderer
from contest.web.routes import build_routes


def create_app(settings: Settings | None = None, *, manage_database: bool = True) -> Starlette:
    """`manage_database=False` leaves Tortoise to the caller (tests own the database)."""
    settings = settings or load_settings()
    cache_stamp.configure_for(settings)
    cookies = CookieJar(secure=settings.production)
    store = open_store(settings)
    store.ensure_dirs()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not manage_database:
            yield
            return
        async with RegisterTortoise(app, config=settings_config(settings)):
            if settings.uses_sqlite:
                await check_sqlite_pragmas()
            app.state.render.compile_all()
            async with queue.opened(settings.database_url), _in_process_work(settings):
                await tasks.queue_left_work(settings)
                # Everything loaded so far lives as long as the process: keep it out of the collector's
                # full passes, which otherwise paused a worker 35-40 ms under load (the cold-start p99).
                gc.freeze()
                cache_stamp.start_listening()
                try:
                    yield
                finally:
                    await cache_stamp.stop_listening()
                    plain_sql.close_sqlite_reader()

    app = Starlette(
        debug=settings.debug,
        routes=build_routes(),
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(AccessMiddleware, log_requests=settings.access_log),
            Middleware(HostCheckMiddleware, allowed_hosts=list(settings.allowed_hosts)),
            Middleware(CompressionMiddleware),
            Middleware(SecurityHeadersMiddleware, hsts=settings.production),
            Middleware(BodyLimitMiddleware, stall=settings.body_timeout, min_rate=settings.body_min_rate),
            Middleware(CloseFormsMiddleware),
            Middleware(SessionMiddleware, cookie_name=cookies.session),
            Middleware(CsrfMiddleware, secret=settings.secret_key, cookie_name=cookies.csrf, secure=cookies.secure),
            Middleware(NulMiddleware),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.cookies = cookies
    app.state.render = Renderer(PROJECT_ROOT / "templates", auto_reload=settings.debug)
    app.state.urls = {}  # templating.url_for's cache
    app.state.store = store
    app.state.sms = sender_for(settings)  # None: phone verification is off (CONTEST_SMS_PROVIDER=none)
    return app


def _in_process_work(settings: Settings) -> AbstractAsyncContextManager[None]:
    """On SQLite the web process runs its own jobs; on PostgreSQL `contest worker` processes do."""
    return tasks.worker_running(settings) if settings.uses_sqlite else nullcontext()
