"""The entrant's disclosure of AI use, as a track's policy asks for it (the 标识办法 measures, GB 45438-2025).

A track either bans AI-generated work (nothing is asked: the originality declaration covers it), allows it with
a disclosure, or is an AIGC track (AI is the medium, and the disclosure says how). The disclosure is part of the
entry and is kept with every declaration, so what was disclosed under which terms stays on record.

The label the public sees is the stronger of what was declared and what the files say about themselves
(provenance read from each original before its metadata was stripped).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from contest.contests.models import AiPolicy
from contest.i18n import N_
from contest.media.provenance import Provenance

TEXT_LIMITS = {"tools": 300, "parts": 1000, "process": 5000}


class AiExtent(StrEnum):
    NONE = "none"
    ASSISTED = "assisted"  # AI辅助: AI helped with parts of the work
    GENERATED = "generated"  # AI生成: the work is essentially generated


@dataclass(frozen=True)
class Disclosure:
    extent: str = ""  # AiExtent, "" = not answered
    tools: str = ""  # which tools and versions
    parts: str = ""  # for which parts of the work
    process: str = ""  # prompts, or how the drafts were developed

    def as_json(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def of(cls, stored: Mapping[str, Any]) -> Disclosure:
        return cls(**{name: str(stored.get(name, "")) for name in ("extent", "tools", "parts", "process")})

    @property
    def used(self) -> bool:
        return self.extent in (AiExtent.ASSISTED, AiExtent.GENERATED)


def disclosure_problems(policy: str, disclosure: Disclosure) -> list[str]:
    """What the track's policy still asks of the disclosure, as msgids (empty when it is complete)."""
    if policy == AiPolicy.BANNED:
        return [N_("This track does not accept AI-generated work.")] if disclosure.used else []
    if policy == AiPolicy.AIGC and not disclosure.used:
        return [N_("Say how AI was used: this is an AIGC track.")]
    if disclosure.extent not in set(AiExtent):
        return [N_("Say whether AI tools were used for the work.")]
    if disclosure.used and not (disclosure.tools.strip() and disclosure.parts.strip()):
        return [N_("Name the AI tools used and the parts of the work they were used for.")]
    return []


def ai_label(declared: Disclosure, signals: Iterable[Mapping[str, Any]]) -> str | None:
    """"generated", "assisted" or None: the stronger of the declaration and the files' own signals."""
    found = {declared.extent} | {Provenance(**stored).signal for stored in signals if stored}
    return next((extent.value for extent in (AiExtent.GENERATED, AiExtent.ASSISTED) if extent in found), None)


def mismatch(policy: str, declared: Disclosure, signals: Iterable[Mapping[str, Any]]) -> str | None:
    """Why an entry's files disagree with its declaration or its track's policy (a msgid), or None."""
    detected = {Provenance(**stored).signal for stored in signals if stored} - {None}
    if not detected:
        return None
    if policy == AiPolicy.BANNED:
        return N_("AI signals in a track that does not accept AI-generated work")
    if not declared.used:
        return N_("AI signals in the files, but no AI use declared")
    return None
