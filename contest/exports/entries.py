"""The entries table: one sheet per track, every form field its own column.

The anonymised variant leaves out everything that names or reaches the entrant: the account's
name, e-mail and phone, the public name, organisation, school, supervisor and supervisor's
e-mail, team members, and the submission time. What remains is the entry as a judge knows it
(number, title, concept, answers) plus state, category, kind, image count and leak-check status.
The phone is optional on the entry form: when no entrant of the contest gave one, there is no
phone column at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from tortoise.functions import Count

from contest.contests.models import Contest, FieldKind, Track, TrackField
from contest.entries.models import Entry, EntryImage, TeamMember
from contest.exports.tables import (
    BATCH,
    CATEGORY,
    KIND,
    LEAK,
    STATE,
    Cell,
    Column,
    Row,
    Sheet,
    joined,
    local_time,
    sheet_titles,
)

HEAD = (Column("作品编号", "Entry number"), Column("状态", "State"), Column("作品名称", "Title"),
        Column("创作理念", "Concept statement"))
ENTRANT = (Column("参赛类别", "Entrant category"), Column("参赛形式", "Entrant kind"))
PHONE = Column("电话", "Phone")
IDENTITY = (Column("署名", "Public name"), Column("账号姓名", "Account name"), Column("电子邮箱", "E-mail"),
            PHONE, Column("单位", "Organisation"), Column("学校", "School"),
            Column("指导老师", "Supervisor"), Column("指导老师邮箱", "Supervisor e-mail"),
            Column("团队成员", "Team members"), Column("提交时间", "Submitted at"))
TAIL = (Column("图片数", "Images"), Column("隐私检查", "Leak check"))
# the latest screening (contest.entries.screening); left out of anonymised sheets, as an organiser's free text
SCREENING = (Column("审查理由", "Screening reason"), Column("修改截止时间", "Fix deadline"))

_VALUES = ("id", "number", "state", "title", "concept", "answers", "entrant_category", "entrant_kind",
           "public_name", "owner__display_name", "owner__email", "owner__phone", "organisation", "school",
           "supervisor_name", "supervisor_email", "submitted_at", "leak_status", "screening_reason", "fix_due_at")


@dataclass(frozen=True)
class Shape:
    """What a contest's entry sheets hold besides the entry: the entrant's identity unless anonymised, the
    phone only when some entrant gave one, times in the contest's zone."""

    zone: str
    anonymised: bool
    phone: bool

    def identity(self) -> tuple[Column, ...]:
        return () if self.anonymised else tuple(c for c in IDENTITY if self.phone or c != PHONE)


def columns(fields: list[TrackField], shape: Shape) -> tuple[Column, ...]:
    answers = tuple(Column(f.label, f.label_en or f.label) for f in fields)
    return HEAD + answers + ENTRANT + shape.identity() + TAIL + (() if shape.anonymised else SCREENING)


def answer_cell(field: TrackField, value: Any) -> Cell:
    """An answer as the designer chose it: options by their label, numbers as numbers."""
    if value in (None, "", []):
        return None
    labels = {o["value"]: o.get("label", o["value"]) for o in field.options}
    if field.kind == FieldKind.MULTI_CHOICE:
        return joined(labels.get(v, v) for v in value)
    if field.kind == FieldKind.CHOICE:
        return labels.get(value, value)
    if field.kind == FieldKind.NUMBER:
        return int(value) if float(value).is_integer() else float(value)
    return str(value)


def identity_cells(entry: dict[str, Any], extra: dict[str, Any], shape: Shape) -> Row:
    """The values of `shape.identity()`."""
    cells = [entry["public_name"], entry["owner__display_name"], entry["owner__email"], entry["owner__phone"],
             entry["organisation"], entry["school"], entry["supervisor_name"], entry["supervisor_email"],
             extra["members"], local_time(entry["submitted_at"], shape.zone)]
    kept = shape.identity()
    return [value for column, value in zip(IDENTITY, cells, strict=True) if column in kept]


def entry_row(entry: dict[str, Any], fields: list[TrackField], extra: dict[str, Any], shape: Shape) -> Row:
    answers = entry["answers"] or {}
    row: Row = [entry["number"], STATE[entry["state"]], entry["title"], entry["concept"]]
    row += [answer_cell(f, answers.get(f.key)) for f in fields]
    row += [CATEGORY[entry["entrant_category"]], KIND[entry["entrant_kind"]]]
    row += identity_cells(entry, extra, shape)
    row += [extra["images"], LEAK[entry["leak_status"]]]
    if not shape.anonymised:
        row += [entry["screening_reason"] or None, local_time(entry["fix_due_at"], shape.zone)]
    return row


async def _extras(ids: list[int]) -> dict[int, dict[str, Any]]:
    images = dict(await EntryImage.filter(entry_id__in=ids).annotate(n=Count("id")).group_by("entry_id")
                  .values_list("entry_id", "n"))
    members: dict[int, list[str]] = defaultdict(list)
    for entry_id, name, organisation in await TeamMember.filter(entry_id__in=ids).order_by(
            "entry_id", "position", "id").values_list("entry_id", "name", "organisation"):
        members[entry_id].append(f"{name}（{organisation}）" if organisation else name)
    return {i: {"images": images.get(i, 0), "members": joined(members[i])} for i in ids}


async def _batches(track: Track, fields: list[TrackField], shape: Shape) -> AsyncIterator[list[Row]]:
    last = 0
    while rows := await Entry.filter(track_id=track.id, id__gt=last).order_by("id").limit(BATCH).values(*_VALUES):
        last = rows[-1]["id"]
        extras = await _extras([r["id"] for r in rows])
        yield [entry_row(r, fields, extras[r["id"]], shape) for r in rows]


def _sheet(title: str, track: Track, fields: list[TrackField], shape: Shape) -> Sheet:
    return Sheet(title, columns(fields, shape), lambda: _batches(track, fields, shape))


async def entry_sheets(contest: Contest, tracks: list[Track], *, anonymised: bool) -> list[Sheet]:
    """One sheet per track, entries in every state, in the order they were created."""
    await Track.fetch_for_list(tracks, "fields_")
    phone = await Entry.filter(contest_id=contest.id).exclude(owner__phone="").exists()
    shape = Shape(contest.time_zone, anonymised, phone)
    titles = sheet_titles(t.name for t in tracks)
    return [_sheet(title, t, list(t.fields_), shape) for title, t in zip(titles, tracks, strict=True)]
