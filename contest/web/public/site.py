"""The site's own addresses: the language choice (a cookie, then back where the visitor was) and the health check."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from tortoise.connection import get_connection

from contest import i18n
from contest.errors import NotFound
from contest.web.infra.redirects import safe_next


async def set_language(request: Request) -> Response:
    """Only a preference cookie changes; the redirect stays on this site."""
    locale = request.path_params["locale"]
    if locale not in i18n.LOCALES:
        raise NotFound()
    response = RedirectResponse(safe_next(request.query_params.get("next"), "/"), status_code=303)
    jar = request.app.state.cookies
    response.set_cookie(jar.lang, locale, max_age=365 * 86400, path="/", samesite="lax", secure=jar.secure)
    return response


async def healthz(request: Request) -> Response:
    await get_connection("default").execute_query("SELECT 1")
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


routes = [
    Route("/lang/{locale}", set_language, name="set_language"),
    Route("/healthz", healthz, name="healthz"),
]
