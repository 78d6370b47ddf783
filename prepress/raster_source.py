"""Design files read as RGBA rows, band by band, with the values Pillow's ``convert("RGBA")`` gives and no size limit
but the caller's.

libvips decodes (sequentially, so a 600 MP upload never sits in memory whole); the conversion to 8-bit RGBA follows
Pillow's rules so that sheets stay pixel-identical to a Pillow render of the same files. Pillow is never asked to
open a design, so its global ``MAX_IMAGE_PIXELS`` (whatever another module sets it to) cannot refuse a sheet.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import threading
from collections.abc import Iterator

import numpy as np
import pyvips
from PIL import Image

from prepress import raster_geometry

Crop = tuple[int, int, int, int]
DEFAULT_MAX_PIXELS = 600_000_000  # MAX_IMAGE_MEGAPIXELS' default; callers pass the configured value


@dataclasses.dataclass(frozen=True)
class DesignSource:
    """A design file and, optionally, the box of it to print (left, top, right, bottom in source pixels)."""

    path: str | os.PathLike[str]
    crop: Crop | None = None


_cache_lock = threading.Lock()
_cache_users = 0
_cache_max = 0


@contextlib.contextmanager
def without_operation_cache() -> Iterator[None]:
    """Turn libvips' operation cache off while any render runs (process-wide; restored when the last one ends).

    A render makes one-off operations (a decode per sprite, rarely repeated); cached, each keeps its buffers alive and
    a sheet's peak memory grows by up to the cache's 100 MB for nothing.
    """
    global _cache_users, _cache_max
    with _cache_lock:
        if _cache_users == 0:
            _cache_max = pyvips.cache_get_max()
            pyvips.cache_set_max(0)
        _cache_users += 1
    try:
        yield
    finally:
        with _cache_lock:
            _cache_users -= 1
            if _cache_users == 0:
                pyvips.cache_set_max(_cache_max)


def as_source(value: DesignSource | str | os.PathLike[str]) -> DesignSource:
    """A plain path means the whole file."""
    return value if isinstance(value, DesignSource) else DesignSource(value)


class Design:
    """An opened design: its size after the crop (checked against the limit on opening), and its rows as RGBA."""

    def __init__(self, key: str, source: DesignSource, max_pixels: int) -> None:
        self.key = key
        self.path = os.fspath(source.path)
        image = self._decoder()
        if image.width * image.height > max_pixels:
            raise raster_geometry.RenderError(
                f"design {key!r} is {image.width}x{image.height} = {image.width * image.height / 1e6:.1f} MP, over "
                f"the {max_pixels / 1e6:g} MP limit", key)
        self.crop = source.crop or (0, 0, image.width, image.height)
        left, top, right, bottom = self.crop
        if not (0 <= left < right <= image.width and 0 <= top < bottom <= image.height):
            raise raster_geometry.RenderError(
                f"crop {source.crop} of design {key!r} is not inside its {image.width}x{image.height} px", key)
        self.width, self.height = right - left, bottom - top

    def bands(self, rows: int) -> Iterator[np.ndarray]:
        """The design top to bottom as (n, width, 4) uint8 arrays of at most `rows` rows (a fresh decode)."""
        image = self._decoder()
        left, top = self.crop[:2]
        if (image.width, image.height) != (self.width, self.height):
            image = image.crop(left, top, self.width, self.height)
        image = _native(image)
        region = pyvips.Region.new(image)
        for y in range(0, self.height, rows):
            n = min(rows, self.height - y)
            try:
                data = region.fetch(0, y, self.width, n)
            except pyvips.Error as exc:
                raise _unreadable(self.key, self.path, exc) from None
            yield _to_rgba(data, image, self.width, n)

    def load(self) -> np.ndarray:
        """The whole design as one (height, width, 4) array."""
        return np.concatenate(list(self.bands(self.height)))

    def _decoder(self) -> pyvips.Image:
        try:
            # Sequential: libvips decodes rows as they are asked for and keeps only a window of them. A truncated or
            # damaged file must fail the sheet, not print as transparent rows.
            return pyvips.Image.new_from_file(self.path, access="sequential", fail_on="error")
        except pyvips.Error as exc:
            raise _unreadable(self.key, self.path, exc) from None


def _unreadable(key: str, path: str, exc: pyvips.Error) -> raster_geometry.RenderError:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return raster_geometry.RenderError(f"design {key!r} is missing or unreadable ({path}): {detail}", key)


def _native(image: pyvips.Image) -> pyvips.Image:
    """The decoded samples as they are where Pillow's rules apply to them, else libvips' own sRGB conversion."""
    if image.format in ("uchar", "ushort") and image.interpretation in ("srgb", "rgb16", "b-w", "grey16"):
        return image
    # CMYK, Lab, float and other rare inputs: no Pillow-equivalent shortcut, libvips converts to 8-bit sRGB.
    image = image.colourspace("srgb")
    if image.format != "uchar":
        image = image.cast("uchar")
    return image if image.bands == 4 else image[:3].bandjoin(255)


@functools.cache
def _grey16_lut() -> np.ndarray:
    """Pillow's mapping of 16-bit grey to 8 bits, taken from Pillow itself (it scales; its own convert clips)."""
    every = Image.frombytes("I;16", (256, 256), np.arange(65536, dtype="<u2").tobytes())
    return np.asarray(every.point(lambda v: v / 257, "L")).reshape(-1)


def _to_rgba(data: bytes, image: pyvips.Image, width: int, rows: int) -> np.ndarray:
    """Raw samples of `image`'s format to RGBA, as Pillow opens and converts such a file."""
    bands = image.bands
    if image.format == "ushort":
        samples = np.frombuffer(data, np.uint16).reshape(rows, width, bands)
        if bands == 1:
            grey = _grey16_lut()[samples[..., 0]]
            return _expand(grey[..., None], 1)
        # Pillow unpacks 16-bit colour and grey+alpha to 8 bits by keeping the high byte.
        return _expand((samples >> 8).astype(np.uint8), bands)
    return _expand(np.frombuffer(data, np.uint8).reshape(rows, width, bands), bands)


def _expand(samples: np.ndarray, bands: int) -> np.ndarray:
    if bands == 4:
        return samples if samples.flags.writeable else samples.copy()
    rgba = np.empty(samples.shape[:2] + (4,), np.uint8)
    if bands >= 3:
        rgba[..., :3] = samples[..., :3]
    else:
        rgba[..., :3] = samples[..., :1]
    rgba[..., 3] = samples[..., 1] if bands == 2 else 255
    return rgba
