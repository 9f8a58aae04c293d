"""Where a redirect named by the request (`?next=`) may lead: only to a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(value: str | None, default: str) -> str:
    """`value` when it is a path on this site, else `default`. Browsers drop tabs and newlines from URLs
    and read a backslash as a slash, so "/<tab>/x" or "/\\x" would lead to another site: no control
    characters, spaces or backslashes at all."""
    if not value or not value.startswith("/") or value.startswith("//") or len(value) > 2000:
        return default
    if any(c <= " " or c in "\\\x7f" for c in value) or urlsplit(value).netloc:
        return default
    return value
