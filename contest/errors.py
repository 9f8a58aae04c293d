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


class ConsentRequired(ContestError):
    """A session opened before its user accepted the current privacy notice (accounts.privacy)."""

    status_code = 403
    message = N_("Please read and accept the privacy notice first.")


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


# PDF boards (media.pdf.PdfReason); {limit} and {actual} are the figures the check found.
PDF_REFUSALS = {
    "encrypted": N_("The PDF is encrypted or password-protected. Please save it without protection and upload it "
                    "again."),
    "scripted": N_("The PDF contains JavaScript, which is not accepted. Please export the boards again as a plain PDF."),
    "launch_action": N_("The PDF tries to open other programs or files, which is not accepted. Please export the "
                        "boards again as a plain PDF."),
    "embedded_files": N_("The PDF has files attached inside it, which is not accepted. Please export the boards again "
                         "without attachments."),
    "too_many_pages": N_("The PDF has too many pages (at most {limit}; this one has {actual})."),
    "page_too_large": N_("A page of the PDF is too large (at most {limit} mm on a side; this one is {actual} mm)."),
    "page_too_small": N_("A page of the PDF is too small (at least {limit} mm on a side; this one is {actual} mm)."),
    "too_deep": N_("The PDF is built in an unusually deep way and cannot be checked safely. Please export it again."),
    "stream_too_large": N_("The PDF holds more data than a board can (over {limit} MB unpacked). Please export it "
                           "again with smaller images."),
    "too_many_objects": N_("The PDF is unusually complex (over {limit} parts). Please export it again."),
    "corrupt": N_("The PDF cannot be read; it may be damaged or incomplete. Please export it again."),
    "timeout": N_("The PDF took too long to check (over {limit} seconds). Please export a simpler file."),
    "too_complex": N_("The PDF needs too much memory to open (over {limit} MB). Please export a simpler file."),
}
# Videos (media.video.VideoReason)
VIDEO_REFUSALS = {
    "unsupported": N_("Only MP4, MOV and WebM videos are accepted; this file is something else."),
    "no_video": N_("The file has no video in it."),
    "too_many_streams": N_("The video has too many tracks (at most {limit}; this one has {actual})."),
    "too_long": N_("The video is too long (at most {limit} seconds; this one is {actual} seconds)."),
    "too_large": N_("The video's picture is too large (at most {limit} px on a side; this one is {actual} px)."),
    "too_many_pixels": N_("The video's picture has too many pixels (at most {limit}; this one has {actual})."),
    "too_small": N_("The video's picture is too small (at least {limit} px; this one is {actual} px)."),
    "bad_frame_rate": N_("The video's frame rate cannot be used (at most {limit} per second; this one is {actual})."),
    "corrupt": N_("The video cannot be read; it may be damaged or cut off. Please upload it again."),
    "timeout": N_("The video took too long to process. Please upload a shorter or smaller version."),
}
# Source files (media.source_files.SourceReason)
# the refusals whose figures the checks give in bytes, by kind (a video's "too_large" is in pixels)
REFUSED_IN_MB = {"pdf": frozenset({"stream_too_large"}), "source": frozenset({"too_large", "uncompressed_too_large"})}
SOURCE_REFUSALS = {
    "empty": N_("The file is empty."),
    "too_large": N_("The file is too large (at most {limit} MB; this one is {actual} MB)."),
    "unsupported_type": N_("This kind of file is not accepted as a source file. Accepted: ZIP, AI, PSD, CDR, OBJ, "
                           "GLB and other design and 3D formats."),
    "executable": N_("Programs are not accepted as source files."),
    "active_content": N_("Web pages and SVG or XML files are not accepted as source files; please put them in a ZIP."),
    "polyglot": N_("The file is two kinds of file at once, which is not accepted. Please export it again."),
    "corrupt_archive": N_("The archive cannot be read; it may be damaged."),
    "too_many_entries": N_("The archive holds too many files (at most {limit}; this one has {actual})."),
    "directory_too_large": N_("The archive's list of files is too large to read safely."),
    "uncompressed_too_large": N_("The archive would unpack to too much data (at most {limit} MB; this one "
                                 "{actual} MB)."),
    "compression_ratio": N_("The archive is packed far more tightly than real files are (at most {limit} times; this "
                            "one {actual} times), which is how archive bombs look."),
    "nested_archive": N_("The archive holds archives packed like archive bombs."),
    "unsafe_path": N_("The archive holds files that would unpack outside its folder."),
    "executable_inside": N_("The archive holds programs, which are not accepted."),
}


def found(thing: T | None) -> T:
    """`thing`, or a 404 when the lookup found nothing: "found or 404" in one typed place, so callers need no
    `type: ignore` after the check."""
    if thing is None:
        raise NotFound()
    return thing
