"""The designer's own data (/me/data): what is held about them, and the download of all of it (docs/privacy.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from contest import clock
from contest.exports.personal import personal_zip
from contest.web.infra.session import require_user
from contest.web.infra.templating import render
from contest.web.infra.uploads import upload_store


async def my_data(request: Request) -> Response:
    response = render(request, "designer/my_data.html", {"user": require_user(request)})
    response.headers["Cache-Control"] = "no-store"
    return response


async def data_download(request: Request) -> Response:
    user = require_user(request)
    body = await personal_zip(user, upload_store(request), now=clock.now())
    return StreamingResponse(body, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="my-data-{user.id}.zip"', "Cache-Control": "private, no-store"})


routes = [
    Route("/data", my_data, name="my_data"),
    Route("/data/download", data_download, methods=["POST"], name="data_download"),
]
