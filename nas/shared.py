"""One storage backend per process and settings, opened on first use (connections are pooled inside it)."""
from __future__ import annotations

import threading
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


def close_all() -> None:
    """Close every backend (at shutdown, or after a fork)."""
    with _lock:
        for storage in _instances.values():
            storage.close()
        _instances.clear()
