"""The popular vote for organisers: counts per finalist, the suspicious clusters, and voiding them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock
from contest.console import vote_desk
from contest.errors import Conflict, InvalidInput
from contest.form_input import parse_integer
from contest.i18n import N_
from contest.results.vote import stuffing
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form
from contest.web.infra.session import require_user
from contest.web.infra.templating import render
from contest.web.organiser.common import form_values, organised_contest, redirect_to

MAX_NOTE = 500


async def vote_page(request: Request, *, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    contest = await organised_contest(request)
    desk = await vote_desk.vote_desk(contest, now=clock.now())
    context = {
        "contest": contest, "final": desk.final, "phase": desk.phase, "window": desk.window, "summary": desk.summary,
        "tallies": desk.tallies, "suspicions": desk.suspicions, "rule_labels": stuffing.RULE_LABELS,
        "errors": errors or {},
    }
    return render(request, "organiser/vote.html", context, status_code=status)


def _void_request(values: dict[str, str]) -> tuple[stuffing.Rule, str, list[int]]:
    ids = [parse_integer(i) for i in values.get("votes", "").split(",")]
    chosen = [i for i in ids if i is not None]
    if values.get("rule") not in set(stuffing.Rule) or len(chosen) != len(ids):
        raise InvalidInput({"void": N_("Choose a group of votes from the list.")})
    return stuffing.Rule(values["rule"]), values.get("key", ""), chosen


async def void(request: Request) -> Response:
    contest = await organised_contest(request)
    values = form_values(await read_form(request), max_length=100_000)
    try:
        rule, key, ids = _void_request(values)
        count = await stuffing.void_suspicion(contest, rule, key, ids, note=values.get("note", "")[:MAX_NOTE],
                                              by=require_user(request), now=clock.now())
    except (InvalidInput, Conflict) as exc:
        return await vote_page(request, errors=getattr(exc, "field_errors", {"void": exc.message}),
                               status=exc.status_code)
    response = redirect_to(request, "organiser:vote", slug=contest.slug)
    flash(request, response, N_("{count} votes voided. The decision is in the audit log."), count=count)
    return response


routes = [
    Route("/c/{slug}/vote", vote_page, name="vote"),
    Route("/c/{slug}/vote/void", void, methods=["POST"], name="vote_void"),
]
