"""The winner's award certificate as a download, after the announcement (the PDF response is
infra/media.py's, shared with the organisers' pages).

WeChat's in-app browser downloads nothing, and a shared link to "my results" opens there first: in it the
winner gets a page that says how to save the PDF (open the page in the phone's browser), with a link that
shows the PDF in place, which WeChat on iOS can display.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock
from contest.errors import found
from contest.results import awarding, certificates
from contest.web.infra.media import check_link, pdf_response
from contest.web.infra.session import require_user
from contest.web.infra.templating import render

WECHAT_AGENT = "MicroMessenger"


async def certificate(request: Request) -> Response:
    """The winner's certificate: a 404 like any missing page until the contest's results are public."""
    user = require_user(request)
    now = clock.now()
    award = found(await awarding.award_for_winner(user, request.path_params["award_id"], now=now))
    (document,) = await certificates.certificates_for(award.contest, [award], now=now, link=check_link(request))
    view = request.query_params.get("view")
    if view != "inline" and WECHAT_AGENT in request.headers.get("user-agent", ""):
        return render(request, "designer/certificate_wechat.html", {"certificate": document, "award": award})
    pdf = await certificates.certificate_pdf(document)
    return pdf_response(pdf, document, award_id=award.id, inline=view == "inline")


routes = [Route("/awards/{award_id:int}/certificate", certificate, name="certificate")]
