"""Test images for the prepress tests: real-size designs written fast, and hand-made headers."""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pyvips
from PIL import Image

# A 22 x 60 in design at 300 DPI with its artwork inset on a transparent canvas (half-open box).
BIG_SIZE = (6600, 18000)
BIG_ART = (600, 900, 6000, 17000)


def big_design(path: Path) -> Path:
    """Write the 6,600 x 18,000 px (119 MP) RGBA PNG: opaque red artwork at BIG_ART, transparent around it."""
    left, top, right, bottom = BIG_ART
    art = pyvips.Image.black(right - left, bottom - top, bands=4).new_from_image([200, 30, 30, 255]).cast("uchar")
    canvas = pyvips.Image.black(*BIG_SIZE, bands=4).cast("uchar")
    image = canvas.insert(art, left, top).copy(interpretation="srgb", xres=300 / 25.4, yres=300 / 25.4)
    # Flat colour and zlib level 1 keep it at a few MB and well under a second to write.
    image.pngsave(str(path), compression=1)
    return path


def png_header_only(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header declares width x height RGBA pixels (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 4096, 9))
            + chunk(b"IEND", b""))


def rgba_png(path: Path, alpha: np.ndarray, *, rgb: tuple[int, int, int] = (20, 120, 220),
             dpi: float | None = 300) -> Path:
    """An RGBA PNG of one colour whose alpha channel is `alpha` (rows x columns, uint8)."""
    height, width = alpha.shape
    pixels = np.empty((height, width, 4), np.uint8)
    pixels[..., :3] = rgb
    pixels[..., 3] = alpha
    Image.fromarray(pixels, "RGBA").save(path, **({"dpi": (dpi, dpi)} if dpi else {}))
    return path


def psd(width: int, height: int) -> bytes:
    """An uncompressed 8-bit RGB Photoshop file of one grey (Pillow reads PSD but cannot write it)."""
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, height, width, 8, 3)
    sections = struct.pack(">III", 0, 0, 0)  # colour mode data, image resources, layer and mask info: all empty
    return header + sections + struct.pack(">H", 0) + bytes([128]) * (width * height * 3)
