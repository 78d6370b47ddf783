"""NAS layout and name safety: keys are `{folder}/{file_type}/{filename}`; every path is built here.

The folder is the organization's: its shop slug, or the name an existing NAS library already uses (mixed case,
spaces), kept exactly as it is so that importing that library moves nothing.
"""
from __future__ import annotations

import os
import posixpath
import re
import secrets
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from nas import errors

DEFAULT_BASE_PATH = "/share/Graphics"
FILE_TYPES = frozenset(
    {"designs", "mockups", "print_files", "gang_sheets", "templates", "watermarks", "exports", "other"}
)
MAX_FILENAME_BYTES = 200
MAX_SHOP_SLUG = 64
TEMP_SUFFIX = ".part"
MAX_FOLDER_DEPTH = 8

# Characters that are separators somewhere (POSIX, Windows/SMB clients of the QNAP share) or wildcards.
_UNSAFE = re.compile(r'[/\\:*?"<>|]')
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)}
_EXT = re.compile(r"\.[A-Za-z0-9]{1,16}$")


def _fit(stem: str, tail: str) -> str:
    """`stem + tail` with the stem cut on a character boundary so the whole fits MAX_FILENAME_BYTES."""
    room = MAX_FILENAME_BYTES - len(tail.encode())
    cut = stem.encode()[: max(room, 0)].decode("utf-8", "ignore")
    return cut.rstrip(" .") + tail


def sanitize_filename(name: str) -> str:
    """A safe single path component derived from a user-supplied filename; raises InvalidName if nothing is left."""
    if not isinstance(name, str):
        raise errors.InvalidName("filename must be a string")
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"\s+", " ", name)  # before dropping control chars, so a tab still separates words
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cs") and c not in _BIDI)
    name = _UNSAFE.sub("_", name)
    # No "..", even harmless inside a name: it keeps every component trivially non-traversing.
    name = re.sub(r"\.{2,}", ".", name)
    name = name.lstrip(" .-_").rstrip(" .")
    if not name:
        raise errors.InvalidName("empty filename")
    match = _EXT.search(name)
    stem, ext = (name[: match.start()], match.group()) if match and match.start() > 0 else (name, "")
    return _fit(stem, ext)


def shop_slug(shop_name: str) -> str:
    """The lowercase ASCII slug of a shop name (`"Café Prints!"` -> `"cafe-prints"`); raises InvalidName if empty."""
    if not isinstance(shop_name, str):
        raise errors.InvalidName("shop name must be a string")
    ascii_name = unicodedata.normalize("NFKD", shop_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:MAX_SHOP_SLUG].rstrip("-")
    if not slug:
        raise errors.InvalidName(f"shop name {shop_name!r} has no usable characters")
    return slug


def check_folder(folder: str) -> str:
    """`folder` itself if it is a usable shop folder name as it stands (no normalising), else InvalidName."""
    if not isinstance(folder, str) or not folder or len(folder) > MAX_SHOP_SLUG:
        raise errors.InvalidName(f"bad folder name {folder!r}")
    try:
        clean = sanitize_filename(folder)
    except errors.InvalidName:
        raise errors.InvalidName(f"bad folder name {folder!r}") from None
    if clean != folder or folder != unicodedata.normalize("NFC", folder) or is_hidden(folder):
        raise errors.InvalidName(f"bad folder name {folder!r}: it would not be kept as it is")
    return folder


def folder_key(folder: str, file_type: str, filename: str) -> str:
    """The storage key in an organization's own folder (kept as it is named) for a user-supplied filename."""
    return f"{check_folder(folder)}/{check_file_type(file_type)}/{sanitize_filename(filename)}"


def check_file_type(file_type: str) -> str:
    """`file_type` itself if it is one of FILE_TYPES, else InvalidName."""
    if file_type not in FILE_TYPES:
        raise errors.InvalidName(f"unknown file type {file_type!r}")
    return file_type


def build_key(shop_name: str, file_type: str, filename: str) -> str:
    """The storage key for a user-supplied shop name, file type and filename (sanitized)."""
    return f"{shop_slug(shop_name)}/{check_file_type(file_type)}/{sanitize_filename(filename)}"


def split_key(key: str) -> tuple[str, str, str]:
    """(shop_slug, file_type, filename) of a key already in canonical form; anything else is InvalidName."""
    parts = key.split("/") if isinstance(key, str) else []
    if len(parts) != 3:
        raise errors.InvalidName(f"bad key {key!r}: expected shop/file_type/filename")
    shop, file_type, filename = parts
    try:
        ok = shop == check_folder(shop) and filename == sanitize_filename(filename)
    except errors.InvalidName:
        ok = False
    if not ok or file_type not in FILE_TYPES:
        raise errors.InvalidName(f"bad key {key!r}")
    return shop, file_type, filename


def prefix_dirs(prefix: str) -> list[str]:
    """The complete directory components of a list() prefix, validated (`"shop/designs/ab"` -> shop, designs)."""
    if not isinstance(prefix, str) or prefix.startswith("/") or "\\" in prefix or "\x00" in prefix:
        raise errors.InvalidName(f"bad prefix {prefix!r}")
    dirs = prefix.split("/")[:-1]
    if len(dirs) > 2 or (dirs and dirs[0] != check_folder(dirs[0])) or (len(dirs) == 2 and dirs[1] not in FILE_TYPES):
        raise errors.InvalidName(f"bad prefix {prefix!r}")
    return dirs


def numbered(key: str, n: int) -> str:
    """The n-th clash alternative of a key: `shop/designs/cat.png` -> `shop/designs/cat-2.png`."""
    shop, file_type, filename = split_key(key)
    if n <= 1:
        return key
    match = _EXT.search(filename)
    stem, ext = (filename[: match.start()], match.group()) if match else (filename, "")
    return f"{shop}/{file_type}/{_fit(stem, f'-{n}{ext}')}"


def clash_candidates(key: str, limit: int = 1000) -> Iterator[str]:
    """The key, then its numbered alternatives, in the order a put/move tries them."""
    for n in range(1, limit + 1):
        yield numbered(key, n)


def temp_name(filename: str, token: str | None = None) -> str:
    """Hidden temp name for an atomic write next to `filename`; a fixed token makes a retry reuse its leftover."""
    token = token or secrets.token_hex(8)
    return _fit(f".{filename}", f".{token}{TEMP_SUFFIX}")


def folder_parts(folder: str) -> tuple[str, ...]:
    """The components of a folder path relative to the storage root (`"RIP/Epson F2100/hot"`); InvalidName for an
    absolute path, `..`, hidden or unsafe components, or more than MAX_FOLDER_DEPTH levels."""
    if not isinstance(folder, str) or not folder.strip("/"):
        raise errors.InvalidName(f"bad folder {folder!r}: give a path inside the storage root")
    parts = tuple(folder.strip("/").split("/")) if not folder.startswith("/") else ()
    if not parts or len(parts) > MAX_FOLDER_DEPTH:
        raise errors.InvalidName(f"bad folder {folder!r}: give a relative path inside the storage root")
    for part in parts:
        try:
            ok = part == sanitize_filename(part) and not is_hidden(part)
        except errors.InvalidName:
            ok = False
        if not ok:
            raise errors.InvalidName(f"bad folder {folder!r}: {part!r} is not a plain folder name")
    return parts


def is_hidden(name: str) -> bool:
    """True for names list() never shows: temp `.part` files, health probes, dotfiles of the NAS."""
    return name.startswith(".")


def probe_name() -> str:
    """A hidden, unique name for the tiny file check() writes and deletes."""
    return f".health-probe-{secrets.token_hex(6)}"


def _check_parts(parts: tuple[str, ...]) -> None:
    """Every part must be one plain component; the backends call this before joining anything."""
    for part in parts:
        if not part or part in (".", "..") or "/" in part or "\\" in part or "\x00" in part:
            raise errors.InvalidName(f"bad path component {part!r}")


def remote_path(base: str, *parts: str) -> str:
    """`{base}/{parts...}` on the NAS (POSIX), refusing anything that would leave `base`."""
    base = posixpath.normpath(base)
    if not base.startswith("/"):
        raise errors.InvalidName(f"NAS base path must be absolute, got {base!r}")
    _check_parts(parts)
    path = posixpath.normpath(posixpath.join(base, *parts))
    if path != base and not path.startswith(base.rstrip("/") + "/"):
        raise errors.InvalidName(f"path escapes the NAS base: {parts!r}")
    return path


def local_path(root: str | os.PathLike[str], *parts: str) -> Path:
    """`{root}/{parts...}` on this machine, refusing anything (symlinks included) that would leave `root`."""
    _check_parts(parts)
    root_path = Path(root).resolve()
    path = root_path.joinpath(*parts)
    if not path.resolve().is_relative_to(root_path):
        raise errors.InvalidName(f"path escapes the storage root: {parts!r}")
    return path
