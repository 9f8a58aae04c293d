"""The consents a signed-in person gave to the privacy notice, and withdrawing them (/account/consent, PIPL art. 15):
the separate consent to sensitive personal information, or the consent to the notice itself, which ends the session."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from contest import clock
from contest.accounts import privacy
from contest.console import consent_withdrawal
from contest.errors import InvalidInput
from contest.i18n import N_
from contest.web.infra.flash import flash
from contest.web.infra.forms import client_address, read_form
from contest.web.infra.session import log_out, require_user
from contest.web.infra.templating import render


async def consent_page(request: Request, *, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    user = require_user(request)
    history = await privacy.consent_history(user)
    context = {"history": history, "latest": history[0] if history else None,
               "sensitive": await privacy.has_sensitive_consent(user), "errors": errors or {}}
    response = render(request, "auth/consent.html", context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


async def withdraw_sensitive(request: Request) -> Response:
    user = require_user(request)
    form = await read_form(request)
    try:
        withdrawn = await consent_withdrawal.withdraw_sensitive(
            user, confirmed=form.get("confirm_sensitive") == "1", ip=client_address(request), now=clock.now())
    except InvalidInput as exc:
        return await consent_page(request, errors=exc.field_errors, status=exc.status_code)
    response = RedirectResponse(request.url_for("auth:consent"), status_code=303)
    flash(request, response, N_("Your consent to sensitive personal information is withdrawn.") if withdrawn else
          N_("Your consent to sensitive personal information was already withdrawn."))
    return response


async def withdraw_consent(request: Request) -> Response:
    user = require_user(request)
    form = await read_form(request)
    try:
        await consent_withdrawal.withdraw_consent(user, confirmed=form.get("confirm_withdraw") == "1",
                                                  ip=client_address(request), now=clock.now())
    except InvalidInput as exc:
        return await consent_page(request, errors=exc.field_errors, status=exc.status_code)
    response = RedirectResponse(request.url_for("public:home"), status_code=303)
    await log_out(request, response)  # its session is already gone with the others: this clears the cookie
    flash(request, response, N_("Your consent to the privacy notice is withdrawn and you are logged out. When you log "
                                "in again, we ask you for it first."))
    return response



routes = [
    Route("/consent", consent_page, name="consent"),
    Route("/consent/sensitive", withdraw_sensitive, methods=["POST"], name="consent_withdraw_sensitive"),
    Route("/consent/withdraw", withdraw_consent, methods=["POST"], name="consent_withdraw"),
]
