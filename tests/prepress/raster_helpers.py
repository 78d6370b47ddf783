"""Helpers for renderer tests: a plain Pillow reference render, and decoding sheets strip by strip."""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyvips
from PIL import Image

from prepress import raster, raster_geometry, raster_resample


def pillow_sprite(value, size, rotated) -> np.ndarray:
    """A design at its placed size the way the renderer always did it: Pillow whole, turn, one Lanczos resize."""
    source = value if isinstance(value, raster.DesignSource) else raster.DesignSource(value)
    with Image.open(source.path) as src:
        if src.mode.startswith("I;16"):
            src = src.point(lambda v: v / 257, "L")
        image = src.convert("RGBA")
    if source.crop is not None:
        image = image.crop(source.crop)
    if rotated:
        image = image.transpose(raster_resample.ROTATION)
    if image.size != size:
        image = image.resize(size, raster_resample.RESAMPLE)
    return np.asarray(image)


def reference_strips(sheet, width_in, designs, dpi, rows) -> Iterator[np.ndarray]:
    """The sheet from Pillow-made sprites pasted in layout order, as strips of `rows` rows."""
    width_px, height_px = raster_geometry.sheet_size_px(sheet, width_in, dpi)
    placements = raster_geometry.pixel_placements(sheet, dpi, width_px, height_px)
    sprites: dict = {}
    for p in placements:
        ident = (p.key, p.width, p.height, p.rotated)
        if ident not in sprites:
            sprites[ident] = pillow_sprite(designs[p.key], (p.width, p.height), p.rotated)
    for y0 in range(0, height_px, rows):
        y1 = min(height_px, y0 + rows)
        strip = np.zeros((y1 - y0, width_px, 4), np.uint8)
        for p in placements:
            top, bottom = max(p.top, y0), min(p.bottom, y1)
            if top < bottom:
                sprite = sprites[(p.key, p.width, p.height, p.rotated)]
                strip[top - y0:bottom - y0, p.left:p.right] = sprite[top - p.top:bottom - p.top]
        yield strip


def pixels(path) -> np.ndarray:
    """A small PNG's pixels as one RGBA array."""
    with Image.open(path) as im:
        assert im.mode == "RGBA"
        return np.asarray(im).copy()


def decoded_strips(path, rows) -> Iterator[np.ndarray]:
    """A PNG's pixels as RGBA strips of `rows` rows, decoded sequentially (a long sheet never sits in memory)."""
    image = pyvips.Image.new_from_file(str(path), access="sequential", fail_on="error")
    assert image.bands == 4 and image.format == "uchar"
    region = pyvips.Region.new(image)
    for y in range(0, image.height, rows):
        n = min(rows, image.height - y)
        yield np.frombuffer(region.fetch(0, y, image.width, n), np.uint8).reshape(n, image.width, 4)


def assert_same_pixels(path, expected: Iterator[np.ndarray], rows) -> None:
    """The PNG at `path` holds exactly the expected strips."""
    count = 0
    for y, (got, want) in enumerate(zip(decoded_strips(path, rows), expected, strict=True)):
        if not np.array_equal(got, want):
            bad = np.argwhere(np.any(got != want, axis=-1))[0]
            raise AssertionError(f"pixel ({bad[1]}, {y * rows + bad[0]}) differs: {got[tuple(bad)]} vs "
                                 f"{want[tuple(bad)]}")
        count += 1
    assert count > 0
