"""Image facts (size, DPI, mode, alpha) read from headers without decoding the bitmap; bombs and corruption refused."""
from __future__ import annotations

import dataclasses
import os
import warnings
from typing import BinaryIO

from PIL import Image


class BadImage(ValueError):
    """Corrupt, truncated or oversized (decompression bomb) image."""


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


def inspect(path: str | os.PathLike, *, max_pixels: int) -> ImageFacts:
    """Read header facts and check the file is whole; BadImage for bombs, truncation and corruption."""
    with open(path, "rb") as fh:
        facts = _facts(fh, max_pixels)
        fh.seek(0)
        _check_whole(fh, facts.format)
    return facts


def _facts(fh: BinaryIO, max_pixels: int) -> ImageFacts:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(fh)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise BadImage("Image is too large to process safely (decompression bomb)") from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise BadImage(f"Not a readable image: {exc}") from None
    width, height = img.size
    if width <= 0 or height <= 0:
        raise BadImage("Image has no pixels")
    if width * height > max_pixels:
        raise BadImage(f"Image is {width}x{height} = {width * height / 1e6:.0f} MP, over the "
                       f"{max_pixels / 1e6:.0f} MP limit (decompression bomb protection)")
    dpi = img.info.get("dpi")
    dpi_x, dpi_y = (float(dpi[0]), float(dpi[1])) if dpi and dpi[0] and dpi[1] else (None, None)
    has_alpha = img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info
    return ImageFacts(img.format or "", width, height, _round(dpi_x), _round(dpi_y), img.mode, has_alpha)


def _round(value: float | None) -> float | None:
    # PNG stores pixels per metre, so 300 DPI reads back as 299.9994.
    return None if value is None else round(value, 2)


def _check_whole(fh: BinaryIO, fmt: str) -> None:
    if fmt == "JPEG":
        # verify() is a no-op for JPEG; a complete file ends with the EOI marker (trailing padding allowed).
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 4096))
        if b"\xff\xd9" not in fh.read():
            raise BadImage("JPEG is truncated (no end-of-image marker)")
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # PNG verify walks every chunk and checks its CRC without inflating the pixel data.
            Image.open(fh).verify()
        except Exception as exc:  # Pillow raises many unrelated types for damaged files
            raise BadImage(f"Image is corrupt or truncated: {exc}") from None


def thumbnail(path: str | os.PathLike, size: int = 320) -> bytes | None:
    """A WebP thumbnail at most `size` px on its long side, decoded with shrink-on-load; None if unsupported."""
    import pyvips

    try:
        thumb = pyvips.Image.thumbnail(str(path), size, height=size, size="down")
        if thumb.interpretation not in ("srgb", "b-w") and thumb.bands >= 3:
            thumb = thumb.colourspace("srgb")
        return thumb.write_to_buffer(".webp", Q=80)
    except pyvips.Error:
        return None
