"""Design thumbnails for previews, kept small whatever was given: decoded for the PNG, embedded in the SVG."""
from __future__ import annotations

import base64
import io
import os

import pyvips
from PIL import Image

from prepress import filetypes, preview_sheet

Source = str | os.PathLike[str] | bytes
# A piece is rarely more than a few hundred preview pixels; shrink-on-load keeps a mistaken full-size file cheap.
DECODE_SIDE = 512
# Thumbnails from the cache (320 px WebP, 5 to 40 kB) are embedded as they are; anything bigger is re-encoded.
# WebP is a third of PNG's size and every browser shows it; librsvg (Inkscape, rsvg-convert) shows only PNG.
EMBED_MAX_BYTES = 64_000
EMBED_SIDE = 256
# Up to this, Pillow decodes a thumbnail five times faster than a libvips pipeline can be set up for it.
PILLOW_MAX_BYTES = 512_000
PILLOW_MAX_PIXELS = 2048 * 2048


def load_rgba(source: Source | None, crop: preview_sheet.Crop | None = None) -> Image.Image | None:
    """The thumbnail as an RGBA image at most DECODE_SIDE px, cut to `crop`; None when missing or unreadable."""
    if source is None:
        return None
    try:
        data = source if isinstance(source, bytes) else _small_file(source, PILLOW_MAX_BYTES)
        image = _pillow_rgba(data) if data is not None else None
        if image is None:
            image = _vips_rgba(source)
    except (pyvips.Error, OSError):
        return None
    if crop is not None:
        left, top, width, height = crop_box(crop, image.width, image.height)
        image = image.crop((left, top, left + width, top + height))
    return image


def _pillow_rgba(data: bytes) -> Image.Image | None:
    """A small image decoded by Pillow (a 320 px WebP in about a millisecond); None when it is not one."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.width * im.height > PILLOW_MAX_PIXELS:
                return None
            rgba = im.convert("RGBA")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    rgba.thumbnail((DECODE_SIDE, DECODE_SIDE))
    return rgba


def _pillow_size(data: bytes) -> tuple[int, int] | None:
    try:
        with Image.open(io.BytesIO(data)) as im:
            return im.size
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def _vips_rgba(source: Source) -> Image.Image:
    # libvips shrinks while loading, so a full-size design given by mistake costs one streamed decode, not 119 MP.
    image = _srgba(_thumbnail(source, DECODE_SIDE))
    return Image.frombytes("RGBA", (image.width, image.height), image.write_to_memory())


def data_uri(source: Source | None, embed_format: str = "webp") -> tuple[str, int, int] | None:
    """A small data URI of the thumbnail in `embed_format` ("webp" or "png") and its pixel size; None if unreadable.

    A small thumbnail already in that format is embedded as it is.
    """
    kind = {"webp": filetypes.WEBP, "png": filetypes.PNG}[embed_format]
    if source is None:
        return None
    try:
        data = source if isinstance(source, bytes) else _small_file(source, EMBED_MAX_BYTES)
        size = _pillow_size(data) if data is not None and filetypes.sniff(data[:32]) == kind else None
        if data is not None and size is not None and len(data) <= EMBED_MAX_BYTES and max(size) <= 2 * EMBED_SIDE:
            width, height = size
        else:
            image = _srgba(_thumbnail(source, EMBED_SIDE))
            data = image.webpsave_buffer(Q=75) if kind == filetypes.WEBP else image.pngsave_buffer(compression=9)
            width, height = image.width, image.height
    except (pyvips.Error, OSError):
        return None
    return f"data:{kind.mime};base64,{base64.b64encode(data).decode('ascii')}", width, height


def crop_box(crop: preview_sheet.Crop, width: int, height: int) -> tuple[int, int, int, int]:
    """The crop as a pixel box (left, top, width, height) of a width x height thumbnail, at least one pixel."""
    left, top = min(width - 1, int(crop[0] * width)), min(height - 1, int(crop[1] * height))
    right, bottom = max(left + 1, round(crop[2] * width)), max(top + 1, round(crop[3] * height))
    return left, top, min(width, right) - left, min(height, bottom) - top


def _small_file(path: str | os.PathLike[str], limit: int) -> bytes | None:
    if os.path.getsize(path) > limit:
        return None
    with open(path, "rb") as fh:
        return fh.read()


def _thumbnail(source: Source, side: int) -> pyvips.Image:
    if isinstance(source, bytes):
        return pyvips.Image.thumbnail_buffer(source, side, height=side, size="down")
    return pyvips.Image.thumbnail(os.fspath(source), side, height=side, size="down")


def _srgba(image: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB with alpha, whatever the thumbnail's colour space and depth."""
    if image.interpretation != "srgb" or image.format != "uchar":
        image = image.colourspace("srgb")
    if not image.hasalpha():
        image = image.bandjoin(255)
    return image.cast("uchar")
