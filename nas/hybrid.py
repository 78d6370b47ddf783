"""Write locally, answer at once, back up to the NAS in a job: the `hybrid` backend."""
from __future__ import annotations

import builtins
import hashlib
from collections.abc import Iterator
from typing import BinaryIO

from nas import base, errors, local, paths, sftp


class HybridStorage:
    """Local disk is the source of truth; `backup(key)` (run by a job) mirrors an object onto the NAS."""

    backend = "hybrid"

    def __init__(self, local_storage: local.LocalStorage, remote: sftp.SFTPStorage) -> None:
        self.local = local_storage
        self.remote = remote

    def put(
        self,
        key: str,
        stream: BinaryIO,
        *,
        on_conflict: base.OnConflict = "rename",
        max_bytes: int | None = None,
        expected_sha256: str | None = None,
    ) -> base.PutResult:
        """Store locally (the caller enqueues `backup(result.key)`); clashes count objects on either side."""
        base.check_on_conflict(on_conflict)
        if on_conflict != "replace":
            key = self._free_key(key, on_conflict)
        return self.local.put(
            key, stream, on_conflict=on_conflict, max_bytes=max_bytes, expected_sha256=expected_sha256
        )

    def _free_key(self, key: str, on_conflict: str) -> str:
        """First clash candidate absent locally; the NAS is asked only when it is, so a NAS outage rarely blocks."""
        for candidate in paths.clash_candidates(key):
            if not self.local.exists(candidate) and not self._remote_has(candidate):
                return candidate
            if on_conflict == "error":
                raise errors.ObjectExists(key)
        raise errors.ObjectExists(key)

    def _remote_has(self, key: str) -> bool:
        """Whether the NAS has `key`; with the NAS down, assume not, since writes must not wait for it."""
        try:
            return self.remote.exists(key)
        except errors.StorageUnavailable:
            return False

    def backup(self, key: str) -> base.PutResult:
        """Copy the local object to the NAS atomically and verified; a no-op if the NAS already has those bytes.

        The temp name is derived from the content hash, so a killed run leaves one hidden `.part`
        that the retry overwrites.
        """
        size, sha = _digest(self.local, key)
        try:
            remote_info = self.remote.stat(key)
        except errors.ObjectNotFound:
            remote_info = None
        if remote_info is not None and remote_info.size == size and _digest(self.remote, key) == (size, sha):
            return base.PutResult(key, size, sha)
        with self.local.open(key) as stream:
            return self.remote.put(key, stream, on_conflict="replace", expected_sha256=sha, temp_token=sha[:16])

    def open(self, key: str) -> BinaryIO:
        """The local copy if present, else the NAS copy."""
        try:
            return self.local.open(key)
        except errors.ObjectNotFound:
            return self.remote.open(key)

    def exists(self, key: str) -> bool:
        """True if either side has it."""
        return self.local.exists(key) or self.remote.exists(key)

    def stat(self, key: str) -> base.ObjectInfo:
        """Local info if present, else the NAS's."""
        try:
            return self.local.stat(key)
        except errors.ObjectNotFound:
            return self.remote.stat(key)

    def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Delete on both sides; ObjectNotFound only if neither had it."""
        found = False
        for side in (self.local, self.remote):
            try:
                side.delete(key)
                found = True
            except errors.ObjectNotFound:
                pass
        if not found and not missing_ok:
            raise errors.ObjectNotFound(key)

    def list(self, prefix: str = "") -> Iterator[base.ObjectInfo]:
        """Union of both sides, the local info winning for keys on both."""
        merged = {info.key: info for info in self.remote.list(prefix)}
        merged.update((info.key, info) for info in self.local.list(prefix))
        return iter(sorted(merged.values(), key=lambda info: info.key))

    def move(self, src: str, dst: str, *, on_conflict: base.OnConflict = "rename") -> str:
        """Move on both sides to the same final key (free on both); returns it."""
        base.check_on_conflict(on_conflict)
        paths.split_key(dst)
        on_local, on_remote = self.local.exists(src), self.remote.exists(src)
        if not (on_local or on_remote):
            raise errors.ObjectNotFound(src)
        if src == dst:
            return dst
        final = dst if on_conflict == "replace" else self._free_key(dst, on_conflict)
        mode: base.OnConflict = "replace" if on_conflict == "replace" else "error"
        if on_local:
            self.local.move(src, final, on_conflict=mode)
        if on_remote:
            self.remote.move(src, final, on_conflict=mode)
        return final

    def free_space(self) -> int | None:
        """Free bytes on the local disk, where writes land."""
        return self.local.free_space()

    def check(self) -> dict:
        """Both sides' health; ok follows the local side, a NAS outage only marks the backend degraded."""
        local_check, remote_check = self.local.check(), self.remote.check()
        return {
            "backend": self.backend,
            "ok": local_check["ok"],
            "degraded": not remote_check["ok"],
            "local": local_check,
            "remote": remote_check,
        }

    # Printer hot folders are on the NAS, where the RIP's computer sees them.
    def folder_exists(self, folder: str) -> bool:
        """True if `folder` is a directory on the NAS."""
        return self.remote.folder_exists(folder)

    def folder_list(self, folder: str) -> builtins.list[base.ObjectInfo]:
        """The visible files directly in the NAS folder."""
        return self.remote.folder_list(folder)

    def folder_write(self, folder: str, name: str, stream: BinaryIO, *, token: str) -> base.PutResult:
        """Write `name`'s hidden temp in the NAS folder."""
        return self.remote.folder_write(folder, name, stream, token=token)

    def folder_place(self, folder: str, name: str, *, token: str) -> None:
        """Rename the temp into place on the NAS, never overwriting."""
        self.remote.folder_place(folder, name, token=token)

    def folder_discard(self, folder: str, name: str, *, token: str) -> None:
        """Remove the temp on the NAS if any."""
        self.remote.folder_discard(folder, name, token=token)

    def close(self) -> None:
        """Release both sides."""
        self.local.close()
        self.remote.close()


def _digest(storage: local.LocalStorage | sftp.SFTPStorage, key: str) -> tuple[int, str]:
    """(size, sha256 hex) of a stored object, streamed."""
    digest, size = hashlib.sha256(), 0
    with storage.open(key) as stream:
        while chunk := stream.read(base.CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()
