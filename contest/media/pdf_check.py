"""The child process of ``contest.media.pdf``: reads one untrusted PDF under an address-space cap and answers
with one line of JSON on stdout. Run as ``python -m contest.media.pdf_check '<request json>'``; never import it
into the web process (qpdf and pdfium on hostile input belong in a process that can be killed).

Checks, cheapest first: qpdf opens it without repairing (a truncated or damaged file is refused, not guessed
at), no encryption, page count, object count, every object walked once (nesting depth, scripts, launch actions,
embedded files), every stream's decoded size counted without holding it, then pdfium's page sizes.
"""

from __future__ import annotations

import json
import resource
import sys
import traceback
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]
from PIL import Image

from contest.media.pdf import InvalidPdf, PageSize, PdfLimits, PdfReason

MB = 1 << 20
TEXT_LIMIT = 1000        # characters kept of one metadata string
XMP_LIMIT = 16_000       # characters kept of the XMP packet
NAMES_LIMIT = 200        # attachment or field names listed
CHUNK = 1 << 20
DEFLATE_MAX_RATIO = 1032  # deflate cannot expand more than this: smaller streams need not be inflated to be counted
INFLATE = frozenset({"/FlateDecode", "/Fl"})
EXPANDING = frozenset({"/LZWDecode", "/LZW", "/RunLengthDecode", "/RL"})
# JPEG q95 without chroma subsampling: visually lossless, and 0.03 s a 2560 px page where PNG takes 0.3 s (measured)
PAGE_FORMAT: tuple[str, dict[str, Any]] = ("jpg", {"quality": 95, "subsampling": 0})
DOCINFO = {"/Author": "author", "/Creator": "creator", "/Producer": "producer", "/Title": "title",
           "/Subject": "subject", "/Keywords": "keywords", "/CreationDate": "created", "/ModDate": "modified"}
# What a dictionary must not hold, by key or by (key, value). XFA forms carry their own scripts.
KEY_TELLS = {"/JS": PdfReason.SCRIPTED, "/JavaScript": PdfReason.SCRIPTED, "/XFA": PdfReason.SCRIPTED,
             "/EF": PdfReason.EMBEDDED_FILES, "/EmbeddedFiles": PdfReason.EMBEDDED_FILES}
VALUE_TELLS = {("/S", "/JavaScript"): PdfReason.SCRIPTED, ("/S", "/Launch"): PdfReason.LAUNCH_ACTION,
               ("/Subtype", "/FileAttachment"): PdfReason.EMBEDDED_FILES,
               ("/Type", "/EmbeddedFile"): PdfReason.EMBEDDED_FILES}


def main(argv: list[str]) -> None:
    request = json.loads(argv[1])
    limits = PdfLimits(**request["limits"])
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * MB, limits.memory_mb * MB))
    metadata: dict[str, Any] = {}
    try:
        reply = answer(request, limits, metadata)
    except InvalidPdf as exc:
        reply = {"refused": [exc.reason, exc.limit, exc.actual, exc.detail]}
    except MemoryError:
        reply = {"refused": [PdfReason.TOO_COMPLEX, limits.memory_mb, None, "out of memory"]}
    except Exception as exc:  # noqa: BLE001  # anything else a hostile file provokes in qpdf or pdfium
        traceback.print_exc()
        reply = {"refused": [PdfReason.CORRUPT, None, None, f"{type(exc).__name__}: {exc}"[:300]]}
    sys.stdout.write(json.dumps({**reply, "metadata": metadata, "peak_rss_mb": round(_peak_mb(), 1)}) + "\n")


def _peak_mb() -> float:
    """This process's own high-water mark. Not ru_maxrss: Linux carries the forking parent's peak across
    exec into it, so a child of a large process would report the parent's size."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def answer(request: dict[str, Any], limits: PdfLimits, metadata: dict[str, Any]) -> dict[str, Any]:
    """Fills ``metadata`` as soon as it is read, so a refusal still tells organisers what the file said."""
    path = Path(request["path"])
    with _open(path) as pdf:
        metadata.update(pdf_metadata(pdf))
        check_structure(pdf, limits)
        pages = len(pdf.pages)
    document = _open_pdfium(path, pages)
    try:
        sizes = check_page_sizes(document, limits)
        reply: dict[str, Any] = {"page_sizes": [(size.width_pt, size.height_pt) for size in sizes]}
        if request["task"] == "render":
            reply["pages"] = render_all(document, sizes, Path(request["out_dir"]), request["long_edge"])
        return reply
    finally:
        document.close()


def _open(path: Path) -> pikepdf.Pdf:
    try:
        pdf = pikepdf.open(path, attempt_recovery=False)
    except pikepdf.PasswordError as exc:
        raise InvalidPdf(PdfReason.ENCRYPTED, detail="needs a password") from exc
    except pikepdf.PdfError as exc:
        raise InvalidPdf(PdfReason.CORRUPT, detail=str(exc)[:300]) from exc
    for warning in pdf.get_warnings():  # qpdf drops what exceeds its own limits and carries on
        if "max-nesting" in warning:
            raise InvalidPdf(PdfReason.TOO_DEEP, None, None, warning[:300])
    return pdf


def check_structure(pdf: pikepdf.Pdf, limits: PdfLimits) -> None:
    if pdf.is_encrypted:  # even with an empty user password
        raise InvalidPdf(PdfReason.ENCRYPTED)
    pages = len(pdf.pages)
    if pages == 0:
        raise InvalidPdf(PdfReason.CORRUPT, detail="no pages")
    if pages > limits.max_pages:
        raise InvalidPdf(PdfReason.TOO_MANY_PAGES, limits.max_pages, pages)
    count = max(_integer(pdf.trailer.get("/Size")), len(pdf.objects))
    if count > limits.max_objects:
        raise InvalidPdf(PdfReason.TOO_MANY_OBJECTS, limits.max_objects, count)
    for obj in pdf.objects:
        walk(obj, limits.max_depth)
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            check_stream(obj, limits.max_stream_mb * MB)


def walk(obj: pikepdf.Object, max_depth: int) -> None:
    """One indirect object and its direct contents (the indirect ones are walked on their own)."""
    stack = [(obj, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > max_depth:
            raise InvalidPdf(PdfReason.TOO_DEEP, max_depth, depth)
        if isinstance(item, pikepdf.Dictionary | pikepdf.Stream):
            children = list(item.values())
            _check_tells(item)
        elif isinstance(item, pikepdf.Array):
            children = list(item)
        else:
            continue
        # scalars arrive as Python values; indirect objects are walked on their own
        stack.extend((child, depth + 1) for child in children
                     if isinstance(child, pikepdf.Object) and not child.is_indirect)


def _check_tells(dictionary: pikepdf.Object) -> None:
    for key, value in dictionary.items():
        reason = KEY_TELLS.get(key) or (VALUE_TELLS.get((key, str(value))) if isinstance(value, pikepdf.Name) else None)
        if reason:
            raise InvalidPdf(reason, detail=key)


def check_stream(stream: pikepdf.Stream, limit: int) -> None:
    size = max(decoded_size(stream, limit), _pixel_bytes(stream))
    if size > limit:
        raise InvalidPdf(PdfReason.STREAM_TOO_LARGE, limit, size)


def decoded_size(stream: pikepdf.Stream, limit: int) -> int:
    """The stream's decoded length, counted no further than just past ``limit``.

    Only deflate expands without bound (and a chain of it multiplies): a chain of deflates is inflated a
    chunk at a time and dropped as it goes. LZW and run-length expand boundedly; qpdf decodes those in full,
    within the process' memory cap. ASCII filters shrink; image codecs are bounded by ``_pixel_bytes``.
    """
    filters = _filters(stream)
    raw = stream.read_raw_bytes()
    if filters and all(name in INFLATE for name in filters):
        if len(raw) * DEFLATE_MAX_RATIO ** len(filters) <= limit:
            return len(raw)
        return sum(len(chunk) for chunk in takewhile_total(_inflated(raw, len(filters)), limit))
    if EXPANDING.intersection(filters) or INFLATE.intersection(filters):
        try:
            return len(stream.read_bytes())
        except pikepdf.PdfError:
            return len(raw)  # a filter qpdf cannot decode: pdfium will skip the stream as well
    return len(raw)


def takewhile_total(chunks: Iterable[bytes], limit: int) -> Iterator[bytes]:
    """Chunks until their total passes ``limit`` (the one that passes it included)."""
    total = 0
    for chunk in chunks:
        yield chunk
        total += len(chunk)
        if total > limit:
            return


def _inflated(raw: bytes, layers: int) -> Iterator[bytes]:
    chunks: Iterable[bytes] = (raw[start:start + CHUNK] for start in range(0, len(raw), CHUNK))
    for _ in range(layers):
        chunks = _inflate(chunks)
    return iter(chunks)


def _inflate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Inflate, never producing more than ``CHUNK`` bytes at a time. A broken tail ends the stream, as in
    pdfium."""
    inflater = zlib.decompressobj()
    try:
        for chunk in chunks:
            pending = chunk
            while pending and not inflater.eof:
                yield inflater.decompress(pending, CHUNK)
                pending = inflater.unconsumed_tail
            if inflater.eof:
                return
        yield inflater.flush()
    except zlib.error:
        return


def _pixel_bytes(stream: pikepdf.Stream) -> int:
    """An image's decoded size, taking the worst case of 4 channels (CMYK) and at least 8 bits each."""
    if stream.get("/Subtype") != pikepdf.Name.Image:
        return 0
    bits = max(_integer(stream.get("/BitsPerComponent"), 8), 8)
    return _integer(stream.get("/Width")) * _integer(stream.get("/Height")) * 4 * bits // 8


def _integer(value: object, default: int = 0) -> int:
    return int(value) if isinstance(value, int) else default  # pikepdf hands over integers as Python ints


def _filters(stream: pikepdf.Stream) -> list[str]:
    value = stream.get("/Filter")
    items = list(value) if isinstance(value, pikepdf.Array) else [value] if value is not None else []
    return [str(item) for item in items]


def _open_pdfium(path: Path, pages: int) -> pdfium.PdfDocument:
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise InvalidPdf(PdfReason.CORRUPT, detail=str(exc)[:300]) from exc
    if len(document) != pages:
        document.close()
        raise InvalidPdf(PdfReason.CORRUPT, pages, None, "qpdf and pdfium disagree about the page count")
    return document


def check_page_sizes(document: pdfium.PdfDocument, limits: PdfLimits) -> list[PageSize]:
    sizes = [PageSize(*document.get_page_size(index)) for index in range(len(document))]
    for size in sizes:
        if max(size.mm) > limits.max_side_mm:
            raise InvalidPdf(PdfReason.PAGE_TOO_LARGE, limits.max_side_mm, round(max(size.mm), 1))
        if min(size.mm) < limits.min_side_mm:
            raise InvalidPdf(PdfReason.PAGE_TOO_SMALL, limits.min_side_mm, round(min(size.mm), 1))
    return sizes


def render_all(document: pdfium.PdfDocument, sizes: list[PageSize], out_dir: Path, long_edge: int) -> list[dict]:
    pages = []
    extension, options = PAGE_FORMAT
    for index, size in enumerate(sizes):
        name = f"page-{index + 1:03d}.{extension}"
        width, height = size.render_size(long_edge)
        render(document[index], (width, height)).save(out_dir / name, **options)
        pages.append({"name": name, "width": width, "height": height, "size_300dpi": size.pixels_300dpi})
    return pages


def render(page: pdfium.PdfPage, size: tuple[int, int]) -> Image.Image:
    """The page's content on white at exactly ``size``, so a filled field or a comment holding a name is not
    drawn: no annotations (FPDF_ANNOT not set) and no form fields (pdfium draws those only through FPDF_FFLDraw,
    after FPDFDOC_InitFormFillEnvironment, neither of which is called)."""
    width, height = size
    bitmap = pdfium.PdfBitmap.new_native(width, height, pdfium_c.FPDFBitmap_BGR, rev_byteorder=True)
    bitmap.fill_rect((255, 255, 255, 255), 0, 0, width, height)
    pdfium_c.FPDF_RenderPageBitmap(bitmap, page, 0, 0, width, height, 0, pdfium_c.FPDF_REVERSE_BYTE_ORDER)
    try:
        # a new image from the pixels alone: it holds nothing of the PDF
        return Image.frombytes("RGB", size, bytes(bitmap.buffer), "raw", "RGB", bitmap.stride)
    finally:
        bitmap.close()
        page.close()


def pdf_metadata(pdf: pikepdf.Pdf) -> dict[str, Any]:
    """What the PDF says about itself, for organisers: document info, XMP (truncated), /ID, attachment and form
    field names. Plain JSON-able values; every string is cut to a bounded length."""
    info = pdf.trailer.get("/Info")
    docinfo = {key: _text(info.get(name)) if isinstance(info, pikepdf.Dictionary) else "" for name, key in DOCINFO.items()}
    return {**docinfo, "xmp": _xmp(pdf), "document_id": _document_id(pdf), "attachments": _attachment_names(pdf),
            "form_fields": _field_names(pdf)}


def _text(value: object) -> str:
    return str(value)[:TEXT_LIMIT] if isinstance(value, pikepdf.String | pikepdf.Name) else ""


def _xmp(pdf: pikepdf.Pdf) -> str:
    stream = pdf.Root.get("/Metadata")
    if not isinstance(stream, pikepdf.Stream):
        return ""
    filters = _filters(stream)
    if filters and not all(name in INFLATE for name in filters):
        return ""
    raw = stream.read_raw_bytes()
    data = b"".join(takewhile_total(_inflated(raw, len(filters)), XMP_LIMIT)) if filters else raw
    return data[:XMP_LIMIT].decode("utf-8", errors="replace")


def _document_id(pdf: pikepdf.Pdf) -> list[str]:
    ids = pdf.trailer.get("/ID")
    if not isinstance(ids, pikepdf.Array):
        return []
    return [bytes(item)[:64].hex() for item in list(ids)[:2] if isinstance(item, pikepdf.String)]


def _attachment_names(pdf: pikepdf.Pdf) -> list[str]:
    """Files in the /EmbeddedFiles name tree and in file attachment annotations."""
    specs: list[object] = [spec.obj for spec in pdf.attachments.values()]
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        specs += [annot.get("/FS") for annot in (annots if isinstance(annots, pikepdf.Array) else [])
                  if isinstance(annot, pikepdf.Dictionary) and annot.get("/Subtype") == pikepdf.Name.FileAttachment]
    names = [_text(spec.get("/UF") or spec.get("/F")) for spec in specs if isinstance(spec, pikepdf.Dictionary)]
    return list(dict.fromkeys(names))[:NAMES_LIMIT]


def _field_names(pdf: pikepdf.Pdf) -> list[str]:
    """Fully qualified names (parent.child) of the AcroForm's fields."""
    form = pdf.Root.get("/AcroForm")
    fields = form.get("/Fields") if isinstance(form, pikepdf.Dictionary) else None
    stack = [(item, "") for item in reversed(list(fields))] if isinstance(fields, pikepdf.Array) else []
    names: list[str] = []
    seen: set[tuple[int, int]] = set()
    while stack and len(names) < NAMES_LIMIT:
        node, prefix = stack.pop()
        if not isinstance(node, pikepdf.Dictionary) or node.objgen in seen:
            continue
        if node.is_indirect:
            seen.add(node.objgen)
        name = ".".join(filter(None, [prefix, _text(node.get("/T"))]))
        if "/T" in node:
            names.append(name)
        kids = node.get("/Kids")
        stack += [(kid, name) for kid in reversed(list(kids))] if isinstance(kids, pikepdf.Array) else []
    return names


if __name__ == "__main__":
    main(sys.argv)
