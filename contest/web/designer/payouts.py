"""A winner's prize payout (奖金发放): who receives it, with their ID and bank details and a consent of its own,
or declining it; closed after the contest's claim deadline. Another designer's award, one without a prize, or one
in a contest whose payouts are closed is the same 404 as a missing one.

The numbers typed are shown again only in the answer to the same failed post; once saved, only masked."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from contest import clock
from contest.errors import InvalidInput, found
from contest.i18n import N_
from contest.results import payees, payouts
from contest.results.models import PayeeKind
from contest.results.payouts import Claim
from contest.web.infra.flash import flash
from contest.web.infra.forms import client_address, read_form, text
from contest.web.infra.labels import ID_TYPE_LABELS, PAYEE_KIND_LABELS, PAYOUT_STATUS_LABELS
from contest.web.infra.lookups import payout_sealer
from contest.web.infra.session import require_user
from contest.web.infra.templating import render

FIELDS = ("payee_kind", "payee_name", "id_type", "id_number", "bank_name", "account", "account_holder", "phone",
          "team_agreed", "consent")


async def _claim(request: Request) -> Claim:
    user = require_user(request)
    return found(await payouts.claim_for_winner(user, request.path_params["award_id"], now=clock.now()))


def _saved_values(claim: Claim) -> dict[str, str]:
    payout = claim.payout
    if payout is None or not payout.payee_name:
        return {"payee_kind": PayeeKind.INDIVIDUAL.value, "id_type": payees.IdType.RESIDENT_ID.value,
                "payee_name": claim.award.entry.owner.display_name, "phone": claim.award.entry.owner.phone}
    return {"payee_kind": payout.payee_kind.value, "payee_name": payout.payee_name, "id_type": payout.id_type,
            "bank_name": payout.bank_name, "account_holder": payout.account_holder, "phone": payout.phone,
            "team_agreed": "1" if payout.team_agreed else ""}


async def payout_page(request: Request, *, claim: Claim | None = None, values: dict[str, str] | None = None,
                      errors: dict[str, str] | None = None, status: int = 200) -> Response:
    claim = claim or await _claim(request)
    values = values or _saved_values(claim)
    kind = values.get("payee_kind") or PayeeKind.INDIVIDUAL.value
    context: dict[str, Any] = {
        "claim": claim, "award": claim.award, "contest": claim.contest, "payout": claim.payout, "values": values,
        "errors": errors or {}, "amounts": claim.amounts(PayeeKind(kind) if kind in set(PayeeKind) else None),
        "team": payouts.team_members(claim.award.entry), "kinds": PAYEE_KIND_LABELS, "id_types": {
            t: ID_TYPE_LABELS[t] for t in payees.PERSON_ID_TYPES}, "status_labels": PAYOUT_STATUS_LABELS,
        "yuan": payees.yuan, "percent": payees.percent(claim.contest.payout_tax_bp),
    }
    response = render(request, "designer/payout.html", context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


async def payout_save(request: Request) -> Response:
    claim = await _claim(request)
    form = await read_form(request)
    values = {name: text(form, name, max_length=300) for name in FIELDS}
    try:
        kind = PayeeKind(values["payee_kind"]) if values["payee_kind"] in set(PayeeKind) else PayeeKind.INDIVIDUAL
        payee = payees.parse_payee(values, team_members=payouts.team_members(claim.award.entry),
                                   keeps_numbers=payouts.keeps_numbers(claim, kind, values["id_type"]))
        await payouts.save_payee(claim, payee, sealer=payout_sealer(request), by=require_user(request),
                                 now=clock.now(), ip=client_address(request))
    except InvalidInput as exc:
        return await payout_page(request, claim=claim, values=values, errors=exc.field_errors, status=400)
    response = RedirectResponse(request.url_for("designer:payout", award_id=claim.award.id), status_code=303)
    flash(request, response, N_("Your payee details are saved. The organisers will pay the prize to this account."))
    return response


async def payout_decline(request: Request) -> Response:
    claim = await _claim(request)
    await payouts.decline(claim, by=require_user(request), now=clock.now())
    response = RedirectResponse(request.url_for("designer:payout", award_id=claim.award.id), status_code=303)
    flash(request, response, N_("You declined the prize. Any details you had given are erased."))
    return response


routes = [
    Route("/awards/{award_id:int}/payout", payout_page, name="payout"),
    Route("/awards/{award_id:int}/payout", payout_save, methods=["POST"], name="payout_save"),
    Route("/awards/{award_id:int}/payout/decline", payout_decline, methods=["POST"], name="payout_decline"),
]
