"""Award certificates as downloads: the winner's own (after the announcement), and the PDF response
the organisers' pages share."""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock, permissions
from contest.results import awards_service, certificates
from contest.results.certificates import Certificate
from contest.web.session import require_user


def pdf_response(pdf: bytes, certificate: Certificate, *, award_id: int) -> Response:
    name = quote(f"荣誉证书-{certificate.grade}-{certificate.title}.pdf")
    disposition = f"attachment; filename=\"certificate-{award_id}.pdf\"; filename*=UTF-8''{name}"
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"})


async def certificate(request: Request) -> Response:
    """The winner's certificate: a 404 like any missing page until the contest's results are public."""
    user = require_user(request)
    award = await awards_service.award_for_winner(user, request.path_params["award_id"], now=clock.now())
    permissions.require(award is not None)
    document = certificates.certificate_of(award)
    return pdf_response(await certificates.certificate_pdf(document), document, award_id=award.id)  # type: ignore[union-attr]


routes = [Route("/awards/{award_id:int}/certificate", certificate, name="certificate")]
