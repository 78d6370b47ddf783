"""A throwaway OpenSSH server on 127.0.0.1 for tests and benchmarks (key auth only, internal-sftp).

    with SSHServer.start(workdir) as server:
        storage = nas.open_storage(server.settings(nas_base_path=...))

No chroot: ChrootDirectory needs root-owned parents, so tests give each storage its own temp base path.
"""
from __future__ import annotations

import dataclasses
import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
import types
from pathlib import Path

import psutil

SSHD = os.environ.get("NAS_TEST_SSHD", "/usr/sbin/sshd")
SSH_KEYGEN = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"


class SSHDUnavailable(RuntimeError):
    """sshd is not installed or would not start here."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _keygen(path: Path, key_type: str = "ed25519") -> None:
    subprocess.run([SSH_KEYGEN, "-q", "-t", key_type, "-N", "", "-C", "nas-test", "-f", str(path)], check=True)


@dataclasses.dataclass
class SSHServer:
    """A running sshd; `settings()` gives what `nas.open_storage` needs to reach it."""

    workdir: Path
    port: int
    username: str
    client_key: Path
    known_hosts: Path
    fingerprint: str
    proc: subprocess.Popen | None = None

    host = "127.0.0.1"

    @classmethod
    def start(
        cls, workdir: str | os.PathLike[str], port: int | None = None, host_key_type: str = "ed25519"
    ) -> SSHServer:
        """Make keys and config in `workdir`, start sshd, wait until it answers."""
        if not os.access(SSHD, os.X_OK):
            raise SSHDUnavailable(f"{SSHD} not found")
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        host_key, client_key = workdir / f"host_{host_key_type}", workdir / "client_ed25519"
        for key, key_type in ((host_key, host_key_type), (client_key, "ed25519")):
            if not key.exists():
                _keygen(key, key_type)
        shutil.copy(client_key.with_suffix(".pub"), workdir / "authorized_keys")
        fingerprint = subprocess.run(
            [SSH_KEYGEN, "-lf", str(host_key.with_suffix(".pub"))], check=True, capture_output=True, text=True
        ).stdout.split()[1]
        port = port or _free_port()
        known_hosts = workdir / "known_hosts"
        known_hosts.write_text(f"[127.0.0.1]:{port} {host_key.with_suffix('.pub').read_text().strip()}\n")
        server = cls(workdir, port, getpass.getuser(), client_key, known_hosts, fingerprint)
        server._write_config(host_key)
        server.restart()
        return server

    def _write_config(self, host_key: Path) -> None:
        (self.workdir / "sshd_config").write_text(
            "\n".join(
                [
                    f"ListenAddress 127.0.0.1:{self.port}",
                    f"HostKey {host_key}",
                    f"PidFile {self.workdir / 'sshd.pid'}",
                    f"AuthorizedKeysFile {self.workdir / 'authorized_keys'}",
                    f"AllowUsers {self.username}",
                    "StrictModes no",
                    "UsePAM no",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password",
                    "Subsystem sftp internal-sftp",
                    "MaxStartups 64",
                    "MaxSessions 64",
                    "LogLevel ERROR",
                    "",
                ]
            )
        )

    def restart(self) -> None:
        """(Re)start sshd on the same port and keys; returns when it answers with a banner."""
        self.stop()
        if os.geteuid() == 0:
            # Privilege separation needs this dir; containers without systemd-tmpfiles lack it.
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        log = open(self.workdir / "sshd.log", "ab")
        self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(self.workdir / "sshd_config")], stderr=log)
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SSHDUnavailable(f"sshd exited: {(self.workdir / 'sshd.log').read_text()[-2000:]}")
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(64).startswith(b"SSH-"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise SSHDUnavailable("sshd did not answer within 10 s")

    def session_pids(self) -> list[int]:
        """PIDs of the per-connection sshd processes (killing one drops that client's connection)."""
        if self.proc is None or self.proc.poll() is not None:
            return []
        try:
            return [p.pid for p in psutil.Process(self.proc.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def drop_connections(self) -> int:
        """Kill every client session, leaving the listener up; returns how many were killed."""
        pids = self.session_pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 5
        while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.01)
        return len(pids)

    def stop(self) -> None:
        """Stop the listener and every session (sessions outlive a stopped listener otherwise)."""
        if self.proc is None:
            return
        self.drop_connections()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def settings(self, **overrides: object) -> types.SimpleNamespace:
        """Settings for `nas.open_storage` (backend "sftp", pinned via known_hosts) with `overrides` applied."""
        values = dict(
            storage_backend="sftp",
            local_root_path=str(self.workdir / "local"),
            nas_host=self.host,
            nas_port=self.port,
            nas_username=self.username,
            nas_password=None,
            nas_key_path=str(self.client_key),
            nas_known_hosts_path=str(self.known_hosts),
            nas_host_fingerprint=None,
            nas_base_path=str(self.workdir / "share"),
            nas_pool_size=4,
            nas_timeout=10.0,
        )
        values.update(overrides)
        Path(values["nas_base_path"]).mkdir(parents=True, exist_ok=True)
        return types.SimpleNamespace(**values)

    def __enter__(self) -> SSHServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _running(pid: int) -> bool:
    """True until the process is gone or a zombie (orphans may never be reaped in a container)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def start_or_skip(workdir: Path, **options: object) -> SSHServer:
    """Start an sshd for a test; skip it with the reason where none can run, unless REQUIRE_SFTP_TESTS says fail."""
    import pytest

    try:
        return SSHServer.start(workdir, **options)
    except SSHDUnavailable as exc:
        if os.environ.get("REQUIRE_SFTP_TESTS"):
            pytest.fail(f"OpenSSH sshd cannot run here ({exc}) but REQUIRE_SFTP_TESTS is set")
        pytest.skip(f"OpenSSH sshd cannot run here ({exc}); install openssh-server as .ci/run does")
