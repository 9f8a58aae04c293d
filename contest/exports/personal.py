"""Everything held about one person, for them to take away (PIPL arts. 45 and 47): ``data.json`` and the
files they uploaded, as one streamed ZIP.

It reads across accounts, entries, results and the audit log, so it sits in exports, above all of them. It
holds the person's own data only: never a password hash, a session key, a code's hash, a certificate's check
token or a storage key, and of what others did to their entries only the kind and the time (an organiser's or
a judge's identity is theirs, not the designer's). Objections and votes count as theirs when made under the
account's e-mail address.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any

from tortoise.expressions import Q

from contest.accounts import throttle
from contest.accounts.models import EntrantProfile, PrivacyConsent, Session, User
from contest.audit.log import record
from contest.audit.models import AuditEvent
from contest.entries.models import Declaration, Entry, EntryFile, EntryImage, TeamMember
from contest.exports.archive import FIXED_TIME, Member, member_name
from contest.media.storage import Storage, original_name
from contest.results.models import Award, Objection, Payout, Vote
from contest.results.sealing import Sealer
from contest.zipstream import ZipSink

FORMAT = 1  # data.json's "format", raised when its shape changes
_ENTRY_COLUMNS = ("id", "number", "state", "title", "concept", "answers", "entrant_kind", "entrant_category",
                  "public_name", "organisation", "school", "supervisor_name", "supervisor_email", "ai_disclosure",
                  "screening_reason", "created_at", "updated_at", "submitted_at", "withdrawn_at", "contest__title",
                  "track__name", "has_minor", "guardian_name", "guardian_contact", "guardian_relation",
                  "guardian_consented_at", "minor_naming", "typed_name")
_IMAGE_COLUMNS = ("id", "entry_id", "position", "key", "original_name", "original_format", "width", "height",
                  "size_bytes", "sha256", "created_at")
_FILE_COLUMNS = ("id", "entry_id", "position", "key", "kind", "original_name", "format", "size_bytes", "sha256",
                 "status", "created_at")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (datetime, date)) else str(value)


def _without(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name not in names}


async def _account(user: User) -> dict[str, Any]:
    profile = await EntrantProfile.get_or_none(user_id=user.id).values(
        "category", "kind", "organisation", "school", "supervisor_name", "supervisor_email")
    return {"email": user.email, "display_name": user.display_name, "phone": user.phone,
            "phone_verified_at": user.phone_verified_at, "locale": user.locale, "created_at": user.created_at,
            "last_login_at": user.last_login_at, "profile": profile}


async def _uploads(entry_ids: list[int]) -> list[tuple[dict[str, Any], str]]:
    """Each uploaded original's facts (as data.json shows them) with its stored name, by entry and position;
    a PDF's rendered pages are not uploads."""
    images = await EntryImage.filter(entry_id__in=entry_ids, source_file_id=None).values(*_IMAGE_COLUMNS)
    files = await EntryFile.filter(entry_id__in=entry_ids).values(*_FILE_COLUMNS)
    rows = [{**row, "format": row.pop("original_format"), "kind": "image"} for row in images] + files
    rows.sort(key=lambda row: (row["entry_id"], row["kind"] != "image", row["position"], row["id"]))
    return [(_without(row, "key", "id"), original_name(row["key"])) for row in rows]


def _with_paths(entry_numbers: dict[int, str], uploads: list[tuple[dict[str, Any], str]]) -> list[Member]:
    """Names the files under files/<entry>/ and writes each one's path into its facts."""
    members, counts = [], dict.fromkeys(entry_numbers, 0)
    for facts, stored in uploads:
        counts[facts["entry_id"]] += 1
        number = entry_numbers[facts["entry_id"]] or f"entry-{facts['entry_id']}"
        name = "files/" + member_name(number, counts[facts["entry_id"]], facts["original_name"], facts["format"],
                                      anonymised=False)
        facts["path"] = name
        members.append(Member(name, stored, facts["size_bytes"], facts["sha256"]))
    return members


async def _entries(user: User) -> tuple[list[dict[str, Any]], list[Member]]:
    entries = await Entry.filter(owner_id=user.id).order_by("id").values(*_ENTRY_COLUMNS)
    ids = [entry["id"] for entry in entries]
    uploads = await _uploads(ids)
    members = _with_paths({entry["id"]: entry["number"] or "" for entry in entries}, uploads)
    team = await TeamMember.filter(entry_id__in=ids).values("entry_id", "name", "role", "organisation")
    declarations = await Declaration.filter(entry_id__in=ids).order_by("accepted_at").values(
        "entry_id", "accepted_at", "originality__version", "ip_terms__version", "ai_disclosure", "file_hashes",
        "guardian")
    awards = await Award.filter(entry_id__in=ids).values("entry_id", "tier__name", "status", "certificate_number")
    for entry in entries:
        mine = entry["id"]
        entry["team"] = [_without(row, "entry_id") for row in team if row["entry_id"] == mine]
        entry["declarations"] = [_without(row, "entry_id") for row in declarations if row["entry_id"] == mine]
        entry["files"] = [_without(facts, "entry_id") for facts, _ in uploads if facts["entry_id"] == mine]
        entry["awards"] = [_without(row, "entry_id") for row in awards if row["entry_id"] == mine]
    return entries, members


async def _audit(user: User, entry_ids: list[int]) -> list[dict[str, Any]]:
    """What they did, in full; what was done to their account or entries by others, by kind and time only."""
    subjects = [f"user:{user.id}", *(f"entry:{entry_id}" for entry_id in entry_ids)]
    rows = await AuditEvent.filter(Q(actor_id=user.id) | Q(subject__in=subjects)).order_by("seq").values(
        "seq", "at", "actor_id", "action", "subject", "data")
    return [{"seq": row["seq"], "at": row["at"], "action": row["action"], "subject": row["subject"], "by_me": True,
             "data": row["data"]} if row["actor_id"] == user.id else
            {"seq": row["seq"], "at": row["at"], "action": row["action"], "subject": row["subject"], "by_me": False}
            for row in rows]


_PAYOUT_COLUMNS = ("award__entry__number", "award__tier__name", "state", "payee_kind", "payee_name", "id_type",
                   "id_number_sealed", "id_number_masked", "bank_name", "account_sealed", "account_masked",
                   "account_holder", "phone", "team_agreed", "consented_at", "submitted_at", "declined_at", "paid_on",
                   "paid_pre_tax_fen", "paid_tax_fen")


async def _payouts(entry_ids: list[int], sealer: Sealer | None) -> list[dict[str, Any]]:
    """The payees they gave for their prizes: the numbers in full, their own (masked only without a sealer)."""
    rows = await Payout.filter(award__entry_id__in=entry_ids).order_by("id").values(*_PAYOUT_COLUMNS)
    for row in rows:
        id_number, account = row.pop("id_number_sealed"), row.pop("account_sealed")
        if sealer is not None:
            row["id_number"], row["account"] = sealer.open(id_number), sealer.open(account)
    return rows


async def personal_data(user: User, *, sealer: Sealer | None = None) -> tuple[dict[str, Any], list[Member]]:
    """data.json's content for `user`, and their uploaded files as archive members; with `sealer`, the ID and
    account numbers of their payees in full."""
    entries, members = await _entries(user)
    email = user.email.strip()
    data = {
        "format": FORMAT,
        "account": await _account(user),
        "privacy_consents": await PrivacyConsent.filter(user_id=user.id).values(
            "notice__version", "kind", "accepted_at", "sensitive", "ip"),
        "sessions": await Session.filter(user_id=user.id).order_by("created_at").values(
            "created_at", "last_seen_at", "expires_at", "ip", "user_agent"),
        "entries": entries,
        "objections": await Objection.filter(objector_email__iexact=email).order_by("id").values(
            "contest__title", "entry__number", "objector_name", "objector_organisation", "objector_email",
            "objector_phone", "body", "status", "outcome", "created_at", "resolved_at"),
        "votes": await Vote.filter(voter__email__iexact=email).order_by("created_at").values(
            "voter__contest__title", "entry__number", "day", "ip", "created_at", "voided", "void_reason"),
        "payouts": await _payouts([entry["id"] for entry in entries], sealer),
        "audit_events": await _audit(user, [entry["id"] for entry in entries]),
    }
    return data, members


async def _zip(data: dict[str, Any], members: list[Member], store: Storage) -> AsyncIterator[bytes]:
    sink, missing = ZipSink(), []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        body = json.dumps(data, ensure_ascii=False, indent=2, default=_plain)
        archive.writestr(zipfile.ZipInfo("data.json", date_time=FIXED_TIME), body)
        yield sink.take()
        for member in members:
            if await store.size(member.stored) is None:
                missing.append(member.name)
                continue
            info = zipfile.ZipInfo(member.name, date_time=FIXED_TIME)
            info.file_size = member.size
            with archive.open(info, "w") as out:
                async for chunk in store.stream(member.stored):
                    out.write(chunk)
                    yield sink.take()
        if missing:
            archive.writestr(zipfile.ZipInfo("MISSING.txt", date_time=FIXED_TIME), "".join(f"{m}\n" for m in missing))
    yield sink.take()


async def personal_zip(user: User, store: Storage, *, now: datetime, sealer: Sealer | None = None
                       ) -> AsyncIterator[bytes]:
    """The person's data as a streamed ZIP, a few times an hour at most (TooManyAttempts). Audited
    (account.data_exported) before the first byte."""
    await throttle.attempt(throttle.data_export_limits(user.id), now=now)
    data, members = await personal_data(user, sealer=sealer)
    await record("account.data_exported", subject=f"user:{user.id}", now=now, actor=user,
                 data={"entries": len(data["entries"]), "files": len(members)})
    return _zip(data, members, store)
