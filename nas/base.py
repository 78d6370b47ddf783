"""The Storage protocol every backend implements, its result types, and the shared streaming copy.

Keys are `{shop_slug}/{file_type}/{filename}` (see `nas.paths.build_key`); backends reject anything else.

    put(key, stream, *, on_conflict="rename", max_bytes=None, expected_sha256=None) -> PutResult
        Streams `stream` in chunks into a hidden temp file next to the target, then renames it into place.
        on_conflict: "rename" stores as `name-2.ext`, `name-3.ext`... (PutResult.key says which),
        "replace" overwrites atomically, "error" raises ObjectExists. More than `max_bytes` -> TooLarge;
        a sha256 differing from `expected_sha256` -> IntegrityError; in both cases, and when the stream
        itself raises, nothing is left visible. An empty stream is stored (policy belongs to the API).
    open(key) -> BinaryIO          seekable binary reader; use as a context manager. Missing -> ObjectNotFound.
    exists(key) -> bool
    stat(key) -> ObjectInfo        missing -> ObjectNotFound.
    delete(key, *, missing_ok=False) -> None
    list(prefix="") -> Iterator[ObjectInfo]   keys starting with `prefix`, sorted; temp files never appear.
    move(src, dst, *, on_conflict="rename") -> str   the final destination key.
    free_space() -> int | None     bytes free for writing, None if the backend cannot tell.
    check() -> dict                for /health; writes and deletes a probe file, never raises.
    close() -> None                releases connections; the object is unusable afterwards.

Folders outside the key layout (a printer's hot folder: any relative path under the root, `nas.paths.folder_parts`):
    folder_exists(folder) -> bool
    folder_list(folder) -> list[ObjectInfo]   visible regular files directly inside (key = file name), by name;
                                              a missing folder -> ObjectNotFound (never an empty list).
    folder_write(folder, name, stream, *, token) -> PutResult   only the hidden temp `.{name}.{token}.part`,
                                              replacing a leftover of the same token; nothing visible appears.
    folder_place(folder, name, *, token)      renames that temp to `name` atomically, never overwriting:
                                              ObjectExists if `name` is taken, ObjectNotFound if no temp.
    folder_discard(folder, name, *, token)    removes the temp if any.
The hybrid backend keeps these folders on the NAS.

Backend extras: `SFTPStorage.put(..., temp_token=...)` (fixed temp name so a retried upload overwrites its own
leftover) and `HybridStorage.backup(key) -> PutResult` (mirror one local object onto the NAS; run it in a job).

Failures of the storage are `nas.errors.StorageError` subclasses; an unreachable NAS is `StorageUnavailable`
(HTTP 503). Errors raised by the caller's stream propagate unchanged; local disk errors may surface as OSError.
Open readers and writes hold one SFTP connection each, so concurrent threads never share a connection.
"""
from __future__ import annotations

import builtins
import dataclasses
import hashlib
from collections.abc import Callable, Iterator
from typing import BinaryIO, Literal, Protocol, runtime_checkable

from nas import errors

OnConflict = Literal["rename", "replace", "error"]


class Readable(Protocol):
    """Anything with a binary read(n)."""

    def read(self, size: int, /) -> bytes: ...
ON_CONFLICT = ("rename", "replace", "error")
# Big enough to amortise per-call overhead (paramiko pipelines it as several SFTP requests), small for memory.
CHUNK_SIZE = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class PutResult:
    """What a put stored: the final key (may differ after a rename), its size and hex sha256."""

    key: str
    size: int
    sha256: str


@dataclasses.dataclass(frozen=True)
class ObjectInfo:
    """One stored object: key, size in bytes, modification time (POSIX seconds)."""

    key: str
    size: int
    mtime: float


@runtime_checkable
class Storage(Protocol):
    """Blob storage for shop files; see the module docstring for the contract."""

    def put(
        self,
        key: str,
        stream: BinaryIO,
        *,
        on_conflict: OnConflict = "rename",
        max_bytes: int | None = None,
        expected_sha256: str | None = None,
    ) -> PutResult: ...

    def open(self, key: str) -> BinaryIO: ...

    def exists(self, key: str) -> bool: ...

    def stat(self, key: str) -> ObjectInfo: ...

    def delete(self, key: str, *, missing_ok: bool = False) -> None: ...

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]: ...

    def move(self, src: str, dst: str, *, on_conflict: OnConflict = "rename") -> str: ...

    def free_space(self) -> int | None: ...

    def check(self) -> dict: ...

    def close(self) -> None: ...

    def folder_exists(self, folder: str) -> bool: ...

    def folder_list(self, folder: str) -> builtins.list[ObjectInfo]: ...

    def folder_write(self, folder: str, name: str, stream: BinaryIO, *, token: str) -> PutResult: ...

    def folder_place(self, folder: str, name: str, *, token: str) -> None: ...

    def folder_discard(self, folder: str, name: str, *, token: str) -> None: ...


def check_on_conflict(on_conflict: str) -> None:
    """Reject an unknown on_conflict early, before any byte is written."""
    if on_conflict not in ON_CONFLICT:
        raise ValueError(f"on_conflict must be one of {ON_CONFLICT}, got {on_conflict!r}")


def copy_stream(
    stream: Readable,
    write: Callable[[bytes], object],
    *,
    max_bytes: int | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> tuple[int, str]:
    """Copy `stream` to `write` chunk by chunk, hashing as it goes; returns (size, sha256 hex). Raises TooLarge."""
    digest = hashlib.sha256()
    size = 0
    while True:
        # Read at most one byte past the limit so an exactly-max_bytes stream is accepted.
        want = chunk_size if max_bytes is None else min(chunk_size, max_bytes - size + 1)
        chunk = stream.read(want)
        if not chunk:
            return size, digest.hexdigest()
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            raise errors.TooLarge(max_bytes)
        digest.update(chunk)
        write(chunk)


def check_integrity(key: str, sha256: str, expected_sha256: str | None) -> None:
    """IntegrityError if the caller expected another checksum than the one streamed."""
    if expected_sha256 is not None and sha256 != expected_sha256.lower():
        raise errors.IntegrityError(f"sha256 mismatch for {key!r}: got {sha256}, expected {expected_sha256}")


def filter_prefix(infos: Iterator[ObjectInfo], prefix: str) -> Iterator[ObjectInfo]:
    """Keep the infos whose key starts with `prefix`, sorted by key."""
    return iter(sorted((i for i in infos if i.key.startswith(prefix)), key=lambda i: i.key))
