"""Hybrid backend: local writes, NAS backups (atomic, verified, idempotent, resumable), remote read fallback."""
from __future__ import annotations

import hashlib
import io
import types

import pytest

import nas
from nas import errors, hybrid, local, paths, sftp
from tests.nas import sshd

KEY = "my-shop/designs/cat.png"
DATA = hashlib.shake_256(b"cat").digest(3 * 2**20 + 5)
SHA = hashlib.sha256(DATA).hexdigest()


def make(server: sshd.SSHServer, tmp_path, **overrides) -> hybrid.HybridStorage:
    storage = nas.open_storage(server.settings(
        storage_backend="hybrid", nas_base_path=str(tmp_path / "share"), local_root_path=str(tmp_path / "local"),
        **overrides,
    ))
    assert isinstance(storage, hybrid.HybridStorage)
    return storage


def test_backup_copies_verified_and_is_idempotent(sshd_server: sshd.SSHServer, tmp_path) -> None:
    storage = make(sshd_server, tmp_path)
    try:
        put = storage.put(KEY, io.BytesIO(DATA))
        remote_file = tmp_path / "share" / KEY
        assert not remote_file.exists()  # put answers from local disk only
        assert storage.backup(KEY) == put
        assert remote_file.read_bytes() == DATA
        before = remote_file.stat()
        assert storage.backup(KEY) == put
        after = remote_file.stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # not rewritten
    finally:
        storage.close()


def test_killed_backup_is_completed_by_retry(sshd_server: sshd.SSHServer, tmp_path) -> None:
    storage = make(sshd_server, tmp_path)
    try:
        storage.put(KEY, io.BytesIO(DATA))
        remote_dir = tmp_path / "share" / "my-shop" / "designs"
        remote_dir.mkdir(parents=True)
        leftover = remote_dir / paths.temp_name("cat.png", SHA[:16])
        leftover.write_bytes(DATA[: 2**20] + b"garbage")  # what a backup killed mid-transfer leaves
        assert [i.key for i in storage.remote.list()] == []
        result = storage.backup(KEY)
        assert (result.key, result.sha256) == (KEY, SHA)
        assert sorted(p.name for p in remote_dir.iterdir()) == ["cat.png"]
        assert (remote_dir / "cat.png").read_bytes() == DATA
    finally:
        storage.close()


def test_backup_replaces_stale_remote_copy(sshd_server: sshd.SSHServer, tmp_path) -> None:
    storage = make(sshd_server, tmp_path)
    try:
        storage.remote.put(KEY, io.BytesIO(b"x" * len(DATA)))  # same size, other bytes
        storage.local.put(KEY, io.BytesIO(DATA))
        assert storage.backup(KEY).sha256 == SHA
        assert (tmp_path / "share" / KEY).read_bytes() == DATA
        with pytest.raises(errors.ObjectNotFound):
            storage.backup("my-shop/designs/missing.png")
    finally:
        storage.close()


def test_reads_fall_back_to_nas(sshd_server: sshd.SSHServer, tmp_path) -> None:
    storage = make(sshd_server, tmp_path)
    try:
        storage.put(KEY, io.BytesIO(DATA))
        storage.backup(KEY)
        storage.local.path(KEY).unlink()  # local copy evicted or lost
        assert storage.exists(KEY) and storage.stat(KEY).size == len(DATA)
        with storage.open(KEY) as stream:
            stream.seek(100)
            assert stream.read(50) == DATA[100:150]
        assert [i.key for i in storage.list()] == [KEY]
        # A new upload of the same name must not shadow the NAS-only copy.
        assert storage.put(KEY, io.BytesIO(b"new")).key == "my-shop/designs/cat-2.png"
        storage.delete(KEY)
        assert not storage.exists(KEY)
    finally:
        storage.close()


def test_writes_work_while_nas_is_down(own_sshd: sshd.SSHServer, tmp_path) -> None:
    storage = make(own_sshd, tmp_path, nas_timeout=3)
    try:
        own_sshd.stop()
        assert storage.put(KEY, io.BytesIO(DATA)).key == KEY
        with storage.open(KEY) as stream:
            assert stream.read() == DATA
        with pytest.raises(errors.StorageUnavailable):
            storage.backup(KEY)
        report = storage.check()
        assert report["ok"] is True and report["degraded"] is True
        own_sshd.restart()
        assert storage.backup(KEY).sha256 == SHA
        assert storage.check()["degraded"] is False
    finally:
        storage.close()


def test_open_storage_picks_backend(sshd_server: sshd.SSHServer, tmp_path) -> None:
    kinds = {"local": local.LocalStorage, "sftp": sftp.SFTPStorage, "hybrid": hybrid.HybridStorage}
    for name, cls in kinds.items():
        storage = nas.open_storage(sshd_server.settings(
            storage_backend=name, local_root_path=str(tmp_path / "l"), nas_base_path=str(tmp_path / "s")
        ))
        assert type(storage) is cls
        storage.close()
    with pytest.raises(ValueError):
        nas.open_storage(types.SimpleNamespace(storage_backend="s3"))
