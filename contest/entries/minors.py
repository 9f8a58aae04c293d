"""Entrants under 14, as school groups enter (PIPL art. 31): only where the contest accepts them, and submitted
only with a guardian's name, contact, relationship and consent. The guardian also chooses how the minor is
named in public (gallery, certificate), and the entry's public name is made by that choice."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from contest.accounts.phones import normalise_phone
from contest.accounts.service import EMAIL_PATTERN
from contest.errors import InvalidInput
from contest.i18n import N_

if TYPE_CHECKING:
    from contest.entries.models import Entry

NOT_ACCEPTED = N_("This contest does not accept entrants under 14, so this entry cannot be made for them. Please "
                  "ask the organisers which contests school groups can enter.")
GUARDIAN_MISSING = N_("Fill in the guardian's name, contact and relationship, and how the minor is named in public.")
CONSENT_MISSING = N_("The guardian must consent to the processing of the minor's personal information before the "
                     "entry can be submitted.")
NAME_MISSING = N_("Fill in the name shown in the gallery: the name the guardian chose is made from it.")
SCHOOL_MISSING = N_("Fill in the school: the guardian chose to show the school's name in public.")
BAD_CONTACT = N_("Enter the guardian's mobile number (11 digits starting with 1) or e-mail address.")
LIMITS = {"guardian_name": 100, "guardian_contact": 254, "guardian_relation": 50}
# two-character surnames, so 欧阳明 is named 欧阳同学 and not 欧同学
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文",
                     "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "申屠", "太史", "澹台")


class Naming(StrEnum):
    FULL = "full"  # the name as typed
    SURNAME = "surname"  # 张同学
    SCHOOL = "school"  # the school's name only


@dataclass(frozen=True)
class Guardian:
    """What the entry form says about a minor and their guardian."""

    minor: bool = False
    name: str = ""
    contact: str = ""
    relation: str = ""
    naming: str = ""
    consent: bool = False


def input_problems(guardian: Guardian, *, accepts_minors: bool) -> dict[str, str]:
    """Field errors at every save: a draft may leave things out, but not say what cannot be."""
    if not guardian.minor:
        return {}
    if not accepts_minors:
        return {"has_minor": NOT_ACCEPTED}
    errors = {name: N_("Too long for this field.") for name, limit in LIMITS.items()
              if len(getattr(guardian, name.removeprefix("guardian_"))) > limit}
    if guardian.contact and contact_of(guardian.contact) is None:
        errors["guardian_contact"] = BAD_CONTACT
    if guardian.naming and guardian.naming not in set(Naming):
        errors["minor_naming"] = N_("Choose one of the options.")
    return errors


def contact_of(raw: str) -> str | None:
    """The guardian's contact as kept: a mainland mobile number's 11 digits or an e-mail address; None for
    anything else."""
    if "@" in raw:
        return raw.strip() if EMAIL_PATTERN.match(raw.strip()) and len(raw) <= 254 else None
    try:
        return normalise_phone(raw)
    except InvalidInput:
        return None


def submission_problems(entry: Entry) -> list[str]:
    """What stops a minor's entry from being submitted, as msgids. Reads the entry's prefetched contest."""
    if not entry.has_minor:
        return []
    if not entry.contest.accepts_minors:
        return [NOT_ACCEPTED]
    problems = []
    if not (entry.guardian_name and entry.guardian_contact and entry.guardian_relation and entry.minor_naming):
        problems.append(GUARDIAN_MISSING)
    if entry.minor_naming == Naming.SCHOOL and not entry.school.strip():
        problems.append(SCHOOL_MISSING)
    if entry.minor_naming in (Naming.FULL, Naming.SURNAME) and not entry.typed_name.strip():
        problems.append(NAME_MISSING)
    if entry.guardian_consented_at is None:
        problems.append(CONSENT_MISSING)
    return problems


def public_name(naming: str, typed: str, school: str) -> str:
    """Pure: the name shown in public for the guardian's choice; the name as typed until one is made."""
    if naming == Naming.SURNAME and typed.strip():
        return f"{surname(typed.strip())}同学"
    if naming == Naming.SCHOOL and school.strip():
        return school.strip()
    return typed


def surname(name: str) -> str:
    """Pure: the family name of a Chinese name (its first character, or two for a compound surname), or the
    last word of a name written in Latin letters."""
    if re.fullmatch(r"[A-Za-z .'\-]+", name):
        return name.split()[-1]
    return name[:2] if name.startswith(COMPOUND_SURNAMES) else name[:1]


def apply(entry: Entry, guardian: Guardian, *, typed_name: str, now: datetime) -> bool:
    """Set the entry's minor facts and public name from the form; the consent keeps its first time while it
    stays given. Nothing is kept about a guardian when the entrant is not a minor. Returns whether consent was
    given now."""
    entry.has_minor, entry.typed_name = guardian.minor, typed_name
    minor = guardian if guardian.minor else Guardian()
    entry.guardian_name, entry.guardian_relation = minor.name, minor.relation
    entry.guardian_contact = contact_of(minor.contact) or minor.contact
    entry.minor_naming = minor.naming
    entry.public_name = public_name(minor.naming, typed_name, entry.school) if minor.minor else typed_name
    newly = minor.consent and entry.guardian_consented_at is None
    entry.guardian_consented_at = (entry.guardian_consented_at or now) if minor.consent else None
    return newly


def full_names_shown(entry: Entry) -> bool:
    """Whether the entry's people may be named in full (a certificate's team members): not when the guardian of a
    minor chose otherwise."""
    return not entry.has_minor or entry.minor_naming == Naming.FULL


def declared_facts(entry: Entry) -> dict[str, Any]:
    """What a declaration keeps about the guardian: {} when the entrant is not a minor."""
    if not entry.has_minor:
        return {}
    consented = entry.guardian_consented_at
    return {"name": entry.guardian_name, "contact": entry.guardian_contact, "relation": entry.guardian_relation,
            "naming": entry.minor_naming, "public_name": entry.public_name,
            "consented_at": consented.isoformat() if consented else None}
