"""An RGBA raster on disk in column chunks: written or read by whole chunks (every row) or by bands of rows.

Resampling an axis needs whole columns while sheets are composed by rows; storing each chunk of columns
contiguously makes both access patterns a handful of large reads and writes, and keeps the raster out of memory
(reads and writes go through the page cache, never a mapping that would count as the process's own memory).
"""
from __future__ import annotations

import bisect
import os
import tempfile
from collections.abc import Sequence

import numpy as np


class ChunkStore:
    """A width x height RGBA raster in a temporary file, split into column chunks at `bounds`."""

    def __init__(self, width: int, height: int, bounds: Sequence[int], directory: str | os.PathLike[str]) -> None:
        if list(bounds) != sorted(set(bounds)) or bounds[0] != 0 or bounds[-1] != width:
            raise ValueError(f"chunk bounds must rise from 0 to {width}, got {list(bounds)[:5]}...")
        self.width, self.height = width, height
        self.bounds = list(bounds)
        self._offsets = [height * 4 * left for left in self.bounds]
        fd, name = tempfile.mkstemp(prefix=".raster-", suffix=".chunks", dir=directory)
        os.unlink(name)  # gone from the folder at once; the space is freed when the descriptor closes
        self._fd: int | None = fd

    @property
    def nbytes(self) -> int:
        """Size of the raster."""
        return self.width * self.height * 4

    def chunks(self) -> range:
        """Chunk numbers, left to right."""
        return range(len(self.bounds) - 1)

    def chunk_of(self, left: int) -> int:
        """The chunk that starts at column `left`."""
        return bisect.bisect_left(self.bounds, left)

    def write_chunk(self, number: int, pixels: np.ndarray) -> None:
        """Store every row of one chunk: pixels is (height, chunk width, 4)."""
        left, right = self.bounds[number], self.bounds[number + 1]
        if pixels.shape != (self.height, right - left, 4):
            raise ValueError(f"chunk {number} must be {(self.height, right - left, 4)}, got {pixels.shape}")
        self._write(np.ascontiguousarray(pixels, np.uint8), self._offsets[number])

    def read_chunk(self, number: int) -> np.ndarray:
        """Every row of one chunk as (height, chunk width, 4)."""
        left, right = self.bounds[number], self.bounds[number + 1]
        return self._read((self.height, right - left, 4), self._offsets[number])

    def write_rows(self, top: int, pixels: np.ndarray) -> None:
        """Store rows top .. top + n of every chunk: pixels is (n, width, 4)."""
        for number in self.chunks():
            left, right = self.bounds[number], self.bounds[number + 1]
            part = np.ascontiguousarray(pixels[:, left:right], np.uint8)
            self._write(part, self._offsets[number] + top * (right - left) * 4)

    def read_rows(self, top: int, bottom: int) -> np.ndarray:
        """Rows top .. bottom as (bottom - top, width, 4)."""
        out = np.empty((bottom - top, self.width, 4), np.uint8)
        for number in self.chunks():
            left, right = self.bounds[number], self.bounds[number + 1]
            offset = self._offsets[number] + top * (right - left) * 4
            out[:, left:right] = self._read((bottom - top, right - left, 4), offset)
        return out

    def close(self) -> None:
        """Free the disk space."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _write(self, pixels: np.ndarray, offset: int) -> None:
        view = pixels.data.cast("B")
        while view:
            done = os.pwrite(self._descriptor(), view, offset)
            view, offset = view[done:], offset + done

    def _read(self, shape: tuple[int, int, int], offset: int) -> np.ndarray:
        out = np.empty(shape, np.uint8)
        view = out.data.cast("B")
        while view:
            done = os.preadv(self._descriptor(), [view], offset)
            if done == 0:
                raise OSError("raster store is shorter than written")
            view, offset = view[done:], offset + done
        return out

    def _descriptor(self) -> int:
        if self._fd is None:
            raise ValueError("raster store is closed")
        return self._fd


def even_bounds(width: int, height: int, chunk_bytes: int) -> list[int]:
    """Chunk bounds for a raster of this size so that one chunk holds about `chunk_bytes`."""
    step = max(16, chunk_bytes // max(1, height * 4))
    return list(range(0, width, step)) + [width]
