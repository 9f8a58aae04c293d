"""A round's results: the explained table per track, "advance the top N" as a proposal to confirm,
locking the round, and the results bundle of a locked round."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock
from contest.console import rounds as console_rounds
from contest.errors import InvalidInput
from contest.form_input import parse_integer
from contest.i18n import N_
from contest.judging import advancing, locking
from contest.judging.aggregation import Flag
from contest.results import bundle
from contest.results.standings import round_results
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form
from contest.web.infra.session import require_user
from contest.web.infra.templating import render
from contest.web.organiser.common import form_values, organised_round, redirect_to
from contest.web.organiser.rounds import CHOICES

FLAG_LABELS = {
    Flag.TIE: N_("Tied on the rounded figure"),
    Flag.MISSING_SCORES: N_("An assigned judge has not scored"),
    Flag.INCOMPLETE_JUDGE: N_("A judge left a criterion unscored: excluded"),
    Flag.NOT_TRIMMED: N_("Fewer than five judges in a group: not trimmed"),
    Flag.DEGENERATE_JUDGE: N_("A judge gave every entry the same total: z-score 0"),
    Flag.NO_SCORES: N_("No scores"),
}
MAX_ADVANCE = 10_000


def _advance_request(values: dict[str, str]) -> tuple[int, bool]:
    n = parse_integer(values.get("n", ""), low=1, high=MAX_ADVANCE)
    if n is None:
        raise InvalidInput({"n": N_("Enter a whole number of at least 1.")})
    return n, values.get("scope", "track") != "overall"


async def results_page(request: Request, *, proposal: dict[str, Any] | None = None,
                       errors: dict[str, str] | None = None, status: int = 200) -> Response:
    contest, round_ = await organised_round(request)
    view = await console_rounds.round_standings(contest, round_)
    context = {
        "contest": contest, "round": round_, "tracks": view.by_track,
        "labels": view.labels, "advanced": view.advanced, "flag_labels": FLAG_LABELS, "proposal": proposal,
        "errors": errors or {},
        "method_label": CHOICES["method"][round_.method],
    }
    return render(request, "organiser/results.html", context, status_code=status)


async def advance_proposal(request: Request) -> Response:
    """Step one: the entries that would advance, shown for the organiser to confirm. Nothing is saved."""
    _, round_ = await organised_round(request)
    values = form_values(await read_form(request))
    try:
        n, per_track = _advance_request(values)
    except InvalidInput as exc:
        return await results_page(request, errors=exc.field_errors, status=400)
    chosen = advancing.top_n(await round_results(round_), n=n, per_track=per_track)
    proposal = {"n": n, "per_track": per_track, "entries": chosen, "token": ",".join(map(str, chosen))}
    return await results_page(request, proposal=proposal)


async def advance_confirm(request: Request) -> Response:
    """Step two: advance exactly the proposal; if the figures moved since, propose again instead."""
    contest, round_ = await organised_round(request)
    values = form_values(await read_form(request))
    n, per_track = _advance_request(values)
    results = await round_results(round_)
    chosen = advancing.top_n(results, n=n, per_track=per_track)
    if ",".join(map(str, chosen)) != values.get("proposal", ""):
        proposal = {"n": n, "per_track": per_track, "entries": chosen, "token": ",".join(map(str, chosen)),
                    "changed": True}
        return await results_page(request, proposal=proposal, status=409)
    advanced = await advancing.advance_top_n(round_, ranking=results, n=n, per_track=per_track,
                                             by=require_user(request), now=clock.now())
    response = redirect_to(request, "organiser:results", slug=contest.slug, round_id=round_.id)
    flash(request, response, N_("{count} entries advance to the next round."), count=len(advanced))
    return response


async def lock(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    values = form_values(await read_form(request))
    if values.get("confirm") != "1":
        return await results_page(request, errors={"confirm": N_("Tick the box to confirm.")}, status=400)
    await locking.lock_round(round_, by=require_user(request), now=clock.now())
    response = redirect_to(request, "organiser:results", slug=contest.slug, round_id=round_.id)
    flash(request, response, N_("The round is locked. Its results bundle can be downloaded."))
    return response


async def bundle_download(request: Request) -> Response:
    contest, round_ = await organised_round(request)
    data = bundle.dumps(await bundle.build_bundle(round_, now=clock.now(), by=require_user(request)))
    filename = f"{contest.slug}-round-{round_.id}-results.json"
    return Response(data, media_type="application/json", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


_round = "/c/{slug}/rounds/{round_id:int}"
routes = [
    Route(_round + "/results", results_page, name="results"),
    Route(_round + "/advance", advance_proposal, methods=["POST"], name="advance_proposal"),
    Route(_round + "/advance/confirm", advance_confirm, methods=["POST"], name="advance_confirm"),
    Route(_round + "/lock", lock, methods=["POST"], name="lock"),
    Route(_round + "/bundle", bundle_download, name="bundle"),
]
