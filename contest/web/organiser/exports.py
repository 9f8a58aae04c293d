"""Exports: entries, scores and results as XLSX (one sheet per track) or CSV (one track), full or
anonymised, a track's originals as a ZIP streamed while it is made, the award list (PDF, XLSX) before it is
public, and the press kit. Each download is audited."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from functools import partial

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from contest import clock
from contest.contests import queries as contest_queries
from contest.contests.models import Contest, Track
from contest.errors import found
from contest.exports import service
from contest.exports.tables import HeaderLanguages, header_languages
from contest.exports.xlsx import file_chunks
from contest.i18n import N_
from contest.web.infra.media import attachment_response
from contest.web.infra.session import require_user
from contest.web.infra.templating import render, request_locale
from contest.web.infra.uploads import upload_store
from contest.web.organiser.common import organised_contest

_ASCII = re.compile(r"[^A-Za-z0-9_.-]")
TABLE_LABELS = {"entries": N_("Entries, with every form field"), "scores": N_("Scores per criterion and judge"),
                "results": N_("Results with the aggregation")}
MEDIA_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "csv": "text/csv; charset=utf-8", "zip": "application/zip", "pdf": "application/pdf"}


def _anonymised(request: Request) -> bool:
    return request.query_params.get("anonymised") == "1"


def _bilingual(request: Request) -> bool:
    return request.query_params.get("headers") == "bilingual"


def _headers(request: Request) -> HeaderLanguages:
    """One header row in the organiser's language; ?headers=bilingual for Chinese and English."""
    return header_languages(request_locale(request), bilingual=_bilingual(request))


def download(body: AsyncIterator[bytes], filename: str, fmt: str) -> Response:
    return StreamingResponse(body, media_type=MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"})


def _ascii(slug: str, fallback: str) -> str:
    """File names stay ASCII, so the header needs no encoding: a slug in other letters gives way to an id."""
    return slug if _ASCII.sub("", slug) == slug else fallback


def contest_file(contest: Contest, *parts: str, ext: str) -> str:
    return "-".join([_ascii(contest.slug, f"contest-{contest.id}"), *parts]) + f".{ext}"


def _filename(request: Request, contest: Contest, *parts: str, ext: str) -> str:
    return contest_file(contest, *parts, *(["anonymised"] if _anonymised(request) else []), ext=ext)


def _track_part(track: Track) -> str:
    return _ascii(track.slug, f"track-{track.id}")


async def _track(request: Request, contest: Contest) -> Track:
    return found(await contest_queries.track_of(contest, request.path_params["track_id"]))


async def exports_page(request: Request) -> Response:
    contest = await organised_contest(request)
    summaries = await service.track_summaries(contest)
    return render(request, "organiser/exports.html", {"contest": contest, "summaries": summaries,
                                                      "tables": TABLE_LABELS, "bilingual": _bilingual(request)})


async def workbook(request: Request, *, table: str) -> Response:
    contest = await organised_contest(request)
    file = await service.workbook(contest, table, anonymised=_anonymised(request), headers=_headers(request),
                                  by=require_user(request), now=clock.now())
    return download(file_chunks(file), _filename(request, contest, table, ext="xlsx"), "xlsx")


async def track_csv(request: Request, *, table: str) -> Response:
    contest = await organised_contest(request)
    track = await _track(request, contest)
    body = await service.track_csv(contest, track, table, anonymised=_anonymised(request), headers=_headers(request),
                                   by=require_user(request), now=clock.now())
    return download(body, _filename(request, contest, _track_part(track), table, ext="csv"), "csv")


async def originals(request: Request) -> Response:
    contest = await organised_contest(request)
    track = await _track(request, contest)
    body = await service.track_originals(contest, track, upload_store(request), anonymised=_anonymised(request),
                                         by=require_user(request), now=clock.now())
    return download(body, _filename(request, contest, _track_part(track), "originals", ext="zip"), "zip")


async def award_list_pdf(request: Request) -> Response:
    contest = await organised_contest(request)
    pdf = await service.award_list_pdf_file(contest, by=require_user(request), now=clock.now())
    return attachment_response(pdf, MEDIA_TYPES["pdf"], contest_file(contest, "awards", ext="pdf"))


async def award_list_xlsx(request: Request) -> Response:
    contest = await organised_contest(request)
    xlsx = await service.award_list_xlsx_file(contest, by=require_user(request), now=clock.now())
    return attachment_response(xlsx, MEDIA_TYPES["xlsx"], contest_file(contest, "awards", ext="xlsx"))


async def press_kit(request: Request) -> Response:
    contest = await organised_contest(request)
    body = await service.press_kit(contest, upload_store(request), by=require_user(request), now=clock.now())
    return download(body, contest_file(contest, "press-kit", ext="zip"), "zip")


_exports = "/c/{slug}/exports"
routes = [
    Route(_exports, exports_page, name="exports"),
    *(Route(f"{_exports}/{table}.xlsx", partial(workbook, table=table), name=f"export_{table}_xlsx")
      for table in service.TABLES),
    *(Route(f"{_exports}/tracks/{{track_id:int}}/{table}.csv", partial(track_csv, table=table),
            name=f"export_{table}_csv") for table in service.TABLES),
    Route(_exports + "/tracks/{track_id:int}/originals.zip", originals, name="export_originals"),
    Route(_exports + "/awards.pdf", award_list_pdf, name="export_award_list_pdf"),
    Route(_exports + "/awards.xlsx", award_list_xlsx, name="export_award_list_xlsx"),
    Route(_exports + "/press-kit.zip", press_kit, name="export_press_kit"),
]
