"""Withdrawing consent (docs/privacy.md, PIPL art. 15) reaches what was given under it: the payee details of prizes
not yet paid are deleted with the consent to sensitive personal information, or with the notice's, which takes it
along."""

from __future__ import annotations

from datetime import datetime

from contest.accounts import privacy
from contest.accounts.models import PrivacyConsent, User
from contest.results import payouts


async def withdraw_sensitive(user: User, *, confirmed: bool, ip: str, now: datetime) -> PrivacyConsent | None:
    """privacy.withdraw_sensitive, then the unpaid payee details go. None when the consent was not in force."""
    withdrawn = await privacy.withdraw_sensitive(user, confirmed=confirmed, ip=ip, now=now)
    await payouts.forget_unpaid_payees(user, now=now)  # also after a failure between the two: it asks the consent
    return withdrawn


async def withdraw_consent(user: User, *, confirmed: bool, ip: str, now: datetime) -> PrivacyConsent | None:
    """privacy.withdraw_consent (sessions end), then the unpaid payee details go. None when nothing was in force."""
    withdrawn = await privacy.withdraw_consent(user, confirmed=confirmed, ip=ip, now=now)
    await payouts.forget_unpaid_payees(user, now=now)
    return withdrawn
