"""A designer deletes their own account (docs/privacy.md): the rules that refuse it, then the erasure."""

from __future__ import annotations

from datetime import datetime

from tortoise.transactions import in_transaction

from contest.accounts.models import ContestRole, User
from contest.accounts.passwords import verify_password
from contest.audit.log import record
from contest.console import erasure
from contest.entries.models import Entry
from contest.errors import Conflict, InvalidInput
from contest.i18n import N_
from contest.media.storage import Storage


class HasRoles(Conflict):
    message = N_("Judges and organisers cannot delete their account here: ask the contest's organisers to remove "
                 "you from their contests first.")


class ResultsPending(Conflict):
    message = N_("You have entries in a contest whose results are not announced yet. Withdraw them first, or "
                 "delete your account after the announcement.")


async def refusal(user: User, now: datetime) -> Conflict | None:
    """Why this account cannot be deleted now, if it cannot."""
    if user.is_staff or await ContestRole.exists(user_id=user.id):
        return HasRoles()
    pending = Entry.filter(owner_id=user.id, state__in=erasure.KEPT_STATES)
    if await pending.filter(contest__announce_at__isnull=True).exists() or \
            await pending.filter(contest__announce_at__gt=now).exists():
        return ResultsPending()
    return None


async def delete_account(user: User, *, password: str, store: Storage, now: datetime) -> None:
    """Delete the designer's own account. Raises InvalidInput (the password), HasRoles or ResultsPending.
    Side effects: entries deleted or scrubbed, the account anonymised, its files removed, an audit event
    naming the account only by a hash."""
    if not await verify_password(user.password_hash, password):
        raise InvalidInput({"password": N_("The password is not correct.")})
    problem = await refusal(user, now)
    if problem is not None:
        raise problem
    reference = erasure.account_reference(user)
    async with in_transaction():
        keys = await erasure.erase_account_entries(user)
        await erasure.anonymise_account(user)
        await record("account.deleted", subject=reference, now=now, data={"by": "owner"})
    await erasure.delete_files(keys, store)
