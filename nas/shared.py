"""One storage backend per process and settings, opened on first use (connections are pooled inside it)."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from typing import Any

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


@contextlib.contextmanager
def local_copies(settings: Any, keys: Iterable[str]) -> Iterator[dict[str, str]]:
    """Each distinct object copied once into a temp folder: {key: path}; the folder is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="esa-objs-") as folder:
        paths: dict[str, str] = {}
        storage = storage_for(settings)
        for n, key in enumerate(dict.fromkeys(keys)):
            paths[key] = os.path.join(folder, f"{n}")
            with storage.open(key) as src, open(paths[key], "wb") as out:
                shutil.copyfileobj(src, out, base.CHUNK_SIZE)
        yield paths
