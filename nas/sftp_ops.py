"""Small SFTP helpers for `nas.sftp`: upload stream tracking, mkdir -p, existence checks, statvfs."""
from __future__ import annotations

import socket
import stat as stat_mod
from collections.abc import Callable
from typing import BinaryIO

import paramiko
from paramiko.sftp import CMD_EXTENDED, CMD_EXTENDED_REPLY

from nas import errors, paths

# What a dead or hung connection raises (paramiko raises plain OSError("Socket is closed") too: see alive()).
CONNECTION_ERRORS = (EOFError, socket.timeout, ConnectionError, paramiko.SSHException)


class Tracked:
    """Wraps the caller's stream to know whether a failed upload can be retried from the start."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.consumed = 0
        self.error: BaseException | None = None  # raised by the caller's stream, not by the NAS
        try:
            self.start: int | None = stream.tell() if stream.seekable() else None
        except (AttributeError, OSError):
            self.start = None

    def read(self, size: int) -> bytes:
        try:
            data = self.stream.read(size)
        except BaseException as exc:
            self.error = exc
            raise
        self.consumed += len(data)
        return data

    def rewind(self) -> bool:
        """True if the stream is back at its start (never read, or seekable)."""
        if self.consumed and self.start is None:
            return False
        if self.consumed and self.start is not None:
            self.stream.seek(self.start)
            self.consumed = 0
        return True


def makedirs(sftp: paramiko.SFTPClient, base_path: str, *parts: str) -> None:
    """mkdir -p below the base path (the base itself is the NAS share and must already exist)."""
    for depth in range(1, len(parts) + 1):
        path = paths.remote_path(base_path, *parts[:depth])
        try:
            sftp.mkdir(path)
        except OSError:
            if not stat_mod.S_ISDIR(sftp.stat(path).st_mode or 0):
                raise errors.StorageError(f"{path} on the NAS is not a directory") from None


def free_bytes(sftp: paramiko.SFTPClient, path: str) -> int | None:
    """Bytes available to us at `path` (statvfs@openssh.com), None if the server lacks the extension."""
    try:
        t, msg = sftp._request(CMD_EXTENDED, "statvfs@openssh.com", path)
    except OSError:
        return None
    if t != CMD_EXTENDED_REPLY:
        return None
    _bsize, frsize, _blocks, _bfree, bavail = (msg.get_int64() for _ in range(5))
    return frsize * bavail


def is_file(sftp: paramiko.SFTPClient, path: str) -> bool:
    try:
        return stat_mod.S_ISREG(sftp.stat(path).st_mode or 0)
    except FileNotFoundError:
        return False


def lexists(sftp: paramiko.SFTPClient, path: str) -> bool:
    try:
        sftp.lstat(path)
        return True
    except FileNotFoundError:
        return False


def quietly(fn: Callable[..., object], *args: object) -> None:
    """Best-effort cleanup that must not mask the error being raised."""
    try:
        fn(*args)
    except Exception:
        pass
