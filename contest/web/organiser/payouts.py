"""The organisers' payouts page: each winner's prize, payee (numbers masked), amounts and status, marking a
prize paid, and the finance office's workbook with the numbers in full (audited)."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock
from contest.errors import InvalidInput, found
from contest.exports.payouts import payouts_workbook
from contest.exports.tables import header_languages
from contest.exports.xlsx import file_chunks
from contest.i18n import N_
from contest.results import payees, payouts
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form, text
from contest.web.infra.labels import ID_TYPE_LABELS, PAYEE_KIND_LABELS, PAYOUT_STATUS_LABELS
from contest.web.infra.lookups import payout_sealer
from contest.web.infra.session import require_user
from contest.web.infra.templating import render, request_locale
from contest.web.organiser.common import organised_contest, redirect_to
from contest.web.organiser.exports import contest_file, download

BAD_DATE = N_("Enter the date the prize was paid.")


async def payouts_page(request: Request, *, errors: dict[int, str] | None = None, status: int = 200) -> Response:
    contest = await organised_contest(request)
    now = clock.now()
    rows = await payouts.payout_rows(contest, now=now)
    context = {"contest": contest, "rows": rows, "counts": payouts.status_counts(rows), "errors": errors or {},
               "status_labels": PAYOUT_STATUS_LABELS, "kinds": PAYEE_KIND_LABELS, "id_types": ID_TYPE_LABELS,
               "yuan": payees.yuan, "percent": payees.percent(contest.payout_tax_bp),
               "today": clock.to_zone(now, contest.time_zone).date().isoformat()}
    response = render(request, "organiser/payouts.html", context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _paid_on(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput({"paid_on": BAD_DATE}) from None


async def payout_paid(request: Request) -> Response:
    contest = await organised_contest(request)
    award_id = request.path_params["award_id"]
    payout = found(await payouts.payout_of_contest(contest, award_id))
    try:
        paid_on = _paid_on(text(await read_form(request), "paid_on", max_length=20))
        await payouts.mark_paid(payout, contest, paid_on=paid_on, by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await payouts_page(request, errors={award_id: exc.field_errors["paid_on"]}, status=400)
    response = redirect_to(request, "organiser:payouts", slug=contest.slug)
    flash(request, response, N_("The prize is marked paid."))
    return response


async def payouts_xlsx(request: Request) -> Response:
    contest = await organised_contest(request)
    file = await payouts_workbook(contest, sealer=payout_sealer(request),
                                  headers=header_languages(request_locale(request), bilingual=False),
                                  by=require_user(request), now=clock.now())
    return download(file_chunks(file), contest_file(contest, "payouts", ext="xlsx"), "xlsx")


routes = [
    Route("/c/{slug}/payouts", payouts_page, name="payouts"),
    Route("/c/{slug}/payouts/{award_id:int}/paid", payout_paid, methods=["POST"], name="payout_paid"),
    Route("/c/{slug}/exports/payouts.xlsx", payouts_xlsx, name="export_payouts_xlsx"),
]
