"""The SFTP backend's counters: exact bytes each way, pool use while a reader is open, errors by operation and
kind, connections that fail while the NAS is down."""
from __future__ import annotations

import io

import pytest
from prometheus_client import REGISTRY

import nas
from nas import errors


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_bytes_each_way_and_pool_use(sftp_settings):
    storage = nas.open_storage(sftp_settings)
    payload = bytes(range(256)) * 4096 + b"tail"
    written, read = _value("esa_nas_bytes_total", direction="write"), _value("esa_nas_bytes_total", direction="read")
    in_use, size = _value("esa_nas_pool_connections", state="in_use"), _value("esa_nas_pool_size")
    try:
        assert _value("esa_nas_pool_size") == size
        key = storage.put("shop/designs/art.png", io.BytesIO(payload)).key
        assert _value("esa_nas_bytes_total", direction="write") == written + len(payload)
        with storage.open(key) as reader:
            assert reader.read(1000) == payload[:1000]
            assert _value("esa_nas_pool_connections", state="in_use") == in_use + 1
            assert reader.read() == payload[1000:]
        assert _value("esa_nas_pool_connections", state="in_use") == in_use
        assert _value("esa_nas_pool_connections", state="idle") >= 1
        assert _value("esa_nas_bytes_total", direction="read") == read + len(payload)
        assert _value("esa_nas_transfer_seconds_total", direction="read") > 0
        with pytest.raises(errors.ObjectNotFound):
            storage.stat("shop/designs/missing.png")  # the caller's miss, not a NAS error
        assert _value("esa_nas_errors_total", operation="stat", error="refused") == 0
    finally:
        storage.close()
    assert _value("esa_nas_pool_size") == size - sftp_settings.nas_pool_size


def test_unreachable_nas_counts_failed_connections_and_errors_by_operation(own_sshd, tmp_path):
    storage = nas.open_storage(own_sshd.settings(nas_base_path=str(tmp_path / "share"), nas_timeout=2.0))
    failed = _value("esa_nas_connections_total", result="failed")
    put_errors = _value("esa_nas_errors_total", operation="put", error="unavailable")
    try:
        own_sshd.stop()
        with pytest.raises(errors.StorageUnavailable) as caught:
            storage.put("shop/designs/a.png", io.BytesIO(b"x"))
        assert caught.value.operation == "put"
        assert _value("esa_nas_errors_total", operation="put", error="unavailable") == put_errors + 1
        assert _value("esa_nas_connections_total", result="failed") == failed + 1
        assert storage.check()["ok"] is False
        assert _value("esa_nas_errors_total", operation="check", error="unavailable") >= 1
    finally:
        storage.close()
