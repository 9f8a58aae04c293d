"""The organisers' AI check: submitted entries whose files say AI (C2PA, IPTC, GB 45438, a generator's name)
where the declaration or the track's policy says otherwise. A signal is a hint for a person, never a verdict."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contest.contests.models import Contest, Track
from contest.entries.disclosure import Disclosure, mismatch
from contest.entries.models import Entry, EntryFile, EntryImage
from contest.entries.states import EntryState
from contest.media.provenance import IPTC_SOURCE_TYPES, Provenance


@dataclass(frozen=True)
class FileSignal:
    """What one file's provenance says, as organisers read it; empty strings where it says nothing."""

    signal: str | None  # "generated" | "assisted" | None
    c2pa_generator: str  # the C2PA manifest's claim generator
    source_type: str  # the IPTC digital source type's code, e.g. trainedAlgorithmicMedia
    aigc_label: str  # the GB 45438 Label field: 1 generated, 2 possibly, 3 suspected
    generator: str  # a known generator named in a software tag

    @property
    def c2pa(self) -> bool:
        return bool(self.c2pa_generator)


def file_signal(stored: Mapping[str, Any]) -> FileSignal:
    provenance = Provenance(**stored)
    c2pa = provenance.c2pa or {}
    source_types = [*c2pa.get("digital_source_types", []), provenance.digital_source_type or ""]
    source_type = next((uri for uri in source_types if uri), "")
    return FileSignal(provenance.signal, str(c2pa.get("claim_generator") or ("C2PA" if c2pa else "")),
                      source_type.removeprefix(IPTC_SOURCE_TYPES),
                      str((provenance.aigc_label or {}).get("Label", "")), provenance.generator or "")


@dataclass(frozen=True)
class SignalledFile:
    name: str  # the designer's file name, or the storage key when there was none
    kind: str  # "image" or a SlotKind of EntryFile
    signal: FileSignal
    provenance: dict[str, Any]  # as stored


@dataclass(frozen=True)
class AiFlag:
    entry: Entry
    track: Track
    declared: Disclosure
    reason: str  # msgid from disclosure.mismatch
    files: list[SignalledFile]  # only the files that carry a signal


async def ai_flags(contest: Contest) -> list[AiFlag]:
    """The contest's submitted entries whose files' signals disagree with the declaration or the policy, by number.
    One query per table."""
    entries = await Entry.filter(contest_id=contest.id, state=EntryState.SUBMITTED).order_by("number", "id")
    tracks = {track.id: track for track in await Track.filter(contest_id=contest.id)}
    signalled = await _signalled_files(contest)
    flags = []
    for entry in entries:
        files = signalled.get(entry.id, [])
        declared = Disclosure.of(entry.ai_disclosure)
        policy = tracks[entry.track_id].ai_policy
        reason = mismatch(policy, declared, [file.provenance for file in files])
        if reason is not None:
            flags.append(AiFlag(entry, tracks[entry.track_id], declared, reason, files))
    return flags


async def _signalled_files(contest: Contest) -> dict[int, list[SignalledFile]]:
    """Per submitted entry, its uploaded images and files whose provenance carries a signal. Rendered PDF pages are left out:
    the pages' signals are the PDF's, read once from the file."""
    found: dict[int, list[SignalledFile]] = defaultdict(list)
    submitted = {"entry__contest_id": contest.id, "entry__state": EntryState.SUBMITTED}
    images = await EntryImage.filter(**submitted, source_file_id=None).order_by("position", "id").values(
        "entry_id", "key", "original_name", "provenance")
    files = await EntryFile.filter(**submitted).order_by("position", "id").values(
        "entry_id", "key", "original_name", "kind", "provenance")
    for row in [*({**image, "kind": "image"} for image in images), *files]:
        provenance = row["provenance"] or {}
        signal = file_signal(provenance)
        if signal.signal is not None:
            found[row["entry_id"]].append(
                SignalledFile(row["original_name"] or row["key"], row["kind"], signal, provenance))
    return found
