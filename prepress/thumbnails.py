"""A disk cache of small WebP previews, keyed by content hash (identical files share one thumbnail)."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from prepress import imageinfo

SIZE = 320


def path_for(cache_dir: str | os.PathLike, sha256: str) -> Path:
    """Where the thumbnail of content `sha256` lives."""
    return Path(cache_dir) / "thumbnails" / sha256[:2] / f"{sha256}.webp"


def make(cache_dir: str | os.PathLike, sha256: str, source: str | os.PathLike) -> bool:
    """Render and cache the thumbnail of the image at `source`; False when the format has no preview."""
    data = imageinfo.thumbnail(source, SIZE)
    if data is None:
        return False
    target = path_for(cache_dir, sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".thumb-")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, target)
    return True


def get(cache_dir: str | os.PathLike, sha256: str, fetch_source: Callable[[], str]) -> bytes | None:
    """The cached thumbnail, re-rendered from `fetch_source()` (a local path) when the cache lost it."""
    target = path_for(cache_dir, sha256)
    if not target.exists() and not make(cache_dir, sha256, fetch_source()):
        return None
    return target.read_bytes()
