"""Downloads: a stored object streamed with ETag, If-None-Match and byte ranges."""
from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from typing import BinaryIO

from flask import Response, request

import config
from models import errors
from models import file as file_model
from services import files

CHUNK = 1024 * 1024
ACTIVE_SUFFIXES = (".svg", ".svgz", ".html", ".htm", ".xhtml", ".xml")


def send(settings: config.Settings, row: file_model.File) -> Response:
    """The file's content (whole, or the asked range), or 304 when the client already has this version."""
    etag = row.sha256 or str(row.id)
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    handle, size = files.open_object(settings, row)
    start, length, status = 0, size, 200
    headers = {"ETag": f'"{etag}"', "Accept-Ranges": "bytes", "Cache-Control": "private, max-age=0",
               **disposition(row.filename)}
    if request.range is not None:
        span = request.range.range_for_length(size)
        if span is None or request.range.units != "bytes":
            handle.close()
            raise errors.RangeNotSatisfiable(f"Range not satisfiable for {size} bytes", size=size)
        start, stop = span
        length, status = stop - start, 206
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    headers["Content-Length"] = str(length)
    return Response(stream_range(handle, start, length), status=status, mimetype=row.mime_type, headers=headers,
                    direct_passthrough=True)


def disposition(filename: str, *, inline: bool = False) -> dict[str, str]:
    """Content-Disposition (and a sandbox) for a stored or generated file: SVG and HTML only ever as attachments,
    so a browser never runs what they hold on our origin."""
    kind = "inline" if inline and not filename.lower().endswith(ACTIVE_SUFFIXES) else "attachment"
    return {"Content-Disposition": f"{kind}; filename*=UTF-8''{urllib.parse.quote(filename, safe='')}",
            "Content-Security-Policy": "default-src 'none'; sandbox"}


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
