"""Configuring a contest from the browser: new (from scratch, copied or imported), settings, tracks with their
form fields and file slots, award tiers, terms versions, export, and switching the accounts of its people on and off.

Each form posts to its own URL; on a problem the page is shown again with that form's input kept and
each message next to its field (status 400), nothing saved.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contest import clock, permissions
from contest.accounts import access
from contest.accounts import queries as account_queries
from contest.console import contest_config as config
from contest.console import transfer
from contest.contests import banner
from contest.contests import queries as contest_queries
from contest.contests.models import (
    A3_300_DPI,
    DECLARED_TERMS,
    AiPolicy,
    AwardTier,
    Contest,
    FieldKind,
    FileSlot,
    IpMode,
    SlotAudience,
    SlotKind,
    TermsKind,
    Track,
    TrackField,
)
from contest.entries import images as entry_images
from contest.entries.service import DEFAULT_TERMS
from contest.entries.slots import KIND_MAX_MB
from contest.entries.uploads import KIND_FORMATS
from contest.errors import Conflict, InvalidInput, found
from contest.form_input import parse_integer
from contest.i18n import N_
from contest.judging import setup as judging_setup
from contest.media.storage import derived_name
from contest.results import payees
from contest.web.infra import media
from contest.web.infra.flash import flash
from contest.web.infra.forms import read_form
from contest.web.infra.labels import ROLE_LABELS
from contest.web.infra.limits import body_limit
from contest.web.infra.session import require_user
from contest.web.infra.templating import datetime_local, render
from contest.web.infra.uploads import upload_store
from contest.web.organiser.common import form_values, organised_contest, redirect_to

SETTINGS_BODY_LIMIT = 256 * 1024  # both languages' rules
IMPORT_BODY_LIMIT = transfer.MAX_FILE_BYTES + 64 * 1024
FIELD_KINDS = {FieldKind.TEXT: N_("Text (one line)"), FieldKind.LONG_TEXT: N_("Long text"),
               FieldKind.NUMBER: N_("Number"), FieldKind.CHOICE: N_("Choice (one)"),
               FieldKind.MULTI_CHOICE: N_("Choice (several)"), FieldKind.LINK: N_("Web link")}
TERMS_KINDS = {TermsKind.ORIGINALITY: N_("Originality declaration"), TermsKind.IP_TERMS: N_("IP terms"),
               TermsKind.PRIVACY: N_("Privacy notice: this contest's additions")}
IP_MODES = {IpMode.TRANSFER: N_("Transfer of rights"), IpMode.LICENCE: N_("Licence"),
            IpMode.EXHIBITION_ONLY: N_("Exhibition only"), IpMode.FIRST_PURCHASE: N_("Right of first purchase")}
NEW_CONTEST_DEFAULTS = {"time_zone": "Asia/Shanghai", "notice_days": "0", "max_entries_per_designer": "20",
                        "max_mb_per_designer": "500", "popular_vote_daily_quota": "3", "popular_vote_share": "0",
                        "payout_tax_percent": "20"}
NEW_TRACK_DEFAULTS = {"ai_policy": AiPolicy.BANNED.value}
AI_POLICIES = {AiPolicy.BANNED: N_("Not allowed"), AiPolicy.DISCLOSE: N_("Allowed, with a disclosure"),
               AiPolicy.AIGC: N_("An AIGC track: AI is the medium, with a disclosure")}
NEW_FIELD_DEFAULTS = {"kind": FieldKind.TEXT.value, "required": "1"}
NEW_TIER_DEFAULTS = {"rank": "1", "quota": "1"}
SLOT_KINDS = {SlotKind.IMAGE: N_("Images"), SlotKind.PDF: N_("PDF boards"), SlotKind.VIDEO: N_("Video"),
              SlotKind.SOURCE: N_("Source files")}
SLOT_AUDIENCES = {SlotAudience.ORGANISERS: N_("Organisers only"), SlotAudience.JUDGES: N_("Judges and organisers"),
                  SlotAudience.PUBLIC: N_("Judges, and everyone once results are announced")}
SIZE_PRESETS = {"": N_("The minimum edges below"), config.A3_PRESET: N_("A3 at 300 dpi (3508 × 4961 px)")}
NEW_SLOT_DEFAULTS: dict[str, Any] = {"kinds": [SlotKind.IMAGE.value], "min_count": "1", "max_count": "10",
                                     "max_mb": "25", "min_short_edge": "0", "min_long_edge": "0", "max_pages": "5",
                                     "max_seconds": "300", "audience": SlotAudience.PUBLIC.value, "from_round": "0"}


def _step(values: dict[str, str]) -> int:
    return -1 if values.get("step") == "-1" else 1


def _back(request: Request, route: str, message: str, *, level: str = "success", **params: Any) -> Response:
    response = redirect_to(request, route, **params)
    flash(request, response, message, level=level)
    return response


# --- new contests: from scratch, copied, imported (site organisers) ------------------------------


def _site_organiser(request: Request) -> Any:
    user = require_user(request)
    permissions.require(account_queries.is_site_organiser(user))
    return user


async def _new_page(request: Request, *, form: str = "", values: dict[str, str] | None = None,
                    errors: dict[str, str] | None = None, problems: list[transfer.Problem] | None = None,
                    status: int = 200) -> Response:
    user = _site_organiser(request)
    context = {"form": form, "values": values if values is not None else NEW_CONTEST_DEFAULTS,
               "errors": errors or {}, "problems": problems or [], "defaults": NEW_CONTEST_DEFAULTS,
               "zones": zone_choices((values or {}).get("time_zone", "")),
               "sources": await contest_queries.organised_contests(user)}
    return render(request, "organiser/contest_new.html", context, status_code=status)


async def contest_new(request: Request) -> Response:
    return await _new_page(request)


@body_limit(SETTINGS_BODY_LIMIT)
async def contest_create(request: Request) -> Response:
    user = _site_organiser(request)
    values = form_values(await read_form(request), max_length=config.RULES_MAX + 1)
    try:
        contest = await config.create_contest(*_new_contest(values), by=user, now=clock.now())
    except InvalidInput as exc:
        return await _new_page(request, form="new", values=values, errors=exc.field_errors, status=400)
    return _back(request, "organiser:contest_settings", N_("Contest created. Now add its tracks."), slug=contest.slug)


def _new_contest(values: dict[str, str]) -> tuple[str, config.ContestSettings]:
    errors: dict[str, str] = {}
    slug = _slug_or(values, errors)
    try:
        settings = config.parse_contest_settings(values)
    except InvalidInput as exc:
        raise InvalidInput({**exc.field_errors, **errors}) from None
    if errors:
        raise InvalidInput(errors)
    return slug, settings


def _years(raw: str) -> tuple[int | None, dict[str, str]]:
    raw = raw.strip()
    if not raw:
        return None, {}
    years = parse_integer(raw, low=-10, high=10)
    if years is not None:
        return years, {}
    return None, {"years": N_("This number is outside the allowed range.")}


async def contest_copy(request: Request) -> Response:
    user = _site_organiser(request)
    values = form_values(await read_form(request))
    source = next((c for c in await contest_queries.organised_contests(user) if str(c.id) == values.get("source")), None)
    years, errors = _years(values.get("years", ""))
    try:
        if source is None:
            errors["source"] = N_("Choose one of the options.")
        slug = _slug_or(values, errors)
        if errors or source is None:
            raise InvalidInput(errors)
        contest = await transfer.copy_contest(source, slug=slug, title=values.get("title", ""), years=years,
                                              by=user, now=clock.now())
    except transfer.InvalidConfig as exc:
        return await _new_page(request, form="copy", values=values, problems=exc.problems, status=400)
    except InvalidInput as exc:
        return await _new_page(request, form="copy", values=values, errors=exc.field_errors, status=400)
    return _back(request, "organiser:contest_settings", N_("Contest copied. Check its dates and publish it when ready."),
                 slug=contest.slug)


def _slug_or(values: dict[str, str], errors: dict[str, str]) -> str:
    try:
        return config.parse_slug(values)
    except InvalidInput as exc:
        errors.update(exc.field_errors)
        return ""


@body_limit(IMPORT_BODY_LIMIT)
async def contest_import(request: Request) -> Response:
    user = _site_organiser(request)
    form = await read_form(request)
    values = form_values(form)
    try:
        upload = form.get("file")
        errors: dict[str, str] = {}
        slug = _slug_or(values, errors)
        data = await _read_json(upload, errors)
        if errors:
            return await _new_page(request, form="import", values=values, errors=errors, status=400)
        contest = await transfer.import_config(data, slug=slug, by=user, now=clock.now())
    except transfer.InvalidConfig as exc:
        return await _new_page(request, form="import", values=values, problems=exc.problems, status=400)
    except InvalidInput as exc:
        return await _new_page(request, form="import", values=values, errors=exc.field_errors, status=400)
    finally:
        await form.close()
    return _back(request, "organiser:contest_settings", N_("Contest imported. Check its dates and publish it when ready."),
                 slug=contest.slug)


async def _read_json(upload: Any, errors: dict[str, str]) -> Any:
    if upload is None or isinstance(upload, str) or not upload.filename:
        errors["file"] = N_("Choose the exported file.")
        return None
    try:
        return transfer.load_file(await upload.read(transfer.MAX_FILE_BYTES + 1))
    except ValueError:
        errors["file"] = N_("This is not a contest configuration file of a version we read.")
        return None


async def contest_export(request: Request) -> Response:
    contest = await organised_contest(request)
    data = await transfer.export_config(contest)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    name = f"{contest.slug}-config.json"
    return Response(body, media_type="application/json; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


# --- the contest's settings page -----------------------------------------------------------------


def contest_values(contest: Contest) -> dict[str, str]:
    zone = contest.time_zone
    values = {k: str(getattr(contest, k)) for k in ("title", "title_en", "tagline", "tagline_en", *config.BODIES,
                                                     "organisers_text", "rules_md", "rules_md_en", "time_zone",
                                                     "max_entries_per_designer", "popular_vote_daily_quota",
                                                     "certificate_number_pattern", "certificate_issuers",
                                                     "retention_days")}
    values["notice_days"] = f"{contest.notice_days:g}"
    values.update({k: datetime_local(getattr(contest, k), zone) for k in transfer.CONTEST_MOMENTS})
    switches = ("is_published", "popular_vote_enabled", "popular_vote_phone", "missing_task_forfeits",
                "announce_by_press", "feedback_to_entrants", "certificate_english", "accepts_minors", "payouts_open")
    values.update({k: "1" if getattr(contest, k) else "" for k in switches})
    values["max_mb_per_designer"] = str(contest.max_bytes_per_designer // 2**20)
    values["popular_vote_share"] = f"{contest.popular_vote_share:g}"
    values["payout_tax_percent"] = payees.percent(contest.payout_tax_bp)
    return values


def _tier_values(tier: AwardTier) -> dict[str, str]:
    return {"track": str(tier.track_id or ""), "name": tier.name, "name_en": tier.name_en, "rank": str(tier.rank),
            "quota": str(tier.quota), "is_special": "1" if tier.is_special else "",
            "prize": payees.plain_yuan(tier.prize_fen) if tier.prize_fen else ""}


async def _settings_page(request: Request, contest: Contest, *, form: str = "", values: dict[str, str] | None = None,
                         errors: dict[str, str] | None = None, status: int = 200, confirm: str = "",
                         confirm_params: dict[str, object] | None = None) -> Response:
    """The settings page; `form` names the form whose `values`/`errors` are shown (the others show stored data)."""
    overview = await config.settings_overview(contest)
    terms = overview.terms
    context = {
        "contest": contest, "form": form, "values": values or {}, "errors": errors or {},
        "confirm": confirm, "confirm_params": confirm_params or {},
        "settings": values if form == "contest" else contest_values(contest),
        "tracks": overview.tracks, "tiers": [(tier, _tier_values(tier)) for tier in overview.tiers],
        "submitted": overview.submitted, "over_quota": overview.over_quota,
        "terms": terms, "terms_current": _current_terms(terms), "terms_kinds": TERMS_KINDS, "ip_modes": IP_MODES,
        "track_defaults": NEW_TRACK_DEFAULTS, "tier_defaults": NEW_TIER_DEFAULTS,
        "closed": contest.submissions_close_at is not None and contest.submissions_close_at <= clock.now(),
        "zones": zone_choices(contest.time_zone), "ai_policies": AI_POLICIES,
        "has_terms": {row["kind"] for row in terms} >= set(DECLARED_TERMS),
    }
    return render(request, "organiser/contest_settings.html", context, status_code=status)


def zone_choices(current: str) -> dict[str, str]:
    """The listed time zones, and the contest's own when it is not one of them (an imported contest's)."""
    zones = dict(config.TIME_ZONES)
    if current and current not in zones:
        zones[current] = ""
    return zones


def _current_terms(versions: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Each text's latest wording to start the next version from (the built-in default before any)."""
    current = {kind.value: {"body": DEFAULT_TERMS[kind], "body_en": "", "ip_mode": ""} for kind in TermsKind}
    for row in reversed(versions):  # newest first per kind, so the newest is written last
        current[row["kind"]] = {"body": row["body"], "body_en": row["body_en"], "ip_mode": row["ip_mode"] or ""}
    return current


async def contest_settings(request: Request) -> Response:
    return await _settings_page(request, await organised_contest(request))


@body_limit(SETTINGS_BODY_LIMIT)
async def contest_settings_save(request: Request) -> Response:
    contest = await organised_contest(request)
    values = form_values(await read_form(request), max_length=config.RULES_MAX + 1)
    try:
        settings = config.parse_contest_settings(values, texts_codes=request.app.state.sms is not None)
        await config.update_contest(contest, settings, by=require_user(request), now=clock.now(),
                                    confirmed=values.get("confirm") == "1")
    except InvalidInput as exc:
        return await _settings_page(request, contest, form="contest", values=values, errors=exc.field_errors,
                                    status=400)
    except config.EntriesAfterDeadline as exc:
        return await _settings_page(request, contest, form="contest", values=values, status=409,
                                    confirm=exc.message, confirm_params=exc.params)
    return _back(request, "organiser:contest_settings", N_("Saved."), slug=contest.slug)


@body_limit(banner.MAX_BYTES + 64 * 1024)
async def banner_upload(request: Request) -> Response:
    contest = await organised_contest(request)
    form = await read_form(request)
    upload = form.get("file")
    try:
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise InvalidInput({"file": N_("Choose the banner image.")})
        await banner.set_banner(contest, entry_images.file_chunks(upload.file), store=upload_store(request),
                                by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await _settings_page(request, contest, form="banner", errors=exc.field_errors, status=400)
    return _back(request, "organiser:contest_settings", N_("Banner saved; the contest page shows it."),
                 slug=contest.slug)


async def banner_image(request: Request) -> Response:
    """The banner's copies for its organisers, also before the contest is published (public:poster is not)."""
    contest = await organised_contest(request)
    key, variant = request.path_params["key"], request.path_params["variant"]
    permissions.require(bool(contest.poster_key) and key == contest.poster_key and variant in media.VARIANTS)
    size, ext = variant.split(".")
    stored = derived_name(key, size, ext.upper())
    return await media.file_response(request, stored, f"image/{ext}", f"{key}-{variant}", cache="private, no-cache")


# --- tracks --------------------------------------------------------------------------------------


async def _track(request: Request, contest: Contest) -> Track:
    return found(await contest_queries.track_of(contest, request.path_params["track_id"]))


async def track_add(request: Request) -> Response:
    contest = await organised_contest(request)
    values = form_values(await read_form(request))
    try:
        track = await config.add_track(contest, config.parse_track(values, zone=contest.time_zone),
                                       by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await _settings_page(request, contest, form="track-new", values=values, errors=exc.field_errors,
                                    status=400)
    return _back(request, "organiser:contest_track", N_("Track added. Now add the questions of its entry form."),
                 slug=contest.slug, track_id=track.id)


def _track_values(track: Track, zone: str) -> dict[str, str]:
    values = {k: str(getattr(track, k)) for k in transfer.TRACK_KEYS}
    values["sample_required"] = "1" if track.sample_required else ""
    values["sample_due_at"] = datetime_local(track.sample_due_at, zone)
    return values


def _field_values(field: TrackField) -> dict[str, Any]:
    return {"key": field.key, "kind": field.kind.value, "label": field.label, "label_en": field.label_en,
            "help": field.help, "help_en": field.help_en, "required": "1" if field.required else "",
            "options": field.options, "max_length": str(field.max_length or "")}


OPTION_INPUTS = ("value", "label", "label_en")
FIELD_FORM_FIELDS = 20 + len(OPTION_INPUTS) * (config.MAX_OPTIONS + 1)


def _field_input(form: FormData) -> dict[str, Any]:
    """The question's values with its option rows (`option_value`, `option_label`, `option_label_en`, one of each
    a row) as a list under "options", as the parser and the page both take them."""
    values: dict[str, Any] = {k: v for k, v in form_values(form, max_length=2001).items()
                              if not k.startswith("option_")}
    columns = [[v.strip()[:201] if isinstance(v, str) else "" for v in form.getlist(f"option_{name}")]
               for name in OPTION_INPUTS]
    rows = [dict(zip(OPTION_INPUTS, row, strict=False)) for row in zip(*columns, strict=False)]
    # a row whose texts were cleared is removed (the way to remove one without JS)
    values["options"] = [row for row in rows if row["label"] or row["label_en"]][:config.MAX_OPTIONS + 1]
    return values


def _slot_values(slot: FileSlot, zone: str) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(getattr(slot, k)) for k in transfer.SLOT_KEYS if k != "kinds"}
    values["kinds"] = list(slot.kinds)
    values["preset"] = config.A3_PRESET if (slot.min_short_edge, slot.min_long_edge) == A3_300_DPI else ""
    values["due_at"] = datetime_local(slot.due_at, zone)
    return values


def _slot_input(form: FormData) -> dict[str, Any]:
    """The slot's values with its chosen kinds (checkboxes, several of one name) as a list."""
    return {**form_values(form, max_length=2001), "kinds": [v[:20] for v in form.getlist("kinds") if isinstance(v, str)]}


def _slot_context(rounds: list[Any]) -> dict[str, Any]:
    """What the slot forms offer: kinds, audiences, the size preset, and the rounds a later slot starts from."""
    return {"slot_kinds": SLOT_KINDS, "slot_audiences": SLOT_AUDIENCES, "size_presets": SIZE_PRESETS,
            "slot_rounds": {0: N_("Before submission"), **{r.position: r.name for r in rounds}},
            "kind_max_mb": {kind.value: mb for kind, mb in KIND_MAX_MB.items()}, "a3_edges": A3_300_DPI,
            "kind_formats": KIND_FORMATS}


async def _track_page(request: Request, contest: Contest, track: Track, *, form: str = "",
                      values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                      status: int = 200) -> Response:
    fields = await contest_queries.fields_of(track)
    slots = await contest_queries.slots_of(track)
    context = {
        "contest": contest, "track": track, "form": form, "values": values or {}, "errors": errors or {},
        "track_values": values if form == "track" else _track_values(track, contest.time_zone),
        "fields": [(field, _field_values(field)) for field in fields], "kinds": FIELD_KINDS, "ai_policies": AI_POLICIES,
        "field_defaults": NEW_FIELD_DEFAULTS,
        "slots": [(slot, _slot_values(slot, contest.time_zone)) for slot in slots], "slot_defaults": NEW_SLOT_DEFAULTS,
        **_slot_context(await config.rounds_of(contest)),
    }
    return render(request, "organiser/contest_track.html", context, status_code=status)


async def track_page(request: Request) -> Response:
    contest = await organised_contest(request)
    return await _track_page(request, contest, await _track(request, contest))


async def track_update(request: Request) -> Response:
    contest = await organised_contest(request)
    track = await _track(request, contest)
    values = form_values(await read_form(request))
    try:
        await config.update_track(track, config.parse_track(values, zone=contest.time_zone),
                                  by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await _track_page(request, contest, track, form="track", values=values, errors=exc.field_errors,
                                 status=400)
    return _back(request, "organiser:contest_track", N_("Saved."), slug=contest.slug, track_id=track.id)


async def track_move(request: Request) -> Response:
    contest = await organised_contest(request)
    track = await _track(request, contest)
    values = form_values(await read_form(request))
    await config.move_track(track, _step(values), by=require_user(request), now=clock.now())
    return _back(request, "organiser:contest_settings", N_("Saved."), slug=contest.slug)


async def track_delete(request: Request) -> Response:
    contest = await organised_contest(request)
    track = await _track(request, contest)
    await read_form(request)
    try:
        await config.delete_track(track, by=require_user(request), now=clock.now())
    except Conflict as exc:
        return _back(request, "organiser:contest_track", exc.message, level="error", slug=contest.slug,
                     track_id=track.id)
    return _back(request, "organiser:contest_settings", N_("Track deleted."), slug=contest.slug)


# --- form fields of a track ----------------------------------------------------------------------


async def _field(request: Request, track: Track) -> TrackField:
    return found(await contest_queries.field_of(track, request.path_params["field_id"]))


async def field_add(request: Request) -> Response:
    contest = await organised_contest(request)
    track = await _track(request, contest)
    values = _field_input(await read_form(request, max_fields=FIELD_FORM_FIELDS))
    try:
        await config.add_field(track, config.parse_field(values), by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await _track_page(request, contest, track, form="field-new", values=values, errors=exc.field_errors,
                                 status=400)
    return _back(request, "organiser:contest_track", N_("Question added."), slug=contest.slug, track_id=track.id)


async def field_update(request: Request) -> Response:
    contest = await organised_contest(request)
    track = await _track(request, contest)
    field = await _field(request, track)
    values = _field_input(await read_form(request, max_fields=FIELD_FORM_FIELDS))
    try:
        await config.update_field(field, track, config.parse_field(values), by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await _track_page(request, contest, track, form=f"field-{field.id}", values=values,
                                 errors=exc.field_errors, status=400)
    return _back(request, "organiser:contest_track", N_("Saved."), slug=contest.slug, track_id=track.id)


async def field_move(request: Request) -> Response:
    contest = await organised_contest(request)
    track = await _track(request, contest)
    field = await _field(request, track)
    values = form_values(await read_form(request))
    await config.move_field(field, track, _step(values), by=require_user(request), now=clock.now())
    return _back(request, "organiser:contest_track", N_("Saved."), slug=contest.slug, track_id=track.id)


async def field_delete(request: Request) -> Response:
    contest = await organised_contest(request)
    track = await _track(request, contest)
    field = await _field(request, track)
    await read_form(request)
    await config.delete_field(field, track, by=require_user(request), now=clock.now())
    return _back(request, "organiser:contest_track", N_("Question removed."), slug=contest.slug, track_id=track.id)


# --- file slots of a track ----------------------------------------------------------------------


async def _slot(request: Request, track: Track) -> FileSlot:
    return found(await config.slot_of(track, request.path_params["slot_id"]))


async def _parsed_slot(contest: Contest, values: dict[str, Any]) -> config.SlotSpec:
    return config.parse_slot(values, zone=contest.time_zone, rounds=await config.round_positions(contest))


async def slot_add(request: Request) -> Response:
    contest = await organised_contest(request)
    track = await _track(request, contest)
    values = _slot_input(await read_form(request))
    try:
        await config.add_slot(track, await _parsed_slot(contest, values), by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return await _track_page(request, contest, track, form="slot-new", values=values, errors=exc.field_errors,
                                 status=400)
    return _back(request, "organiser:contest_track", N_("Part of the entry added."), slug=contest.slug,
                 track_id=track.id)


async def slot_update(request: Request) -> Response:
    contest = await organised_contest(request)
    track = await _track(request, contest)
    slot = await _slot(request, track)
    values = _slot_input(await read_form(request))
    try:
        await config.update_slot(slot, track, await _parsed_slot(contest, values), by=require_user(request),
                                 now=clock.now())
    except InvalidInput as exc:
        return await _track_page(request, contest, track, form=f"slot-{slot.id}", values=values,
                                 errors=exc.field_errors, status=400)
    return _back(request, "organiser:contest_track", N_("Saved."), slug=contest.slug, track_id=track.id)


async def slot_move(request: Request) -> Response:
    contest = await organised_contest(request)
    track = await _track(request, contest)
    slot = await _slot(request, track)
    values = form_values(await read_form(request))
    await config.move_slot(slot, track, _step(values), by=require_user(request), now=clock.now())
    return _back(request, "organiser:contest_track", N_("Saved."), slug=contest.slug, track_id=track.id)


async def slot_delete(request: Request) -> Response:
    contest = await organised_contest(request)
    track = await _track(request, contest)
    slot = await _slot(request, track)
    await read_form(request)
    try:
        await config.delete_slot(slot, track, by=require_user(request), now=clock.now())
    except Conflict as exc:
        return _back(request, "organiser:contest_track", exc.message, level="error", slug=contest.slug,
                     track_id=track.id)
    return _back(request, "organiser:contest_track", N_("Part of the entry removed."), slug=contest.slug,
                 track_id=track.id)


# --- award tiers and terms -----------------------------------------------------------------------


async def _tier(request: Request, contest: Contest) -> AwardTier:
    return found(await contest_queries.tier_of(contest, request.path_params["tier_id"]))


async def _save_tier(request: Request, contest: Contest, tier: AwardTier | None) -> Response:
    values = form_values(await read_form(request))
    track_ids = {track.id for track in await contest_queries.tracks_in_order(contest)}
    try:
        spec = config.parse_tier(values, track_ids)
        await config.save_tier(contest, spec, tier=tier, by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        form = f"tier-{tier.id}" if tier else "tier-new"
        return await _settings_page(request, contest, form=form, values=values, errors=exc.field_errors, status=400)
    return _back(request, "organiser:contest_settings", N_("Award tier saved."), slug=contest.slug)


async def tier_add(request: Request) -> Response:
    return await _save_tier(request, await organised_contest(request), None)


async def tier_update(request: Request) -> Response:
    contest = await organised_contest(request)
    return await _save_tier(request, contest, await _tier(request, contest))


async def tier_delete(request: Request) -> Response:
    contest = await organised_contest(request)
    tier = await _tier(request, contest)
    await read_form(request)
    try:
        await config.delete_tier(tier, by=require_user(request), now=clock.now())
    except InvalidInput as exc:
        return _back(request, "organiser:contest_settings", exc.field_errors["tier"], level="error", slug=contest.slug)
    return _back(request, "organiser:contest_settings", N_("Award tier deleted."), slug=contest.slug)


async def terms_add(request: Request) -> Response:
    contest = await organised_contest(request)
    values = form_values(await read_form(request), max_length=20_001)
    try:
        terms = await config.add_terms_version(contest, config.parse_terms(values), by=require_user(request),
                                               now=clock.now())
    except InvalidInput as exc:
        return await _settings_page(request, contest, form=f"terms-{values.get('kind', '')}", values=values,
                                    errors=exc.field_errors, status=400)
    response = redirect_to(request, "organiser:contest_settings", slug=contest.slug)
    flash(request, response, N_("Version {version} saved; entries submitted from now on accept it."),
          version=terms.version)
    return response


# --- accounts ------------------------------------------------------------------------------------


async def contest_accounts(request: Request) -> Response:
    contest = await organised_contest(request)
    me = require_user(request)
    email = request.query_params.get("email", "")[:254] if me.is_staff else ""
    context = {"contest": contest, "accounts": await access.accounts_of(contest.id), "roles": ROLE_LABELS, "me": me,
               "email": email, "found": await access.account_by_email(email)}
    return render(request, "organiser/contest_accounts.html", context)


async def account_switch(request: Request) -> Response:
    contest = await organised_contest(request)
    by = require_user(request)
    target = found(await access.switchable_account(request.path_params["user_id"], by=by))
    values = form_values(await read_form(request))
    if values.get("active") not in {"0", "1"}:
        return _back(request, "organiser:contest_accounts", N_("Choose one of the options."), level="error",
                     slug=contest.slug)
    active = values["active"] == "1"
    await access.switch_account(target, active, contest_id=contest.id, by=by, now=clock.now())
    message = N_("Account enabled.") if active else N_("Account disabled; its sessions have ended.")
    return _back(request, "organiser:contest_accounts", message, slug=contest.slug)


async def account_remove(request: Request) -> Response:
    contest = await organised_contest(request)
    by = require_user(request)
    target = found(await access.removable_person(contest.id, request.path_params["user_id"], by=by))
    await read_form(request)
    await judging_setup.remove_from_contest(target, contest=contest, by=by, now=clock.now())
    response = redirect_to(request, "organiser:contest_accounts", slug=contest.slug)
    flash(request, response,
          N_("{name} no longer has a role or a panel seat in this contest. Their account stays; their scores in "
             "rounds not yet locked no longer count (the audit log keeps them)."),
          name=target.display_name)
    return response


_c = "/c/{slug}"
_track_path = _c + "/tracks/{track_id:int}"
routes = [
    Route("/contests/new", contest_new, name="contest_new"),
    Route("/contests/new", contest_create, methods=["POST"], name="contest_create"),
    Route("/contests/copy", contest_copy, methods=["POST"], name="contest_copy"),
    Route("/contests/import", contest_import, methods=["POST"], name="contest_import"),
    Route(_c + "/export", contest_export, name="contest_export"),
    Route(_c + "/settings", contest_settings, name="contest_settings"),
    Route(_c + "/settings", contest_settings_save, methods=["POST"], name="contest_settings_save"),
    Route(_c + "/banner", banner_upload, methods=["POST"], name="banner_upload"),
    Route(_c + "/banner/{key:str}/{variant:str}", banner_image, name="banner_image"),
    Route(_c + "/tracks", track_add, methods=["POST"], name="track_add"),
    Route(_track_path, track_page, name="contest_track"),
    Route(_track_path, track_update, methods=["POST"], name="track_update"),
    Route(_track_path + "/move", track_move, methods=["POST"], name="track_move"),
    Route(_track_path + "/delete", track_delete, methods=["POST"], name="track_delete"),
    Route(_track_path + "/fields", field_add, methods=["POST"], name="field_add"),
    Route(_track_path + "/fields/{field_id:int}", field_update, methods=["POST"], name="field_update"),
    Route(_track_path + "/fields/{field_id:int}/move", field_move, methods=["POST"], name="field_move"),
    Route(_track_path + "/fields/{field_id:int}/delete", field_delete, methods=["POST"], name="field_delete"),
    Route(_track_path + "/slots", slot_add, methods=["POST"], name="slot_add"),
    Route(_track_path + "/slots/{slot_id:int}/edit", slot_update, methods=["POST"], name="slot_update"),
    Route(_track_path + "/slots/{slot_id:int}/move", slot_move, methods=["POST"], name="slot_move"),
    Route(_track_path + "/slots/{slot_id:int}/delete", slot_delete, methods=["POST"], name="slot_delete"),
    Route(_c + "/tiers", tier_add, methods=["POST"], name="tier_add"),
    Route(_c + "/tiers/{tier_id:int}", tier_update, methods=["POST"], name="tier_update"),
    Route(_c + "/tiers/{tier_id:int}/delete", tier_delete, methods=["POST"], name="tier_delete"),
    Route(_c + "/terms", terms_add, methods=["POST"], name="terms_add"),
    Route(_c + "/accounts", contest_accounts, name="contest_accounts"),
    Route(_c + "/accounts/{user_id:int}/active", account_switch, methods=["POST"], name="account_switch"),
    Route(_c + "/accounts/{user_id:int}/remove", account_remove, methods=["POST"], name="account_remove"),
]
