from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contest.notifications.templates import (
    INVITATION,
    KINDS,
    PLACEHOLDERS,
    SAMPLES,
    Bilingual,
    Moment,
    Wording,
    WordingInvalid,
    check_wording,
    render,
)

pytestmark = pytest.mark.unit


def errors_of(kind: str, wording: Wording) -> dict[str, tuple[str, dict]]:
    with pytest.raises(WordingInvalid) as caught:
        check_wording(kind, wording)
    return {name: (message, caught.value.field_params[name]) for name, message in caught.value.field_errors.items()}


def test_every_default_wording_passes_its_own_check():
    for kind, message_kind in KINDS.items():
        check_wording(kind, message_kind.default)


INVITATION_VALUES = {
    "contest": Bilingual("百年工运文创大赛", "Labour Centenary Design Contest"), "role": Bilingual("评委", "judge"),
    "group": Bilingual("", ""), "expires": Moment(datetime(2026, 6, 4, 12, 0, tzinfo=UTC), "Asia/Shanghai"),
    "link": "https://x.test/i/abc"}


def test_a_chinese_reader_gets_subject_and_text_in_chinese_only():
    subject, body = render(INVITATION, INVITATION_VALUES, "zh_CN")
    assert subject == "【百年工运文创大赛】评委邀请"
    assert body.startswith("您好：\n\n百年工运文创大赛 组委会邀请您担任评委。\n请在 2026年6月4日 20:00（北京时间） 前打开")
    assert "Invitation" not in body and body.count("https://x.test/i/abc") == 1


def test_an_english_reader_gets_subject_and_text_in_english_only():
    subject, body = render(INVITATION, INVITATION_VALUES, "en")
    assert subject == "Invitation to be a judge: Labour Centenary Design Contest"
    assert body.startswith("Hello,\n\nThe organising committee of Labour Centenary Design Contest invites you to be a "
                           "judge.\nOpen this link before June 4, 2026, 20:00 (Beijing time) to accept.")
    assert "邀请" not in body and body.endswith("ignore this message.\n")


def test_an_english_reader_gets_chinese_when_the_wording_has_no_english():
    wording = Wording("【{contest}】通知", "{role}", "Notice", "")
    assert render(wording, INVITATION_VALUES, "en") == ("【百年工运文创大赛】通知", "评委\n")


def test_without_english_text_the_message_is_chinese_only():
    subject, body = render(Wording("【{contest}】通知", "{name}，您好。{{不是占位符}}"), {"contest": "大赛", "name": "王"})
    assert (subject, body) == ("【大赛】通知", "王，您好。{不是占位符}\n")


def test_a_value_cannot_break_the_subject_into_two_header_lines():
    subject, _ = render(Wording("{contest}", "x"), {"contest": "a\r\nBcc: evil@example.org"})
    assert subject == "a Bcc: evil@example.org"


def test_unknown_placeholders_and_attribute_access_are_refused_by_field():
    wording = Wording("【{contest}】{entry_number}", "{name.__class__}", "{round}", "{name!r}")
    assert errors_of("receipt", wording) == {
        "body_zh": ("This message has no placeholder “{placeholder}”.", {"placeholder": "{name.__class__}"}),
        "subject_en": ("This message has no placeholder “{placeholder}”.", {"placeholder": "{round}"}),
        "body_en": ("This message has no placeholder “{placeholder}”.", {"placeholder": "{name!r}"}),
    }


def test_required_chinese_one_line_subject_and_closed_braces():
    assert errors_of("reminder", Wording("", "{left", "a\nb", "")) == {
        "subject_zh": ("Enter a subject.", {}),
        "body_zh": ("A brace is not closed: write a placeholder as {name} and a brace itself as {{ or }}.", {}),
        "subject_en": ("A subject is one line.", {}),
    }


def test_every_placeholder_has_a_sample_for_the_preview():
    assert set(SAMPLES) == set(PLACEHOLDERS) == {name for kind in KINDS.values() for name in kind.placeholders}
