"""Expected failures: each carries its HTTP status and a translatable message."""

from __future__ import annotations

from typing import TypeVar

from contest.i18n import N_

T = TypeVar("T")


class ContestError(Exception):
    status_code = 400
    message = N_("The request could not be processed.")

    def __init__(self, message: str | None = None, **params: object) -> None:
        super().__init__(message or self.message)
        if message is not None:
            self.message = message
        self.params = params


class NotFound(ContestError):
    status_code = 404
    message = N_("This page does not exist, or you may not see it.")


class NotAllowed(ContestError):
    status_code = 403
    message = N_("You are not allowed to do this.")


class LoginRequired(ContestError):
    status_code = 401
    message = N_("Please log in first.")


class CsrfFailure(ContestError):
    status_code = 403
    message = N_("The form expired or came from another site. Please reload the page and try again.")


class Conflict(ContestError):
    status_code = 409
    message = N_("This conflicts with the current state; nothing was changed.")


class DeadlinePassed(Conflict):
    message = N_("The submission deadline has passed; nothing was saved.")


class InvalidUpload(ContestError):
    status_code = 400
    message = N_("This file cannot be accepted.")


class TooManyAttempts(ContestError):
    status_code = 429
    message = N_("Too many attempts. Please wait a few minutes and try again.")


class ContentTooLarge(ContestError):
    status_code = 413
    message = N_("The upload is too large.")


class InvalidInput(ContestError):
    """Field-level problems; the form is shown again with the input kept and each message by its field."""

    status_code = 400
    message = N_("Please correct the marked fields.")

    def __init__(self, field_errors: dict[str, str]) -> None:
        super().__init__()
        self.field_errors = field_errors


class InvalidCredentials(ContestError):
    status_code = 400
    message = N_("The e-mail or password is not correct.")


# What each image refusal (media.sniffing.Reason, a str enum: its values are these keys) tells the person who
# uploaded the file. Media stays free of the app, so its wording lives here.
IMAGE_REFUSALS = {
    "empty": N_("The file is empty."),
    "unsupported_type": N_("Only JPEG, PNG, WebP and HEIC images are accepted; this file is something else. "
                           "Please export it as JPEG or PNG."),
    "truncated": N_("The image is incomplete (the upload may have been cut off). Please upload it again."),
    "corrupt": N_("The image cannot be read; it may be damaged."),
    "too_many_pixels": N_("The image has too many pixels (at most 50 million)."),
    "too_large_side": N_("The image is too large (at most 12,000 pixels on a side)."),
    "too_small": N_("The image is too small."),
    "multi_frame": N_("Animated or multi-page images are not accepted."),
    "timeout": N_("The image took too long to process. Please upload a smaller version."),
}


def found(thing: T | None) -> T:
    """`thing`, or a 404 when the lookup found nothing: "found or 404" in one typed place, so callers need no
    `type: ignore` after the check."""
    if thing is None:
        raise NotFound()
    return thing
