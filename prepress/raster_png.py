"""Streaming RGBA PNG writer: rows arrive as horizontal strips, memory stays at a few strips whatever the height.

Every row uses the Paeth filter (libvips/libpng computes it, the costliest step, off the GIL) and the filtered rows
are deflated by zlib-ng on a few threads at once; strips are joined into the single zlib stream PNG requires.
"""
from __future__ import annotations

import collections
import concurrent.futures
import struct
import zlib
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import pyvips
from zlib_ng import zlib_ng

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
METRES_PER_INCH = 0.0254
# Deflate's window: priming each strip's compressor with this much of the previous strip keeps the ratio of a
# single continuous stream while strips are compressed on different threads.
_WINDOW = 32 * 1024
# Real zlib header for a 32 KiB window (check bits valid); decoders ignore the level hint in it.
_ZLIB_HEADER = b"\x78\x9c"


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC over type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))


def _idat_payloads(png: memoryview) -> Iterator[memoryview]:
    """The IDAT chunk data of an in-memory PNG, in order, without copying."""
    pos = len(PNG_SIGNATURE)
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            yield png[pos + 8:pos + 8 + length]
        pos += 12 + length


PAETH = 0x80  # libpng's PNG_FILTER_PAETH flag, as libvips' pngsave takes it


def filtered_rows(pixels: np.ndarray) -> memoryview:
    """Paeth-filtered scanlines (filter byte + row) of an (n, width, 4) uint8 array; the first row has no prior."""
    rows, width = pixels.shape[:2]
    pixels = np.ascontiguousarray(pixels)
    image = pyvips.Image.new_from_memory(pixels.data, width, rows, 4, "uchar")
    # Compression 0 makes libpng emit stored deflate blocks: their payload is the filtered rows as they are. (libvips'
    # operation cache would keep each strip's buffer: render_sheet turns it off, see raster_source.)
    png = memoryview(image.pngsave_buffer(compression=0, filter=PAETH, keep="none"))
    stream = b"".join(_idat_payloads(png))
    return memoryview(b"".join(_stored_blocks(memoryview(stream)[2:])))


def _stored_blocks(deflate: memoryview) -> Iterator[memoryview]:
    """The payloads of a raw deflate stream made only of stored blocks."""
    pos = 0
    while True:
        final, length = deflate[pos] & 1, deflate[pos + 1] | deflate[pos + 2] << 8
        if deflate[pos] & 6:
            raise ValueError("expected stored deflate blocks")
        yield deflate[pos + 5:pos + 5 + length]
        pos += 5 + length
        if final:
            return


def adler32_combine(adler1: int, adler2: int, len2: int) -> int:
    """Adler-32 of A + B from the checksums of A and B and the length of B (zlib's adler32_combine)."""
    mod = 65521
    a1, b1 = adler1 & 0xFFFF, adler1 >> 16
    a2, b2 = adler2 & 0xFFFF, adler2 >> 16
    a = (a1 + a2 - 1) % mod
    b = (b1 + b2 + len2 * (a1 - 1)) % mod
    return (b << 16) | a


def _encode_strip(strip: np.ndarray, above: np.ndarray | None, level: int, final: bool) -> tuple[bytes, int, int]:
    """Filter and raw-deflate one strip; returns (deflate piece, Adler-32 of its filtered rows, their length).

    `above` holds the rows just above the strip. Its first row only serves as the prior row of the filter; the
    filtered bytes of the others are the exact tail of the stream so far, which primes the compressor so that
    strips deflated on separate threads compress as well as one continuous stream, and concatenate into one.
    """
    row_bytes = 1 + 4 * strip.shape[1]
    data: memoryview | bytes
    if above is None:
        data, zdict = filtered_rows(strip), b""
    else:
        rows = filtered_rows(np.concatenate([above, strip]))
        split = above.shape[0] * row_bytes
        data, zdict = rows[split:], bytes(rows[row_bytes:split][-_WINDOW:])
    # Z_FILTERED suits filtered rows (as libpng uses it); zlib-ng deflates several times faster than zlib.
    comp = zlib_ng.compressobj(level, zlib.DEFLATED, -15, 8, zlib.Z_FILTERED, *([zdict] if zdict else []))
    piece = comp.compress(data) + comp.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)
    return piece, zlib.adler32(data), len(data)


class PngStripWriter:
    """Writes an 8-bit RGBA PNG with a pHYs DPI from top-to-bottom strips, filtering and deflating on threads."""

    def __init__(self, fp: BinaryIO, width: int, height: int, dpi: float, *, compress_level: int = 6,
                 threads: int = 2) -> None:
        if width <= 0 or height <= 0:
            raise ValueError(f"PNG size must be positive, got {width}x{height}")
        if not 0 <= compress_level <= 9:
            raise ValueError(f"compress_level must be 0..9, got {compress_level}")
        self.width, self.height = width, height
        self.rows_written = 0
        self._fp = fp
        self._level = compress_level
        self._threads = max(1, threads)
        self._pool = concurrent.futures.ThreadPoolExecutor(self._threads, thread_name_prefix="png-encode")
        self._pending: collections.deque[concurrent.futures.Future[tuple[bytes, int, int]]] = collections.deque()
        self._adler = 1
        self._above: np.ndarray | None = None
        # One prior row plus enough rows to cover the deflate window.
        self._above_rows = 1 + -(-_WINDOW // (1 + 4 * width))
        self._started = False
        ppm = int(dpi / METRES_PER_INCH + 0.5)
        fp.write(PNG_SIGNATURE)
        fp.write(_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)))
        fp.write(_chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)))

    def write_strip(self, strip: np.ndarray) -> None:
        """Append the rows of a (rows, width, 4) uint8 RGBA strip of the sheet's full width (the writer keeps it)."""
        if strip.ndim != 3 or strip.shape[1:] != (self.width, 4) or strip.dtype != np.uint8:
            raise ValueError(f"strip must be RGBA uint8 {self.width} px wide, got {strip.dtype} {strip.shape}")
        rows = strip.shape[0]
        if self.rows_written + rows > self.height:
            raise ValueError("strip runs past the bottom of the image")
        self.rows_written += rows
        final = self.rows_written == self.height
        self._pending.append(self._pool.submit(_encode_strip, strip, self._above, self._level, final))
        self._above = strip[rows - min(self._above_rows, rows):]
        # Bounded queue: without it a fast compositor would pile strips up in memory ahead of the encoders.
        while len(self._pending) > self._threads:
            self._write_piece()

    def _write_piece(self) -> None:
        piece, adler, length = self._pending.popleft().result()
        self._adler = adler32_combine(self._adler, adler, length)
        if not self._started:
            piece = _ZLIB_HEADER + piece
            self._started = True
        if not self._pending and self.rows_written == self.height:
            piece += struct.pack(">I", self._adler)
        self._fp.write(_chunk(b"IDAT", piece))

    def close(self) -> None:
        """Flush the remaining strips and write the trailer; raises if fewer rows than the height arrived."""
        try:
            if self.rows_written != self.height:
                raise ValueError(f"only {self.rows_written} of {self.height} rows were written")
            while self._pending:
                self._write_piece()
            self._fp.write(_chunk(b"IEND", b""))
        finally:
            self.abort()

    def abort(self) -> None:
        """Drop queued work and stop the threads (for error paths; the caller discards the file)."""
        for fut in self._pending:
            fut.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
