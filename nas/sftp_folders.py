"""Folder operations of `SFTPStorage` (hot folders anywhere under the base path): list, write hidden, place."""
from __future__ import annotations

import stat as stat_mod
import time
from typing import TYPE_CHECKING, BinaryIO

import paramiko

from nas import base, errors, metrics, paths, sftp_ops

if TYPE_CHECKING:
    from nas import sftp


def _dir(storage: sftp.SFTPStorage, folder: str) -> str:
    return paths.remote_path(storage.base, *paths.folder_parts(folder))


def exists(storage: sftp.SFTPStorage, folder: str) -> bool:
    """True if `folder` is a directory on the NAS."""
    path = _dir(storage, folder)

    def op(client: paramiko.SFTPClient) -> bool:
        try:
            return stat_mod.S_ISDIR(client.stat(path).st_mode or 0)
        except FileNotFoundError:
            return False

    return storage._run("folder_exists", op)


def listing(storage: sftp.SFTPStorage, folder: str) -> list[base.ObjectInfo]:
    """The visible regular files directly in `folder`, sorted by name; ObjectNotFound if it is not there."""
    path = _dir(storage, folder)

    def op(client: paramiko.SFTPClient) -> list[base.ObjectInfo]:
        try:
            entries = client.listdir_attr(path)
        except FileNotFoundError:
            raise errors.ObjectNotFound(folder) from None
        return sorted((base.ObjectInfo(e.filename, e.st_size or 0, float(e.st_mtime or 0)) for e in entries
                       if not paths.is_hidden(e.filename) and stat_mod.S_ISREG(e.st_mode or 0)),
                      key=lambda i: i.key)

    return storage._run("folder_list", op)


def write(storage: sftp.SFTPStorage, folder: str, name: str, stream: BinaryIO, *, token: str) -> base.PutResult:
    """Upload to the hidden temp name of (`name`, `token`), replacing a leftover of the same token."""
    from nas import sftp

    directory, name = _dir(storage, folder), paths.sanitize_filename(name)
    tmp = f"{directory}/{paths.temp_name(name, token)}"
    tracked = sftp_ops.Tracked(stream)

    def op(client: paramiko.SFTPClient) -> base.PutResult:
        try:
            out = client.open(tmp, "wb")
        except FileNotFoundError:
            raise errors.ObjectNotFound(folder) from None
        try:
            with out:
                out.set_pipelined(True)
                out.MAX_REQUEST_SIZE = sftp.WRITE_REQUEST
                size, sha = base.copy_stream(tracked, out.write)
            stored = client.stat(tmp).st_size
            if stored != size:
                raise errors.IntegrityError(f"NAS stored {stored} bytes of {size} for {name!r}")
        except BaseException as exc:
            refused = isinstance(exc, (OSError, errors.IntegrityError))
            full = _disk_full(client, directory, folder, exc) if refused else None
            if exc is tracked.error or not isinstance(exc, sftp_ops.CONNECTION_ERRORS):
                sftp_ops.quietly(client.remove, tmp)
            if full is not None and exc is not tracked.error:
                raise full from exc
            raise
        return base.PutResult(name, size, sha)

    started = time.perf_counter()
    result = storage._run("folder_write", op, can_retry=tracked.rewind, foreign=lambda exc: exc is tracked.error)
    metrics.transferred("write", result.size, time.perf_counter() - started)
    return result


def _disk_full(client: paramiko.SFTPClient, directory: str, folder: str,
               exc: BaseException) -> errors.StorageError | None:
    """SFTP v3 reports a full disk as a bare "Failure" (pipelined writes: as a short file): ask the folder's
    filesystem, before the temp is removed."""
    if isinstance(exc, sftp_ops.CONNECTION_ERRORS):
        return None
    try:
        free = sftp_ops.free_bytes(client, directory)
    except Exception:
        return None
    if free is not None and free < base.CHUNK_SIZE:
        return errors.StorageError(f"no space left on the device of {folder!r} ({free} bytes free): {exc}")
    return None


def place(storage: sftp.SFTPStorage, folder: str, name: str, *, token: str) -> None:
    """Rename the temp of (`name`, `token`) to `name`; never overwrites (OpenSSH's plain rename links)."""
    directory, name = _dir(storage, folder), paths.sanitize_filename(name)
    tmp, dst = f"{directory}/{paths.temp_name(name, token)}", f"{directory}/{name}"

    def op(client: paramiko.SFTPClient) -> None:
        try:
            client.rename(tmp, dst)
        except OSError:
            if not sftp_ops.lexists(client, tmp):
                raise errors.ObjectNotFound(f"{folder}/{name}") from None
            if sftp_ops.lexists(client, dst):
                raise errors.ObjectExists(f"{folder}/{name}") from None
            raise

    storage._run("folder_place", op)


def discard(storage: sftp.SFTPStorage, folder: str, name: str, *, token: str) -> None:
    """Remove the temp of (`name`, `token`) if it is there."""
    tmp = f"{_dir(storage, folder)}/{paths.temp_name(paths.sanitize_filename(name), token)}"

    def op(client: paramiko.SFTPClient) -> None:
        try:
            client.remove(tmp)
        except FileNotFoundError:
            pass

    storage._run("folder_discard", op)
