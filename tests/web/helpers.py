"""Small helpers for web tests: reading the form token a page rendered, and signing a client in as one of a
scenario's people."""

from __future__ import annotations

import re
from typing import Protocol

import httpx

from contest.settings import Settings
from tests.factories import login_as

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
