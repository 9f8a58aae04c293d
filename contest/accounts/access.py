"""From a contest's console: who has access, removing a person from the contest, and (site organisers
only) switching an account off everywhere; each with a record in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from contest.accounts import service
from contest.accounts.models import ContestRole, User
from contest.audit.log import record


@dataclass(frozen=True)
class Account:
    user: User
    roles: list[str]  # ContestRoleKind values held in this contest


async def accounts_of(contest_id: int) -> list[Account]:
    """The contest's organisers and judges, each once, with their roles here."""
    roles = await ContestRole.filter(contest_id=contest_id).prefetch_related("user").order_by("user__display_name")
    accounts: dict[int, Account] = {}
    for role in roles:
        accounts.setdefault(role.user_id, Account(role.user, [])).roles.append(role.role.value)
    return list(accounts.values())


async def account_by_email(email: str) -> User | None:
    """Any account, for site organisers, who may switch off anyone."""
    email = service.normalise_email(email)
    return await User.get_or_none(email=email) if email else None


async def switchable_account(user_id: int, *, by: User) -> User | None:
    """The account, if `by` may switch it on or off: disabling reaches every contest, so only a site
    organiser may, and never their own account."""
    if not by.is_staff or user_id == by.id:
        return None
    return await User.get_or_none(id=user_id)


async def removable_person(contest_id: int, user_id: int, *, by: User) -> User | None:
    """Someone `by` may remove from this contest: a holder of a role here, never oneself, and a site
    organiser only by another site organiser."""
    if user_id == by.id:
        return None
    target = await User.filter(id=user_id, roles__contest_id=contest_id).first()
    return target if target is not None and (by.is_staff or not target.is_staff) else None


async def remove_from_contest(target: User, *, contest_id: int, by: User, now: datetime) -> list[str]:
    """Take away every role `target` holds in this contest, with a record in the audit log; their account,
    their roles elsewhere and what they scored stay. Returns the roles taken away."""
    async with in_transaction():
        held = ContestRole.filter(contest_id=contest_id, user_id=target.id)
        roles = sorted(str(role) for role in await held.values_list("role", flat=True))
        await held.delete()
        await record("contest_role.removed", subject=f"user:{target.id}", now=now, actor=by, contest_id=contest_id,
                     data={"email": target.email, "roles": roles})
    return roles


async def switch_account(target: User, active: bool, *, contest_id: int, by: User, now: datetime) -> bool:
    """Enable or disable; disabling ends every session of the account at once. Returns whether it changed."""
    if target.is_active == active:
        return False
    async with in_transaction():
        await service.set_active(target, active)
        await record("account.enabled" if active else "account.disabled", subject=f"user:{target.id}", now=now,
                     actor=by, contest_id=contest_id, data={"email": target.email})
    return True
