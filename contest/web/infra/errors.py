"""One place turns failures into pages (errors/<status>.html) or JSON, in the user's language."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from contest import i18n
from contest.errors import ConsentRequired, ContestError, LoginRequired, NotFound
from contest.i18n import N_
from contest.logs import REQUEST_ID
from contest.web.infra.templating import render, request_locale

log = logging.getLogger("contest.web")

HTTP_MESSAGES = {
    404: NotFound.message,
    405: N_("This action is not available here."),
    413: N_("The upload is too large."),
    400: N_("The request could not be processed."),
}
TEMPLATED = {400, 403, 404, 409, 413, 429}


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def error_response(request: Request, exc: Exception) -> Response:
    if isinstance(exc, LoginRequired) and not wants_json(request):
        login = request.url_for("auth:login").include_query_params(next=request.scope["path"])
        return RedirectResponse(str(login), status_code=303)
    if isinstance(exc, ConsentRequired) and not wants_json(request):
        notice = request.url_for("auth:privacy_consent").include_query_params(next=request.scope["path"])
        return RedirectResponse(str(notice), status_code=303)
    if isinstance(exc, ContestError):
        status, message, params = exc.status_code, exc.message, exc.params
    elif isinstance(exc, HTTPException):
        status, message, params = exc.status_code, HTTP_MESSAGES.get(exc.status_code, HTTP_MESSAGES[400]), {}
    else:
        log.error("unhandled error", exc_info=exc)
        status, message, params = 500, N_("Something went wrong on our side. Nothing you saved was lost."), {}
    text = i18n.translate(request_locale(request), message, **params)
    headers = {"Cache-Control": "no-store"}
    if status == 500 and (request_id := REQUEST_ID.get()):  # this answer is sent outside RequestIdMiddleware
        headers["X-Request-Id"] = request_id
    if wants_json(request):
        return JSONResponse({"error": text, "status": status}, status_code=status, headers=headers)
    template = f"errors/{status}.html" if status in TEMPLATED else "errors/error.html"
    response = render(request, template, {"status": status, "message": text}, status_code=status)
    response.headers.update(headers)
    return response


EXCEPTION_HANDLERS = {ContestError: error_response, HTTPException: error_response, Exception: error_response}
