"""What every organiser page needs: the contest, only when the user may organise it."""

from __future__ import annotations

from starlette.requests import Request

from contest import permissions
from contest.accounts import queries as account_queries
from contest.contests.models import Contest
from contest.web.session import require_user


async def organised_contest(request: Request) -> Contest:
    user = require_user(request)
    contest = await account_queries.organised_contest(user, request.path_params["slug"])
    permissions.require(contest is not None)
    return contest  # type: ignore[return-value]
