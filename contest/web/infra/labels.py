"""How the pages of every audience name the domain's kinds and states: one translatable label each."""

from __future__ import annotations

from contest.accounts.models import ContestRoleKind, EntrantCategory, EntrantKind
from contest.entries.minors import Naming
from contest.i18n import N_

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
