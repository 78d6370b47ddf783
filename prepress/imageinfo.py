"""Image facts (size, DPI, mode, alpha) read from headers without decoding the bitmap; bombs and corruption refused."""
from __future__ import annotations

import dataclasses
import os
import struct

import pyvips
from PIL import (
    BmpImagePlugin,
    GifImagePlugin,
    Image,
    ImageFile,
    JpegImagePlugin,
    PngImagePlugin,
    PsdImagePlugin,
    TiffImagePlugin,
    WebPImagePlugin,
)

from prepress import filetypes, imagelimits


class BadImage(ValueError):
    """Corrupt, truncated or oversized (decompression bomb) image."""


# Each format's own class, not Image.open: Image.open applies Pillow's process-wide pixel limit before the caller's
# `max_pixels` could, and a sheet of any length must be readable when the caller allows it.
_OPENERS: dict[str, type[ImageFile.ImageFile]] = {
    filetypes.PNG.mime: PngImagePlugin.PngImageFile,
    filetypes.JPEG.mime: JpegImagePlugin.JpegImageFile,
    filetypes.GIF.mime: GifImagePlugin.GifImageFile,
    filetypes.WEBP.mime: WebPImagePlugin.WebPImageFile,
    filetypes.TIFF.mime: TiffImagePlugin.TiffImageFile,
    filetypes.BMP.mime: BmpImagePlugin.BmpImageFile,
    filetypes.PSD.mime: PsdImagePlugin.PsdImageFile,
}


@dataclasses.dataclass(frozen=True)
class ImageFacts:
    """What the header says."""

    format: str
    width: int
    height: int
    dpi_x: float | None
    dpi_y: float | None
    mode: str
    has_alpha: bool

    @property
    def dpi(self) -> float | None:
        """The lower of the two resolutions, when the file records one."""
        if self.dpi_x is None or self.dpi_y is None:
            return None
        return min(self.dpi_x, self.dpi_y)


def inspect(path: str | os.PathLike, *, max_pixels: int | None = None) -> ImageFacts:
    """Read header facts and check the file is whole; BadImage for bombs, truncation and corruption.

    `max_pixels` (default: the configured upload limit, see imagelimits) is the one pixel limit applied, exactly:
    Pillow's process-wide limit is not consulted, so a sheet or design of any size the caller allows is read.
    """
    limit = imagelimits.max_upload_pixels() if max_pixels is None else max_pixels
    opener = _opener(path)
    facts = _facts(path, opener, limit)
    _check_whole(path, opener, facts.format)
    return facts


def _opener(path: str | os.PathLike) -> type[ImageFile.ImageFile]:
    with open(path, "rb") as fh:
        kind = filetypes.sniff(fh.read(512))
    opener = _OPENERS.get(kind.mime) if kind else None
    if opener is None:
        raise BadImage("Not a readable image: the content is not a PNG, JPEG, GIF, WebP, TIFF, BMP or PSD image")
    return opener


def _facts(path: str | os.PathLike, opener: type[ImageFile.ImageFile], max_pixels: int) -> ImageFacts:
    try:
        with opener(os.fspath(path)) as img:
            width, height = img.size
            mode, info, fmt = img.mode, dict(img.info), img.format or ""
    except Image.DecompressionBombError:
        # Pillow's GIF and WebP parsers check their own headers against its process-wide limit.
        raise BadImage(_too_large_for_pillow(path, max_pixels)) from None
    except (OSError, SyntaxError, ValueError, IndexError, TypeError, EOFError, struct.error) as exc:
        raise BadImage(f"Not a readable image: {exc}") from None
    if width <= 0 or height <= 0:
        raise BadImage("Image has no pixels")
    refusal = imagelimits.upload_refusal(width, height, max_pixels)
    if refusal is not None:
        raise BadImage(refusal)
    dpi = info.get("dpi")
    dpi_x, dpi_y = (float(dpi[0]), float(dpi[1])) if dpi and dpi[0] and dpi[1] else (None, None)
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in info
    return ImageFacts(fmt, width, height, _round(dpi_x), _round(dpi_y), mode, has_alpha)


def _too_large_for_pillow(path: str | os.PathLike, max_pixels: int) -> str:
    """The refusal when Pillow refused first, naming the size libvips reads (it has no process-wide limit)."""
    try:
        image = pyvips.Image.new_from_file(os.fspath(path))
    except pyvips.Error:
        return f"Image is too large to process safely (decompression bomb), over {max_pixels:,} px"
    # No refusal by our limit means the caller allows more than twice Pillow's process-wide limit (configure()).
    return (imagelimits.upload_refusal(image.width, image.height, max_pixels)
            or imagelimits.upload_refusal(image.width, image.height, 2 * (Image.MAX_IMAGE_PIXELS or 0))
            or f"Image is {image.width:,} x {image.height:,} px, too large to process safely (decompression bomb)")


def _round(value: float | None) -> float | None:
    # PNG and BMP store whole pixels per metre, so 300 DPI reads back as 299.9994 and 150 as 150.0124: a value
    # within that rounding (0.0127 DPI) of a whole number is that number.
    if value is None:
        return None
    return float(round(value)) if abs(value - round(value)) <= 0.013 else round(value, 2)


def _check_whole(path: str | os.PathLike, opener: type[ImageFile.ImageFile], fmt: str) -> None:
    if fmt == "JPEG":
        # verify() is a no-op for JPEG; a complete file ends with the EOI marker (trailing padding allowed).
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 4096))
            if b"\xff\xd9" not in fh.read():
                raise BadImage("JPEG is truncated (no end-of-image marker)")
        return
    try:
        # PNG verify walks every chunk and checks its CRC without inflating the pixel data.
        with opener(os.fspath(path)) as img:
            img.verify()
    except Exception as exc:  # Pillow raises many unrelated types for damaged files
        raise BadImage(f"Image is corrupt or truncated: {exc}") from None


def thumbnail(path: str | os.PathLike, size: int = 320) -> bytes | None:
    """A WebP thumbnail at most `size` px on its long side, decoded with shrink-on-load; None if unsupported."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"thumbnail size must be a positive whole number of pixels, got {size!r}")
    try:
        thumb = pyvips.Image.thumbnail(str(path), size, height=size, size="down")
        if thumb.interpretation not in ("srgb", "b-w") and thumb.bands >= 3:
            thumb = thumb.colourspace("srgb")
        return thumb.write_to_buffer(".webp", Q=80)
    except pyvips.Error:
        return None
