"""Reading forms: bounded multipart parsing (CsrfMiddleware has checked the token before the handler runs)."""

from __future__ import annotations

from python_multipart.exceptions import MultipartParseError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from contest.errors import ContestError

FORM_LIMITS = {"max_files": 10, "max_fields": 50, "max_part_size": 64 * 1024}


async def read_form(request: Request) -> FormData:
    try:
        form = await request.form(**FORM_LIMITS)
    except (MultipartParseError, HTTPException) as exc:
        raise ContestError() from exc
    return form


def text(form: FormData, name: str, *, max_length: int = 10_000) -> str:
    value = form.get(name, "")
    return value.strip()[:max_length] if isinstance(value, str) else ""
