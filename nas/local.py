"""Storage on a local directory (`LOCAL_ROOT_PATH`): the `local` backend and the fast half of `hybrid`."""
from __future__ import annotations

import builtins
import ctypes
import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from nas import base, errors, paths


class LocalStorage:
    """Files under `root`, laid out exactly like the NAS share (`root/shop/file_type/filename`)."""

    backend = "local"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        """The file a key maps to (it may not exist)."""
        return paths.local_path(self.root, *paths.split_key(key))

    def put(
        self,
        key: str,
        stream: BinaryIO,
        *,
        on_conflict: base.OnConflict = "rename",
        max_bytes: int | None = None,
        expected_sha256: str | None = None,
    ) -> base.PutResult:
        """Stream into a hidden temp file next to the target, fsync, then link/rename it into place."""
        base.check_on_conflict(on_conflict)
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.parent / paths.temp_name(target.name)
        try:
            with open(tmp, "xb") as out:
                size, sha = base.copy_stream(stream, out.write, max_bytes=max_bytes)
                out.flush()
                os.fsync(out.fileno())
            base.check_integrity(key, sha, expected_sha256)
            final = self._place(tmp, key, on_conflict)
        finally:
            tmp.unlink(missing_ok=True)
        return base.PutResult(final, size, sha)

    def _place(self, src: Path, key: str, on_conflict: str) -> str:
        """Give `src` the name `key` (or a numbered variant); hard links make "no overwrite" atomic."""
        if on_conflict == "replace":
            os.replace(src, self.path(key))
            return key
        for candidate in paths.clash_candidates(key):
            dst = self.path(candidate)
            try:
                os.link(src, dst)
            except FileExistsError:
                if on_conflict == "error":
                    raise errors.ObjectExists(key) from None
                continue
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                    raise
                # Filesystem without hard links: check-then-rename, racy but the best it offers.
                if dst.exists():
                    if on_conflict == "error":
                        raise errors.ObjectExists(key) from None
                    continue
                os.rename(src, dst)
                return candidate
            src.unlink()
            return candidate
        raise errors.ObjectExists(key)

    def open(self, key: str) -> BinaryIO:
        """A seekable buffered reader of the object."""
        try:
            return open(self.path(key), "rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise errors.ObjectNotFound(key) from None

    def exists(self, key: str) -> bool:
        """True if a regular file is stored at `key`."""
        return self.path(key).is_file()

    def stat(self, key: str) -> base.ObjectInfo:
        """Size and mtime of the object."""
        path = self.path(key)
        try:
            st = path.stat()
        except (FileNotFoundError, NotADirectoryError):
            raise errors.ObjectNotFound(key) from None
        if not path.is_file():
            raise errors.ObjectNotFound(key)
        return base.ObjectInfo(key, st.st_size, st.st_mtime)

    def delete(self, key: str, *, missing_ok: bool = False) -> None:
        """Remove the object; ObjectNotFound unless `missing_ok`."""
        try:
            self.path(key).unlink()
        except (FileNotFoundError, NotADirectoryError):
            if not missing_ok:
                raise errors.ObjectNotFound(key) from None

    def list(self, prefix: str = "") -> Iterator[base.ObjectInfo]:
        """Objects whose key starts with `prefix`, sorted by key; hidden and temp files are skipped."""
        dirs = paths.prefix_dirs(prefix)
        start = paths.local_path(self.root, *dirs) if dirs else self.root
        return base.filter_prefix(self._walk(start, dirs), prefix)

    def _walk(self, start: Path, dirs: builtins.list[str]) -> Iterator[base.ObjectInfo]:
        """Every valid key below `start` (which is `dirs` deep in the layout)."""
        for dirpath, dirnames, filenames in os.walk(start):
            rel = [*dirs, *Path(dirpath).relative_to(start).parts]
            dirnames[:] = [d for d in dirnames if not paths.is_hidden(d)] if len(rel) < 2 else []
            if len(rel) != 2:
                continue
            for name in filenames:
                key = "/".join((*rel, name))
                if paths.is_hidden(name) or not _is_key(key):
                    continue
                try:
                    st = os.stat(os.path.join(dirpath, name))
                except FileNotFoundError:
                    continue
                yield base.ObjectInfo(key, st.st_size, st.st_mtime)

    def move(self, src: str, dst: str, *, on_conflict: base.OnConflict = "rename") -> str:
        """Rename `src` to `dst` (or a numbered variant); returns the final key."""
        base.check_on_conflict(on_conflict)
        source, target = self.path(src), self.path(dst)
        if not source.is_file():
            raise errors.ObjectNotFound(src)
        if src == dst:
            return dst
        target.parent.mkdir(parents=True, exist_ok=True)
        return self._place(source, dst, on_conflict)

    def free_space(self) -> int | None:
        """Free bytes on the filesystem holding the root."""
        return shutil.disk_usage(self.root).free

    def check(self) -> dict:
        """Health: the root is reachable and a probe file can be written, read back and deleted."""
        result = {"backend": self.backend, "root": str(self.root), "reachable": False, "writable": False}
        try:
            result["reachable"] = self.root.is_dir()
            probe = self.root / paths.probe_name()
            probe.write_bytes(b"ok")
            result["writable"] = probe.read_bytes() == b"ok"
            probe.unlink()
            result["free_bytes"] = self.free_space()
        except OSError as exc:
            result["error"] = f"{type(exc).__name__}: {exc}"
        result["ok"] = result["reachable"] and result["writable"]
        return result

    def _folder(self, folder: str) -> Path:
        return paths.local_path(self.root, *paths.folder_parts(folder))

    def folder_exists(self, folder: str) -> bool:
        """True if `folder` (relative to the root) is a directory."""
        return self._folder(folder).is_dir()

    def folder_list(self, folder: str) -> builtins.list[base.ObjectInfo]:
        """The visible regular files directly in `folder`, sorted by name; ObjectNotFound if it is not there."""
        found = []
        try:
            with os.scandir(self._folder(folder)) as entries:
                for entry in entries:
                    if paths.is_hidden(entry.name) or not entry.is_file(follow_symlinks=False):
                        continue
                    try:
                        st = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue  # taken away by the RIP while we looked
                    found.append(base.ObjectInfo(entry.name, st.st_size, st.st_mtime))
        except (FileNotFoundError, NotADirectoryError):
            raise errors.ObjectNotFound(folder) from None
        return sorted(found, key=lambda i: i.key)

    def folder_write(self, folder: str, name: str, stream: BinaryIO, *, token: str) -> base.PutResult:
        """Write the hidden temp of (`name`, `token`) in `folder`, fsynced; a leftover of the same token is replaced."""
        directory, name = self._folder(folder), paths.sanitize_filename(name)
        if not directory.is_dir():
            raise errors.ObjectNotFound(folder)
        tmp = directory / paths.temp_name(name, token)
        try:
            with open(tmp, "wb") as out:
                size, sha = base.copy_stream(stream, out.write)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return base.PutResult(name, size, sha)

    def folder_place(self, folder: str, name: str, *, token: str) -> None:
        """Give the temp its visible name in one atomic rename that never overwrites (renameat2 NOREPLACE), so
        the temp is gone exactly when the file appears: ObjectExists if taken, ObjectNotFound if no temp."""
        directory, name = self._folder(folder), paths.sanitize_filename(name)
        tmp, dst = directory / paths.temp_name(name, token), directory / name
        try:
            if not _rename_noreplace(tmp, dst):
                self._link_place(tmp, dst)
        except FileNotFoundError:
            raise errors.ObjectNotFound(f"{folder}/{name}") from None
        except FileExistsError:
            raise errors.ObjectExists(f"{folder}/{name}") from None
        directory_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_fd)
        finally:
            os.close(directory_fd)

    @staticmethod
    def _link_place(tmp: Path, dst: Path) -> None:
        """Without renameat2: link then unlink (a crash in between leaves both names, the temp hidden)."""
        try:
            os.link(tmp, dst)
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK) or dst.exists():
                raise
            os.rename(tmp, dst)  # no hard links here: check-then-rename is the best this filesystem offers
            return
        tmp.unlink()

    def folder_discard(self, folder: str, name: str, *, token: str) -> None:
        """Remove the temp of (`name`, `token`) if it is there."""
        (self._folder(folder) / paths.temp_name(paths.sanitize_filename(name), token)).unlink(missing_ok=True)

    def close(self) -> None:
        """Nothing to release."""


_RENAME_NOREPLACE = 1
_AT_FDCWD = -100
_libc = ctypes.CDLL(None, use_errno=True)
_renameat2 = getattr(_libc, "renameat2", None)


def _rename_noreplace(src: Path, dst: Path) -> bool:
    """Rename without ever overwriting; False when the system or filesystem cannot (then the caller links)."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), _RENAME_NOREPLACE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(src), None, str(dst))


def _is_key(key: str) -> bool:
    """True if `key` is canonical (files dropped on the share by hand may not be)."""
    try:
        paths.split_key(key)
    except errors.InvalidName:
        return False
    return True
