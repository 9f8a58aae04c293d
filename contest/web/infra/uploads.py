"""Upload intake for handlers: the request body as chunks (never whole in memory), and the store."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import Request

from contest.media.storage import Storage
from contest.web.infra import limits

UPLOAD_BODY_LIMIT = 26 * 2**20  # one 25 MiB file plus the form around it


async def upload_chunks(request: Request) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        if chunk:
            yield chunk


def upload_store(request: Request) -> Storage:
    return request.app.state.store


def made_later(request: Request) -> bool:
    """Whether images and PDFs are held for a job rather than made in the request (settings.media_work)."""
    return bool(request.app.state.settings.media_in_jobs)


def declared_length(request: Request) -> int | None:
    """The body's length as the client announced it (for a raw upload: the file's size), if it did."""
    return limits.declared_length(request.scope)
