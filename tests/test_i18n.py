from __future__ import annotations

import pytest

from contest import i18n
from contest.errors import ContestError
from contest.i18n_catalog import extract_messages, missing_translations

pytestmark = [pytest.mark.unit, pytest.mark.any_database]


def test_every_message_is_translated_in_both_catalogs():
    assert missing_translations() == {"zh_CN": [], "en": []}


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def test_every_error_message_is_in_the_catalogs():
    ids = set(extract_messages())
    messages = {cls.message for cls in all_subclasses(ContestError)} | {ContestError.message}
    assert sorted(messages - ids) == []
    assert all(i18n.translate("zh_CN", m) != m for m in messages)


def test_translate_formats_named_parameters():
    assert i18n.translate("en", "Entry submitted. Your entry number is {number}.", number="A-1") == \
        "Entry submitted. Your entry number is A-1."
    assert i18n.translate("zh_CN", "Entry submitted. Your entry number is {number}.", number="A-1") == \
        "作品已提交，作品编号为 A-1。"


@pytest.mark.parametrize(("cookie", "header", "expected"), [
    (None, None, "zh_CN"), ("en", "zh-CN", "en"), (None, "en-US,en;q=0.8", "en"),
    (None, "fr-FR, zh-TW;q=0.5", "zh_CN"), ("xx", "fr", "zh_CN"),
])
def test_locale_negotiation(cookie, header, expected):
    assert i18n.negotiate(cookie, header) == expected
