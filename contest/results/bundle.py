"""The results bundle of a locked round, and its verification.

A bundle holds the round's aggregation inputs, the formula version, the explained outputs and the
audit chain head at export, sealed by a sha256 digest over the canonical JSON of all of it. Anyone
can recompute the outputs from the inputs offline; with the database at hand, one can also check
that the audit chain still passes through the recorded head (and holds after it) and that the
stored scores are unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from contest.accounts.models import User
from contest.audit import chain
from contest.audit import queries as audit_queries
from contest.audit.log import record
from contest.contests.models import Contest
from contest.errors import Conflict
from contest.i18n import N_
from contest.judging import aggregation
from contest.judging.aggregation import FORMULA_VERSION
from contest.judging.models import Round
from contest.judging.standings import PopularVote, RoundInputs, compute
from contest.results.standings import round_inputs

FORMAT = "wcs-results-bundle/1"
SWITCHES = ("judges_may_score", "designers_may_edit", "judges_see_identity", "judges_see_others_scores",
            "judges_see_only_assigned")

ScoreKey = tuple[Any, Any, Any]
HEAD_PROBLEMS = {chain.HEAD_MISSING: "the audit log has no event {seq}, the bundle's chain head",
                 chain.HEAD_MISMATCH: "audit event {seq} does not carry the bundle's chain head hash"}


class RoundNotLocked(Conflict):
    message = N_("Lock the round before exporting its results.")


async def build_bundle(round_: Round, *, now: datetime, by: User | None = None) -> dict[str, Any]:
    """The round's sealed results bundle, as JSON-ready data. Refused (RoundNotLocked) for an unlocked round.

    Side effect: one audit event "round.bundle_exported" with the digest; it comes after the chain
    head the bundle records.
    """
    if round_.locked_at is None:
        raise RoundNotLocked()
    inputs = await round_inputs(round_)
    slug, title = (await Contest.filter(id=round_.contest_id).values_list("slug", "title"))[0]
    body = chain.json_ready({
        "format": FORMAT,
        "contest": {"slug": slug, "name": title},
        "round": _round_json(round_),
        "inputs": inputs_json(inputs),
        "formula_version": FORMULA_VERSION,
        "outputs": [result.explain() for result in compute(inputs, round_.method)],
        "audit_head": (await audit_queries.current_head()).as_json(),
        "generated_at": now,
    })
    bundle = {**body, "digest": digest(body)}
    await record("round.bundle_exported", subject=f"round:{round_.id}", now=now, actor=by,
                 contest_id=round_.contest_id, data={"digest": bundle["digest"]})
    return bundle


def dumps(bundle: Mapping[str, Any]) -> bytes:
    return chain.canonical_json(bundle)


def digest(bundle: Mapping[str, Any]) -> str:
    """sha256 hex of the canonical JSON of everything in the bundle but its digest."""
    return hashlib.sha256(chain.canonical_json({k: v for k, v in bundle.items() if k != "digest"})).hexdigest()


def _round_json(round_: Round) -> dict[str, Any]:
    return {"id": round_.id, "kind": round_.kind, "name": round_.name, "method": round_.method,
            "locked_at": round_.locked_at, "switches": {name: getattr(round_, name) for name in SWITCHES}}


# --- inputs as JSON and back ---------------------------------------------------------------------


def inputs_json(inputs: RoundInputs) -> dict[str, Any]:
    """The inputs as JSON-ready data: score values as exact decimal strings, judges by id only."""
    labels = inputs.labels
    vote = inputs.vote
    return {
        "entries": [{"id": e.id, "alias": labels.entries[e.id].alias, "number": labels.entries[e.id].number,
                     "track_id": e.track_id} for e in inputs.entries],
        "criteria": [{"id": c.id, "name": labels.criteria.get(c.id, ""), "weight": c.weight,
                      "scale_min": c.scale_min, "scale_max": c.scale_max} for c in inputs.criteria],
        "groups": [{"id": g.id, "name": labels.groups.get(g.id, ""), "weight": g.weight} for g in inputs.groups],
        "judges": [{"id": j.id, "group_id": j.group_id} for j in inputs.judges],
        "assignments": [[entry_id, judge_id] for entry_id, judge_id in inputs.assignments],
        "scores": [{"entry_id": s.entry_id, "judge_id": s.judge_id, "criterion_id": s.criterion_id,
                    "value": str(s.value)} for s in inputs.scores],
        "vote": None if vote is None else {
            "weight": vote.weight, "counts": [{"entry_id": e, "votes": n} for e, n in sorted(vote.counts.items())]},
    }


def inputs_from_json(data: Mapping[str, Any]) -> RoundInputs:
    """The aggregation inputs of a bundle (without labels). Raises KeyError, TypeError or ValueError when malformed."""
    vote = data["vote"]
    return RoundInputs(
        entries=tuple(aggregation.Entry(e["id"], e["track_id"]) for e in data["entries"]),
        criteria=tuple(aggregation.Criterion(c["id"], c["weight"], c["scale_min"], c["scale_max"])
                       for c in data["criteria"]),
        scores=tuple(aggregation.Score(s["entry_id"], s["judge_id"], s["criterion_id"], _decimal(s["value"]))
                     for s in data["scores"]),
        judges=tuple(aggregation.Judge(j["id"], j["group_id"]) for j in data["judges"]),
        groups=tuple(aggregation.JudgeGroup(g["id"], g["weight"]) for g in data["groups"]),
        assignments=tuple((entry_id, judge_id) for entry_id, judge_id in data["assignments"]),
        vote=None if vote is None else PopularVote({c["entry_id"]: c["votes"] for c in vote["counts"]}, vote["weight"]),
    )


def _decimal(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise TypeError(f"a score value is not a decimal string: {value!r}")
    return Decimal(value)


# --- verification --------------------------------------------------------------------------------


def verify_bundle(bundle: Mapping[str, Any]) -> list[str]:
    """Pure, offline: the problems found (empty when none). Checks the format, the digest, the formula
    version, and that recomputing the outputs from the inputs gives the outputs recorded."""
    if bundle.get("format") != FORMAT:
        return [f"unknown bundle format: {bundle.get('format')!r}"]
    problems = [] if bundle.get("digest") == digest(bundle) else ["the digest does not match the bundle's contents"]
    if bundle.get("formula_version") != FORMULA_VERSION:
        return [*problems, f"unknown formula version {bundle.get('formula_version')!r}: the outputs cannot be recomputed"]
    return problems + _output_problems(bundle)


def _output_problems(bundle: Mapping[str, Any]) -> list[str]:
    try:
        results = compute(inputs_from_json(bundle["inputs"]), bundle["round"]["method"])
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        return [f"the outputs cannot be recomputed from the inputs: {exc!r}"]
    return _output_differences(bundle.get("outputs"), chain.json_ready([r.explain() for r in results]))


def _output_differences(stored: Any, recomputed: list[dict[str, Any]]) -> list[str]:
    if stored == recomputed:
        return []
    if not isinstance(stored, list) or not all(isinstance(o, dict) and isinstance(o.get("entry_id"), int) for o in stored):
        return ["the outputs are not a list of results"]
    have = {o.get("entry_id"): o for o in stored}
    want = {o["entry_id"]: o for o in recomputed}
    problems = [f"entry {e}: the output differs from the recomputed one" for e in want if e in have and have[e] != want[e]]
    problems += [f"entry {e}: no output, though the inputs have the entry" for e in want if e not in have]
    problems += [f"entry {e}: an output for an entry not in the inputs" for e in have if e not in want]
    return problems or ["the outputs differ from the recomputed ones in order or number"]


async def verify_against_database(bundle: Mapping[str, Any]) -> list[str]:
    """The problems found against this database (empty when none): the audit chain must verify and pass
    through the bundle's chain head (that event must carry the head's hash), and the round's
    inputs (its scores above all) must still be those of the bundle. Reads only."""
    try:
        seq, head_hash = int(bundle["audit_head"]["seq"]), str(bundle["audit_head"]["hash"])
        round_id, inputs = int(bundle["round"]["id"]), bundle["inputs"]
    except (KeyError, TypeError, ValueError):
        return ["the bundle names no audit chain head or no round"]
    return [*await _chain_problems(seq, head_hash), *await _input_problems(round_id, inputs)]


async def _chain_problems(seq: int, head_hash: str) -> list[str]:
    status = await audit_queries.verify_whole_log(chain.Head(seq, head_hash))
    if status.ok:
        return []
    problem = HEAD_PROBLEMS.get(status.reason or "", "the audit chain is broken at event {seq}: {reason}")
    return [problem.format(seq=status.broken_seq, reason=status.reason)]


async def _input_problems(round_id: int, stored: Any) -> list[str]:
    round_ = await Round.get_or_none(id=round_id)
    if round_ is None:
        return [f"round {round_id} is not in the database"]
    if not isinstance(stored, dict):
        return ["the bundle has no inputs"]
    current = chain.json_ready(inputs_json(await round_inputs(round_)))
    problems = _score_problems(stored.get("scores"), current["scores"])
    return problems + [f"the database no longer matches the bundle in the round's {key}"
                       for key in current if key != "scores" and stored.get(key) != current[key]]


def _score_problems(stored: Any, current: list[dict[str, Any]]) -> list[str]:
    try:
        before = _keyed_scores(stored)
    except (KeyError, TypeError):
        return ["the bundle's scores cannot be read"]
    now = _keyed_scores(current)
    problems = [f"{_score_label(k)} is {now[k]} in the database, {v} in the bundle"
                for k, v in before.items() if k in now and now[k] != v]
    problems += [f"{_score_label(k)} is no longer in the database" for k in before if k not in now]
    return problems + [f"{_score_label(k)} is in the database but not in the bundle" for k in now if k not in before]


def _keyed_scores(rows: Any) -> dict[ScoreKey, Any]:
    return {(r["entry_id"], r["judge_id"], r["criterion_id"]): r["value"] for r in rows}


def _score_label(key: ScoreKey) -> str:
    entry_id, judge_id, criterion_id = key
    return f"the score of judge {judge_id} for entry {entry_id} on criterion {criterion_id}"
