"""Files that carry AI provenance signals, generated in code: XMP packets, GB 45438 labels, software tags,
and a JPEG signed with a real C2PA manifest (certificates made on the fly)."""

from __future__ import annotations

import datetime as dt
import io
import json
from xml.sax.saxutils import escape, quoteattr

import c2pa
import pikepdf
import pillow_heif
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from contest.media.provenance import TRAINED
from tests.imagegen import encode, poster

AIGC_VALUE = {"Label": "1", "ContentProducer": "001191110108MA01KP2T5U00000", "ProduceID": "img-7f3a",
              "ReservedCode1": "", "ContentPropagator": "", "PropagateID": "", "ReservedCode2": ""}


def xmp(*, source_type: str | None = None, aigc: dict | None = None, creator_tool: str | None = None,
        as_elements: bool = False) -> bytes:
    """An XMP packet with the given properties, as attributes (Adobe's compact form) or as elements."""
    properties = {"Iptc4xmpExt:DigitalSourceType": source_type, "xmp:CreatorTool": creator_tool,
                  "TC260:AIGC": json.dumps(aigc, ensure_ascii=False) if aigc else None}
    present = {name: value for name, value in properties.items() if value is not None}
    attributes = "" if as_elements else "".join(f" {name}={quoteattr(value)}" for name, value in present.items())
    elements = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in present.items()) if as_elements else ""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""'
        ' xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        f' xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/"{attributes}>{elements}</rdf:Description>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def image() -> Image.Image:
    return poster((160, 120), 21)


def jpeg_with(*, xmp_packet: bytes | None = None, exif: dict[int, object] | None = None,
              exif_ifd: dict[int, object] | None = None, comment: str | None = None) -> bytes:
    tags = Image.Exif()
    tags.update(exif or {})
    tags.get_ifd(0x8769).update(exif_ifd or {})
    options: dict[str, object] = {"exif": tags}
    if xmp_packet:
        options["xmp"] = xmp_packet
    if comment:
        options["comment"] = comment
    return encode(image(), "JPEG", quality=90, **options)


def png_with(texts: dict[str, str], *, compressed: bool = False) -> bytes:
    info = PngInfo()
    for key, value in texts.items():
        info.add_itxt(key, value, zip=compressed)
    return encode(image(), "PNG", pnginfo=info)


def png_text_after_idat(key: str, value: str) -> bytes:
    """Text chunks after the pixels, where Pillow only looks once the image is decoded."""
    data = encode(image(), "PNG")
    info = PngInfo()
    info.add_text(key, value, zip=True)
    chunk = encode(Image.new("RGB", (1, 1)), "PNG", pnginfo=info)
    ztxt = chunk.index(b"zTXt") - 4
    length = int.from_bytes(chunk[ztxt:ztxt + 4], "big")
    iend = data.rindex(b"IEND") - 4
    return data[:iend] + chunk[ztxt:ztxt + 12 + length] + data[iend:]


def webp_with(xmp_packet: bytes) -> bytes:
    return encode(image(), "WEBP", quality=80, xmp=xmp_packet)


def heic_with(xmp_packet: bytes) -> bytes:
    buffer = io.BytesIO()
    pillow_heif.from_pillow(image()).save(buffer, quality=60, xmp=xmp_packet)
    return buffer.getvalue()


def pdf_with(*, producer: str | None = None, xmp_packet: bytes | None = None) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if producer:
        pdf.docinfo["/Producer"] = producer
    if xmp_packet:
        pdf.Root.Metadata = pikepdf.Stream(pdf, xmp_packet, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


# --- C2PA --------------------------------------------------------------------------------------------------

def manifest(source_type: str = TRAINED, generator: str = "TestGenerator") -> dict:
    return {"claim_generator_info": [{"name": generator, "version": "2.1"}], "title": "poster.jpg",
            "assertions": [{"label": "c2pa.actions", "data": {"actions": [
                {"action": "c2pa.created", "digitalSourceType": source_type}]}}]}


def c2pa_signed_jpeg(source_type: str = TRAINED, generator: str = "TestGenerator") -> bytes:
    """A JPEG signed with a fresh ES256 certificate chain (a test CA and a signing certificate)."""
    source = io.BytesIO(encode(image(), "JPEG", quality=90))
    signed = io.BytesIO()
    with c2pa.Builder(manifest(source_type, generator)) as builder:
        builder.sign(_signer(), "image/jpeg", source, signed)
    return signed.getvalue()


def _signer() -> c2pa.Signer:
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Test CA", ca_key, ca_key, authority=True)
    leaf = _certificate("Test signer", key, ca_key, authority=False)
    chain = b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in (leaf, ca))
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return c2pa.Signer.from_info(c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain, private, None))


def _certificate(name: str, key: ec.EllipticCurvePrivateKey, issuer_key: ec.EllipticCurvePrivateKey, *,
                 authority: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    issuer = "Test CA"
    builder = (x509.CertificateBuilder()
               .subject_name(_name(name)).issuer_name(_name(issuer)).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=7))
               .add_extension(x509.BasicConstraints(ca=authority, path_length=0 if authority else None), critical=True)
               .add_extension(_key_usage(authority), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if not authority:
        builder = (builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                                  critical=False))
    return builder.sign(issuer_key, hashes.SHA256())


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Contest tests")])


def _key_usage(authority: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not authority, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=authority, crl_sign=authority,
                         encipher_only=False, decipher_only=False)

