"""Receiving an upload: the body is spooled to a temp file by werkzeug, then hashed, typed and inspected on disk."""
from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO

from flask import Request
from werkzeug.datastructures import FileStorage

import config
from models import errors
from prepress import filetypes, imageinfo

CHUNK = 1024 * 1024


class UploadRequest(Request):
    """Multipart file parts go straight to a named temp file on disk, so memory stays flat for any size."""

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> BinaryIO:
        return tempfile.NamedTemporaryFile(prefix="esa-upload-", suffix=".part")


@dataclasses.dataclass
class Received:
    """An uploaded file checked and described, still in its temp file."""

    path: str
    size: int
    sha256: str
    kind: filetypes.Kind
    facts: imageinfo.ImageFacts | None
    original_filename: str


def receive(upload: FileStorage, file_type: str, settings: config.Settings) -> Received:
    """Hash, type and inspect the upload; Invalid (422) for empty, unsupported, corrupt or bomb files."""
    path = _path_of(upload)
    size, digest, head = 0, hashlib.sha256(), b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            if not head:
                head = chunk[:512]
            size += len(chunk)
            digest.update(chunk)
    if size == 0:
        raise errors.Invalid("The file is empty", errors={"file": ["Empty file"]})
    if size > settings.max_upload_bytes:
        raise errors.Invalid(f"The file is larger than {settings.max_upload_bytes // 2**20} MB",
                             errors={"file": ["Too large"]})
    try:
        kind = filetypes.accept(file_type, head)
    except filetypes.UnsupportedType as exc:
        raise errors.Invalid(str(exc), errors={"file": [str(exc)]}) from None
    facts = None
    if kind.is_image:
        try:
            facts = imageinfo.inspect(path, max_pixels=settings.max_image_pixels)
        except imageinfo.BadImage as exc:
            raise errors.Invalid(str(exc), errors={"file": [str(exc)]}) from None
    return Received(path, size, digest.hexdigest(), kind, facts, (upload.filename or "upload")[:500])


def _path_of(upload: FileStorage) -> str:
    name = getattr(upload.stream, "name", None)
    if isinstance(name, str) and os.path.exists(name):
        upload.stream.flush()
        return name
    # Only reached when another request class spooled the part in memory: put it on disk once.
    tmp = tempfile.NamedTemporaryFile(prefix="esa-upload-", suffix=".part")
    shutil.copyfileobj(upload.stream, tmp, CHUNK)
    tmp.flush()
    upload.stream = tmp  # closed (and deleted) with the request's files
    return tmp.name


def image_columns(facts: imageinfo.ImageFacts | None) -> dict[str, Any]:
    """File row columns from image facts."""
    if facts is None:
        return {}
    return {"width_px": facts.width, "height_px": facts.height, "dpi_x": facts.dpi_x, "dpi_y": facts.dpi_y,
            "dpi": facts.dpi, "color_mode": facts.mode, "has_alpha": facts.has_alpha}


def stream_range(handle: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    """Yield `length` bytes from `start`, closing the handle at the end (or when the client goes away)."""
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()
