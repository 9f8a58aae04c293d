"""Award certificates as downloads: the winner's own (after the announcement), and the PDF response
the organisers' pages share.

WeChat's in-app browser downloads nothing, and a shared link to "my results" opens there first: in it the
winner gets a page that says how to save the PDF (open the page in the phone's browser), with a link that
shows the PDF in place, which WeChat on iOS can display.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock, permissions
from contest.results import awarding, certificates
from contest.results.certificates import Certificate
from contest.web.session import require_user
from contest.web.templating import render


WECHAT_AGENT = "MicroMessenger"


def pdf_response(pdf: bytes, certificate: Certificate, *, award_id: int, inline: bool = False) -> Response:
    name = quote(f"荣誉证书-{certificate.grade}-{certificate.title}.pdf")
    kind = "inline" if inline else "attachment"
    disposition = f"{kind}; filename=\"certificate-{award_id}.pdf\"; filename*=UTF-8''{name}"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"})


async def certificate(request: Request) -> Response:
    """The winner's certificate: a 404 like any missing page until the contest's results are public."""
    user = require_user(request)
    award = await awarding.award_for_winner(user, request.path_params["award_id"], now=clock.now())
    permissions.require(award is not None)
    document = certificates.certificate_of(award)
    view = request.query_params.get("view")
    if view != "inline" and WECHAT_AGENT in request.headers.get("user-agent", ""):
        return render(request, "designer/certificate_wechat.html", {"certificate": document, "award": award})
    pdf = await certificates.certificate_pdf(document)
    return pdf_response(pdf, document, award_id=award.id, inline=view == "inline")  # type: ignore[union-attr]


routes = [Route("/awards/{award_id:int}/certificate", certificate, name="certificate")]
