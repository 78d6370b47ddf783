"""Streaming RGBA PNG writer: rows arrive as horizontal strips, memory stays at a few strips whatever the height."""
from __future__ import annotations

import collections
import concurrent.futures
import io
import struct
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from PIL import Image

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


def filtered_rows(image: Image.Image) -> bytes:
    """PNG-filtered scanlines (filter byte + row) of an RGBA image, using Pillow's adaptive per-row filter choice."""
    buf = io.BytesIO()
    # Level 0 makes Pillow emit stored deflate blocks, so it spends its time on the (C, adaptive) filtering only
    # and the inflate below is a copy; the real compression happens in our threads.
    image.save(buf, "PNG", compress_level=0)
    inflate = zlib.decompressobj()
    with buf.getbuffer() as view:
        out = b"".join(inflate.decompress(part) for part in _idat_payloads(view))
    return out + inflate.flush()


def adler32_combine(adler1: int, adler2: int, len2: int) -> int:
    """Adler-32 of A + B from the checksums of A and B and the length of B (zlib's adler32_combine)."""
    mod = 65521
    a1, b1 = adler1 & 0xFFFF, adler1 >> 16
    a2, b2 = adler2 & 0xFFFF, adler2 >> 16
    a = (a1 + a2 - 1) % mod
    b = (b1 + b2 + len2 * (a1 - 1)) % mod
    return (b << 16) | a


def _encode_strip(strip: Image.Image, above: Image.Image | None, level: int, final: bool) -> tuple[bytes, int, int]:
    """Filter and raw-deflate one strip; returns (deflate piece, Adler-32 of its filtered rows, their length).

    `above` holds the rows just above the strip. Its first row only serves as the prior row of the filters; the
    filtered bytes of the others are the exact tail of the stream so far, which primes the compressor so that
    strips deflated on separate threads compress as well as one continuous stream, and concatenate into one.
    """
    row_bytes = 1 + 4 * strip.width
    if above is None:
        data, zdict = filtered_rows(strip), b""
    else:
        joined = Image.new("RGBA", (strip.width, above.height + strip.height))
        joined.paste(above, (0, 0))
        joined.paste(strip, (0, above.height))
        rows = memoryview(filtered_rows(joined))
        split = above.height * row_bytes
        data, zdict = rows[split:], bytes(rows[row_bytes:split][-_WINDOW:])
    # Z_FILTERED and memLevel 9 are Pillow's own PNG settings: they suit filtered rows and match its file sizes.
    comp = zlib.compressobj(level, zlib.DEFLATED, -15, 9, zlib.Z_FILTERED, *([zdict] if zdict else []))
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
        self._above: Image.Image | None = None
        # One prior row plus enough rows to cover the deflate window.
        self._above_rows = 1 + -(-_WINDOW // (1 + 4 * width))
        self._started = False
        ppm = int(dpi / METRES_PER_INCH + 0.5)
        fp.write(PNG_SIGNATURE)
        fp.write(_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)))
        fp.write(_chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)))

    def write_strip(self, strip: Image.Image) -> None:
        """Append the rows of an RGBA strip of the sheet's full width."""
        if strip.mode != "RGBA" or strip.width != self.width:
            raise ValueError(f"strip must be RGBA {self.width} px wide, got {strip.mode} {strip.width} px")
        if self.rows_written + strip.height > self.height:
            raise ValueError("strip runs past the bottom of the image")
        self.rows_written += strip.height
        final = self.rows_written == self.height
        self._pending.append(self._pool.submit(_encode_strip, strip, self._above, self._level, final))
        keep = min(self._above_rows, strip.height)
        self._above = strip.crop((0, strip.height - keep, self.width, strip.height))
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
