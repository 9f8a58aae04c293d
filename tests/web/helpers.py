"""Small helpers for web tests: reading the form token a page rendered, and signing a client in as one of a
scenario's people or as a contest's organiser."""

from __future__ import annotations

import re
from typing import Protocol

import httpx

from contest.accounts.models import ContestRole, ContestRoleKind, User
from contest.settings import Settings
from tests.factories import login_as, make_user

TOKEN_PATTERN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


class People(Protocol):
    """A scenario that names its people by role ("organiser", "winner", ...)."""

    users: dict


async def form_token(client: httpx.AsyncClient, path: str) -> str:
    response = await client.get(path)
    match = TOKEN_PATTERN.search(response.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


async def sign_in(client: httpx.AsyncClient, settings: Settings, scenario: People, role: str) -> str:
    """A fresh browser (no cookies) signed in as the scenario's `role`, or signed out for "anonymous";
    returns the CSRF token bound to the new session ("" when anonymous)."""
    client.cookies.clear()
    if role == "anonymous":
        return ""
    return await login_as(client, scenario.users[role], secret=settings.secret_key)


async def organiser_of(contest) -> User:
    organiser = await make_user(display_name="秘书处")
    await ContestRole.create(contest=contest, user=organiser, role=ContestRoleKind.ORGANISER)
    return organiser


async def signed_in_organiser(client: httpx.AsyncClient, settings: Settings, contest) -> str:
    """Signed in as a new organiser of `contest`; returns the token of its people page."""
    await login_as(client, await organiser_of(contest), secret=settings.secret_key)
    return await form_token(client, f"/admin/c/{contest.slug}/people")
