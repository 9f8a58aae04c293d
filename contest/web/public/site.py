"""The site's own addresses: the language choice (a cookie, then back where the visitor was) and the probes."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from contest import i18n
from contest.console import checks
from contest.errors import NotFound
from contest.web.infra.redirects import safe_next

NO_STORE = {"Cache-Control": "no-store"}
log = logging.getLogger("contest.web.readiness")


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
    """Liveness: the process answers. Nothing else is asked, so a database outage does not get workers restarted."""
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


async def readyz(request: Request) -> Response:
    """Readiness: the database, the upload storage and the job queue's broker answer; 503 names the failed parts
    (the reasons go to the log, not to whoever asks)."""
    found = await checks.run_checks(request.app.state.settings, checks.READY_CHECKS)
    failed = sorted(name for name, problems in found.items() if problems)
    for problem in (problem for name in failed for problem in found[name]):
        log.warning("not ready: %s", problem.text("en"))
    if failed:
        return JSONResponse({"status": "unavailable", "failed": failed}, status_code=503, headers=NO_STORE)
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


routes = [
    Route("/lang/{locale}", set_language, name="set_language"),
    Route("/healthz", healthz, name="healthz"),
    Route("/readyz", readyz, name="readyz"),
]
