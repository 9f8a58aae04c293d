"""The wording of each kind of message: defaults, placeholders, checks and rendering. Pure; no I/O.

A message is written in Chinese and, optionally, English. Each recipient gets one language, subject
and text alike: English when they chose it and the wording has it, else Chinese (outbox.py picks the
recipient's language). Times go in as `Moment`s and read as on the site, in the recipient's language.

Placeholders are `{name}` in `str.format` syntax; `{{` and `}}` write a literal brace. Only the
placeholders of the message's kind are accepted, with no attribute, index, conversion or format
spec, so rendering can never reach beyond the plain strings it is given.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta

from contest import timefmt
from contest.errors import InvalidInput
from contest.i18n import N_


@dataclass(frozen=True)
class Bilingual:
    """A value that reads differently in the Chinese and the English text (a title, a role)."""

    zh: str
    en: str


@dataclass(frozen=True)
class Moment:
    """A time, written on the contest's wall clock in the reader's language ("2026年6月1日 20:00（北京时间）")."""

    at: datetime
    zone: str


Value = str | int | Bilingual | Moment


@dataclass(frozen=True)
class Wording:
    subject_zh: str
    body_zh: str
    subject_en: str = ""
    body_en: str = ""


FIELDS = tuple(f.name for f in fields(Wording))
SUBJECT_MAX = 300
BODY_MAX = 20_000
SECRET_MARK = "[•••]"  # stands for a message's link or code wherever it is stored or shown; see outbox.py


@dataclass(frozen=True)
class MessageKind:
    label: str
    placeholders: tuple[str, ...]
    default: Wording
    secret: str = ""  # the placeholder whose value works as a key (a one-time link): never stored in the text


PLACEHOLDERS = {
    "contest": N_("the contest's title (its English title in the English text, when it has one)"),
    "name": N_("the recipient's name"),
    "link": N_("the link the message is about"),
    "entry_number": N_("the entry number"),
    "entry_title": N_("the entry's title"),
    "submitted_at": N_("when the entry was submitted, in the contest's time zone"),
    "files": N_("the entry's files with their SHA-256, one per line"),
    "role": N_("judge or organiser"),
    "group": N_("the judge group in brackets, or nothing"),
    "expires": N_("when the link stops working, in the contest's time zone"),
    "round": N_("the judging round"),
    "complete": N_("entries the judge has finished"),
    "assigned": N_("entries assigned to the judge"),
    "left": N_("entries still to score"),
    "closes": N_("when the round closes, in the contest's time zone"),
}

# What the wording page's preview fills in (the contest's own title and zone replace the sample ones).
SAMPLE_TIME = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SAMPLE_ZONE = "Asia/Shanghai"
SAMPLES: dict[str, Value] = {
    "contest": Bilingual("文创设计大赛", "Design Contest"), "name": "王小明", "link": "https://contest.example.org/…",
    "entry_number": "WC-01-0001", "entry_title": "灯笼", "submitted_at": Moment(SAMPLE_TIME, SAMPLE_ZONE),
    "files": "  1. SHA-256 3f2a…", "role": Bilingual("评委", "judge"),
    "group": Bilingual("（评委类别：专家组）", " (judge group: Experts)"),
    "expires": Moment(SAMPLE_TIME + timedelta(days=3), SAMPLE_ZONE),
    "round": Bilingual("初评", "Preliminary round"), "complete": 7, "assigned": 12, "left": 5,
    "closes": Moment(SAMPLE_TIME + timedelta(days=9), SAMPLE_ZONE),
}


def samples_for(title: str, title_en: str, zone: str) -> dict[str, Value]:
    """SAMPLES with the contest's own title and time zone."""
    own = {k: Moment(v.at, zone) for k, v in SAMPLES.items() if isinstance(v, Moment)}
    return {**SAMPLES, **own, "contest": Bilingual(title, title_en or title)}


RECEIPT = Wording(
    subject_zh="【{contest}】作品已提交：{entry_number}",
    body_zh="{name}，您好：\n\n您的作品已提交。\n作品编号：{entry_number}\n作品名称：{entry_title}\n"
    "提交时间：{submitted_at}\n文件：\n{files}",
    subject_en="Entry received: {entry_number}",
    body_en="Dear {name},\n\nYour entry has been submitted.\nEntry number: {entry_number}\nTitle: {entry_title}\n"
    "Submitted: {submitted_at}\nFiles:\n{files}",
)

INVITATION = Wording(
    subject_zh="【{contest}】{role}邀请",
    body_zh="您好：\n\n{contest} 组委会邀请您担任{role}{group}。\n"
    "请在 {expires} 前打开以下链接接受邀请。链接只能使用一次。\n\n{link}\n\n"
    "如果您在本站已有账号，请用该账号现在的密码接受邀请；否则请设置新密码。\n"
    "如果您不认识发件人，请忽略这封邮件。",
    subject_en="Invitation to be a {role}: {contest}",
    body_en="Hello,\n\nThe organising committee of {contest} invites you to be a {role}{group}.\n"
    "Open this link before {expires} to accept. It works only once.\n\n{link}\n\n"
    "If you already have an account here, accept with its current password; otherwise choose a new one.\n"
    "If you do not know the sender, ignore this message.",
)

REMINDER = Wording(
    subject_zh="【{contest}】{round}：还有 {left} 件作品待评",
    body_zh="{name}，您好：\n\n{contest}「{round}」中，您已完成 {complete} / {assigned} 件作品的评分。\n"
    "评审截止：{closes}\n请登录继续评审：{link}",
    subject_en="{left} entries left to score",
    body_en="Dear {name},\n\nYou have completed {complete} of {assigned} entries in “{round}” of {contest}.\n"
    "Judging closes: {closes}\nPlease log in to continue: {link}",
)

KINDS = {
    "receipt": MessageKind(
        N_("Receipt of a submitted entry"),
        ("contest", "name", "entry_number", "entry_title", "submitted_at", "files"), RECEIPT),
    "invitation": MessageKind(
        N_("Invitation of a judge or organiser"), ("contest", "role", "group", "expires", "link"), INVITATION,
        secret="link"),
    "reminder": MessageKind(
        N_("Reminder to a judge with entries left"),
        ("contest", "name", "round", "complete", "assigned", "left", "closes", "link"), REMINDER),
}


class WordingInvalid(InvalidInput):
    """Field problems of a wording; `field_params` fills in the placeholder a message names."""

    def __init__(self, field_errors: dict[str, str], field_params: dict[str, dict[str, object]]) -> None:
        super().__init__(field_errors)
        self.field_params = field_params


def _placeholder_problem(text: str, allowed: tuple[str, ...]) -> tuple[str, dict[str, object]] | None:
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return N_("A brace is not closed: write a placeholder as {name} and a brace itself as {{ or }}."), {}
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in allowed or spec or conversion:
            written = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            return N_("This message has no placeholder “{placeholder}”."), {"placeholder": "{" + written + "}"}
    return None


def _field_problem(name: str, text: str, allowed: tuple[str, ...]) -> tuple[str, dict[str, object]] | None:
    subject = name.startswith("subject")
    if not text and name.endswith("_zh"):
        return (N_("Enter a subject.") if subject else N_("Enter the text of the message.")), {}
    if subject and ("\n" in text or "\r" in text):
        return N_("A subject is one line."), {}
    if len(text) > (SUBJECT_MAX if subject else BODY_MAX):
        return N_("At most {count} characters."), {"count": SUBJECT_MAX if subject else BODY_MAX}
    return _placeholder_problem(text, allowed)


def check_wording(kind: str, wording: Wording) -> None:
    """Raise WordingInvalid naming every field with a problem: Chinese subject and text are required,
    English ones optional (the message then goes out in Chinese only); only this kind's placeholders."""
    allowed = KINDS[kind].placeholders
    problems = {name: _field_problem(name, getattr(wording, name), allowed) for name in FIELDS}
    found = {name: problem for name, problem in problems.items() if problem is not None}
    if found:
        raise WordingInvalid({n: p[0] for n, p in found.items()}, {n: p[1] for n, p in found.items()})


class _Values(dict):
    def __missing__(self, key: str) -> str:  # a call site that forgot a value still sends its message
        return ""


def _plain(value: Value, locale: str) -> str:
    if isinstance(value, Bilingual):
        return value.en if locale == "en" else value.zh
    if isinstance(value, Moment):
        return timefmt.format_moment(value.at, value.zone, locale)
    return str(value)


def _fill(text: str, values: Mapping[str, Value], locale: str) -> str:
    return text.format_map(_Values({k: _plain(v, locale) for k, v in values.items()}))


def render(wording: Wording, values: Mapping[str, Value], locale: str = "zh_CN") -> tuple[str, str]:
    """(subject, body) of one message in one language: English for `locale` "en" when the wording has an
    English subject and text, else Chinese."""
    english = locale == "en" and bool(wording.subject_en and wording.body_en)
    subject, body = (wording.subject_en, wording.body_en) if english else (wording.subject_zh, wording.body_zh)
    locale = "en" if english else "zh_CN"
    return " ".join(_fill(subject, values, locale).split())[:SUBJECT_MAX], _fill(body, values, locale).rstrip() + "\n"
