"""Fixtures: a real OpenSSH sshd on loopback (session-wide, plus a private one for tests that stop it) and
one `backend` fixture parametrized over local, sftp and hybrid for the contract suite."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

import nas
from nas import base
from tests.nas import sshd


@pytest.fixture
def sftp_settings(sshd_server: sshd.SSHServer, tmp_path: Path):
    """Settings for an SFTP storage whose base path is this test's own empty dir on the session sshd."""
    return sshd_server.settings(nas_base_path=str(tmp_path / "share"), local_root_path=str(tmp_path / "local"))


@dataclasses.dataclass
class Backend:
    """A storage under test plus the directories where its bytes land (to look for leftovers)."""

    name: str
    storage: base.Storage
    dirs: list[Path]

    def all_files(self) -> list[str]:
        """Every file (hidden ones included) under the backend's dirs, as relative paths."""
        return sorted(str(p.relative_to(d)) for d in self.dirs for p in d.rglob("*") if p.is_file())


@pytest.fixture(params=["local", "sftp", "hybrid"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """Each backend in turn, empty, closed afterwards."""
    local_root, share = tmp_path / "local", tmp_path / "share"
    if request.param == "local":
        settings = type("S", (), {"storage_backend": "local", "local_root_path": str(local_root)})()
        dirs = [local_root]
    else:
        server = request.getfixturevalue("sshd_server")
        settings = server.settings(
            storage_backend=request.param, nas_base_path=str(share), local_root_path=str(local_root)
        )
        dirs = [share] if request.param == "sftp" else [local_root, share]
    storage = nas.open_storage(settings)
    yield Backend(request.param, storage, dirs)
    storage.close()
