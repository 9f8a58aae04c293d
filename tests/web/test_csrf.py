from __future__ import annotations

import re

import pytest

from contest.accounts.models import Session, User
from tests.factories import PASSWORD, login_as, make_user
from tests.web.helpers import form_token
from tests.web.routing import state_changing_paths

pytestmark = pytest.mark.web


async def test_every_state_changing_route_refuses_a_missing_or_wrong_token(client, app, settings):
    user = await make_user()
    token = await login_as(client, user, secret=settings.secret_key)
    routes = state_changing_paths(app)
    assert ("auth:logout", "/account/logout") in routes
    for name, path in routes:
        for data in ({}, {"csrf_token": "0" * 64}, {"csrf_token": token[:-1] + ("1" if token[-1] == "0" else "0")}):
            response = await client.post(path, data=data)
            assert response.status_code == 403, (name, data)
            assert "表单已过期或来自其他网站" in response.text
    assert await Session.filter(user_id=user.id).count() == 1


async def test_a_token_from_another_session_is_refused(client, settings):
    victim = await make_user()
    attacker = await make_user()
    attacker_token = await login_as(client, attacker, secret=settings.secret_key)
    await login_as(client, victim, secret=settings.secret_key)
    response = await client.post("/account/logout", data={"csrf_token": attacker_token})
    assert response.status_code == 403
    assert await Session.filter(user_id=victim.id).count() == 1


async def test_cross_site_requests_are_refused_even_with_a_valid_token(client, settings):
    user = await make_user()
    token = await login_as(client, user, secret=settings.secret_key)
    cross = await client.post("/account/logout", data={"csrf_token": token}, headers={"sec-fetch-site": "cross-site"})
    foreign_origin = await client.post("/account/logout", data={"csrf_token": token}, headers={"origin": "https://evil.example"})
    assert (cross.status_code, foreign_origin.status_code) == (403, 403)
    same = await client.post("/account/logout", data={"csrf_token": token},
                             headers={"origin": "http://testserver", "sec-fetch-site": "same-origin"})
    assert same.status_code == 303


async def test_anonymous_forms_are_bound_to_their_own_cookie(client, app):
    await make_user(email="anon@example.org")
    token = await form_token(client, "/account/login")
    client.cookies.clear()
    response = await client.post("/account/login", data={"csrf_token": token, "email": "anon@example.org", "password": PASSWORD})
    assert response.status_code == 403


async def test_get_requests_change_nothing(client, app):
    before = await User.all().count()
    for path in ("/account/logout", "/account/register", "/account/login"):
        await client.get(path)
    assert await User.all().count() == before
    assert (await client.get("/account/logout")).status_code == 405


MULTIPART = "multipart/form-data; boundary=b0undary"


def multipart(*parts: tuple[str, str]) -> bytes:
    body = b"".join(f'--b0undary\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                    for name, value in parts)
    return body + b"--b0undary--\r\n"


async def test_every_state_changing_route_refuses_any_body_without_a_token(client, app, settings):
    """Whatever the Content-Type claims, the token is checked before the handler runs (log-out and the raw
    upload never read a form)."""
    user = await make_user()
    await login_as(client, user, secret=settings.secret_key)
    forbidden, unreadable = (403, "表单已过期或来自其他网站"), (400, "无法处理该请求")
    bodies = [
        (MULTIPART, multipart(("title", "x")), forbidden),
        (MULTIPART, b"\xff\xd8\xff\xe0 a JPEG, not a form", unreadable),
        ("application/octet-stream", b"\xff\xd8\xff\xe0", forbidden),
        ("application/json", b'{"csrf_token": "x"}', forbidden),
        ("text/plain", b"csrf_token=x", forbidden),
    ]
    answers, expected = [], []
    for name, path in state_changing_paths(app):
        for content_type, body, (status, message) in bodies:
            response = await client.post(path, content=body, headers={"content-type": content_type})
            answers.append((name, content_type, response.status_code, message in response.text))
            expected.append((name, content_type, status, True))
    assert answers == expected
    assert await Session.filter(user_id=user.id).count() == 1


async def test_a_multipart_form_carries_its_token_as_the_first_field(client, settings):
    user = await make_user()
    token = await login_as(client, user, secret=settings.secret_key)
    late = await client.post("/account/logout", content=multipart(("next", "/"), ("csrf_token", token)),
                             headers={"content-type": MULTIPART})
    assert (late.status_code, await Session.filter(user_id=user.id).count()) == (403, 1)
    first = await client.post("/account/logout", content=multipart(("csrf_token", token), ("next", "/")),
                              headers={"content-type": MULTIPART})
    assert (first.status_code, await Session.filter(user_id=user.id).count()) == (303, 0)


def test_every_multipart_form_in_the_templates_starts_with_its_token():
    from tests.test_architecture import ROOT

    pages = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "templates").rglob("*.html")))
    tag_part = r"(?:[^>{]|\{[{%].*?[}%]\}|\{)"  # a Jinja expression inside the tag may hold ">"
    first_fields = re.findall(rf"<form{tag_part}*?multipart/form-data{tag_part}*>\s*(.+)", pages)
    token_field = '<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">'
    assert len(first_fields) == 6  # uploads, the banner, an import, a reference image, an objection, a sample photo
    assert [f in {token_field, "{{ csrf_field() }}", "{{ forms.csrf_field() }}"} for f in first_fields] == [True] * 6
