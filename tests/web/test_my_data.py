"""The designer's data page (/me/data) and its download: a POST with the page's CSRF token answers a ZIP whose
data.json parses and whose files are the uploads as they came; no token, or no session, gets no data."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from contest import clock
from contest.accounts.models import User
from contest.audit.models import AuditEvent
from tests import imagegen
from tests.factories import attach_picture, chunks, login_as, make_contest, make_entry, make_track, make_user
from tests.web.helpers import form_token

pytestmark = pytest.mark.web

UPLOAD = imagegen.jpeg(size=(1600, 1000), seed=7)


async def designer_with_upload(app):
    contest = await make_contest()
    track = await make_track(contest)
    user = await make_user(display_name="甲设计师")
    entry = await make_entry(contest, track, user, number="D-0001")
    await attach_picture(entry, chunks(UPLOAD), store=app.state.store, original_name="海报.jpg", by=user,
                         now=clock.now(), read_text=False)
    return user


async def test_the_download_is_a_zip_of_data_json_and_the_uploads(app, client, settings):
    user = await designer_with_upload(app)
    await login_as(client, user, secret=settings.secret_key)
    page = await client.get("/me/data")
    assert (page.status_code, 'action="/me/data/download"' in page.text) == (200, True)
    response = await client.post("/me/data/download", data={"csrf_token": await form_token(client, "/me/data")})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == f'attachment; filename="my-data-{user.id}.zip"'
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        data = json.loads(archive.read("data.json"))
        [entry] = data["entries"]
        [upload] = entry["files"]
        assert (data["account"]["display_name"], upload["original_name"]) == ("甲设计师", "海报.jpg")
        assert sorted(archive.namelist()) == ["data.json", upload["path"]]
        assert archive.read(upload["path"]) == UPLOAD
    assert await AuditEvent.filter(action="account.data_exported", actor_id=user.id).count() == 1


async def test_no_download_without_the_forms_token(app, client, settings):
    user = await designer_with_upload(app)
    await login_as(client, user, secret=settings.secret_key)
    response = await client.post("/me/data/download", data={"csrf_token": "0" * 64})
    assert response.status_code == 403
    assert b"data.json" not in response.content
    assert await AuditEvent.filter(action="account.data_exported").count() == 0


async def test_no_download_without_a_session(app, client):
    await designer_with_upload(app)
    token = await form_token(client, "/account/login")
    response = await client.post("/me/data/download", data={"csrf_token": token})
    assert (response.status_code, response.headers["location"]) == (
        303, "http://testserver/account/login?next=%2Fme%2Fdata%2Fdownload")
    assert await AuditEvent.filter(action="account.data_exported").count() == 0


async def test_the_profile_is_corrected_on_the_page_and_a_wrong_value_is_shown_by_its_field(app, client, settings):
    user = await make_user(display_name="旧名字")
    await login_as(client, user, secret=settings.secret_key)
    token = await form_token(client, "/me/data")
    form = {"csrf_token": token, "display_name": "新名字", "category": "student", "organisation": "",
            "school": "同济大学", "supervisor_name": "", "supervisor_email": "wrong"}
    refused = await client.post("/me/data/profile", data=form)
    assert refused.status_code == 400
    assert 'id="e-supervisor_email"' in refused.text and 'value="新名字"' in refused.text
    saved = await client.post("/me/data/profile", data={**form, "supervisor_email": "li@tongji.edu.cn"})
    assert (saved.status_code, saved.headers["location"]) == (303, "http://testserver/me/data")
    page = await client.get("/me/data")
    assert 'value="新名字"' in page.text and 'value="同济大学"' in page.text
    assert (await User.get(id=user.id)).display_name == "新名字"
