"""What a file is, judged by its first bytes (never by its name), and which types each folder accepts."""
from __future__ import annotations

import dataclasses


class UnsupportedType(ValueError):
    """The content is not a type this folder accepts."""


@dataclasses.dataclass(frozen=True)
class Kind:
    """A recognised content type."""

    mime: str
    extension: str
    is_image: bool


PNG = Kind("image/png", ".png", True)
JPEG = Kind("image/jpeg", ".jpg", True)
GIF = Kind("image/gif", ".gif", True)
WEBP = Kind("image/webp", ".webp", True)
TIFF = Kind("image/tiff", ".tif", True)
BMP = Kind("image/bmp", ".bmp", True)
PSD = Kind("image/vnd.adobe.photoshop", ".psd", False)
PDF = Kind("application/pdf", ".pdf", False)
SVG = Kind("image/svg+xml", ".svg", False)
ZIP = Kind("application/zip", ".zip", False)
CSV = Kind("text/csv", ".csv", False)
JSON = Kind("application/json", ".json", False)

_RASTER = {PNG, JPEG, GIF, WEBP, TIFF, BMP}
ACCEPTED: dict[str, frozenset[Kind]] = {
    "designs": frozenset(_RASTER | {PSD, PDF, SVG}),
    "mockups": frozenset({PNG, JPEG, WEBP}),
    "print_files": frozenset({PNG, TIFF, PDF}),
    "gang_sheets": frozenset({PNG, TIFF, PDF}),
    "templates": frozenset(_RASTER | {PSD, SVG}),
    "watermarks": frozenset({PNG, WEBP, SVG}),
    "exports": frozenset(_RASTER | {PDF, ZIP, CSV, JSON, SVG}),
    "other": frozenset(_RASTER | {PSD, PDF, SVG, ZIP, CSV, JSON}),
}
EXTENSION_ALIASES = {".jpeg": ".jpg", ".jpe": ".jpg", ".tiff": ".tif"}


def sniff(head: bytes) -> Kind | None:
    """The content type of a file from its first bytes (512 are plenty), or None when unknown."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head[:2] == b"BM" and len(head) >= 26:
        return BMP
    if head.startswith(b"8BPS"):
        return PSD
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return ZIP
    return _sniff_text(head)


def _sniff_text(head: bytes) -> Kind | None:
    try:
        text = head.decode("utf-8-sig").lstrip()
    except UnicodeDecodeError:
        # The head may end inside a multi-byte character.
        try:
            text = head[:-3].decode("utf-8-sig").lstrip()
        except UnicodeDecodeError:
            return None
    lowered = text[:512].lower()
    if "<svg" in lowered and (lowered.startswith("<?xml") or lowered.startswith("<svg")
                              or lowered.startswith("<!--") or lowered.startswith("<!doctype svg")):
        return SVG
    if lowered.startswith(("{", "[")):
        return JSON
    if "\x00" not in text and "," in text.split("\n", 1)[0]:
        return CSV
    return None


def accept(file_type: str, head: bytes) -> Kind:
    """The kind of `head` if `file_type` accepts it; UnsupportedType naming what was found otherwise."""
    kind = sniff(head)
    allowed = ACCEPTED[file_type]
    if kind is None:
        raise UnsupportedType("Unrecognised file content; upload an image, PDF, SVG or another supported type")
    if kind not in allowed:
        names = ", ".join(sorted(k.extension.lstrip(".").upper() for k in allowed))
        raise UnsupportedType(f"{kind.mime} files are not accepted as {file_type} (accepted: {names})")
    return kind


def fix_extension(filename: str, kind: Kind) -> str:
    """`filename` with the extension that matches its content (a PNG named .jpg becomes .png)."""
    stem, dot, ext = filename.rpartition(".")
    if dot and stem:
        current = "." + ext.lower()
        if EXTENSION_ALIASES.get(current, current) == kind.extension:
            return filename
        return f"{stem}{kind.extension}"
    return f"{filename}{kind.extension}"


_BY_MIME = {k.mime: k for k in (PNG, JPEG, GIF, WEBP, TIFF, BMP, PSD, PDF, SVG, ZIP, CSV, JSON)}


def by_mime(mime: str) -> Kind | None:
    """The kind with this MIME type."""
    return _BY_MIME.get(mime)
