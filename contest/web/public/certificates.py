"""The public check of a certificate: /certificates/check takes a certificate number (a form, or
?number=…), /certificates/<key> is the address in the certificate's QR code (a random key, so it cannot be
guessed). Both say the award is valid, with what the results made public, or that it was revoked (已撤销) and
when, nothing more. Before the contest's announcement, and for a wrong number or key, the answer is the
same "not found" (404). Number look-ups are counted per address (certificate_numbers.check_number). Never
stored by a cache: a revocation shows at once.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock
from contest.errors import TooManyAttempts
from contest.results import certificate_numbers
from contest.results.certificate_numbers import Check
from contest.web.infra.forms import client_address
from contest.web.infra.templating import render


def _page(request: Request, *, number: str, checks: list[Check], asked: bool, problem: str = "",
          status: int = 200) -> Response:
    context = {"number": number, "checks": checks, "asked": asked, "problem": problem}
    response = render(request, "public/certificate_check.html", context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


async def check_form(request: Request) -> Response:
    number = request.query_params.get("number", "").strip()[:certificate_numbers.NUMBER_MAX]
    if not number:
        return _page(request, number="", checks=[], asked=False)
    try:
        checks = await certificate_numbers.check_number(
            number, ip=client_address(request), now=clock.now())
    except TooManyAttempts as exc:
        return _page(request, number=number, checks=[], asked=False, problem=exc.message, status=429)
    return _page(request, number=number, checks=checks, asked=True, status=200 if checks else 404)


async def check_token(request: Request) -> Response:
    check = await certificate_numbers.check_by_token(request.path_params["token"], now=clock.now())
    return _page(request, number=check.number if check else "", checks=[check] if check else [], asked=True,
                 status=200 if check else 404)


routes = [
    Route("/certificates/check", check_form, name="certificate_check"),
    Route("/certificates/{token}", check_token, name="certificate_token"),
]
