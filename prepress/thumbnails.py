"""A disk cache of small WebP previews, keyed by content hash and size (identical files share one thumbnail)."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from prepress import imageinfo

SIZE = 320
MIN_SIZE = 160
MAX_SIZE = 1024


class BadSize(ValueError):
    """A requested thumbnail size outside MIN_SIZE..MAX_SIZE."""


def check_size(size: int) -> int:
    """`size` if it is a whole number of pixels in MIN_SIZE..MAX_SIZE; BadSize saying the range otherwise."""
    if isinstance(size, bool) or not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE:
        # Refused rather than clamped: a client asking for 2000 px should learn it gets at most 1024.
        raise BadSize(f"thumbnail size must be a whole number of pixels from {MIN_SIZE} to {MAX_SIZE}, got {size!r}")
    return size


def path_for(cache_dir: str | os.PathLike, sha256: str, size: int = SIZE) -> Path:
    """Where the thumbnail of content `sha256` at `size` px lives (the default size keeps its historical name)."""
    check_size(size)
    name = f"{sha256}.webp" if size == SIZE else f"{sha256}-{size}.webp"
    return Path(cache_dir) / "thumbnails" / sha256[:2] / name


def make(cache_dir: str | os.PathLike, sha256: str, source: str | os.PathLike, size: int = SIZE) -> bool:
    """Render and cache the thumbnail of the image at `source`; False when the format has no preview."""
    target = path_for(cache_dir, sha256, size)
    data = imageinfo.thumbnail(source, size)
    if data is None:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".thumb-")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, target)
    return True


def get(cache_dir: str | os.PathLike, sha256: str, fetch_source: Callable[[], str], size: int = SIZE) -> bytes | None:
    """The cached thumbnail at `size`, rendered from `fetch_source()` (a local path) when the cache lacks it."""
    target = path_for(cache_dir, sha256, size)
    if not target.exists() and not make(cache_dir, sha256, fetch_source(), size):
        return None
    return target.read_bytes()
