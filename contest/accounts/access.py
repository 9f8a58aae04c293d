"""Who may switch an account off from a contest's console, and doing it with a record in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from contest.accounts import service
from contest.accounts.models import ContestRole, ContestRoleKind, User
from contest.audit.log import record
from contest.contests.models import Contest


@dataclass(frozen=True)
class Account:
    user: User
    roles: list[str]  # ContestRoleKind values held in this contest


async def accounts_of(contest: Contest) -> list[Account]:
    """The contest's organisers and judges, each once, with their roles here."""
    roles = await ContestRole.filter(contest_id=contest.id).prefetch_related("user").order_by("user__display_name")
    accounts: dict[int, Account] = {}
    for role in roles:
        accounts.setdefault(role.user_id, Account(role.user, [])).roles.append(role.role.value)
    return list(accounts.values())


async def account_by_email(email: str) -> User | None:
    """Any account, for site organisers, who may switch off anyone."""
    email = service.normalise_email(email)
    return await User.get_or_none(email=email) if email else None


async def manageable_account(contest: Contest, user_id: int, *, by: User) -> User | None:
    """The account, if `by` may switch it on or off from this contest: never oneself; a contest organiser
    only the contest's judges and organisers who are not site organisers; a site organiser anyone."""
    target = await User.get_or_none(id=user_id)
    if target is None or target.id == by.id:
        return None
    if by.is_staff:
        return target
    in_contest = await ContestRole.exists(contest_id=contest.id, user_id=target.id,
                                          role__in=[ContestRoleKind.ORGANISER, ContestRoleKind.JUDGE])
    return target if in_contest and not target.is_staff else None


async def switch_account(target: User, active: bool, *, contest: Contest, by: User, now: datetime) -> bool:
    """Enable or disable; disabling ends every session of the account at once. Returns whether it changed."""
    if target.is_active == active:
        return False
    async with in_transaction():
        await service.set_active(target, active)
        await record("account.enabled" if active else "account.disabled", subject=f"user:{target.id}", now=now,
                     actor=by, contest_id=contest.id, data={"email": target.email})
    return True
