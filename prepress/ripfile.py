"""The file a RIP gets: the rendered sheet as PNG or TIFF (LZW, alpha kept), mirrored if the media needs it.

Streamed top to bottom (libvips, sequential access), so a 22 x 200 in sheet at 300 DPI (6600 x 60000 px) is never
held in memory whole: memory stays a few strips, whatever the length.
"""
from __future__ import annotations

import dataclasses
import os

import pyvips

FORMATS = ("png", "tiff")
EXTENSIONS = {"png": ".png", "tiff": ".tif"}
MIME_TYPES = {"png": "image/png", "tiff": "image/tiff"}
# Classic TIFF offsets are 32-bit; past this many raw bytes write BigTIFF, which current RIPs read.
BIGTIFF_FROM = 3_900_000_000
MM_PER_INCH = 25.4
_BYTES = {"uchar": 1, "char": 1, "ushort": 2, "short": 2}


@dataclasses.dataclass(frozen=True)
class RipFile:
    """What was written: pixel size, DPI, bands (4 with alpha), format and whether it is mirrored."""

    width_px: int
    height_px: int
    dpi: int
    bands: int
    fmt: str
    mirrored: bool


def needs_conversion(fmt: str, mirror: bool) -> bool:
    """False when the rendered PNG (with its DPI) can go to the RIP as it is."""
    check_format(fmt)
    return fmt != "png" or mirror


def check_format(fmt: str) -> str:
    """`fmt` if it is one of FORMATS, else ValueError."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    return fmt


def write(src: str | os.PathLike[str], dst: str | os.PathLike[str], *, fmt: str, mirror: bool,
          dpi: int) -> RipFile:
    """Write `src` (an RGBA PNG) to `dst` as `fmt` at `dpi`, mirrored left to right when asked."""
    check_format(fmt)
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, got {dpi}")
    image = pyvips.Image.new_from_file(os.fspath(src), access="sequential")
    if mirror:
        image = image.fliphor()
    resolution = dpi / MM_PER_INCH  # libvips keeps resolution in pixels per millimetre
    image = image.copy(xres=resolution, yres=resolution)
    if fmt == "png":
        image.pngsave(os.fspath(dst), compression=6)
    else:
        big = image.width * image.height * image.bands * _BYTES.get(image.format, 8) > BIGTIFF_FROM
        image.tiffsave(os.fspath(dst), compression="lzw", predictor="horizontal", resunit="inch", bigtiff=big)
    return RipFile(image.width, image.height, dpi, image.bands, fmt, mirror)
