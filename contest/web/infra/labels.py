"""How the pages of every audience name the domain's kinds and states: one translatable label each."""

from __future__ import annotations

from contest.accounts.models import ContestRoleKind, EntrantCategory, EntrantKind
from contest.entries.minors import Naming
from contest.i18n import N_
from contest.results.models import PayeeKind
from contest.results.payees import IdType
from contest.results.payouts import PayoutStatus

CATEGORY_LABELS = {
    EntrantCategory.PROFESSIONAL: N_("Professional team (union, design agency, university)"),
    EntrantCategory.WORKER: N_("Worker"),
    EntrantCategory.STUDENT: N_("Student"),
    EntrantCategory.MASTER: N_("Master creator (craftsman, heritage bearer, chief technician)"),
}
KIND_LABELS = {
    EntrantKind.INDIVIDUAL: N_("Individual"),
    EntrantKind.TEAM: N_("Team"),
    EntrantKind.ORGANISATION: N_("Organisation"),
}
NAMING_LABELS = {
    Naming.FULL: N_("Full name"),
    Naming.SURNAME: N_("Surname and 同学 (e.g. 张同学)"),
    Naming.SCHOOL: N_("The school's name only"),
}
ROLE_LABELS = {ContestRoleKind.JUDGE: N_("Judge"), ContestRoleKind.ORGANISER: N_("Organiser")}
STATE_LABELS = {"draft": N_("Draft"), "submitted": N_("Submitted"), "withdrawn": N_("Withdrawn"),
                "returned": N_("Returned for a fix"), "disqualified": N_("Disqualified")}
PAYEE_KIND_LABELS = {
    PayeeKind.INDIVIDUAL: N_("Myself, as an individual"),
    PayeeKind.ORGANISATION: N_("An organisation (the entry's unit)"),
    PayeeKind.TEAM_PROXY: N_("A team member, for the team"),
}
ID_TYPE_LABELS = {
    IdType.RESIDENT_ID: N_("Resident ID card (居民身份证)"), IdType.PASSPORT: N_("Passport"),
    IdType.HK_MACAU: N_("Mainland Travel Permit for Hong Kong and Macao Residents"),
    IdType.TAIWAN: N_("Mainland Travel Permit for Taiwan Residents"), IdType.OTHER: N_("Other document"),
    IdType.USCC: N_("Unified social credit code (统一社会信用代码)"),
}
PAYOUT_STATUS_LABELS = {
    PayoutStatus.NOT_STARTED: N_("Not started"), PayoutStatus.SUBMITTED: N_("Details given"),
    PayoutStatus.DECLINED: N_("Declined"), PayoutStatus.EXPIRED: N_("Expired: counts as declined"),
    PayoutStatus.PAID: N_("Paid"),
}
