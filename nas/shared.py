"""One storage backend per process and settings, opened on first use (connections are pooled inside it)."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from typing import Any, Iterator

import nas
from nas import base

_instances: dict[Any, base.Storage] = {}
_lock = threading.Lock()


def storage_for(settings: Any) -> base.Storage:
    """The process's storage for these settings."""
    with _lock:
        if settings not in _instances:
            _instances[settings] = nas.open_storage(settings)
        return _instances[settings]


@contextlib.contextmanager
def local_copy(settings: Any, key: str) -> Iterator[str]:
    """The object at `key` copied to a temp file (for decoders that need a path); removed afterwards."""
    fd, tmp = tempfile.mkstemp(prefix="esa-obj-")
    try:
        with os.fdopen(fd, "wb") as out, storage_for(settings).open(key) as src:
            shutil.copyfileobj(src, out, base.CHUNK_SIZE)
        yield tmp
    finally:
        os.unlink(tmp)
