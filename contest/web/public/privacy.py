"""The privacy notice anyone may read: the installation's, and with a contest's additions under it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest.accounts import privacy
from contest.contests import queries
from contest.web.infra.lookups import published_contest
from contest.web.infra.templating import render


async def privacy_page(request: Request) -> Response:
    return render(request, "public/privacy.html", {"notice": await privacy.current_notice(), "contest": None})


async def contest_privacy(request: Request) -> Response:
    contest = await published_contest(request)
    context = {"notice": await privacy.current_notice(), "contest": contest,
               "additions": await queries.privacy_additions(contest), "additions_contest": contest}
    return render(request, "public/privacy.html", context)


routes = [
    Route("/privacy", privacy_page, name="privacy"),
    Route("/c/{slug}/privacy", contest_privacy, name="contest_privacy"),
]
