"""The designer's own results: per contest, after its announcement only, how far each entry went,
its awards (with the certificate) and the outcomes of objections about it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock
from contest.i18n import N_
from contest.judging.models import RoundKind
from contest.results import payouts
from contest.results.designer_results import results_for_designer
from contest.results.models import AwardStatus, ObjectionStatus
from contest.web.infra.session import require_user
from contest.web.infra.templating import render

OUTCOME_LABELS = {ObjectionStatus.UPHELD: N_("Objection upheld"), ObjectionStatus.REJECTED: N_("Objection rejected")}


async def results(request: Request) -> Response:
    user = require_user(request)
    found = await results_for_designer(user, now=clock.now())
    award_ids = [award.id for contest in found for result in contest.entries for award in result.awards]
    context = {"contests": found, "final_kind": RoundKind.FINAL, "confirmed": AwardStatus.CONFIRMED,
               "outcome_labels": OUTCOME_LABELS, "prizes": await payouts.claimable_award_ids(user, award_ids)}
    response = render(request, "designer/results.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response


routes = [Route("/results", results, name="results")]
