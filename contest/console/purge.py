"""`contest purge`: anonymise what contests keep past their retention period (docs/privacy.md).

A contest is due once `retention_days` (0 = kept) have passed since its announcement. Its entries are
scrubbed (console.erasure: awarded ones keep their public record), its objectors and voters lose their
identity (a voter's address becomes its hash, so counts stay), and then every designer account whose
contests are all purged and who has not logged in since is anonymised like a deleted account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from tortoise.transactions import in_transaction

from contest.accounts.models import ContestRole, Invitation, User
from contest.audit.log import record
from contest.console import erasure
from contest.contests.models import Contest
from contest.entries.models import Entry
from contest.media.storage import Storage
from contest.notifications.models import OutboxMessage
from contest.results.models import Objection, Vote, Voter


@dataclass(frozen=True)
class Summary:
    contests: int = 0
    entries: int = 0
    objections: int = 0
    voters: int = 0
    accounts: int = 0


def due_at(contest: Contest) -> datetime | None:
    """When the contest's personal data is past its retention, or None when it is kept."""
    if contest.announce_at is None or contest.retention_days <= 0:
        return None
    return contest.announce_at + timedelta(days=contest.retention_days)


async def due_contests(now: datetime) -> list[Contest]:
    contests = await Contest.filter(announce_at__isnull=False, retention_days__gt=0, purged_at__isnull=True)
    return [c for c in contests if (moment := due_at(c)) is not None and moment <= now]


async def _purge_contest(contest: Contest, store: Storage, now: datetime) -> Summary:
    entry_ids = cast(list[int], await Entry.filter(contest_id=contest.id).values_list("id", flat=True))
    objections = await Objection.filter(contest_id=contest.id)
    voters = await Voter.filter(contest_id=contest.id)
    async with in_transaction():
        keys = await erasure.scrub_entries(entry_ids, awarded=await erasure.awarded_entry_ids(entry_ids))
        for objection in objections:
            keys += [objection.attachment_key] if objection.attachment_key else []
            await Objection.filter(id=objection.id).update(
                objector_name="", objector_organisation="", objector_email="", objector_phone="",
                attachment_key="", attachment_type="")
        for voter in voters:
            await Voter.filter(id=voter.id).update(email=f"erased:{erasure.pseudonym(voter.email)[:40]}")
        await Vote.filter(voter__contest_id=contest.id).update(ip="")
        await Invitation.filter(contest_id=contest.id).update(email="")
        await OutboxMessage.filter(contest_id=contest.id).delete()
        await Contest.filter(id=contest.id).update(purged_at=now)
        summary = Summary(contests=1, entries=len(entry_ids), objections=len(objections), voters=len(voters))
        await record("contest.purged", subject=f"contest:{contest.id}", now=now, contest_id=contest.id,
                     data={"entries": summary.entries, "objections": summary.objections, "voters": summary.voters})
    await erasure.delete_files(keys, store)
    return summary


async def stale_accounts(purging: frozenset[int] = frozenset()) -> list[User]:
    """Designers whose entries are all in purged contests (or in `purging`, for a dry run), who have not
    logged in since the last of them was due."""
    users = await User.filter(is_active=True, is_staff=False, entries__id__isnull=False).distinct()
    with_roles = set(cast(list[int], await ContestRole.all().values_list("user_id", flat=True)))
    stale = []
    for user in users:
        contests = await Contest.filter(entries__owner_id=user.id).distinct()
        moments = [due_at(c) for c in contests]
        if user.id in with_roles or None in moments or \
                not all(c.purged_at is not None or c.id in purging for c in contests):
            continue
        if user.last_login_at is None or user.last_login_at <= max(cast(list[datetime], moments)):
            stale.append(user)
    return stale


async def _purge_account(user: User, store: Storage, now: datetime) -> None:
    async with in_transaction():
        keys = await erasure.erase_account_entries(user)
        await erasure.anonymise_account(user)
        await record("account.purged", subject=erasure.account_reference(user), now=now)
    await erasure.delete_files(keys, store)


async def plan(now: datetime) -> Summary:
    """What `purge` would do now (--dry-run): the contests due, and what they hold."""
    contests = await due_contests(now)
    ids = [c.id for c in contests]
    return Summary(
        contests=len(ids), entries=await Entry.filter(contest_id__in=ids).count(),
        objections=await Objection.filter(contest_id__in=ids).count(),
        voters=await Voter.filter(contest_id__in=ids).count(),
        accounts=len(await stale_accounts(frozenset(ids))),
    )


async def purge(store: Storage, now: datetime) -> Summary:
    """Anonymise every contest past its retention, then the accounts left with nothing else. Idempotent."""
    done = [await _purge_contest(contest, store, now) for contest in await due_contests(now)]
    accounts = await stale_accounts()
    for user in accounts:
        await _purge_account(user, store, now)
    return Summary(contests=len(done), entries=sum(s.entries for s in done),
                   objections=sum(s.objections for s in done), voters=sum(s.voters for s in done),
                   accounts=len(accounts))
