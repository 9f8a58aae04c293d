"""What every organiser page needs: the contest (and round) of the path, only when the user may organise it."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse

from contest.contests import queries as contest_queries
from contest.contests.models import Contest
from contest.errors import found
from contest.judging import queries as judging_queries
from contest.judging.models import Round
from contest.web.infra.forms import text
from contest.web.infra.session import require_user


async def organised_contest(request: Request) -> Contest:
    return found(await contest_queries.organised_contest(require_user(request), request.path_params["slug"]))


async def organised_round(request: Request) -> tuple[Contest, Round]:
    """The contest of the path and its round of the path; a round of another contest is a 404."""
    contest = await organised_contest(request)
    return contest, found(await judging_queries.round_of(contest, request.path_params["round_id"]))


def form_values(form: FormData, *, max_length: int = 10_000) -> dict[str, str]:
    """Every text field of a form, trimmed (the CSRF token left out), to show again or to parse."""
    return {name: text(form, name, max_length=max_length) for name in form if name != "csrf_token"}


def redirect_to(request: Request, route: str, **params: object) -> RedirectResponse:
    return RedirectResponse(request.url_for(route, **params), status_code=303)
