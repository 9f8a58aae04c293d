"""Organisers and judges join a contest by invitation; the people page's read model (who has access, with
their judge groups, and the invitations still pending).

An invitation is a single-use link: the token (`secrets.token_urlsafe(16)`, 128 bits) goes out once,
in the outbox message, and only its SHA-256 is stored. It is valid until `expires_at` (72 h after
sending), exclusive. Re-inviting the same e-mail to the same contest and role *deletes* the earlier
unused invitations, so a replaced or revoked link is indistinguishable from one that never existed,
an unused row is always "pending" and a used one always "accepted".

It lives in the console because an invitation ties an account (accounts) to a contest (contests) and,
for a judge, to a judge group (judging).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from contest.accounts import passwords, privacy, throttle
from contest.accounts.models import ContestRole, ContestRoleKind, Invitation, User
from contest.accounts.queries import locale_of
from contest.accounts.service import (
    EMAIL_PATTERN,
    check_password_rules,
    normalise_email,
)
from contest.audit.log import record
from contest.contests.models import Contest
from contest.errors import Conflict, InvalidInput, NotFound
from contest.i18n import N_
from contest.judging import judge_groups
from contest.judging.models import JudgeGroup, PanelMember
from contest.notifications.outbox import queue_templated
from contest.notifications.templates import Bilingual, Moment

LIFETIME = timedelta(hours=72)
TOKEN_BYTES = 16  # 128 bits (ASVS 6.4.1)
ROLE_NAMES = {ContestRoleKind.JUDGE: ("评委", "judge"), ContestRoleKind.ORGANISER: ("组委会成员", "organiser")}


class InvitationInvalid(NotFound):
    """Unknown, used, revoked and expired links all look the same."""

    message = N_(
        "This invitation link is not valid any more: it was used, it expired, or it is wrong. "
        "Ask the organisers for a new one."
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- inviting -------------------------------------------------------------------------------------


async def _invite_errors(
    contest: Contest, email: str, role: str, judge_group: JudgeGroup | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        errors["email"] = N_("Enter a valid e-mail address.")
    if role not in ROLE_NAMES:
        errors["role"] = N_("Choose one of the options.")
    elif judge_group is not None and (role != ContestRoleKind.JUDGE or judge_group.contest_id != contest.id):
        errors["judge_group"] = N_("Only judges belong to a judge group of this contest.")
    if not errors and await _has_role(contest, email, ContestRoleKind(role)):
        errors["email"] = N_("This person already has this role in this contest.")
    return errors


async def _has_role(contest: Contest, email: str, role: ContestRoleKind) -> bool:
    user = await User.get_or_none(email=email)
    if user is None:
        return False
    if role == ContestRoleKind.ORGANISER and user.is_staff:
        return True
    return await ContestRole.exists(contest_id=contest.id, user_id=user.id, role=role)


async def invite(
    contest: Contest,
    *,
    email: str,
    role: ContestRoleKind | str,
    judge_group: JudgeGroup | None = None,
    by: User,
    now: datetime,
    link_for: Callable[[str], str],
) -> Invitation:
    """Invite `email` to `role` in `contest`. Side effects, in one transaction: earlier unused
    invitations for the same contest, e-mail and role are deleted; the new invitation (token hash
    only) is stored; one outbox message (kind "invitation") carries `link_for(token)`; one audit event.
    Raises InvalidInput for a bad e-mail, role or group, or when the person already has the role."""
    email = normalise_email(email)
    errors = await _invite_errors(contest, email, str(role), judge_group)
    if errors:
        raise InvalidInput(errors)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    role = ContestRoleKind(role)
    async with in_transaction():
        replaced = await Invitation.filter(contest_id=contest.id, email=email, role=role, used_at__isnull=True).delete()
        invitation = await Invitation.create(
            contest=contest, email=email, role=role, token_hash=token_hash(token), judge_group=judge_group,
            invited_by=by, expires_at=now + LIFETIME,
        )
        await queue_templated("invitation", contest=contest, to_email=email, locale=await locale_of(email),
                              values=_message_values(invitation, contest, link_for(token)))
        await record(
            "invitation.create", subject=f"invitation:{invitation.id}", now=now, actor=by, contest_id=contest.id,
            data={"email": email, "role": str(role), "judge_group": judge_group.id if judge_group else None,
                  "replaced": replaced},
        )
    return invitation


async def resend(invitation: Invitation, *, by: User, now: datetime, link_for: Callable[[str], str]) -> Invitation:
    """A fresh link for the same person, role and group; the old link stops working."""
    await invitation.fetch_related("contest", "judge_group")
    return await invite(
        invitation.contest, email=invitation.email, role=invitation.role, judge_group=invitation.judge_group,
        by=by, now=now, link_for=link_for,
    )


async def revoke(invitation: Invitation, *, by: User, now: datetime) -> None:
    """Delete an unused invitation; its link then looks like one that never existed."""
    async with in_transaction():
        deleted = await Invitation.filter(id=invitation.id, used_at__isnull=True).delete()
        if deleted:
            await record(
                "invitation.revoke", subject=f"invitation:{invitation.id}", now=now, actor=by,
                contest_id=invitation.contest_id, data={"email": invitation.email, "role": str(invitation.role)},
            )


def _message_values(invitation: Invitation, contest: Contest, link: str) -> dict[str, str | Bilingual | Moment]:
    group = invitation.judge_group
    return {
        "role": Bilingual(*ROLE_NAMES[invitation.role]), "expires": Moment(invitation.expires_at, contest.time_zone),
        "link": link,
        "group": Bilingual(f"（评委类别：{group.name}）" if group else "",
                           f" (judge group: {group.name_en or group.name})" if group else ""),
    }


# --- accepting ------------------------------------------------------------------------------------


async def invitation_for(token: str, *, now: datetime) -> Invitation | None:
    """The unused, unexpired invitation for this token, else None (whatever the reason)."""
    if not token or len(token) > 100:
        return None
    return await Invitation.filter(
        token_hash=token_hash(token), used_at__isnull=True, expires_at__gt=now
    ).select_related("contest", "judge_group").first()


async def existing_account(invitation: Invitation) -> User | None:
    return await User.get_or_none(email=invitation.email)


def new_account_errors(display_name: str, password: str) -> dict[str, str]:
    errors = check_password_rules(password)
    if not display_name.strip() or len(display_name) > 100:
        errors["display_name"] = N_("Enter your name (at most 100 characters).")
    return errors


async def _check_existing(user: User, password: str, *, ip: str, now: datetime) -> None:
    """The account's current password, throttled like a login (the link must not bypass the throttle)."""
    limits = throttle.login_limits(user.email, ip)
    counted = await throttle.attempt(limits, now=now)
    if not await passwords.verify_password(user.password_hash, password):
        raise InvalidInput({"password": N_("The password is not correct.")})
    await throttle.forget(counted, keys=[limits[0].key])
    if not user.is_active:
        raise InvitationInvalid()


async def accept(token: str, *, display_name: str, password: str, now: datetime, ip: str = "",
                 locale: str | None = None, consent: privacy.Consent | None = None) -> User:
    """Use the invitation: creates the account (name + new password) when the e-mail has none, with its
    `consent` to the privacy notice (without one, the first log-in asks for it), or checks the existing
    account's current password; grants the role; keeps `locale` (the page's
    language) as the account's language for e-mails; audits. Single use even under
    concurrency: the invitation is claimed by one conditional UPDATE and the loser gets InvitationInvalid.
    Raises InvitationInvalid, InvalidInput or TooManyAttempts; nothing is saved when it raises."""
    invitation = await invitation_for(token, now=now)
    if invitation is None:
        raise InvitationInvalid()
    user = await existing_account(invitation)
    if user is not None:
        await _check_existing(user, password, ip=ip, now=now)
        password_hash = ""
    else:
        errors = {**new_account_errors(display_name, password), **await privacy.check_consent(consent)}
        if errors:
            raise InvalidInput(errors)
        password_hash = await passwords.hash_password(password)
    try:
        return await _claim(invitation, user, display_name=display_name.strip(), password_hash=password_hash, now=now,
                            locale=locale, consent=consent, ip=ip)
    except IntegrityError:  # the e-mail registered in the meantime; the claim was rolled back
        raise Conflict() from None


async def _claim(invitation: Invitation, user: User | None, *, display_name: str, password_hash: str,
                 now: datetime, locale: str | None, consent: privacy.Consent | None, ip: str) -> User:
    async with in_transaction():
        claimed = await Invitation.filter(id=invitation.id, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
        if claimed != 1:
            raise InvitationInvalid()
        if user is None:
            user = await User.create(email=invitation.email, password_hash=password_hash, display_name=display_name)
            if consent is not None:
                await privacy.record_consent(user, await privacy.current_notice(), sensitive=consent.sensitive, ip=ip,
                                             now=now)
        await ContestRole.get_or_create(contest_id=invitation.contest_id, user_id=user.id, role=invitation.role)
        user.last_login_at = now
        user.locale = locale or user.locale
        await user.save(update_fields=["last_login_at", "locale"])
        await record(
            "invitation.accept", subject=f"invitation:{invitation.id}", now=now, actor=user,
            contest_id=invitation.contest_id, data={"role": str(invitation.role), "user": user.id},
        )
    return user


# --- who has access -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judge:
    user: User
    groups: tuple[JudgeGroup, ...]


@dataclass(frozen=True)
class People:
    organisers: list[User]
    site_organisers: list[User]  # staff: every contest, without a role row
    judges: list[Judge]


async def people_of(contest: Contest) -> People:
    """Everyone with access to `contest`, each judge with the groups of their panel seats and invitation."""
    roles = await ContestRole.filter(contest_id=contest.id).select_related("user").order_by("user__display_name", "id")
    groups = await _judge_groups_by_user(contest, [r.user for r in roles if r.role == ContestRoleKind.JUDGE])
    return People(
        organisers=[r.user for r in roles if r.role == ContestRoleKind.ORGANISER],
        site_organisers=await User.filter(is_staff=True, is_active=True).order_by("display_name", "id"),
        judges=[Judge(r.user, groups[r.user.id]) for r in roles if r.role == ContestRoleKind.JUDGE],
    )


async def _judge_groups_by_user(contest: Contest, judges: list[User]) -> dict[int, tuple[JudgeGroup, ...]]:
    found: dict[int, dict[int, JudgeGroup]] = defaultdict(dict)
    seats = PanelMember.filter(panel__round__contest_id=contest.id, group_id__isnull=False, judge_id__in=[j.id for j in judges])
    for seat in await seats.select_related("group"):
        group = cast(JudgeGroup, seat.group)  # the filter keeps only seats with a group
        found[seat.judge_id][group.id] = group
    by_email = {j.email: j.id for j in judges}
    accepted = Invitation.filter(contest_id=contest.id, role=ContestRoleKind.JUDGE, used_at__isnull=False,
                                 judge_group_id__isnull=False, email__in=list(by_email))
    for invitation in await accepted.select_related("judge_group"):
        group = cast(JudgeGroup, invitation.judge_group)  # likewise
        found[by_email[invitation.email]][group.id] = group
    return defaultdict(tuple, {user_id: tuple(sorted(g.values(), key=lambda g: g.id)) for user_id, g in found.items()})


async def pending_invitations(contest: Contest) -> list[Invitation]:
    """Unused invitations, expired ones included (the page offers to resend them), newest first."""
    return await Invitation.filter(contest_id=contest.id, used_at__isnull=True).select_related(
        "judge_group", "invited_by"
    ).order_by("-created_at", "-id")


async def pending_invitation(contest: Contest, invitation_id: int) -> Invitation | None:
    return await Invitation.get_or_none(id=invitation_id, contest_id=contest.id, used_at__isnull=True)


@dataclass(frozen=True)
class PeoplePage:
    people: People
    pending: list[Invitation]
    groups: list[judge_groups.GroupRow]


async def people_page(contest: Contest) -> PeoplePage:
    return PeoplePage(await people_of(contest), await pending_invitations(contest),
                      await judge_groups.judge_groups_of(contest))

