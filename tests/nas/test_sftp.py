"""SFTP specifics against a real sshd: host keys, auth, the pool, reconnects, servers dying mid-transfer."""
from __future__ import annotations

import hashlib
import io
import logging
import os
import threading

import pytest

import nas
from nas import errors, sftp, sftp_pool
from tests.nas import sshd

KEY = "my-shop/designs/cat.png"


def storage_for(settings) -> sftp.SFTPStorage:
    storage = nas.open_storage(settings)
    assert isinstance(storage, sftp.SFTPStorage)
    return storage


def test_known_hosts_and_fingerprint_pinning(sshd_server: sshd.SSHServer, sftp_settings) -> None:
    pinned = storage_for(sshd_server.settings(
        nas_base_path=sftp_settings.nas_base_path, nas_known_hosts_path=None,
        nas_host_fingerprint=sshd_server.fingerprint,
    ))
    both = storage_for(sshd_server.settings(
        nas_base_path=sftp_settings.nas_base_path, nas_host_fingerprint=sshd_server.fingerprint
    ))
    try:
        assert pinned.put(KEY, io.BytesIO(b"hi")).key == KEY
        assert both.stat(KEY).size == 2
    finally:
        pinned.close()
        both.close()


@pytest.mark.parametrize("key_type", ["rsa", "ecdsa"])
def test_other_host_key_types_verify(tmp_path, key_type: str) -> None:
    server = sshd.start_or_skip(tmp_path / "sshd", host_key_type=key_type)
    with server:
        for pin in ({}, {"nas_known_hosts_path": None, "nas_host_fingerprint": server.fingerprint}):
            storage = storage_for(server.settings(**pin))
            try:
                assert storage.check()["ok"] is True
            finally:
                storage.close()


@pytest.mark.parametrize("case", ["unknown_host", "wrong_key", "wrong_fingerprint", "nothing_configured"])
def test_host_key_never_auto_accepted(sshd_server: sshd.SSHServer, sftp_settings, tmp_path, case: str) -> None:
    known_hosts = tmp_path / "known_hosts"
    stranger = tmp_path / "stranger"
    sshd._keygen(stranger)
    stranger_pub = stranger.with_suffix(".pub").read_text().strip()
    overrides = {
        "unknown_host": {"nas_known_hosts_path": str(known_hosts)},
        "wrong_key": {"nas_known_hosts_path": str(known_hosts)},
        "wrong_fingerprint": {"nas_known_hosts_path": None, "nas_host_fingerprint": "SHA256:" + "A" * 43},
        "nothing_configured": {"nas_known_hosts_path": None},
    }[case]
    if case == "unknown_host":
        known_hosts.write_text(f"[127.0.0.1]:1 {stranger_pub}\nother.example {stranger_pub}\n")
    if case == "wrong_key":
        known_hosts.write_text(f"[127.0.0.1]:{sshd_server.port} {stranger_pub}\n")
    storage = storage_for(sshd_server.settings(nas_base_path=sftp_settings.nas_base_path, **overrides))
    try:
        with pytest.raises(errors.HostKeyMismatch) as caught:
            storage.put(KEY, io.BytesIO(b"secret"))
        assert "127.0.0.1" in str(caught.value)
        assert isinstance(caught.value, errors.StorageUnavailable)
    finally:
        storage.close()
    assert not (sshd_server.workdir / "share").joinpath(KEY).exists()


def test_wrong_password_refused_and_never_logged(sshd_server: sshd.SSHServer, sftp_settings, caplog) -> None:
    # This sshd allows key auth only, so a password login must fail; the good-password path needs PAM/a real user.
    caplog.set_level(logging.DEBUG)
    settings = sshd_server.settings(
        nas_base_path=sftp_settings.nas_base_path, nas_key_path=None, nas_password="hunter2-secret"
    )
    storage = storage_for(settings)
    try:
        with pytest.raises(errors.StorageUnavailable) as caught:
            storage.exists(KEY)
    finally:
        storage.close()
    assert "127.0.0.1" in str(caught.value)
    assert "hunter2-secret" not in caplog.text and "hunter2-secret" not in str(caught.value)
    assert "hunter2-secret" not in repr(nas.sftp_config(settings))


def test_pool_gives_each_thread_its_own_connection(sftp_settings) -> None:
    storage = storage_for(sftp_settings)
    seen: list[sftp_pool.Connection] = []
    barrier = threading.Barrier(3)

    def worker() -> None:
        conn = storage.pool.acquire()
        seen.append(conn)
        barrier.wait(timeout=20)  # all three hold a connection at the same time
        storage.pool.release(conn)

    try:
        threads = [threading.Thread(target=worker) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert len({id(conn) for conn in seen}) == 3
        # Open readers hold their connection until closed, so concurrent downloads never share one.
        storage.put(KEY, io.BytesIO(b"abc"))
        with storage.open(KEY) as first, storage.open(KEY) as second:
            assert first.raw._sftp is not second.raw._sftp
            assert first.read() == second.read() == b"abc"
    finally:
        storage.close()


def test_pool_exhaustion_is_unavailable_not_a_hang(sshd_server: sshd.SSHServer, sftp_settings) -> None:
    storage = storage_for(sshd_server.settings(nas_base_path=sftp_settings.nas_base_path, nas_pool_size=1,
                                               nas_timeout=0.5))
    try:
        storage.put(KEY, io.BytesIO(b"abc"))
        with storage.open(KEY):
            with pytest.raises(errors.StorageUnavailable, match="busy"):
                storage.stat(KEY)
        assert storage.stat(KEY).size == 3
    finally:
        storage.close()


def test_reconnects_once_after_drop(own_sshd: sshd.SSHServer, tmp_path) -> None:
    storage = storage_for(own_sshd.settings(nas_base_path=str(tmp_path / "share")))
    try:
        storage.put(KEY, io.BytesIO(b"before"))
        assert own_sshd.drop_connections() >= 1
        assert storage.stat(KEY).size == 6  # the pooled connection is dead; one reconnect fixes it
        own_sshd.restart()  # same port and host key
        assert storage.put(KEY, io.BytesIO(b"after"), on_conflict="replace").size == 5
    finally:
        storage.close()


def test_server_down_is_unavailable_naming_host(own_sshd: sshd.SSHServer, tmp_path) -> None:
    storage = storage_for(own_sshd.settings(nas_base_path=str(tmp_path / "share"), nas_timeout=3))
    try:
        storage.put(KEY, io.BytesIO(b"x"))
        own_sshd.stop()
        for call in (lambda: storage.stat(KEY), lambda: storage.put(KEY, io.BytesIO(b"y"))):
            with pytest.raises(errors.StorageUnavailable) as caught:
                call()
            assert f"127.0.0.1:{own_sshd.port}" in str(caught.value)
        assert storage.check()["ok"] is False
    finally:
        storage.close()


class _Dying(io.RawIOBase):
    """A non-seekable upload stream that runs `action` once `after` bytes have been handed out."""

    def __init__(self, total: int, after: int, action) -> None:
        self.left, self.after, self.action, self.sent = total, after, action, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.sent >= self.after and self.action:
            self.action, action = None, self.action
            action()
        n = min(len(buffer), self.left, 256 * 1024)
        buffer[:n] = b"z" * n
        self.left -= n
        self.sent += n
        return n


def test_server_stopped_mid_upload_leaves_no_visible_file(own_sshd: sshd.SSHServer, tmp_path) -> None:
    share = tmp_path / "share"
    storage = storage_for(own_sshd.settings(nas_base_path=str(share), nas_timeout=5))
    try:
        stream = _Dying(total=40 * 2**20, after=8 * 2**20, action=own_sshd.stop)
        with pytest.raises(errors.StorageUnavailable):
            storage.put(KEY, stream)
        own_sshd.restart()
        assert not storage.exists(KEY)
        assert list(storage.list()) == []
        leftovers = [p.name for p in share.rglob("*") if p.is_file()]
        assert all(name.startswith(".") and name.endswith(".part") for name in leftovers)
        assert storage.put(KEY, io.BytesIO(b"retry")).key == KEY
    finally:
        storage.close()


def test_seekable_upload_is_retried_after_drop(own_sshd: sshd.SSHServer, tmp_path) -> None:
    storage = storage_for(own_sshd.settings(nas_base_path=str(tmp_path / "share")))
    data = hashlib.shake_256(b"seed").digest(12 * 2**20)
    dropped = []

    class Stream(io.BytesIO):
        def read(self, size=-1):
            if self.tell() >= 4 * 2**20 and not dropped:
                dropped.append(own_sshd.drop_connections())
            return super().read(size)

    try:
        result = storage.put(KEY, Stream(data))
        assert dropped and dropped[0] >= 1
        assert result.sha256 == hashlib.sha256(data).hexdigest()
        with storage.open(KEY) as stream:
            assert stream.read() == data
    finally:
        storage.close()


def test_connection_lost_mid_download(own_sshd: sshd.SSHServer, tmp_path) -> None:
    storage = storage_for(own_sshd.settings(nas_base_path=str(tmp_path / "share"), nas_timeout=5))
    try:
        storage.put(KEY, io.BytesIO(b"q" * (40 * 2**20)))
        with pytest.raises(errors.StorageUnavailable):
            with storage.open(KEY) as stream:
                stream.read(2**20)
                own_sshd.drop_connections()
                while stream.read(2**20):
                    pass
        assert storage.stat(KEY).size == 40 * 2**20  # the broken connection was not put back in the pool
    finally:
        storage.close()


def test_reader_closed_early_returns_a_clean_connection(sshd_server: sshd.SSHServer, sftp_settings) -> None:
    storage = storage_for(sshd_server.settings(nas_base_path=sftp_settings.nas_base_path, nas_pool_size=1))
    data = hashlib.shake_256(b"early").digest(20 * 2**20)
    try:
        storage.put(KEY, io.BytesIO(data))
        for _ in range(3):  # many read requests still in flight when each reader closes
            with storage.open(KEY) as stream:
                assert stream.read(10) == data[:10]
        assert storage.stat(KEY).size == len(data)  # the single pooled connection still answers correctly
        with storage.open(KEY) as stream:
            stream.seek(len(data) // 2)
            assert stream.read(1000) == data[len(data) // 2:len(data) // 2 + 1000]
    finally:
        storage.close()


def test_forked_child_does_not_touch_parent_connections(sftp_settings) -> None:
    storage = storage_for(sftp_settings)
    try:
        storage.put(KEY, io.BytesIO(b"parent"))
        (parent_conn,) = storage.pool._idle
        pid = os.fork()
        if pid == 0:  # child: use and close the storage, then vanish without running pytest teardown
            code = 0
            try:
                code = 0 if storage.stat(KEY).size == 6 else 1
                storage.close()
            except BaseException:
                code = 2
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert storage.stat(KEY).size == 6
        assert storage.pool._idle == [parent_conn]  # survived the child's use and close(), no reconnect needed
    finally:
        storage.close()
