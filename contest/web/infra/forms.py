"""Reading forms: bounded multipart parsing (CsrfMiddleware has checked the token before the handler runs)."""

from __future__ import annotations

from python_multipart.exceptions import MultipartParseError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from contest.errors import ContestError
from contest.web.infra.errors import error_response

FORM_LIMITS = {"max_files": 10, "max_fields": 50, "max_part_size": 64 * 1024}
OPEN_FORMS = "contest.open_forms"


async def read_form(request: Request, *, max_fields: int = FORM_LIMITS["max_fields"]) -> FormData:
    """The request's form within FORM_LIMITS; `max_fields` raised for forms of many rows."""
    try:
        form = await request.form(**{**FORM_LIMITS, "max_fields": max_fields})
    except (MultipartParseError, HTTPException) as exc:
        raise ContestError() from exc
    request.scope.setdefault(OPEN_FORMS, []).append(form)
    if any("\x00" in key or (isinstance(value, str) and "\x00" in value) for key, value in form.multi_items()):
        # No one types NUL, and PostgreSQL refuses it in text: it is dropped, like stray whitespace
        form = FormData([(key.replace("\x00", ""), value.replace("\x00", "") if isinstance(value, str) else value)
                         for key, value in form.multi_items()])
    return form


def text(form: FormData, name: str, *, max_length: int = 10_000) -> str:
    value = form.get(name, "")
    return value.strip()[:max_length] if isinstance(value, str) else ""


class CloseFormsMiddleware:
    """Closes the files of every form read during a request, also a file posted where text was expected."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            for form in scope.pop(OPEN_FORMS, []):
                await form.close()


class NulMiddleware:
    """A NUL names nothing of ours, and PostgreSQL refuses it: in the path it is a 400 page; in the query
    string it is dropped, as in forms."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "\x00" in scope["path"]:
            response = await error_response(Request(scope, receive), ContestError())
            await response(scope, receive, send)
            return
        if scope["type"] == "http":
            scope["query_string"] = scope["query_string"].replace(b"%00", b"").replace(b"\x00", b"")
        await self.app(scope, receive, send)


def client_address(request: Request) -> str:
    """The address a request came from, as consents, votes and throttles keep it ("" when the server has none)."""
    return request.client.host if request.client else ""
