from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

import pytest

from contest.audit.chain import canonical_json, json_ready
from contest.audit.models import AuditEvent
from contest.judging.aggregation import FORMULA_VERSION
from contest.judging.locking import lock_round
from contest.judging.models import (
    Assignment,
    Criterion,
    JudgeGroup,
    Panel,
    PanelMember,
    Round,
    RoundEntry,
    Score,
)
from contest.judging.scoring import save_score
from contest.results import bundle
from contest.results.bundle import (
    RoundNotLocked,
    build_bundle,
    verify_against_database,
    verify_bundle,
)
from contest.results.standings import round_results
from tests.audit.helpers import rewrite_from
from tests.commands import run_cli
from tests.factories import NOW, make_contest, make_track, make_user
from tests.judging.helpers import make_judge, make_round, submitted_entry

pytestmark = pytest.mark.unit

DIGEST_PROBLEM = "the digest does not match the bundle's contents"


@dataclass
class Scene:
    round_: Round
    a: object
    b: object
    j1: object
    j2: object
    group: JudgeGroup
    creativity: Criterion
    craft: Criterion


async def scene(*, lock: bool = True) -> Scene:
    """Two entries, two judges of one group, two criteria 0..10; every score saved by the judges (audited)."""
    contest = await make_contest(slug="wenchuang-2026", title="文创设计大赛")
    track = await make_track(contest)
    round_ = await make_round(contest, name="初评", method="trimmed_mean")
    creativity = await Criterion.create(round=round_, name="创意", weight=2, position=1)
    craft = await Criterion.create(round=round_, name="工艺", weight=1, position=2)
    group = await JudgeGroup.create(contest=contest, name="专家", weight=0.7)
    j1, j2 = await make_judge(), await make_judge()
    panel = await Panel.create(round=round_, name="评审组")
    for judge in (j1, j2):
        await PanelMember.create(panel=panel, judge=judge, group=group)
    a = await submitted_entry(contest, track, number="WC-001")
    b = await submitted_entry(contest, track, number="WC-002")
    sheets = {(a, j1): ("8", "6"), (a, j2): ("7", "7"), (b, j1): ("5", "5"), (b, j2): ("9", "8.5")}
    for entry, alias in ((a, "AAA-AAA"), (b, "BBB-BBB")):
        await RoundEntry.create(round=round_, entry=entry, alias=alias)
    for (entry, judge), values in sheets.items():
        assignment = await Assignment.create(round=round_, entry=entry, judge=judge, panel=panel)
        for criterion, value in zip((creativity, craft), values, strict=True):
            await save_score(assignment, criterion=criterion, value=value, now=NOW, by=judge)
    if lock:
        await lock_round(round_, by=await make_user(), now=NOW)
    return Scene(round_, a, b, j1, j2, group, creativity, craft)


def resealed(data):
    return {**data, "digest": bundle.digest(data)}


async def test_a_bundle_holds_inputs_formula_outputs_and_chain_head_under_a_digest(db):
    s = await scene()
    head = await AuditEvent.filter(action="round.locked").get()
    data = await build_bundle(s.round_, now=NOW)
    assert {k: v for k, v in data.items() if k not in {"inputs", "outputs", "digest"}} == {
        "format": "wcs-results-bundle/1",
        "contest": {"slug": "wenchuang-2026", "name": "文创设计大赛"},
        "round": {"id": s.round_.id, "kind": "preliminary", "name": "初评", "method": "trimmed_mean",
                  "locked_at": "2026-06-01T12:00:00.000000Z",
                  "switches": {"judges_may_score": True, "designers_may_edit": False, "judges_see_identity": False,
                               "judges_see_others_scores": "never", "judges_see_only_assigned": True}},
        "formula_version": FORMULA_VERSION,
        "audit_head": {"seq": head.seq, "hash": head.hash},
        "generated_at": "2026-06-01T12:00:00.000000Z",
    }
    a, b, j1, j2 = s.a.id, s.b.id, s.j1.id, s.j2.id
    c1, c2 = s.creativity.id, s.craft.id
    assert data["inputs"] == {
        "entries": [{"id": a, "alias": "AAA-AAA", "number": "WC-001", "track_id": s.a.track_id},
                    {"id": b, "alias": "BBB-BBB", "number": "WC-002", "track_id": s.b.track_id}],
        "criteria": [{"id": c1, "name": "创意", "weight": 2.0, "scale_min": 0, "scale_max": 10},
                     {"id": c2, "name": "工艺", "weight": 1.0, "scale_min": 0, "scale_max": 10}],
        "groups": [{"id": s.group.id, "name": "专家", "weight": 0.7}],
        "judges": [{"id": j1, "group_id": s.group.id}, {"id": j2, "group_id": s.group.id}],
        "assignments": [[a, j1], [a, j2], [b, j1], [b, j2]],
        "scores": [{"entry_id": e, "judge_id": j, "criterion_id": c, "value": v} for e, j, c, v in [
            (a, j1, c1, "8.00"), (a, j1, c2, "6.00"), (a, j2, c1, "7.00"), (a, j2, c2, "7.00"),
            (b, j1, c1, "5.00"), (b, j1, c2, "5.00"), (b, j2, c1, "9.00"), (b, j2, c2, "8.50")]],
        "vote": None,
    }
    assert data["outputs"] == json_ready([r.explain() for r in await round_results(s.round_)])
    body = {k: v for k, v in data.items() if k != "digest"}
    assert data["digest"] == hashlib.sha256(canonical_json(body)).hexdigest()


async def test_exporting_is_audited_with_the_digest_after_the_recorded_head(db):
    s = await scene()
    data = await build_bundle(s.round_, now=NOW)
    last = await AuditEvent.all().order_by("-seq").first()
    assert (last.seq, last.action, last.subject, last.data) == (
        data["audit_head"]["seq"] + 1, "round.bundle_exported", f"round:{s.round_.id}", {"digest": data["digest"]})


async def test_an_unlocked_round_has_no_bundle(db):
    s = await scene(lock=False)
    events = await AuditEvent.all().count()
    with pytest.raises(RoundNotLocked) as caught:
        await build_bundle(s.round_, now=NOW)
    assert (caught.value.status_code, caught.value.message) == (409, "Lock the round before exporting its results.")
    assert await AuditEvent.all().count() == events


async def test_an_exported_bundle_verifies_clean_offline_and_against_the_database(db):
    s = await scene()
    data = json.loads(bundle.dumps(await build_bundle(s.round_, now=NOW)))
    assert verify_bundle(data) == []
    assert await verify_against_database(data) == []


async def test_a_changed_score_value_is_reported_even_under_a_fresh_digest(db):
    s = await scene()
    data = await build_bundle(s.round_, now=NOW)
    tampered = copy.deepcopy(data)
    tampered["inputs"]["scores"][0]["value"] = "10.00"
    moved = [f"entry {s.a.id}: the output differs from the recomputed one"]
    assert verify_bundle(tampered) == [DIGEST_PROBLEM, *moved]
    assert verify_bundle(resealed(tampered)) == moved


async def test_a_removed_score_is_reported(db):
    s = await scene()
    data = await build_bundle(s.round_, now=NOW)
    tampered = copy.deepcopy(data)
    del tampered["inputs"]["scores"][-1]
    # judge 2 is left with one complete sheet, so their z-score on entry A becomes 0 as well
    assert verify_bundle(resealed(tampered)) == [f"entry {s.a.id}: the output differs from the recomputed one",
                                                 f"entry {s.b.id}: the output differs from the recomputed one"]


async def test_a_changed_output_is_reported(db):
    s = await scene()
    tampered = copy.deepcopy(await build_bundle(s.round_, now=NOW))
    tampered["outputs"][1]["figure"] += 0.5
    changed = tampered["outputs"][1]["entry_id"]
    assert verify_bundle(tampered) == [DIGEST_PROBLEM, f"entry {changed}: the output differs from the recomputed one"]


async def test_a_dropped_output_is_reported(db):
    s = await scene()
    tampered = copy.deepcopy(await build_bundle(s.round_, now=NOW))
    dropped = tampered["outputs"].pop()["entry_id"]
    assert verify_bundle(resealed(tampered)) == [f"entry {dropped}: no output, though the inputs have the entry"]


async def test_a_changed_digest_is_reported(db):
    s = await scene()
    data = await build_bundle(s.round_, now=NOW)
    assert verify_bundle({**data, "digest": "0" * 64}) == [DIGEST_PROBLEM]


async def test_unknown_format_or_formula_versions_are_reported(db):
    s = await scene()
    data = await build_bundle(s.round_, now=NOW)
    assert verify_bundle({**data, "format": "other/9"}) == ["unknown bundle format: 'other/9'"]
    assert verify_bundle(resealed({**data, "formula_version": "wcs-aggregation/0"})) == [
        "unknown formula version 'wcs-aggregation/0': the outputs cannot be recomputed"]


async def test_unreadable_inputs_are_reported(db):
    s = await scene()
    tampered = copy.deepcopy(await build_bundle(s.round_, now=NOW))
    tampered["inputs"]["scores"][0]["value"] = 8
    assert verify_bundle(resealed(tampered)) == [
        "the outputs cannot be recomputed from the inputs: TypeError('a score value is not a decimal string: 8')"]


async def test_the_database_check_notices_a_score_changed_after_export(db):
    s = await scene()
    data = await build_bundle(s.round_, now=NOW)
    await Score.filter(assignment__entry_id=s.b.id, assignment__judge_id=s.j2.id, criterion_id=s.craft.id).update(
        value=Decimal(3))
    assert verify_bundle(data) == []
    assert await verify_against_database(data) == [(
        f"the score of judge {s.j2.id} for entry {s.b.id} on criterion {s.craft.id} is 3.00 in the database, "
        "8.50 in the bundle")]


async def test_the_database_check_notices_a_deleted_score_and_a_changed_round(db):
    s = await scene()
    data = await build_bundle(s.round_, now=NOW)
    await Score.filter(assignment__entry_id=s.a.id, assignment__judge_id=s.j1.id, criterion_id=s.craft.id).delete()
    await Criterion.filter(id=s.craft.id).update(weight=3)
    assert await verify_against_database(data) == [
        f"the score of judge {s.j1.id} for entry {s.a.id} on criterion {s.craft.id} is no longer in the database",
        "the database no longer matches the bundle in the round's criteria"]


async def test_the_database_check_notices_a_tampered_audit_event(db):
    s = await scene()
    data = await build_bundle(s.round_, now=NOW)
    await AuditEvent.filter(seq=2).update(data={"criterion": s.craft.id, "value": "10.00"})
    assert await verify_against_database(data) == ["the audit chain is broken at event 2: hash_mismatch"]


async def test_the_database_check_notices_a_missing_or_rewritten_head_event(db):
    s = await scene()
    data = await build_bundle(s.round_, now=NOW)
    head = data["audit_head"]["seq"]
    assert await verify_against_database(resealed({**data, "audit_head": {"seq": head, "hash": "f" * 64}})) == [
        f"audit event {head} does not carry the bundle's chain head hash"]
    await AuditEvent.filter(seq__gte=head).delete()
    assert await verify_against_database(data) == [f"the audit log has no event {head}, the bundle's chain head"]


async def test_the_cli_exports_and_verifies_a_bundle(db, tmp_path):
    s = await scene()
    env = {"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": db}
    path = tmp_path / "bundle.json"
    exported = run_cli("bundle", str(s.round_.id), "-o", str(path), env=env)
    assert (exported.returncode, exported.stdout) == (0, f"Results bundle of round {s.round_.id} written to {path}\n")
    assert await AuditEvent.filter(action="round.bundle_exported").count() == 1
    verified = run_cli("verify-bundle", str(path), env=env)
    assert (verified.returncode, verified.stdout) == (0, "OK\n"), verified.stderr
    await Score.filter(assignment__entry_id=s.a.id, assignment__judge_id=s.j1.id, criterion_id=s.creativity.id).update(
        value=Decimal(1))
    changed = run_cli("verify-bundle", str(path), env=env)
    assert (changed.returncode, changed.stdout) == (1, (
        f"the score of judge {s.j1.id} for entry {s.a.id} on criterion {s.creativity.id} is 1.00 in the database, "
        "8.00 in the bundle\n"))
    offline = run_cli("verify-bundle", "--offline", str(path), env={})
    assert (offline.returncode, offline.stdout) == (0, "OK\n")
    path.write_text(path.read_text(encoding="utf-8").replace('"value":"8.00"', '"value":"9.00"'), encoding="utf-8")
    tampered = run_cli("verify-bundle", "--offline", str(path), env={})
    assert (tampered.returncode, tampered.stdout.splitlines()[0]) == (1, DIGEST_PROBLEM)


async def test_the_cli_refuses_to_export_an_unlocked_or_unknown_round(db, tmp_path):
    s = await scene(lock=False)
    env = {"CONTEST_DATA_DIR": str(tmp_path), "CONTEST_DATABASE_URL": db}
    refused = run_cli("bundle", str(s.round_.id), "-o", str(tmp_path / "b.json"), env=env)
    assert (refused.returncode, refused.stderr) == (2, "contest: Lock the round before exporting its results.\n")
    unknown = run_cli("bundle", str(s.round_.id + 100), env=env)
    assert (unknown.returncode, unknown.stderr) == (2, f"contest: There is no round {s.round_.id + 100}.\n")
    assert not (tmp_path / "b.json").exists()


async def test_the_database_check_notices_an_event_moved_to_another_actor_or_contest(db):
    s = await scene()
    data = await build_bundle(s.round_, now=NOW)
    await AuditEvent.filter(seq=2).update(contest_id=(await make_contest()).id)
    assert await verify_against_database(data) == ["the audit chain is broken at event 2: hash_mismatch"]


async def test_the_database_check_notices_an_earlier_event_rewritten_with_fresh_hashes(db):
    s = await scene()
    data = await build_bundle(s.round_, now=NOW)
    await rewrite_from(2, data={"criterion": s.craft.id, "value": "10.00"})
    head = data["audit_head"]["seq"]
    assert await verify_against_database(data) == [f"audit event {head} does not carry the bundle's chain head hash"]
