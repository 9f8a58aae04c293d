"""How organiser pages name AI use: what was declared, what a file's provenance signals, a track's policy."""

from __future__ import annotations

from contest.entries.disclosure import AiExtent
from contest.i18n import N_
from contest.web.organiser.contests import AI_POLICIES

AI_EXTENTS = {"": N_("Not answered"), AiExtent.NONE: N_("No AI use declared"),
              AiExtent.ASSISTED: N_("AI-assisted"), AiExtent.GENERATED: N_("AI-generated")}
AI_SIGNALS = {"assisted": N_("AI-assisted"), "generated": N_("AI-generated")}


def ai_labels() -> dict[str, object]:
    """The template context naming AI use."""
    return {"ai_extents": AI_EXTENTS, "ai_signals": AI_SIGNALS, "ai_policies": AI_POLICIES}
