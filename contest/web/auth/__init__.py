"""Accounts (/account): register, log in and out, passwords, invitations, the consents to the privacy notice."""

from __future__ import annotations

from contest.web.auth import accounts, consent

routes = [*accounts.routes, *consent.routes]
