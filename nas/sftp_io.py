"""Pipelined streaming of one remote file, with a bounded number of SFTP read requests in flight.

paramiko's own `prefetch()` requests the whole rest of the file and, after a seek, buffers everything
before the new position; for HTTP range reads and slow clients we want a sliding window instead.
This uses `SFTPClient._async_request` / `_read_response` (private but unchanged since paramiko 1.x;
the `paramiko<6` pin in setup.cfg guards it and tests/nas exercise it).
"""
from __future__ import annotations

import collections
import io
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import paramiko
from paramiko.sftp import CMD_DATA, CMD_READ, CMD_STATUS, int64

from nas import errors, metrics

if TYPE_CHECKING:
    from typing_extensions import Buffer

# OpenSSH's sftp-server answers reads of at most 255 KiB; larger requests just come back short.
READ_CHUNK = 252 * 1024
# 32 x 252 KiB ~ 8 MiB in flight: enough to fill a LAN link, small enough per open download.
READ_DEPTH = 32


class _Ignore:
    """Response sink for requests given up on (after a seek or close); paramiko reads and drops them."""

    @staticmethod
    def _async_response(t: int, msg: paramiko.Message, num: int) -> None:
        pass


class RemoteReader(io.RawIOBase):
    """A seekable raw reader of a remote file; `on_close(failed)` runs once on close (pool give-back)."""

    def __init__(
        self, sftp: paramiko.SFTPClient, file: paramiko.SFTPFile, size: int, on_close: Callable[[bool], None],
        *, where: str = "NAS",
    ) -> None:
        super().__init__()
        self._sftp = sftp
        self._file = file
        self._handle = file.handle
        self.size = size
        self._pos = 0
        self._next = 0  # offset of the next read request to send
        self._pending: collections.deque[tuple[int, int, int]] = collections.deque()  # (num, offset, length)
        self._arrived: dict[int, tuple[int, paramiko.Message]] = {}
        self._buf = memoryview(b"")
        self._on_close = on_close
        self._failed = False
        self._where = where
        # Bytes handed to the caller and time spent waiting on the NAS, counted once when the reader closes.
        self._delivered = 0
        self._waited = 0.0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        start = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        pos = start + offset
        if pos < 0:
            raise ValueError("negative seek position")
        if pos != self._pos:
            self._abandon()
            self._pos = self._next = pos
        return pos

    def _abandon(self) -> None:
        """Forget buffered data and in-flight requests."""
        with self._sftp._lock:
            for num, _, _ in self._pending:
                if num in self._sftp._expecting:
                    self._sftp._expecting[num] = _Ignore
        self._pending.clear()
        self._arrived.clear()
        self._buf = memoryview(b"")

    def _async_response(self, t: int, msg: paramiko.Message, num: int) -> None:
        """paramiko hands us answers that arrived while we waited for an earlier one."""
        self._arrived[num] = (t, msg)

    def _request(self, offset: int, length: int) -> int:
        return self._sftp._async_request(self, CMD_READ, self._handle, int64(offset), length)

    def _next_chunk(self) -> None:
        """Refill the window, then wait for the oldest answer and make it the buffer."""
        while len(self._pending) < READ_DEPTH and self._next < self.size:
            length = min(READ_CHUNK, self.size - self._next)
            self._pending.append((self._request(self._next, length), self._next, length))
            self._next += length
        if not self._pending:
            return
        num, offset, length = self._pending.popleft()
        try:
            t, msg = self._arrived.pop(num, None) or self._sftp._read_response(num)
            if t == CMD_STATUS:
                self._sftp._convert_status(msg)
            if t != CMD_DATA:
                raise paramiko.SFTPError("expected data")
        except EOFError:  # the file shrank under us: end here, as a local file would
            self.size = offset
            self._abandon()
            return
        data = msg.get_binary()
        if not data:
            self.size = offset
            self._abandon()
            return
        if len(data) < length:
            # Short answer: ask again for the rest, first in line so the order is kept.
            rest = offset + len(data)
            self._pending.appendleft((self._request(rest, length - len(data)), rest, length - len(data)))
        self._buf = memoryview(data)

    def readinto(self, buffer: Buffer) -> int:
        buffer = memoryview(buffer).cast("B")
        if self.closed:
            raise ValueError("I/O operation on closed file")
        if not len(buffer):
            return 0
        if not self._buf:
            if self._pos >= self.size:
                return 0
            started = time.perf_counter()
            try:
                self._next_chunk()
            except (EOFError, OSError, paramiko.SSHException) as exc:
                self._failed = True
                error = errors.StorageUnavailable(f"NAS read: lost connection to {self._where}: {exc!r}")
                metrics.failed("read", error)
                raise error from exc
            except BaseException:
                self._failed = True
                raise
            finally:
                self._waited += time.perf_counter() - started
            if not self._buf:
                return 0
        n = min(len(buffer), len(self._buf))
        buffer[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        self._pos += n
        self._delivered += n
        return n

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._abandon()
            self._file.close()
        except BaseException:
            self._failed = True
        finally:
            super().close()
            metrics.transferred("read", self._delivered, self._waited)
            self._on_close(self._failed)
