"""Anonymising people, shared by a designer's account deletion and the retention purge (console.purge).

What results and the audit chain need stays: an entry's number and title, an awarded entry's public name and
its images, scores, awards and every audit event. The rest that names a person is cleared or replaced by a
hash (`pseudonym`), so the same person still counts once (a voter) without being named. Audit events are
never rewritten: the chain hashes them, and they were written to hold ids, not identities (docs/privacy.md).
"""

from __future__ import annotations

import hashlib
from typing import cast

from contest.accounts.models import (
    EntrantProfile,
    Invitation,
    LoginAttempt,
    PasswordReset,
    PhoneCode,
    PrivacyConsent,
    Session,
    User,
)
from contest.entries.models import Entry, EntryFile, EntryImage, HeldUpload, TeamMember
from contest.entries.states import EntryState
from contest.media.storage import Storage
from contest.notifications.models import OutboxMessage
from contest.results import payouts
from contest.results.models import Award, AwardStatus

ANONYMOUS_NAME = "已注销用户"
UNUSABLE_PASSWORD = "!erased"  # no argon2 hash: verify_password never accepts it
# Entries results may name (they were submitted): scrubbed and kept; drafts and withdrawn ones are deleted
KEPT_STATES = (EntryState.SUBMITTED, EntryState.RETURNED, EntryState.DISQUALIFIED)


def pseudonym(value: str) -> str:
    """A stable stand-in for a personal value: its SHA-256, so a record can still be matched by whoever holds
    the value, and is named by nobody."""
    return hashlib.sha256(f"wenchuang-erased:{value}".encode()).hexdigest()


def account_reference(user: User) -> str:
    """How the audit log names an erased account: a hash of its id and former e-mail."""
    return f"erased:{pseudonym(f'{user.id}:{user.email}')[:32]}"


async def awarded_entry_ids(entry_ids: list[int]) -> set[int]:
    rows = await Award.filter(entry_id__in=entry_ids, status=AwardStatus.CONFIRMED).values_list("entry_id", flat=True)
    return set(cast(list[int], rows))


async def _file_keys(entry_ids: list[int]) -> list[str]:
    keys: list[str] = []
    for model in (EntryImage, EntryFile, HeldUpload):
        keys += cast(list[str], await model.filter(entry_id__in=entry_ids).values_list("key", flat=True))
    return keys


async def delete_files(keys: list[str], store: Storage) -> None:
    """After the rows are gone (their transaction committed): the originals and every derivative."""
    for key in keys:
        await store.delete(key)


async def delete_entries(entry_ids: list[int]) -> list[str]:
    """Delete entries with every row of theirs; returns their stored files' keys for `delete_files`."""
    keys = await _file_keys(entry_ids)
    await Entry.filter(id__in=entry_ids).delete()
    return keys


async def scrub_entries(entry_ids: list[int], *, awarded: set[int]) -> list[str]:
    """Clear what names the entrant. An awarded entry keeps its public record (title, public name, answers,
    concept and images); any other keeps only its number and title, and loses its files. A prize's payee is
    erased, its amounts and status kept. Returns the keys of the files to delete."""
    await Entry.filter(id__in=entry_ids).update(organisation="", school="", supervisor_name="", supervisor_email="")
    await TeamMember.filter(entry_id__in=entry_ids).delete()
    await payouts.erase_payees(entry_ids)
    await EntryImage.filter(entry_id__in=entry_ids).update(original_name="")
    await EntryFile.filter(entry_id__in=entry_ids).update(original_name="")
    unawarded = [entry_id for entry_id in entry_ids if entry_id not in awarded]
    await Entry.filter(id__in=unawarded).update(public_name="", concept="", answers={})
    keys = await _file_keys(unawarded)
    for model in (EntryImage, EntryFile, HeldUpload):
        await model.filter(entry_id__in=unawarded).delete()
    return keys


async def anonymise_account(user: User) -> None:
    """Replace the account's identity by anonymous values and make logging in impossible. Call inside a
    transaction, after the entries are dealt with."""
    email = user.email
    await Session.filter(user_id=user.id).delete()
    await PasswordReset.filter(user_id=user.id).delete()
    await PhoneCode.filter(purpose=f"account:{user.id}").delete()
    await LoginAttempt.filter(key__contains=email).delete()
    await Invitation.filter(email=email).update(email="")
    await OutboxMessage.filter(to_email=email).delete()
    await PrivacyConsent.filter(user_id=user.id).update(ip="")
    await EntrantProfile.filter(user_id=user.id).update(organisation="", school="", supervisor_name="",
                                                         supervisor_email="")
    await User.filter(id=user.id).update(
        email=f"deleted-{pseudonym(email)[:24]}@invalid", display_name=ANONYMOUS_NAME, phone="",
        phone_verified_at=None, password_hash=UNUSABLE_PASSWORD, is_active=False,
    )


async def erase_account_entries(user: User) -> list[str]:
    """Drafts and withdrawn entries go; submitted ones (results may name them) are scrubbed. Returns the keys
    of the files to delete once the transaction commits."""
    entries = await Entry.filter(owner_id=user.id).values_list("id", "state")
    kept = [entry_id for entry_id, state in entries if state in KEPT_STATES]
    gone = [entry_id for entry_id, state in entries if state not in KEPT_STATES]
    keys = await delete_entries(gone)
    return keys + await scrub_entries(kept, awarded=await awarded_entry_ids(kept))

