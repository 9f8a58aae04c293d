"""The exports page and its downloads through HTTP: links per table and track, the files' types,
names and contents, and the anonymised variant."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest

from contest.accounts.models import ContestRole, ContestRoleKind
from contest.audit.models import AuditEvent
from tests.exports.scenario import MARKERS, METADATA_MARKER, build
from tests.factories import login_as, make_contest, make_track, make_user
from tests.sql import counting_queries

pytestmark = pytest.mark.web
QUERIES_FOR_PAGE = 7  # the same for any number of tracks


async def signed_in(client, settings, app):
    scenario = await build(app.state.store)
    organiser = await make_user(display_name="组委会")
    await ContestRole.create(contest=scenario.contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)
    return scenario, organiser


async def test_exports_page_lists_each_download(client, settings, app):
    scenario, _ = await signed_in(client, settings, app)
    response = await client.get(f"/admin/c/{scenario.contest.slug}/exports", headers={"accept-language": "en"})
    assert response.status_code == 200
    base = f"/admin/c/{scenario.contest.slug}/exports"
    for path in (f"{base}/entries.xlsx", f"{base}/scores.xlsx?anonymised=1", f"{base}/results.xlsx",
                 f"{base}/tracks/{scenario.ip.id}/entries.csv", f"{base}/tracks/{scenario.product.id}/results.csv",
                 f"{base}/tracks/{scenario.ip.id}/originals.zip?anonymised=1"):
        assert f'href="{path}" download>' in response.text, path
    assert "2 in all, 1 submitted" in response.text
    assert "2 files, 0.6 MB" in response.text
    assert response.text.count("No submitted images yet.") == 1  # the product track has none
    assert "In the anonymised ZIP each image is a full-size copy made from its pixels alone" in response.text


async def test_workbook_download_is_an_xlsx_attachment(client, settings, app):
    scenario, organiser = await signed_in(client, settings, app)
    response = await client.get(f"/admin/c/{scenario.contest.slug}/exports/entries.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["content-disposition"] == f'attachment; filename="{scenario.contest.slug}-entries.xlsx"'
    assert response.headers["cache-control"] == "private, no-store"
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook["工运IP赛道"]["A1"].value == "作品编号"
    assert workbook["工运IP赛道"]["A2"].value == "WC-IP-0001"
    event = await AuditEvent.get(action="export.downloaded")
    assert (event.actor_id, event.data["export"], event.data["format"]) == (organiser.id, "entries", "xlsx")


async def test_downloads_have_one_header_row_in_the_organisers_language_or_both_when_asked(client, settings, app):
    scenario, _ = await signed_in(client, settings, app)
    base = f"/admin/c/{scenario.contest.slug}/exports"

    async def first_column(path: str, language: str) -> list:
        response = await client.get(base + path, headers={"accept-language": language})
        sheet = openpyxl.load_workbook(io.BytesIO(response.content))["工运IP赛道"]
        return [row[0] for row in sheet.iter_rows(values_only=True)]

    assert await first_column("/results.xlsx", "zh-CN") == ["轮次", "初评"]
    assert await first_column("/results.xlsx", "en") == ["Round", "初评"]
    assert await first_column("/results.xlsx?headers=bilingual", "en") == ["轮次", "Round", "初评"]
    csv_text = (await client.get(f"{base}/tracks/{scenario.ip.id}/scores.csv?headers=bilingual&anonymised=1")).text
    assert [row[0] for row in csv.reader(io.StringIO(csv_text.lstrip("\ufeff")))][:3] == ["轮次", "Round", "初评"]


async def test_exports_page_offers_both_header_rows_and_carries_the_choice_into_its_links(client, settings, app):
    scenario, _ = await signed_in(client, settings, app)
    base = f"/admin/c/{scenario.contest.slug}/exports"
    page = (await client.get(base, headers={"accept-language": "en"})).text
    assert '<input type="checkbox" name="headers" value="bilingual" >' in page
    assert "headers=bilingual" not in page
    page = (await client.get(f"{base}?headers=bilingual", headers={"accept-language": "en"})).text
    assert '<input type="checkbox" name="headers" value="bilingual" checked>' in page
    for path in (f"{base}/results.xlsx?headers=bilingual", f"{base}/entries.xlsx?anonymised=1&amp;headers=bilingual",
                 f"{base}/tracks/{scenario.ip.id}/scores.csv?headers=bilingual",
                 f"{base}/tracks/{scenario.ip.id}/originals.zip?anonymised=1"):
        assert f'href="{path}" download>' in page, path


async def test_anonymised_downloads_carry_no_marker(client, settings, app):
    scenario, _ = await signed_in(client, settings, app)
    base = f"/admin/c/{scenario.contest.slug}/exports"
    for table in ("entries", "scores", "results"):
        response = await client.get(f"{base}/{table}.xlsx?anonymised=1")
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        text = "\n".join(str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row)
        assert [m for m in MARKERS if m in text] == [], table
        assert response.headers["content-disposition"].endswith(f'-{table}-anonymised.xlsx"')
        csv_text = (await client.get(f"{base}/tracks/{scenario.ip.id}/{table}.csv?anonymised=1")).text
        assert [m for m in MARKERS if m in csv_text] == [], table


async def test_csv_download_is_one_track(client, settings, app):
    scenario, _ = await signed_in(client, settings, app)
    response = await client.get(f"/admin/c/{scenario.contest.slug}/exports/tracks/{scenario.product.id}/entries.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="{scenario.contest.slug}-product-entries.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[0] for row in rows] == ["作品编号", "WC-PR-0001"]
    assert rows[1][4] == "竹"


async def test_originals_zip_is_streamed_with_the_files(client, settings, app):
    scenario, _ = await signed_in(client, settings, app)
    url = f"/admin/c/{scenario.contest.slug}/exports/tracks/{scenario.ip.id}/originals.zip"
    async with client.stream("GET", url) as response:
        assert response.headers["content-type"] == "application/zip"
        assert "content-length" not in response.headers
        data = b"".join([chunk async for chunk in response.aiter_bytes()])
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["WC-IP-0001/01-etc-passwd.jpg", "WC-IP-0001/02-MKFILE-设计稿.jpg", "SHA256SUMS"]
    assert archive.read("WC-IP-0001/02-MKFILE-设计稿.jpg") == scenario.originals["MKFILE 设计稿.jpg"]


async def test_anonymised_originals_zip_holds_clean_copies(client, settings, app):
    scenario, _ = await signed_in(client, settings, app)
    path = f"/admin/c/{scenario.contest.slug}/exports/tracks/{scenario.ip.id}/originals.zip?anonymised=1"
    async with client.stream("GET", path) as response:
        assert (response.status_code, response.headers["content-type"]) == (200, "application/zip")
        data = b"".join([chunk async for chunk in response.aiter_bytes()])
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.namelist() == ["WC-IP-0001/01.jpg", "WC-IP-0001/02.jpg", "SHA256SUMS"]
    assert METADATA_MARKER.encode() in scenario.originals["MKFILE 设计稿.jpg"]
    assert [m for m in MARKERS if m.encode() in data] == []


async def test_a_track_of_another_contest_is_a_plain_404(client, settings, app):
    scenario, _ = await signed_in(client, settings, app)
    elsewhere = await make_contest()
    track = await make_track(elsewhere)
    for suffix in ("originals.zip", "entries.csv"):
        response = await client.get(f"/admin/c/{scenario.contest.slug}/exports/tracks/{track.id}/{suffix}")
        assert response.status_code == 404
    assert (await client.get(f"/admin/c/{elsewhere.slug}/exports")).status_code == 404
    assert await AuditEvent.filter(action="export.downloaded").count() == 0


async def test_console_start_page_links_each_contests_exports(client, settings, app):
    scenario, _ = await signed_in(client, settings, app)
    response = await client.get("/admin/")
    assert f'href="/admin/c/{scenario.contest.slug}/exports"' in response.text


@pytest.mark.parametrize("extra_tracks", [0, 2])
async def test_exports_page_queries_do_not_grow_with_tracks(client, settings, app, extra_tracks):
    scenario, _ = await signed_in(client, settings, app)
    for n in range(extra_tracks):
        await make_track(scenario.contest, slug=f"extra-{n}")
    with counting_queries() as records:
        response = await client.get(f"/admin/c/{scenario.contest.slug}/exports")
    assert (response.status_code, len(records)) == (200, QUERIES_FOR_PAGE)


async def test_download_names_stay_ascii_when_a_slug_is_not(client, settings, app):
    contest = await make_contest(slug="文创赛")
    track = await make_track(contest, slug="工运")
    organiser = await make_user()
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    await login_as(client, organiser, secret=settings.secret_key)
    response = await client.get(f"/admin/c/{contest.slug}/exports/tracks/{track.id}/scores.csv?anonymised=1")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="contest-{contest.id}-track-{track.id}-scores-anonymised.csv"')
