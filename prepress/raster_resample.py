"""Designs turned and resampled to their placed pixel size, bit for bit as Pillow's transpose and Lanczos resize.

Small designs go through Pillow whole. Large ones are resampled in bounded memory with the same Pillow arithmetic
applied to parts: Pillow resizes one axis at a time, each output row of a horizontal pass depending on one input
row only, so a horizontal pass over a band of rows equals those rows of a whole-image pass; a vertical pass is a
horizontal pass over the transposed columns, done chunk by chunk. Intermediate rasters live on disk
(raster_store). Premultiplying and unpremultiplying alpha are per pixel, so they too can be done by parts.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Protocol

import numpy as np
from PIL import Image

from prepress import raster_source, raster_store

# Rotated placements turn the design a quarter turn clockwise: its top edge ends up on the right.
ROTATION = Image.Transpose.ROTATE_270
RESAMPLE = Image.Resampling.LANCZOS
BAND_ROWS = 256
BAND_BYTES = 8 << 20  # fewer rows per band for very wide designs, so that a band stays this small
CHUNK_BYTES = 16 << 20


class Sprite(Protocol):
    """A design at its placed pixel size, read by rows."""

    width: int
    height: int
    nbytes: int
    in_memory: bool

    def rows(self, top: int, bottom: int) -> np.ndarray:
        """Rows top .. bottom as a (bottom - top, width, 4) uint8 array."""

    def close(self) -> None:
        """Release the pixels."""


class ArraySprite:
    """A sprite held in memory."""

    in_memory = True

    def __init__(self, pixels: np.ndarray) -> None:
        self.pixels = pixels
        self.height, self.width = pixels.shape[:2]
        self.nbytes = pixels.nbytes

    def rows(self, top: int, bottom: int) -> np.ndarray:
        """Rows top .. bottom (a view)."""
        return self.pixels[top:bottom]

    def close(self) -> None:
        """Drop the pixels."""
        self.pixels = np.empty((0, 0, 4), np.uint8)


class StoreSprite:
    """A sprite kept on disk."""

    in_memory = False

    def __init__(self, store: raster_store.ChunkStore) -> None:
        self.store = store
        self.width, self.height, self.nbytes = store.width, store.height, store.nbytes

    def rows(self, top: int, bottom: int) -> np.ndarray:
        """Rows top .. bottom, read from disk."""
        return self.store.read_rows(top, bottom)

    def close(self) -> None:
        """Free the disk space."""
        self.store.close()


def in_memory(design: raster_source.Design, size: tuple[int, int], rotated: bool) -> ArraySprite:
    """The design through Pillow whole: turned losslessly if rotated, then resampled once (never if exact)."""
    image = Image.fromarray(design.load())
    if rotated:
        image = image.transpose(ROTATION)
    if image.size != size:
        image = image.resize(size, RESAMPLE)
    return ArraySprite(np.asarray(image))


def on_disk(design: raster_source.Design, size: tuple[int, int], rotated: bool, scratch: str | os.PathLike[str], *,
            band_rows: int = BAND_ROWS, chunk_bytes: int = CHUNK_BYTES) -> StoreSprite:
    """The same pixels as `in_memory`, computed in parts with intermediates on disk under `scratch`."""
    width, height = size
    src_w, src_h = (design.height, design.width) if rotated else (design.width, design.height)
    band_rows = max(1, min(band_rows, BAND_BYTES // (4 * max(design.width, src_w, width))))
    need_h, need_v = width != src_w, height != src_h
    resizing = need_h or need_v
    prepare = _premultiply if resizing else _same
    # Pillow runs the vertical pass first when the height shrinks more than twice as much as the width.
    vertical_first = need_h and need_v and src_h - height > 0 and src_h - height > (src_w - width) * 2
    if rotated or vertical_first:
        # Whole columns of the (turned) design are needed: stage it on disk first.
        staged = _stage(design, rotated, prepare, scratch, band_rows, chunk_bytes)
        rows: Iterator[tuple[int, np.ndarray]] = _store_rows(staged, band_rows)
    else:
        staged = None
        rows = _design_rows(design, prepare, band_rows)
    if not resizing:
        if staged is not None:
            return StoreSprite(staged)
        out = raster_store.ChunkStore(width, height, raster_store.even_bounds(width, height, chunk_bytes), scratch)
        for top, band in rows:
            out.write_rows(top, band)
        return StoreSprite(out)
    if vertical_first:
        assert staged is not None
        tall = raster_store.ChunkStore(src_w, height, staged.bounds, scratch)
        for number in staged.chunks():
            tall.write_chunk(number, _resize_columns(staged.read_chunk(number), height))
        staged.close()
        out = raster_store.ChunkStore(width, height, raster_store.even_bounds(width, height, chunk_bytes), scratch)
        for top, band in _store_rows(tall, band_rows):
            out.write_rows(top, _unpremultiply(_resize_rows(band, width)))
        tall.close()
        return StoreSprite(out)
    wide = raster_store.ChunkStore(width, src_h, raster_store.even_bounds(width, src_h, chunk_bytes), scratch)
    for top, band in rows:
        wide.write_rows(top, _resize_rows(band, width) if need_h else band)
    if staged is not None:
        staged.close()
    out = raster_store.ChunkStore(width, height, wide.bounds, scratch)
    for number in wide.chunks():
        chunk = wide.read_chunk(number)
        out.write_chunk(number, _unpremultiply(_resize_columns(chunk, height) if need_v else chunk))
    wide.close()
    return StoreSprite(out)


def _stage(design: raster_source.Design, rotated: bool, prepare: _Convert, scratch: str | os.PathLike[str],
           band_rows: int, chunk_bytes: int) -> raster_store.ChunkStore:
    """The design (turned if asked, prepared) in a column-chunk store."""
    if not rotated:
        store = raster_store.ChunkStore(design.width, design.height,
                                        raster_store.even_bounds(design.width, design.height, chunk_bytes), scratch)
        for top, band in _design_rows(design, prepare, band_rows):
            store.write_rows(top, band)
        return store
    # Turned clockwise, source rows r0..r1 become the columns (height - r1)..(height - r0): one chunk per band.
    tops = range(0, design.height, band_rows)
    store = raster_store.ChunkStore(design.height, design.width, sorted([design.height - t for t in tops] + [0]),
                                    scratch)
    for top, band in zip(tops, design.bands(band_rows), strict=True):
        turned = transpose(band[::-1])  # a quarter turn clockwise
        store.write_chunk(store.chunk_of(design.height - top - band.shape[0]), prepare(turned))
    return store


def _design_rows(design: raster_source.Design, prepare: _Convert, band_rows: int) -> Iterator[tuple[int, np.ndarray]]:
    top = 0
    for band in design.bands(band_rows):
        yield top, prepare(band)
        top += band.shape[0]


def _store_rows(store: raster_store.ChunkStore, band_rows: int) -> Iterator[tuple[int, np.ndarray]]:
    for top in range(0, store.height, band_rows):
        yield top, store.read_rows(top, min(store.height, top + band_rows))


class _Convert(Protocol):
    def __call__(self, pixels: np.ndarray) -> np.ndarray: ...


def _same(pixels: np.ndarray) -> np.ndarray:
    return pixels


def _image(pixels: np.ndarray, mode: str) -> Image.Image:
    pixels = np.ascontiguousarray(pixels)
    return Image.frombuffer(mode, (pixels.shape[1], pixels.shape[0]), pixels, "raw", mode, 0, 1)


def _premultiply(pixels: np.ndarray) -> np.ndarray:
    """RGBA to Pillow's premultiplied RGBa, as Image.resize does before resampling."""
    return np.asarray(_image(pixels, "RGBA").convert("RGBa"))


def _unpremultiply(pixels: np.ndarray) -> np.ndarray:
    return np.asarray(_image(pixels, "RGBa").convert("RGBA"))


def _resize_rows(pixels: np.ndarray, width: int) -> np.ndarray:
    """Pillow's horizontal pass over a band of premultiplied rows."""
    rows, src_w = pixels.shape[:2]
    return np.asarray(_image(pixels, "RGBa").resize((width, rows), RESAMPLE, box=(0, 0, src_w, rows)))


def _resize_columns(pixels: np.ndarray, height: int) -> np.ndarray:
    """Pillow's vertical pass over a chunk of whole columns, run as a horizontal pass over their transpose."""
    src_h, cols = pixels.shape[:2]
    turned = _image(transpose(pixels), "RGBa").resize((height, cols), RESAMPLE, box=(0, 0, src_h, cols))
    return transpose(np.asarray(turned))


def transpose(pixels: np.ndarray, block: int = 256) -> np.ndarray:
    """(h, w, 4) uint8 pixels to contiguous (w, h, 4), a block of rows at a time (a plain transpose of a tall
    array misses the cache on every pixel and runs ten times slower)."""
    rows, cols = pixels.shape[:2]
    words = np.ascontiguousarray(pixels).view(np.uint32).reshape(rows, cols)
    out = np.empty((cols, rows), np.uint32)
    for top in range(0, rows, block):
        out[:, top:top + block] = words[top:top + block].T
    return out.view(np.uint8).reshape(cols, rows, 4)
