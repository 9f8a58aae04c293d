"""The designer's mobile number, proven by a code in a text message (docs/sms.md). The number a designer
types on the entry form is kept too, unproven; proving it here marks it verified until it changes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from contest import clock
from contest.accounts import phones
from contest.errors import ContestError, InvalidInput
from contest.i18n import N_
from contest.sms import CODE_MINUTES, masked
from contest.web.infra.flash import flash
from contest.web.infra.forms import client_address, read_form, text
from contest.web.infra.lookups import sms_sender
from contest.web.infra.session import require_user
from contest.web.infra.templating import render, request_locale


async def phone_page(request: Request, *, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                     code_sent: bool = False, status: int = 200) -> Response:
    user = require_user(request)
    context = {"user": user, "values": values or {"phone": user.phone}, "errors": errors or {},
               "code_sent": code_sent, "minutes": CODE_MINUTES, "masked": masked,
               "texts_codes": request.app.state.sms is not None}
    response = render(request, "designer/phone.html", context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _field_errors(exc: ContestError, field: str) -> dict[str, str]:
    return exc.field_errors if isinstance(exc, InvalidInput) else {field: exc.message}


async def code_request(request: Request) -> Response:
    user = require_user(request)
    values = {"phone": text(await read_form(request), "phone", max_length=40)}
    try:
        values["phone"] = phones.normalise_phone(values["phone"])
        await phones.send_code(phones.account_purpose(user), values["phone"], sender=sms_sender(request),
                               secret=request.app.state.settings.secret_key, ip=client_address(request), now=clock.now(),
                               locale=request_locale(request))
    except ContestError as exc:
        return await phone_page(request, values=values, errors=_field_errors(exc, "phone"), status=exc.status_code)
    return await phone_page(request, values=values, code_sent=True)


async def code_verify(request: Request) -> Response:
    user = require_user(request)
    form = await read_form(request)
    values = {"phone": text(form, "phone", max_length=40)}
    try:
        await phones.verify_account_phone(user, phones.normalise_phone(values["phone"]),
                                          text(form, "code", max_length=40),
                                          secret=request.app.state.settings.secret_key, ip=client_address(request),
                                          now=clock.now())
    except ContestError as exc:
        return await phone_page(request, values=values, errors=_field_errors(exc, "code"), code_sent=True,
                                status=exc.status_code)
    response = RedirectResponse(request.url_for("designer:phone"), status_code=303)
    flash(request, response, N_("Your mobile number {phone} is verified."), phone=masked(user.phone))
    return response


routes = [
    Route("/phone", phone_page, name="phone"),
    Route("/phone/code", code_request, methods=["POST"], name="phone_code"),
    Route("/phone/verify", code_verify, methods=["POST"], name="phone_verify"),
]
