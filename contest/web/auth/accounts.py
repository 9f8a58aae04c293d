"""Register, log in, log out, change or reset a forgotten password, accept an invitation, and accept a new
privacy notice after logging in."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from contest import clock
from contest.accounts import privacy, queries, resets, service, sessions
from contest.accounts.models import ContestRoleKind, EntrantCategory, EntrantKind, Invitation, User
from contest.console import account_deletion, invitations
from contest.console.invitations import InvitationInvalid
from contest.errors import InvalidCredentials, InvalidInput, LoginRequired, TooManyAttempts
from contest.i18n import N_
from contest.web.infra.flash import flash
from contest.web.infra.forms import client_address, read_form, text
from contest.web.infra.labels import CATEGORY_LABELS, KIND_LABELS, ROLE_LABELS
from contest.web.infra.redirects import safe_next
from contest.web.infra.session import current_user, log_in, log_out, require_user
from contest.web.infra.templating import absolute_url, render, request_locale
from contest.web.infra.uploads import upload_store

# The token is in the URL (invitations, password resets): keep it out of caches and out of Referer headers.
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
LANDING = {ContestRoleKind.JUDGE: "judge:rounds", ContestRoleKind.ORGANISER: "organiser:home", None: "designer:dashboard"}
INVITATION_WELCOME = {
    ContestRoleKind.JUDGE: N_("Welcome! You are now a judge of {contest}."),
    ContestRoleKind.ORGANISER: N_("Welcome! You now help organise {contest}."),
}


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


async def _register_page(request: Request, values: dict, errors: dict, next_url: str, status: int = 200) -> Response:
    context = {"values": values, "errors": errors, "categories": CATEGORY_LABELS, "kinds": KIND_LABELS,
               "next": next_url, "notice": await privacy.current_notice()}
    return render(request, "auth/register.html", context, status_code=status)


def _consent(form: FormData) -> privacy.Consent:
    """The privacy notice's answers; a version that is not a plain number was not one we showed."""
    version = text(form, "privacy_version", max_length=10)
    shown = int(version) if version.isascii() and version.isdigit() else None
    return privacy.Consent(accepted=form.get("privacy") == "1", version_read=shown, sensitive=form.get("sensitive") == "1")


async def register(request: Request) -> Response:
    if request.method == "GET":
        next_url = safe_next(request.query_params.get("next"), "")
        return await _register_page(request, {"category": "worker", "kind": "individual"}, {}, next_url)
    form = await read_form(request)
    next_url = safe_next(text(form, "next"), "")
    keys = ("email", "display_name", "category", "kind", "organisation", "school", "privacy", "sensitive")
    values = {key: text(form, key, max_length=300) for key in keys}
    try:
        category = EntrantCategory(values["category"])
        kind = EntrantKind(values["kind"])
    except ValueError:
        return await _register_page(request, values, {"category": N_("Choose one of the options.")}, next_url, 400)
    try:
        await service.register_designer(
            email=values["email"], password=str(form.get("password", "")), display_name=values["display_name"],
            ip=client_address(request), now=clock.now(), login_url=absolute_url(request, "auth:login"),
            consent=_consent(form), category=category, kind=kind, organisation=values["organisation"], school=values["school"],
            locale=request_locale(request),
        )
    except InvalidInput as exc:
        return await _register_page(request, values, exc.field_errors, next_url, 400)
    except TooManyAttempts as exc:
        return await _register_page(request, values, {"email": exc.message}, next_url, exc.status_code)
    # The same answer whether the e-mail was new or had an account: the message tells its owner which.
    response = RedirectResponse(_with_next(str(request.url_for("auth:login")), next_url), status_code=303)
    flash(request, response, N_("Thank you. We sent an e-mail to {email}: read it, then log in here."),
          email=service.normalise_email(values["email"]))
    return response



async def login(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next"), "")
    if request.method == "GET":
        return render(request, "auth/login.html", {"values": {}, "error": None, "next": next_url})
    form = await read_form(request)
    email = text(form, "email", max_length=254)
    next_url = safe_next(text(form, "next"), "")
    try:
        user = await service.authenticate(email, str(form.get("password", "")), ip=client_address(request), now=clock.now(),
                                          locale=request_locale(request))
    except (InvalidCredentials, TooManyAttempts) as exc:
        context = {"values": {"email": email}, "error": exc.message, "next": next_url}
        return render(request, "auth/login.html", context, status_code=exc.status_code)
    landing = next_url or str(request.url_for(LANDING[await queries.main_role(user)]))
    response = RedirectResponse(landing, status_code=303)
    await log_in(request, response, user)
    flash(request, response, N_("You are logged in."))
    return response


async def logout(request: Request) -> Response:
    response = RedirectResponse(request.url_for("public:home"), status_code=303)
    await log_out(request, response)
    flash(request, response, N_("You are logged out."), level="info")
    return response


async def privacy_consent(request: Request) -> Response:
    """After a log-in, while a new privacy notice waits for the user's consent: the only page the session reaches."""
    user = current_user(request)
    if user is None:
        raise LoginRequired()
    if request.method == "GET":
        return await _consent_page(request, user, safe_next(request.query_params.get("next"), ""))
    form = await read_form(request)
    next_url = safe_next(text(form, "next"), "")
    try:
        await privacy.accept(user, _consent(form), ip=client_address(request), now=clock.now())
    except InvalidInput as exc:
        return await _consent_page(request, user, next_url, {"sensitive": text(form, "sensitive")}, exc.field_errors)
    await sessions.consent_given(request.state.session_key)
    landing = next_url or str(request.url_for(LANDING[await queries.main_role(user)]))
    response = RedirectResponse(landing, status_code=303)
    flash(request, response, N_("Thank you: your consent to the privacy notice is recorded."))
    return response


async def _consent_page(request: Request, user: User, next_url: str, values: dict | None = None,
                        errors: dict | None = None) -> Response:
    """The notice to accept; before any answer, the sensitive consent is as the user last gave it."""
    consent = await privacy.latest_consent(user)
    values = values if values is not None else {"sensitive": consent is not None and consent.sensitive}
    context = {"notice": await privacy.current_notice(), "consent": consent, "next": next_url, "values": values,
               "errors": errors or {}}
    return render(request, "auth/privacy_consent.html", context, status_code=400 if errors else 200)


async def keep_alive(request: Request) -> Response:
    """An open scoring or meeting page's sign of life (static/common/js/keep-alive.js). The request is the
    activity (web.infra.session); the answer is how long until the absolute limit ends the session."""
    require_user(request)
    ends_in = request.state.session_expires_at - clock.now()
    return JSONResponse({"ends_in": ends_in.total_seconds()}, headers={"Cache-Control": "no-store"})


async def password(request: Request) -> Response:
    user = require_user(request)
    if request.method == "GET":
        return render(request, "auth/password.html", {"errors": {}})
    form = await read_form(request)
    try:
        await service.change_password(
            user, current=str(form.get("current_password", "")), new=str(form.get("new_password", ""))
        )
    except InvalidInput as exc:
        return render(request, "auth/password.html", {"errors": exc.field_errors}, status_code=400)
    response = RedirectResponse(request.url_for("designer:dashboard"), status_code=303)
    await log_in(request, response, user)
    flash(request, response, N_("Your password was changed."))
    return response


async def delete_account(request: Request) -> Response:
    """The designer deletes their account: what goes and what a contest keeps, explained before the password."""
    user = require_user(request)
    now = clock.now()
    if request.method == "GET":
        return await _delete_page(request, user, {})
    form = await read_form(request)
    try:
        await account_deletion.delete_account(user, password=str(form.get("password", "")),
                                              store=upload_store(request), now=now)
    except InvalidInput as exc:
        return await _delete_page(request, user, exc.field_errors, status=400)
    response = RedirectResponse(request.url_for("public:home"), status_code=303)
    await log_out(request, response)
    flash(request, response, N_("Your account was deleted."))
    return response


async def _delete_page(request: Request, user: User, errors: dict, status: int = 200) -> Response:
    refusal = await account_deletion.refusal(user, clock.now())
    return render(request, "auth/delete_account.html", {"errors": errors, "refusal": refusal},
                  status_code=status if refusal is None else 409)


async def reset_request(request: Request) -> Response:
    if request.method == "GET":
        return render(request, "auth/reset_request.html", {"values": {}, "errors": {}})
    form = await read_form(request)
    email = text(form, "email", max_length=254)
    try:
        await resets.request_reset(email, ip=client_address(request), now=clock.now(),
                                   link_for=lambda token: absolute_url(request, "auth:reset", token=token))
    except (InvalidInput, TooManyAttempts) as exc:
        errors = getattr(exc, "field_errors", {"email": exc.message})
        return render(request, "auth/reset_request.html", {"values": {"email": email}, "errors": errors},
                      status_code=exc.status_code)
    # The same answer whether or not the address has an account.
    response = RedirectResponse(request.url_for("auth:login"), status_code=303)
    flash(request, response, N_("If {email} has an account, we sent it a link to reset the password. It works for an hour."),
          email=service.normalise_email(email))
    return response


async def reset(request: Request) -> Response:
    token = request.path_params["token"]
    if await resets.reset_for(token, now=clock.now()) is None:
        return _reset_gone(request)
    if request.method == "GET":
        return _reset_page(request, {})
    form = await read_form(request)
    password = str(form.get("password", ""))
    if password != str(form.get("password_repeat", "")):
        return _reset_page(request, {**service.check_password_rules(password),
                                     "password_repeat": N_("The two passwords are not the same.")}, 400)
    try:
        await resets.reset_password(token, password=password, now=clock.now())
    except resets.ResetInvalid:
        return _reset_gone(request)
    except InvalidInput as exc:
        return _reset_page(request, exc.field_errors, 400)
    response = RedirectResponse(request.url_for("auth:login"), status_code=303)
    flash(request, response, N_("Your password was reset. Log in with the new one."))
    return response


def _reset_page(request: Request, errors: dict, status: int = 200) -> Response:
    context = {"token": request.path_params["token"], "errors": errors}
    return _private(render(request, "auth/reset.html", context, status_code=status))


def _reset_gone(request: Request) -> Response:
    return _private(render(request, "auth/reset_invalid.html", {}, status_code=resets.ResetInvalid.status_code))


def _private(response: Response) -> Response:
    response.headers.update(PRIVATE_HEADERS)
    return response


async def _invitation_page(
    request: Request, invitation: Invitation, account: User | None, values: dict, errors: dict, status: int = 200
) -> Response:
    context = {"invitation": invitation, "token": request.path_params["token"], "has_account": account is not None,
               "role_label": ROLE_LABELS[invitation.role], "values": values, "errors": errors,
               "notice": await privacy.current_notice()}
    return _private(render(request, "auth/invitation.html", context, status_code=status))


def _invitation_gone(request: Request) -> Response:
    return _private(render(request, "auth/invitation_invalid.html", {}, status_code=InvitationInvalid.status_code))


async def invitation(request: Request) -> Response:
    found = await invitations.invitation_for(request.path_params["token"], now=clock.now())
    if found is None:
        return _invitation_gone(request)
    account = await invitations.existing_account(found)
    if request.method == "GET":
        return await _invitation_page(request, found, account, {}, {})
    return await _accept_invitation(request, found, account)


async def _accept_invitation(request: Request, found: Invitation, account: User | None) -> Response:
    form = await read_form(request)
    values = {key: text(form, key, max_length=300) for key in ("display_name", "privacy", "sensitive")}
    password = str(form.get("password", ""))
    consent = _consent(form) if account is None else None  # a new account consents here, as at registration
    if account is None and password != str(form.get("password_repeat", "")):
        errors = {**invitations.new_account_errors(values["display_name"], password),
                  **await privacy.check_consent(consent), "password_repeat": N_("The two passwords are not the same.")}
        return await _invitation_page(request, found, account, values, errors, 400)
    try:
        user = await invitations.accept(
            request.path_params["token"], display_name=values["display_name"], password=password, now=clock.now(),
            ip=client_address(request), locale=request_locale(request), consent=consent)
    except InvitationInvalid:
        return _invitation_gone(request)
    except (InvalidInput, TooManyAttempts) as exc:
        errors = getattr(exc, "field_errors", {"password": exc.message})
        return await _invitation_page(request, found, account, values, errors, exc.status_code)
    response = RedirectResponse(request.url_for(LANDING[found.role]), status_code=303)
    await log_in(request, response, user)
    flash(request, response, INVITATION_WELCOME[found.role], contest=found.contest.title)
    return response


routes = [
    Route("/register", register, methods=["GET", "POST"], name="register"),
    Route("/login", login, methods=["GET", "POST"], name="login"),
    Route("/logout", logout, methods=["POST"], name="logout"),
    Route("/keep-alive", keep_alive, name="keep_alive"),
    Route("/privacy", privacy_consent, methods=["GET", "POST"], name="privacy_consent"),
    Route("/password", password, methods=["GET", "POST"], name="password"),
    Route("/delete", delete_account, methods=["GET", "POST"], name="delete_account"),
    Route("/invite/{token}", invitation, methods=["GET", "POST"], name="invitation"),
    Route("/reset", reset_request, methods=["GET", "POST"], name="reset_request"),
    Route("/reset/{token}", reset, methods=["GET", "POST"], name="reset"),
]
