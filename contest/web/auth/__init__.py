"""Accounts (/account): register, log in and out, passwords, invitations."""

from __future__ import annotations

from contest.web.auth import accounts

routes = accounts.routes
