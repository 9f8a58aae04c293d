"""The wording of each kind of message: defaults, placeholders, checks and rendering. Pure; no I/O.

A message is written in Chinese and, optionally, English. Both go out in one e-mail, Chinese first:
the subjects joined by a space, the bodies by a `---` line, so a recipient whose language we do not
know (an invitee has no account yet) can read it either way.

Placeholders are `{name}` in `str.format` syntax; `{{` and `}}` write a literal brace. Only the
placeholders of the message's kind are accepted, with no attribute, index, conversion or format
spec, so rendering can never reach beyond the plain strings it is given.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, fields

from contest.errors import InvalidInput
from contest.i18n import N_


@dataclass(frozen=True)
class Bilingual:
    """A value that reads differently in the Chinese and the English text (a title, a role)."""

    zh: str
    en: str


Value = str | int | Bilingual


@dataclass(frozen=True)
class Wording:
    subject_zh: str
    body_zh: str
    subject_en: str = ""
    body_en: str = ""


FIELDS = tuple(f.name for f in fields(Wording))
SUBJECT_MAX = 300
BODY_MAX = 20_000
SEPARATOR = "\n\n---\n\n"
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
    "submitted_at": N_("when the entry was submitted (UTC)"),
    "files": N_("the entry's files with their SHA-256, one per line"),
    "role": N_("judge or organiser"),
    "group": N_("the judge group in brackets, or nothing"),
    "expires": N_("when the link stops working, in the contest's time zone"),
    "round": N_("the judging round"),
    "complete": N_("entries the judge has finished"),
    "assigned": N_("entries assigned to the judge"),
    "left": N_("entries still to score"),
    "closes": N_("when the round closes (UTC)"),
}

# What the wording page's preview fills in (the contest's own title replaces the sample one).
SAMPLES: dict[str, Value] = {
    "contest": Bilingual("文创设计大赛", "Design Contest"), "name": "王小明", "link": "https://contest.example.org/…",
    "entry_number": "WC-01-0001", "entry_title": "灯笼", "submitted_at": "2026-06-01T12:00:00+00:00",
    "files": "  1. SHA-256 3f2a…", "role": Bilingual("评委", "judge"),
    "group": Bilingual("（评委类别：专家组）", " (judge group: Experts)"), "expires": "2026-06-04 20:00 (Asia/Shanghai)",
    "round": Bilingual("初评", "Preliminary round"), "complete": 7, "assigned": 12, "left": 5,
    "closes": "2026-06-10 16:00 UTC",
}

RECEIPT = Wording(
    subject_zh="【{contest}】作品已提交",
    body_zh="{name}，您好：\n\n您的作品已提交。\n作品编号：{entry_number}\n作品名称：{entry_title}\n"
    "提交时间（UTC）：{submitted_at}\n文件：\n{files}",
    subject_en="Entry received: {entry_number}",
    body_en="Dear {name},\n\nYour entry has been submitted.\nEntry number: {entry_number}\nTitle: {entry_title}\n"
    "Submitted (UTC): {submitted_at}\nFiles:\n{files}",
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


def _fill(text: str, values: Mapping[str, Value], language: str) -> str:
    plain = {k: getattr(v, language) if isinstance(v, Bilingual) else str(v) for k, v in values.items()}
    return text.format_map(_Values(plain))


def render(wording: Wording, values: Mapping[str, Value]) -> tuple[str, str]:
    """(subject, body) of one message: Chinese, then English when the wording has English text."""
    subject = _fill(wording.subject_zh, values, "zh")
    body = _fill(wording.body_zh, values, "zh").rstrip()
    if wording.subject_en:
        subject = f"{subject} {_fill(wording.subject_en, values, 'en')}"
    if wording.body_en:
        body = f"{body}{SEPARATOR}{_fill(wording.body_en, values, 'en').rstrip()}"
    return " ".join(subject.split())[:SUBJECT_MAX], body + "\n"
