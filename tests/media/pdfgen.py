"""PDFs made in code for the PDF board tests: fpdf2 for ordinary boards, a raw writer for hostile ones."""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence

import pikepdf
from fpdf import FPDF

MARKER = "Zhang San 张三 4f1c"  # planted in metadata; must never reach a rendered page's file
A3_MM = (297, 420)
A4_MM = (210, 297)


def board(pages: int = 3, size_mm: tuple[float, float] = A3_MM, *, author: str = "") -> bytes:
    """An ordinary board: one big black block and a line of text on each page."""
    pdf = FPDF(unit="mm", format=size_mm)
    pdf.set_author(author)
    pdf.set_creator("Illustrator" if author else "")
    pdf.set_producer("fpdf2" if not author else f"Producer {author}")
    for number in range(pages):
        pdf.add_page()
        pdf.rect(size_mm[0] * 0.1, size_mm[1] * 0.1, size_mm[0] * 0.3, size_mm[1] * 0.2, style="F")
        pdf.set_font("helvetica", size=24)
        pdf.text(size_mm[0] * 0.1, size_mm[1] * 0.6, f"page {number + 1}")
    return bytes(pdf.output())


def edit(data: bytes, change: object) -> bytes:
    """``data`` opened with pikepdf, changed by ``change(pdf)``, saved again (with a fresh /ID)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)  # type: ignore[operator]
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def raw(objects: Sequence[bytes], *, trailer: bytes = b"") -> bytes:
    """A PDF written byte by byte with a correct xref table: object ``n`` is ``objects[n - 1]``, object 1 is
    the catalog. For files no library would write (deep nesting, bombs)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def one_page(*, page_extra: bytes = b"", catalog_extra: bytes = b"", media_box: bytes = b"[0 0 595 842]",
             contents: bytes = b"0 0 0 rg 100 100 200 200 re f", more: Sequence[bytes] = ()) -> bytes:
    """Catalog (1), page tree (2), page (3), empty contents (4), then ``more`` as objects 5, 6, ..."""
    return raw([
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox " + media_box + b" /Resources << >> /Contents 4 0 R " + page_extra + b">>",
        stream(contents),
        *more,
    ])


def nested(depth: int) -> bytes:
    """A page whose dictionary holds arrays nested ``depth`` deep."""
    return one_page(page_extra=b"/Deep " + b"[" * depth + b"]" * depth)


def zeros_deflated(size: int) -> bytes:
    """A zlib stream that inflates to ``size`` zero bytes (rounded up to MiB), made without deflating them all:
    after a full flush a deflate block depends on nothing before it, so one compressed MiB repeats."""
    block = bytes(1 << 20)
    deflater = zlib.compressobj(9)
    first = deflater.compress(block) + deflater.flush(zlib.Z_FULL_FLUSH)
    again = deflater.compress(block) + deflater.flush(zlib.Z_FULL_FLUSH)
    count = max(1, -(-size // len(block)))
    return first + again * (count - 1) + deflater.flush()


def bomb(size: int) -> bytes:
    """A page whose content stream inflates to ``size`` bytes."""
    return raw([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> /Contents 4 0 R >>",
        stream(zeros_deflated(size), b"/Filter /FlateDecode "),
    ])


def deeply_deflated(size: int, layers: int = 2) -> bytes:
    """``size`` zero bytes under ``layers`` of deflate: a few KB that inflate to gigabytes."""
    data = zeros_deflated(size)
    for _ in range(layers - 1):
        data = zlib.compress(data, 9)
    return data


def with_loose_stream(data: bytes, filters: bytes) -> bytes:
    """A plain page plus an unreferenced stream object: checked, never drawn."""
    return one_page(more=[stream(data, b"/Filter " + filters + b" ")])


def big_image(width: int, height: int, *, pages_before: int = 0) -> bytes:
    """``pages_before`` plain pages, then a page showing a ``width`` x ``height`` RGB image of zeros."""
    kids = b" ".join(b"%d 0 R" % (5 + page) for page in range(pages_before + 1))
    plain = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> /Contents 4 0 R >>"]
    return raw([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % (pages_before + 1),
        stream(zeros_deflated(width * height * 3),
               b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "
               b"/Filter /FlateDecode " % (width, height)),
        stream(b"0 0 0 rg 100 100 200 200 re f"),
        *plain * pages_before,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im 3 0 R >> >> "
        b"/Contents %d 0 R >>" % (6 + pages_before),
        stream(b"q 595 0 0 842 0 0 cm /Im Do Q"),
    ])


def encrypted(user_password: str) -> bytes:
    return _saved(board(1, A4_MM), encryption=pikepdf.Encryption(owner="owner", user=user_password))


def _saved(data: bytes, **options: object) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        pdf.save(out, **options)  # type: ignore[arg-type]
        return out.getvalue()


def javascript_in_open_action() -> bytes:
    return one_page(catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>")


def javascript_in_names() -> bytes:
    return one_page(catalog_extra=b"/Names << /JavaScript 5 0 R >>",
                    more=[b"<< /Names [(run) << /S /JavaScript /JS (app.alert\\(1\\)) >>] >>"])


def javascript_in_annotation() -> bytes:
    return one_page(page_extra=b"/Annots [5 0 R]", more=[
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A << /S /JavaScript /JS 6 0 R >> >>",
        stream(b"app.alert(1)"),
    ])


def launch_action() -> bytes:
    return one_page(catalog_extra=b"/OpenAction << /S /Launch /F (calc.exe) >>")


def attachment(name: str = "secret.txt") -> bytes:
    def attach(pdf: pikepdf.Pdf) -> None:
        pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, b"hidden", filename=name)
    return edit(board(1, A4_MM), attach)


def file_attachment_annotation(name: str = "notes.txt") -> bytes:
    return one_page(page_extra=b"/Annots [5 0 R]", more=[
        b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 20 20] /FS << /Type /Filespec /F (%s) >> >>"
        % name.encode(),
    ])


def pages(count: int) -> bytes:
    return board(count, A4_MM)


def page_of(width_pt: float, height_pt: float) -> bytes:
    return one_page(media_box=b"[0 0 %.2f %.2f]" % (width_pt, height_pt))


def declaring_objects(count: int) -> bytes:
    return one_page(more=[b"null"] * 3).replace(b"/Size 8 ", b"/Size %d " % count)  # same length: xref holds


def rotated_page(size_mm: tuple[float, float] = A4_MM) -> bytes:
    return edit(board(1, size_mm), lambda pdf: pdf.pages[0].obj.__setitem__("/Rotate", 90))


def coloured_page() -> bytes:
    """A4, left half pure red, right half pure blue."""
    return one_page(contents=b"1 0 0 rg 0 0 297.5 842 re f 0 0 1 rg 297.5 0 297.5 842 re f")


def with_metadata(marker: str = MARKER) -> bytes:
    """Two A4 pages with ``marker`` in document info and XMP; on page 1 a filled form field (nested name
    ``applicant.name``), on page 2 a stamp annotation, each appearing as a black block over the top half."""
    def plant(pdf: pikepdf.Pdf) -> None:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp["dc:creator"] = [marker]
        pdf.docinfo["/Author"] = marker
        pdf.docinfo["/Creator"] = f"Creator {marker}"
        pdf.docinfo["/Producer"] = f"Producer {marker}"
        pdf.docinfo["/Title"] = f"Title {marker}"
        width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
        appearance = pikepdf.Stream(pdf, b"0 0 0 rg 0 0 %.1f %.1f re f" % (width, height / 2))
        appearance.Type, appearance.Subtype = pikepdf.Name.XObject, pikepdf.Name.Form
        appearance.BBox = [0, 0, width, height / 2]
        parent = pdf.make_indirect(pikepdf.Dictionary(T=pikepdf.String("applicant"), Kids=pikepdf.Array()))
        widget = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx, T=pikepdf.String("name"),
            V=pikepdf.String(marker), Rect=[0, height / 2, width, height], F=4, Parent=parent,
            AP=pikepdf.Dictionary(N=appearance), P=pdf.pages[0].obj))
        parent.Kids.append(widget)
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([widget]))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[parent])
        stamp = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Stamp, Contents=pikepdf.String(marker),
            T=pikepdf.String(marker), Rect=[0, height / 2, width, height], F=4, AP=pikepdf.Dictionary(N=appearance)))
        pdf.pages[1].obj.Annots = pdf.make_indirect(pikepdf.Array([stamp]))
    return edit(board(2, A4_MM, author=marker), plant)


def image_claiming(width: int, height: int) -> bytes:
    """A page showing a JPEG of a few bytes that says it is ``width`` x ``height``."""
    return one_page(page_extra=b"/XObject << /Im 5 0 R >>", more=[
        stream(b"\xff\xd8\xff", b"/Type /XObject /Subtype /Image /Width %d /Height %d /BitsPerComponent 8 "
                                b"/ColorSpace /DeviceRGB /Filter /DCTDecode " % (width, height)),
    ])


def sized_pages(*sizes_mm: tuple[float, float]) -> bytes:
    """One page of each size, with the usual block and caption."""
    pdf = FPDF(unit="mm")
    for size in sizes_mm:
        pdf.add_page(format=size)
        pdf.rect(size[0] * 0.1, size[1] * 0.1, size[0] * 0.3, size[1] * 0.2, style="F")
    return bytes(pdf.output())
