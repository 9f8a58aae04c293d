"""The designer's own data (/me/data): correcting their name and profile, and downloading all that is held about
them (docs/privacy.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from contest import clock
from contest.accounts.profile import ProfileInput, correct_profile
from contest.entries.profile import profile_of
from contest.errors import InvalidInput
from contest.exports.personal import personal_zip
from contest.i18n import N_
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form, text
from contest.web.infra.labels import CATEGORY_LABELS
from contest.web.infra.lookups import payout_sealer
from contest.web.infra.session import require_user
from contest.web.infra.templating import render
from contest.web.infra.uploads import upload_store

LIMITS = {"display_name": 100, "category": 20, "organisation": 200, "school": 200, "supervisor_name": 100,
          "supervisor_email": 254}


async def my_data(request: Request, *, values: ProfileInput | None = None, errors: dict[str, str] | None = None,
                  status: int = 200) -> Response:
    user = require_user(request)
    if values is None:
        profile = await profile_of(user.id)
        values = ProfileInput(user.display_name, profile.category, profile.organisation, profile.school,
                              profile.supervisor_name, profile.supervisor_email)
    response = render(request, "designer/my_data.html", {"user": user, "values": values, "errors": errors or {},
                                                         "categories": CATEGORY_LABELS}, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


async def profile_save(request: Request) -> Response:
    user = require_user(request)
    form = await read_form(request)
    values = ProfileInput(**{name: text(form, name, max_length=limit) for name, limit in LIMITS.items()})
    try:
        changed = await correct_profile(user, values, now=clock.now())
    except InvalidInput as exc:
        return await my_data(request, values=values, errors=exc.field_errors, status=exc.status_code)
    response = RedirectResponse(request.url_for("designer:my_data"), status_code=303)
    flash(request, response, N_("Your profile is corrected.") if changed else N_("Nothing changed."))
    return response


async def data_download(request: Request) -> Response:
    user = require_user(request)
    body = await personal_zip(user, upload_store(request), now=clock.now(), sealer=payout_sealer(request))
    return StreamingResponse(body, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="my-data-{user.id}.zip"', "Cache-Control": "private, no-store"})


routes = [
    Route("/data", my_data, name="my_data"),
    Route("/data/profile", profile_save, methods=["POST"], name="profile_save"),
    Route("/data/download", data_download, methods=["POST"], name="data_download"),
]
