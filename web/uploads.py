"""Receiving an upload: the body is spooled to a temp file by werkzeug, so services read it from disk."""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import BinaryIO

from flask import Request
from werkzeug.datastructures import FileStorage

from services import uploads

CHUNK = 1024 * 1024


class UploadRequest(Request):
    """Multipart file parts go straight to a named temp file on disk, so memory stays flat for any size."""

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None, content_length: int | None = None) -> BinaryIO:
        return tempfile.NamedTemporaryFile(prefix=uploads.TEMP_PREFIX, suffix=uploads.TEMP_SUFFIX)


def spooled_path(upload: FileStorage) -> str:
    """The path of the temp file holding the upload's content."""
    name = getattr(upload.stream, "name", None)
    if isinstance(name, str) and os.path.exists(name):
        upload.stream.flush()
        return name
    # Only reached when another request class spooled the part in memory: put it on disk once.
    tmp = tempfile.NamedTemporaryFile(prefix=uploads.TEMP_PREFIX, suffix=uploads.TEMP_SUFFIX)
    shutil.copyfileobj(upload.stream, tmp, CHUNK)
    tmp.flush()
    upload.stream = tmp  # closed (and deleted) with the request's files
    return tmp.name
