"""A round in progress: the judge × entry matrix, reminders to judges behind, conflicts set by organisers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock
from contest.console import rounds as console_rounds
from contest.errors import InvalidInput
from contest.i18n import N_
from contest.judging import progress
from contest.judging.progress import CellState
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form
from contest.web.infra.session import require_user
from contest.web.infra.templating import absolute_url, render
from contest.web.organiser.common import form_values, organised_round, redirect_to

CELL_LABELS = {CellState.COMPLETE: N_("Submitted"), CellState.SCORED: N_("Every criterion scored, not submitted"),
               CellState.PARTIAL: N_("Scoring"), CellState.ASSIGNED: N_("Not started"),
               CellState.CONFLICT: N_("Conflict")}
CELL_MARKS = {CellState.COMPLETE: "✓", CellState.SCORED: "◐", CellState.PARTIAL: "…", CellState.ASSIGNED: "○",
              CellState.CONFLICT: "✕"}


async def progress_page(request: Request, *, values: dict[str, str] | None = None,
                        errors: dict[str, str] | None = None, status: int = 200) -> Response:
    contest, round_ = await organised_round(request)
    view = await console_rounds.round_progress(contest, round_, now=clock.now())
    context = {"contest": contest, "round": round_, "matrix": view.matrix, "labels": CELL_LABELS, "marks": CELL_MARKS,
               "conflicts": view.conflicts, "paper": view.paper, "values": values or {}, "errors": errors or {},
               "started": view.started}
    return render(request, "organiser/progress.html", context, status_code=status)


async def reminders(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    await read_form(request)
    link = absolute_url(request, "judge:queue", round_id=round_.id)
    sent = await progress.send_reminders(round_, link=link, by=require_user(request), now=clock.now())
    response = redirect_to(request, "organiser:progress", slug=contest.slug, round_id=round_.id)
    flash(request, response, N_("Reminders queued for {count} judges."), count=len(sent))
    return response


async def conflict_set(request: Request) -> Response:
    """An organiser's ruling that a judge may not score an entry (by entry number or alias)."""
    contest, round_ = await organised_round(request)
    values = form_values(await read_form(request))
    try:
        await console_rounds.rule_conflict(round_, values, by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await progress_page(request, values=values, errors=exc.field_errors, status=400)
    response = redirect_to(request, "organiser:progress", slug=contest.slug, round_id=round_.id)
    flash(request, response, N_("Conflict recorded; the entry left that judge's list."))
    return response


_round = "/c/{slug}/rounds/{round_id:int}"
routes = [
    Route(_round + "/progress", progress_page, name="progress"),
    Route(_round + "/reminders", reminders, methods=["POST"], name="reminders"),
    Route(_round + "/conflicts", conflict_set, methods=["POST"], name="conflict_set"),
]
