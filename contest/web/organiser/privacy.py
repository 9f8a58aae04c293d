"""The installation's privacy notice: its versions with their consents, and publishing a new one (site organisers)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from contest import clock, permissions
from contest.accounts import privacy
from contest.accounts import queries as account_queries
from contest.accounts.models import User
from contest.errors import InvalidInput
from contest.i18n import N_
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form
from contest.web.infra.limits import body_limit
from contest.web.infra.session import require_user
from contest.web.infra.templating import render
from contest.web.organiser.common import form_values

BODY_LIMIT = 512 * 1024  # both languages' text, percent-encoded (a Chinese character takes nine bytes)


def _site_organiser(request: Request) -> User:
    user = require_user(request)
    permissions.require(account_queries.is_site_organiser(user))
    return user


async def _page(request: Request, values: dict[str, str] | None = None, errors: dict[str, str] | None = None
                ) -> Response:
    versions = await privacy.versions_with_consents()
    current = versions[0][0]
    start = {"title": current.title, "title_en": current.title_en, "body": current.body, "body_en": current.body_en}
    context = {"versions": versions, "values": values or start, "errors": errors or {}}
    return render(request, "organiser/privacy.html", context, status_code=400 if errors else 200)


async def privacy_page(request: Request) -> Response:
    _site_organiser(request)
    return await _page(request)


@body_limit(BODY_LIMIT)
async def privacy_publish(request: Request) -> Response:
    user = _site_organiser(request)
    values = form_values(await read_form(request), max_length=privacy.BODY_MAX + 1)
    try:
        notice = await privacy.publish_notice(privacy.parse_notice(values), by=user, now=clock.now())
    except InvalidInput as exc:
        return await _page(request, values, exc.field_errors)
    response = RedirectResponse(request.url_for("organiser:privacy"), status_code=303)
    flash(request, response, N_("Version {version} of the privacy notice is published. Everyone is asked to accept "
                                "it at their next log-in."), version=notice.version)
    return response


routes = [
    Route("/privacy", privacy_page, name="privacy"),
    Route("/privacy", privacy_publish, methods=["POST"], name="privacy_publish"),
]
