"""The designer's own area."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest.contests import queries as contest_queries
from contest.web.session import require_user
from contest.web.templating import render


async def dashboard(request: Request) -> Response:
    user = require_user(request)
    contests = await contest_queries.published_contests()
    return render(request, "designer/dashboard.html", {"user": user, "entries": [], "contests": contests})


routes = [Route("/", dashboard, name="dashboard")]
