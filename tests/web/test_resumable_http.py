"""The tus endpoint built by web.infra.resumable.tus_routes, inside the real app's middleware (session, CSRF,
body limits), driven as a tus client would."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.requests import Request
from starlette.types import Message

from contest.accounts.models import User
from contest.errors import InvalidUpload, NotAllowed
from contest.media import resumable
from contest.media.storage import TempUpload, UploadStore
from contest.web.infra.resumable import TUS_VERSION, Grant, tus_routes
from tests.factories import login_as, make_user

pytestmark = pytest.mark.web

PREFIX = "/me/tus-test"
DATA = os.urandom(200_000)
LENGTH = len(DATA)
MAX_BYTES = 1_000_000


@dataclass
class Intake:
    """The caller's side: what authorise saw and what on_complete received."""

    metadata: list[dict] = field(default_factory=list)
    completed: list[tuple[dict, bytes, str]] = field(default_factory=list)
    fail: bool = False

    async def authorise(self, request: Request, metadata: dict[str, str]) -> Grant:
        if metadata.get("slot") == "forbidden":
            raise NotAllowed()
        self.metadata.append(metadata)
        return Grant({"slot": metadata.get("slot", "video"), "user": request.state.user.id}, MAX_BYTES // 2)

    async def on_complete(self, request: Request, target: dict, temp: TempUpload) -> dict:
        self.completed.append((target, temp.path.read_bytes(), temp.sha256))
        if self.fail:
            raise InvalidUpload()
        await request.app.state.store.discard(temp)
        return {"done": temp.bytes}


def refuse_bad_heads(target: dict, head: bytes) -> None:
    if head.startswith(b"BAD"):
        raise InvalidUpload(reason="unsupported_type")


@pytest.fixture
def intake(app) -> Intake:
    intake = Intake()
    app.router.routes[:0] = tus_routes(PREFIX, name="tus_test", authorise=intake.authorise,
                                        on_complete=intake.on_complete, max_bytes=MAX_BYTES,
                                        check_head=refuse_bad_heads)  # before the /me mount
    return intake


@pytest.fixture
async def designer(client, settings) -> User:
    return await make_user()


@pytest.fixture
async def token(client, settings, designer) -> str:
    return await login_as(client, designer, secret=settings.secret_key)


def tus(token: str | None, **headers: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, **({"X-CSRF-Token": token} if token else {}),
            **{name.replace("_", "-"): value for name, value in headers.items()}}


def metadata(**pairs: str) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in pairs.items())


async def create(client, token, length=LENGTH, **pairs: str) -> httpx.Response:
    return await client.post(PREFIX, headers=tus(token, Upload_Length=str(length), Upload_Metadata=metadata(**pairs)))


async def patch(client, token, location: str, offset: int, body: bytes, **headers: str) -> httpx.Response:
    headers = {"Upload_Offset": str(offset), "Content_Type": "application/offset+octet-stream"} | headers
    return await client.patch(location, content=body, headers=tus(token, **headers))


async def patch_then_drop(app, client, token, location: str, offset: int, sent: bytes) -> list[Message]:
    """A PATCH whose client goes away after ``sent``: the body's next message is a disconnect."""
    incoming: list[Message] = [{"type": "http.request", "body": sent, "more_body": True}, {"type": "http.disconnect"}]
    headers = tus(token, Upload_Offset=str(offset), Content_Type="application/offset+octet-stream",
                  Content_Length=str(len(DATA) - offset), Host="testserver",
                  Cookie=f"contest_session={client.cookies['contest_session']}")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "PATCH", "scheme": "http",
             "path": location, "raw_path": location.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}
    answered: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        answered.append(message)

    await app(scope, receive, send)
    return answered


async def test_options_describes_the_server_to_anyone(client, intake):
    response = await client.options(PREFIX)
    assert response.status_code == 204
    assert (response.headers["tus-version"], response.headers["tus-extension"], response.headers["tus-max-size"]) == (
        "1.0.0", "creation,termination,expiration", str(MAX_BYTES))


async def test_an_upload_dropped_midway_resumes_from_what_arrived_and_completes_once(app, client, intake, token,
                                                                                     designer):
    created = await create(client, token, filename="作品.mp4", slot="video")
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    assert location.startswith(f"{PREFIX}/") and created.headers["upload-expires"].endswith("GMT")
    assert intake.metadata == [{"filename": "作品.mp4", "slot": "video"}]

    first = await patch(client, token, location, 0, DATA[:50_000])
    assert (first.status_code, first.headers["upload-offset"]) == (204, "50000")
    dropped = await patch_then_drop(app, client, token, location, 50_000, DATA[50_000:120_000])
    assert dropped[0]["status"] == 400  # answered to nobody: the client is gone

    head = await client.head(location, headers=tus(None))
    assert (head.status_code, head.headers["upload-offset"], head.headers["upload-length"]) == (200, "120000", "200000")
    assert head.headers["cache-control"] == "no-store" and head.headers["tus-resumable"] == TUS_VERSION
    assert intake.completed == []

    last = await patch(client, token, location, 120_000, DATA[120_000:])
    assert (last.status_code, last.json(), last.headers["upload-offset"]) == (200, {"done": len(DATA)}, "200000")
    assert intake.completed == [({"slot": "video", "user": designer.id}, DATA, hashlib.sha256(DATA).hexdigest())]
    assert (await client.head(location, headers=tus(None))).status_code == 404


async def test_a_request_without_the_protocol_version_is_refused_with_412(client, intake, token):
    response = await client.post(PREFIX, headers={"X-CSRF-Token": token, "Upload-Length": "10",
                                                  "Tus-Resumable": "0.2.2"})
    assert (response.status_code, response.headers["tus-version"]) == (412, TUS_VERSION)
    assert intake.metadata == []


async def test_a_patch_at_the_wrong_offset_is_refused_with_409_and_changes_nothing(client, intake, token):
    location = (await create(client, token)).headers["location"]
    await patch(client, token, location, 0, DATA[:1000])
    response = await patch(client, token, location, 500, DATA[500:2000])
    assert response.status_code == 409
    assert (await client.head(location, headers=tus(None))).headers["upload-offset"] == "1000"


async def test_another_persons_upload_is_not_found(client, intake, token, settings):
    location = (await create(client, token)).headers["location"]
    other = await login_as(client, await make_user(), secret=settings.secret_key)
    assert (await client.head(location, headers=tus(None))).status_code == 404
    assert (await patch(client, other, location, 0, DATA[:10])).status_code == 404
    assert (await client.delete(location, headers=tus(other))).status_code == 404


async def test_unknown_and_malformed_ids_are_not_found(client, intake, token):
    for upload_id in ("0" * 32, "..%2F..%2Fsecret"):
        assert (await client.head(f"{PREFIX}/{upload_id}", headers=tus(None))).status_code == 404


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
async def test_a_change_without_the_csrf_token_is_refused_with_403(client, intake, token, method):
    location = (await create(client, token)).headers["location"]
    url = PREFIX if method == "POST" else location
    headers = tus(None, Upload_Length="10", Upload_Offset="0", Content_Type="application/offset+octet-stream")
    response = await client.request(method, url, headers=headers, content=b"x" if method == "PATCH" else None)
    assert response.status_code == 403
    assert (await client.head(location, headers=tus(None))).status_code == 200


async def test_a_signed_out_client_is_refused_with_401(client, intake):
    response = await client.head(f"{PREFIX}/{'0' * 32}", headers=tus(None))
    assert response.status_code == 401


async def test_a_patch_that_is_not_offset_octets_is_refused_with_415(client, intake, token):
    location = (await create(client, token)).headers["location"]
    response = await patch(client, token, location, 0, DATA[:10], Content_Type="application/octet-stream")
    assert response.status_code == 415


async def test_a_wrong_file_type_is_refused_at_the_first_patch_and_the_upload_is_gone(client, intake, token):
    location = (await create(client, token)).headers["location"]
    response = await patch(client, token, location, 0, b"BAD" + DATA[:100_000])
    assert response.status_code == 400 and response.json()["status"] == 400
    assert (await client.head(location, headers=tus(None))).status_code == 404
    assert intake.completed == []


async def test_a_declared_length_over_the_grants_limit_is_refused_with_413(client, intake, token):
    response = await create(client, token, length=MAX_BYTES // 2 + 1)
    assert response.status_code == 413
    assert response.headers["tus-resumable"] == TUS_VERSION


async def test_a_body_past_the_declared_length_is_refused_with_413_and_what_fitted_in_earlier_pieces_stays(
        client, intake, token):
    location = (await create(client, token, length=1000)).headers["location"]
    await patch(client, token, location, 0, DATA[:400])
    response = await patch(client, token, location, 400, DATA[400:1400])
    assert response.status_code == 413
    assert (await client.head(location, headers=tus(None))).headers["upload-offset"] == "400"


async def test_authorise_refuses_before_anything_is_kept(client, intake, token, app):
    response = await create(client, token, slot="forbidden")
    assert response.status_code == 403
    assert not resumable.tus_dir(app.state.store).exists() or not any(resumable.tus_dir(app.state.store).iterdir())


async def test_malformed_metadata_is_refused(client, intake, token):
    response = await client.post(PREFIX, headers=tus(token, Upload_Length="10", Upload_Metadata="filename !!!"))
    assert response.status_code == 400


async def test_delete_ends_an_upload(client, intake, token):
    location = (await create(client, token)).headers["location"]
    assert (await client.delete(location, headers=tus(token))).status_code == 204
    assert (await client.head(location, headers=tus(None))).status_code == 404


async def test_a_refusal_at_completion_discards_the_file(client, intake, token, app):
    intake.fail = True
    location = (await create(client, token, length=1000)).headers["location"]
    response = await patch(client, token, location, 0, DATA[:1000])
    assert response.status_code == 400 and len(intake.completed) == 1
    store: UploadStore = app.state.store
    assert [p for p in store.tmp.rglob("*") if p.is_file()] == []
