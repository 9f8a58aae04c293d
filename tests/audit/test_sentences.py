"""Audit events read as sentences: the reader's language, times on the contest's clock, names for ids."""

from __future__ import annotations

import ast
from datetime import datetime
from functools import partial
from pathlib import Path

import pytest

from contest.audit.log import record
from contest.audit.sentences import KINDS, Sentence, action_name
from contest.console.audit_log import names_in
from contest.contests.models import AwardTier
from contest.i18n import translate
from contest.judging.models import ConflictSource
from contest.meeting import sessions as meeting_sessions
from contest.results.objections import DECIDED_STATES
from contest.web.infra.templating import format_moment
from tests.factories import NOW, make_contest, make_user

pytestmark = pytest.mark.unit


def sentence(locale: str, names=None) -> Sentence:
    return Sentence(locale, partial(format_moment, zone="Asia/Shanghai", style="short", locale=locale), names or {})


def test_an_award_tier_save_reads_as_a_sentence_in_each_language():
    data = {"track_id": None, "name": "特别创意奖", "name_en": "", "rank": 1, "quota": 2, "is_special": True}
    assert sentence("zh_CN")("award_tier.saved", "award_tier:66", data) == "保存了奖项等级「特别创意奖」（第 1 等，名额 2 个）。"
    assert sentence("en")("award_tier.saved", "award_tier:66", data) == \
        "Saved the award tier “特别创意奖” (rank 1, quota 2)."
    assert (action_name("award_tier.saved", "zh_CN"), action_name("award_tier.saved", "en")) == \
        ("保存奖项等级", "Award tier saved")


def test_changed_settings_are_named_and_their_times_are_on_the_contests_clock():
    data = {"changes": {"submissions_close_at": "2026-02-09T02:54:00+00:00", "is_published": True,
                        "rules_md": "长" * 200}}
    said = sentence("zh_CN")("contest.updated", "contest:1", data)
    assert said == f"修改了大赛设置：征集截止：2026年2月9日 10:54；已发布：赛事页面公开：是；赛事规则（Markdown）：{'长' * 79}…。"


def test_ids_read_as_names_and_a_deleted_object_as_its_id():
    names = {("user", 7): "吴教授", ("panel", 3): "「专家组」", ("round", 2): "「初评」"}
    data = {"panel": 3, "judge": 7, "group": None}
    assert sentence("zh_CN", names)("panel.member_added", "round:2", data) == "将吴教授加入轮次「初评」的评审组「专家组」。"
    assert sentence("zh_CN")("panel.member_added", "round:2", data) == "将#7加入轮次#2的评审组#3。"


def test_an_unknown_kind_and_a_missing_field_still_read_as_sentences():
    assert sentence("en")("entry.note", "entry:5", {"note": "看过"}) == "Recorded “entry.note”: note: 看过."
    assert sentence("en")("award_tier.saved", "award_tier:1", {"name": "一等奖"}) == \
        "Saved the award tier “一等奖” (rank —, quota —)."


@pytest.mark.parametrize("action", sorted(KINDS))
def test_every_kind_is_translated_and_renders_without_data(action):
    kind = KINDS[action]
    assert translate("zh_CN", kind.name) != kind.name and translate("zh_CN", kind.sentence) != kind.sentence
    for locale in ("zh_CN", "en"):
        assert sentence(locale)(action, "contest:1", {})


async def test_the_names_a_page_needs_come_from_one_query_per_kind(db):
    contest, judge = await make_contest(), await make_user(display_name="吴教授")
    tier = await AwardTier.create(contest=contest, name="一等奖", rank=1)
    events = [await record("award_tier.saved", subject=f"award_tier:{tier.id}", now=NOW, actor=judge,
                           contest_id=contest.id, data={"name": "一等奖"}),
              await record("panel.member_added", subject="round:999", now=NOW, contest_id=contest.id,
                           data={"judge": judge.id, "panel": 999})]
    assert await names_in(events) == {("award_tier", tier.id): "「一等奖」", ("user", judge.id): "吴教授"}


def test_times_in_sentences_use_the_formatter_given():
    said = Sentence("en", lambda moment: f"<{moment:%H:%M}>", {})("round.created", "round:1", {
        "name": "初评", "opens_at": "2026-03-01T01:00:00+00:00", "closes_at": datetime(2026, 3, 2).isoformat()})
    assert said == "Created the round “初评”, open to judges from <01:00> to <00:00>."


SOURCE = Path(__file__).resolve().parents[2] / "contest"
# The events whose kind is an f-string: its prefix and the values that fill it in.
FORMED = {"conflict.": [source.value for source in ConflictSource], "objection.": [status.value for status in DECIDED_STATES],
          "meeting.": list(meeting_sessions.CHANGES)}


def _kinds_in(node: ast.expr, module: ast.Module) -> list[str]:
    """The event kinds an expression given to record() can take (a name: the action= strings of its module)."""
    if isinstance(node, ast.Constant):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _kinds_in(node.body, module) + _kinds_in(node.orelse, module)
    if isinstance(node, ast.JoinedStr):
        prefix = node.values[0].value if isinstance(node.values[0], ast.Constant) else ""
        return [prefix + value for value in FORMED[prefix]]
    assert isinstance(node, ast.Name), ast.dump(node)
    return [k.value.value for call in ast.walk(module) if isinstance(call, ast.Call) for k in call.keywords
            if k.arg == node.id and isinstance(k.value, ast.Constant)]


def recorded_kinds() -> set[str]:
    kinds = set()
    for path in SOURCE.rglob("*.py"):
        module = ast.parse(path.read_text())
        for call in ast.walk(module):
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "record" and call.args:
                kinds.update(_kinds_in(call.args[0], module))
    return kinds


def test_every_kind_the_code_records_reads_as_its_own_sentence():
    kinds = recorded_kinds()
    assert {"notice.approved", "contest.copied", "conflict.detected", "objection.upheld"} <= kinds  # the walk works
    assert sorted(kinds - set(KINDS)) == []


def test_the_extras_an_event_carries_are_said_too():
    added = sentence("en")("criterion.added", "round:2", {"name": "Idea", "submissions_reopened": 3})
    assert added.endswith(" 3 submitted score sheets were reopened, to be submitted again with it.")
    moved = {"changes": {"is_published": True}, "entries_made_late": 2}
    assert sentence("en")("contest.updated", "contest:1", moved).endswith(
        " 2 entries had come in after the new deadline; this was confirmed.")
    invited = {"judge": 7, "panel": 3, "group_from_invitation": True}
    assert sentence("zh_CN")("panel.member_added", "round:2", invited).endswith("。评委类别沿用其受邀时的类别。")
    for quiet in ({**invited, "group_from_invitation": False}, {"name": "Idea", "submissions_reopened": 0}):
        assert sentence("en")("panel.member_added", "round:2", quiet).endswith("round #2.")
