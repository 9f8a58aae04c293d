"""Small helpers for web tests: reading the form token a page rendered."""

from __future__ import annotations

import re

import httpx

TOKEN_PATTERN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


async def form_token(client: httpx.AsyncClient, path: str) -> str:
    response = await client.get(path)
    match = TOKEN_PATTERN.search(response.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)
