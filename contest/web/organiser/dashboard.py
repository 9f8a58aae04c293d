"""The organiser's start page: the contests they run."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import permissions
from contest.accounts import queries as account_queries
from contest.web.session import require_user
from contest.web.templating import render


async def home(request: Request) -> Response:
    user = require_user(request)
    contests = await account_queries.organised_contests(user)
    permissions.require(bool(contests))
    return render(request, "organiser/home.html", {"contests": contests})


routes = [Route("/", home, name="home")]
