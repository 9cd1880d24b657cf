"""``phytowatch certificates verify-qr``: the offline check of a certificate's QR code, from a
photo or scan (zxing-cpp reads it) or from its decoded text, with the office's published public
keys and no connection to phytowatch. Exit 0 genuine and unaltered, 2 not (or unreadable)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from phytowatch.cli.messages import say, t
from phytowatch.cli.output import REFUSED_EXIT, fail
from phytowatch.domain.messages import Code, Invalid, invalid
from phytowatch.domain.messages import say as message

MAX_IMAGE_BYTES = 40 * 1024 * 1024
# what the command prints beside the payload's fields (msgids of the one catalogue)
SAYS, CLAIMS = "What the QR code says", "What the QR code claims"
FIELDS = (
    "Certificate number", "Office", "Kind", "Date of issue", "Exporter", "Consignee", "Destination",
    "Produce", "Content hash", "Key",
)  # fmt: skip


def decode_image(path: Path) -> str:
    """The text of the first certificate QR code in the image; ``Invalid`` when it cannot be
    read or holds none."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        if path.stat().st_size > MAX_IMAGE_BYTES:
            raise invalid(Code.QR_IMAGE, path=str(path))
        with Image.open(path) as image:
            image.load()
            found = zxingcpp.read_barcodes(image.convert("L"))
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        raise invalid(Code.QR_IMAGE, path=str(path)) from None
    texts = [r.text for r in found if r.text]
    ours = [text for text in texts if "/verify/" in text]
    if not texts:
        raise invalid(Code.QR_UNREADABLE, path=str(path))
    return (ours or texts)[0]


def verify_qr(
    image: Annotated[
        Path | None,
        typer.Argument(help="a photo or scan of the certificate (PNG, JPEG, …)", metavar="IMAGE"),
    ] = None,
    text: Annotated[
        str | None,
        typer.Option(
            "--text", help="the QR code's decoded text instead of an image", metavar="TEXT"
        ),
    ] = None,
    key: Annotated[
        list[Path] | None,
        typer.Option(
            "--key",
            help="the office's published public key or X.509 certificate (PEM, from "
            "/verify/keys); repeat for several",
            metavar="PEM",
        ),
    ] = None,
) -> None:
    """Check offline that a certificate is genuine and unaltered, from its QR code: the
    number, key fields and date of issue it carries, signed by an office key. Exit 0 genuine,
    2 not genuine or unreadable. 离线验证证书二维码。"""
    from phytowatch.cli.messages import default_lang
    from phytowatch.services.certificates.offline import load_public_key
    from phytowatch.services.certificates.offline import verify_qr as check

    lang = default_lang()
    if (image is None) == (text is None):
        raise fail(message(Code.QR_IMAGE_OR_TEXT))
    if not key:
        raise fail(message(Code.QR_NEED_KEY, address="<public_url>/verify/keys"))
    try:
        keys = []
        for path in key:
            try:
                pem = path.read_bytes()
            except OSError:
                raise invalid(Code.QR_KEY_FILE, path=str(path)) from None
            keys.append(load_public_key(pem))
        decoded = text if text is not None else decode_image(image)  # type: ignore[arg-type]
        result = check(decoded, keys)
    except Invalid as error:
        raise fail(error.message) from None
    p = result.qr.payload
    mark = "✓" if result.genuine else "✕"
    typer.echo(f"{mark} {say(result.message, lang)}")
    values = (
        p.number, p.office, t(p.kind, lang), p.issued_on, p.exporter, p.consignee,
        p.destination, p.produce, p.content_hash, p.key_id,
    )  # fmt: skip
    heading = t(SAYS if result.genuine else CLAIMS, lang)
    typer.echo(f"  {heading}:")
    for label, value in zip(FIELDS, values, strict=True):
        typer.echo(f"    {t(label, lang)}: {value}")
    typer.echo(say(message(Code.QR_ONLINE_ADDS, address=result.qr.address), lang))
    if not result.genuine:
        raise typer.Exit(REFUSED_EXIT)
