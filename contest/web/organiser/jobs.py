"""The contest's jobs (video transcodes, its e-mails): queued, running, failed and lately done, and retrying a
failed one."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest.form_input import parse_integer
from contest.i18n import N_
from contest.jobs import board
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form, text
from contest.web.infra.templating import render
from contest.web.organiser.common import organised_contest, redirect_to


async def jobs(request: Request) -> Response:
    contest = await organised_contest(request)
    return render(request, "organiser/jobs.html", {
        "contest": contest, "board": await board.contest_board(contest.id),
        "in_process": request.app.state.settings.uses_sqlite})


async def jobs_retry(request: Request) -> Response:
    contest = await organised_contest(request)
    form = await read_form(request)
    response = redirect_to(request, "organiser:jobs", slug=contest.slug)
    if await board.retry_failed(contest.id, parse_integer(text(form, "job_id")) or 0):
        flash(request, response, N_("The job is queued to run again."))
    else:
        flash(request, response, N_("That job is not a failed job of this contest."), level="error")
    return response


routes = [
    Route("/c/{slug}/jobs", jobs, name="jobs"),
    Route("/c/{slug}/jobs/retry", jobs_retry, methods=["POST"], name="jobs_retry"),
]
