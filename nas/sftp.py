"""Storage on the QNAP NAS over SFTP (paramiko): atomic, checksummed, pipelined, one connection per thread."""
from __future__ import annotations

import builtins
import io
import logging
import stat as stat_mod
import time
from collections.abc import Callable, Iterator
from typing import BinaryIO, TypeVar

import paramiko

from nas import base, errors, metrics, paths, sftp_folders, sftp_io, sftp_ops, sftp_pool

log = logging.getLogger(__name__)
T = TypeVar("T")
# OpenSSH's sftp-server takes writes up to ~255 KiB per request; fewer, bigger requests cost less Python time.
WRITE_REQUEST = 252 * 1024
_CONNECTION_ERRORS = sftp_ops.CONNECTION_ERRORS


class SFTPStorage:
    """Objects at `{base_path}/{key}` on the NAS; see `nas.base` for the contract."""

    backend = "sftp"

    def __init__(self, config: sftp_pool.SFTPConfig) -> None:
        self.config = config
        self.base = paths.remote_path(config.base_path)
        self.pool = sftp_pool.Pool(config)
        self._posix_rename = True

    def _path(self, key: str) -> str:
        return paths.remote_path(self.base, *paths.split_key(key))

    def _run(
        self,
        operation: str,
        op: Callable[[paramiko.SFTPClient], T],
        *,
        can_retry: Callable[[], bool] = lambda: True,
        foreign: Callable[[BaseException], bool] = lambda exc: False,
        hold: bool = False,
    ):
        """Run `op` on a checked-out connection, reconnecting once if it turns out dead; failures of the NAS are
        counted and named after `operation`.

        `foreign(exc)` says an error came from elsewhere (the caller's stream), not from the connection.
        """
        try:
            return self._attempt(operation, op, can_retry, foreign, hold)
        except BaseException as exc:
            if not foreign(exc):
                metrics.failed(operation, exc)
            raise

    def _attempt(self, operation: str, op: Callable[[paramiko.SFTPClient], T], can_retry: Callable[[], bool],
                 foreign: Callable[[BaseException], bool], hold: bool):
        for attempt in (1, 2):
            conn = self.pool.acquire()
            try:
                result = op(conn.sftp)
            except BaseException as exc:
                dropped = not conn.alive() or (isinstance(exc, _CONNECTION_ERRORS) and not foreign(exc))
                if not dropped and isinstance(exc, Exception):
                    self.pool.release(conn)
                    if isinstance(exc, OSError) and not foreign(exc):  # the server said no: permissions, disk full
                        raise errors.StorageError(f"NAS {operation} on {self.config.address}: {exc}") from exc
                    raise
                self.pool.discard(conn)
                if attempt == 1 and isinstance(exc, Exception) and can_retry():
                    log.warning("NAS %s: connection to %s dropped (%s); reconnecting once", operation,
                                self.config.address, exc)
                    continue
                if not isinstance(exc, Exception):
                    raise
                raise errors.StorageUnavailable(
                    f"NAS {operation}: lost connection to {self.config.address}: {exc!r}", host=self.config.host
                ) from exc
            if hold:
                return result, conn
            self.pool.release(conn)
            return result
        raise AssertionError("unreachable")

    def put(
        self,
        key: str,
        stream: BinaryIO,
        *,
        on_conflict: base.OnConflict = "rename",
        max_bytes: int | None = None,
        expected_sha256: str | None = None,
        temp_token: str | None = None,
    ) -> base.PutResult:
        """Upload to a hidden temp file (fixed name if `temp_token`, so a retry overwrites it), verify, rename."""
        base.check_on_conflict(on_conflict)
        shop, file_type, filename = paths.split_key(key)
        tmp = paths.remote_path(self.base, shop, file_type, paths.temp_name(filename, temp_token))
        tracked = sftp_ops.Tracked(stream)

        def op(sftp: paramiko.SFTPClient) -> base.PutResult:
            try:
                out = sftp.open(tmp, "wb")
            except FileNotFoundError:
                sftp_ops.makedirs(sftp, self.base, shop, file_type)
                out = sftp.open(tmp, "wb")
            try:
                with out:
                    out.set_pipelined(True)
                    out.MAX_REQUEST_SIZE = WRITE_REQUEST
                    size, sha = base.copy_stream(tracked, out.write, max_bytes=max_bytes)
                stored = sftp.stat(tmp).st_size
                if stored != size:
                    raise errors.IntegrityError(f"NAS stored {stored} bytes of {size} for {key!r}")
                base.check_integrity(key, sha, expected_sha256)
                final = self._place(sftp, tmp, key, on_conflict)
            except BaseException as exc:
                if exc is tracked.error or not isinstance(exc, _CONNECTION_ERRORS):
                    sftp_ops.quietly(sftp.remove, tmp)  # a dead link cannot clean up; its temp stays hidden
                raise
            return base.PutResult(final, size, sha)

        started = time.perf_counter()
        result = self._run("put", op, can_retry=tracked.rewind, foreign=lambda exc: exc is tracked.error)
        metrics.transferred("write", result.size, time.perf_counter() - started)
        return result

    def _place(self, sftp: paramiko.SFTPClient, src: str, key: str, on_conflict: str) -> str:
        """Rename `src` to `key` or a numbered variant; OpenSSH's plain rename never overwrites (link+unlink)."""
        if on_conflict == "replace":
            self._replace(sftp, src, self._path(key))
            return key
        for candidate in paths.clash_candidates(key):
            try:
                sftp.rename(src, self._path(candidate))
                return candidate
            except OSError:
                if not sftp_ops.lexists(sftp, self._path(candidate)):
                    raise
                if on_conflict == "error":
                    raise errors.ObjectExists(key) from None
        raise errors.ObjectExists(key)

    def _replace(self, sftp: paramiko.SFTPClient, src: str, dst: str) -> None:
        """Atomic overwrite with posix-rename@openssh.com; without it, remove then rename."""
        if self._posix_rename:
            try:
                sftp.posix_rename(src, dst)
                return
            except OSError as exc:
                if "unsupported" not in str(exc).lower():
                    raise
                self._posix_rename = False
        sftp_ops.quietly(sftp.remove, dst)
        sftp.rename(src, dst)

    def open(self, key: str) -> BinaryIO:
        """A seekable buffered reader streaming with a window of pipelined requests; holds one connection."""
        path = self._path(key)

        def op(sftp: paramiko.SFTPClient) -> tuple[paramiko.SFTPFile, int]:
            try:
                handle = sftp.open(path, "rb")
            except (FileNotFoundError, IsADirectoryError):
                raise errors.ObjectNotFound(key) from None
            st = handle.stat()
            if not stat_mod.S_ISREG(st.st_mode or 0):
                handle.close()
                raise errors.ObjectNotFound(key)
            return handle, st.st_size

        (handle, size), conn = self._run("open", op, hold=True)

        def give_back(failed: bool) -> None:
            (self.pool.discard if failed else self.pool.release)(conn)

        raw = sftp_io.RemoteReader(conn.sftp, handle, size, give_back, where=self.config.address)
        return io.BufferedReader(raw, buffer_size=sftp_io.READ_CHUNK)

    def exists(self, key: str) -> bool:
        """True if a regular file is stored at `key`."""
        path = self._path(key)
        return self._run("exists", lambda sftp: sftp_ops.is_file(sftp, path))

    def stat(self, key: str) -> base.ObjectInfo:
        """Size and mtime of the object."""
        path = self._path(key)

        def op(sftp: paramiko.SFTPClient) -> base.ObjectInfo:
            try:
                st = sftp.stat(path)
            except FileNotFoundError:
                raise errors.ObjectNotFound(key) from None
            if not stat_mod.S_ISREG(st.st_mode or 0):
                raise errors.ObjectNotFound(key)
            return base.ObjectInfo(key, st.st_size, float(st.st_mtime))

        return self._run("stat", op)

    def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Remove the object; ObjectNotFound unless `missing_ok`."""
        path = self._path(key)

        def op(sftp: paramiko.SFTPClient) -> None:
            try:
                sftp.remove(path)
            except FileNotFoundError:
                if not missing_ok:
                    raise errors.ObjectNotFound(key) from None

        self._run("delete", op)

    def list(self, prefix: str = "") -> Iterator[base.ObjectInfo]:
        """Objects whose key starts with `prefix`, sorted; read in one go so no connection is held by the caller."""
        dirs = paths.prefix_dirs(prefix)
        infos = self._run("list", lambda sftp: list(self._walk(sftp, dirs)))
        return base.filter_prefix(iter(infos), prefix)

    def _walk(self, sftp: paramiko.SFTPClient, dirs: builtins.list[str]) -> Iterator[base.ObjectInfo]:
        """Every valid key below `{base}/{dirs}`."""
        try:
            entries = sftp.listdir_attr(paths.remote_path(self.base, *dirs))
        except FileNotFoundError:
            return
        for entry in entries:
            if paths.is_hidden(entry.filename):
                continue
            mode = entry.st_mode or 0
            if len(dirs) < 2 and stat_mod.S_ISDIR(mode):
                yield from self._walk(sftp, [*dirs, entry.filename])
            elif len(dirs) == 2 and stat_mod.S_ISREG(mode):
                key = "/".join((*dirs, entry.filename))
                try:
                    paths.split_key(key)
                except errors.InvalidName:
                    continue
                yield base.ObjectInfo(key, entry.st_size or 0, float(entry.st_mtime or 0))

    def move(self, src: str, dst: str, *, on_conflict: base.OnConflict = "rename") -> str:
        """Rename `src` to `dst` (or a numbered variant) on the NAS; returns the final key."""
        base.check_on_conflict(on_conflict)
        src_path, (shop, file_type, _) = self._path(src), paths.split_key(dst)

        def op(sftp: paramiko.SFTPClient) -> str:
            if not sftp_ops.is_file(sftp, src_path):
                raise errors.ObjectNotFound(src)
            if src == dst:
                return dst
            sftp_ops.makedirs(sftp, self.base, shop, file_type)
            return self._place(sftp, src_path, dst, on_conflict)

        return self._run("move", op)

    def free_space(self) -> int | None:
        """Bytes available on the share (statvfs@openssh.com), None if the server does not say."""

        return self._run("free_space", lambda sftp: sftp_ops.free_bytes(sftp, self.base))

    def check(self) -> dict:
        """Health: connect, write/read/delete a probe file in the base path, report free space; never raises."""
        result = {"backend": self.backend, "host": self.config.address, "reachable": False, "writable": False}
        probe = paths.remote_path(self.base, paths.probe_name())

        def op(sftp: paramiko.SFTPClient) -> bool:
            result["reachable"] = True
            with sftp.open(probe, "wb") as out:
                out.write(b"ok")
            with sftp.open(probe, "rb") as back:
                ok = back.read() == b"ok"
            sftp.remove(probe)
            return ok

        try:
            result["writable"] = self._run("check", op, can_retry=lambda: True)
            result["free_bytes"] = self.free_space()
        except (errors.StorageError, OSError) as exc:
            result["error"] = f"{type(exc).__name__}: {exc}"
        result["ok"] = result["reachable"] and result["writable"]
        return result

    def folder_exists(self, folder: str) -> bool:
        """True if `folder` (relative to the base path) is a directory."""
        return sftp_folders.exists(self, folder)

    def folder_list(self, folder: str) -> builtins.list[base.ObjectInfo]:
        """The visible files directly in `folder`."""
        return sftp_folders.listing(self, folder)

    def folder_write(self, folder: str, name: str, stream: BinaryIO, *, token: str) -> base.PutResult:
        """Write `name`'s hidden temp in `folder`."""
        return sftp_folders.write(self, folder, name, stream, token=token)

    def folder_place(self, folder: str, name: str, *, token: str) -> None:
        """Rename the temp into place, never overwriting."""
        sftp_folders.place(self, folder, name, token=token)

    def folder_discard(self, folder: str, name: str, *, token: str) -> None:
        """Remove the temp if any."""
        sftp_folders.discard(self, folder, name, token=token)

    def close(self) -> None:
        """Close pooled connections."""
        self.pool.close()
