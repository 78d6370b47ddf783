"""The files API on the SFTP and hybrid backends, over a real SSH connection to a loopback sshd."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from jobs import backup, context
from models import base, tenancy
from models import file as file_model
from nas import errors as nas_errors
from nas import shared
from services import backups
from tests import helpers, imagegen
from tests.web.test_files import upload

NAS_FIELDS = ("storage_backend", "local_root_path", "nas_host", "nas_port", "nas_username", "nas_password",
              "nas_key_path", "nas_known_hosts_path", "nas_host_fingerprint", "nas_base_path", "nas_pool_size",
              "nas_timeout")


def _nas_settings(settings, server, tmp_path: Path, backend: str):
    ns = server.settings(storage_backend=backend, nas_base_path=str(tmp_path / "share"),
                         local_root_path=str(tmp_path / "local"), nas_timeout=5.0)
    return dataclasses.replace(settings, **{name: getattr(ns, name) for name in NAS_FIELDS})


@pytest.fixture
def use_settings(app, monkeypatch):
    opened = []

    def use(new_settings):
        monkeypatch.setitem(app.extensions, "esa_settings", new_settings)
        opened.append(new_settings)
        return new_settings

    yield use
    for s in opened:
        shared.storage_for(s).close()


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_sftp_upload_download_and_delete(client, settings, sshd_server, tmp_path, use_settings):
    nas = use_settings(_nas_settings(settings, sshd_server, tmp_path, "sftp"))
    owner = helpers.register(client, shop_name="nas-shop")
    data = imagegen.png(120, 80)
    f = upload(client, owner, data, name="over ssh.png").get_json()["file"]
    assert f["status"] == "ready"
    assert (Path(nas.nas_base_path) / "nas-shop/designs/over ssh.png").read_bytes() == data
    url = f"/api/organizations/{owner['org_id']}/files/{f['id']}"
    assert client.get(url + "/download", headers=owner["headers"]).data == data
    assert client.get(url + "/download", headers={**owner["headers"], "Range": "bytes=4-9"}).data == data[4:10]
    assert client.get(url + "/thumbnail", headers=owner["headers"]).status_code == 200
    stats = client.get(f"/api/organizations/{owner['org_id']}/files/stats/storage", headers=owner["headers"])
    assert stats.get_json()["backend"] == "sftp" and stats.get_json()["free_bytes"] > 0
    assert client.delete(url, headers=owner["headers"]).status_code == 204
    assert _files(Path(nas.nas_base_path)) == []


def test_sftp_unreachable_is_503_and_writes_nothing(client, session, settings, own_sshd, tmp_path, use_settings):
    nas = use_settings(_nas_settings(settings, own_sshd, tmp_path, "sftp"))
    owner = helpers.register(client)
    own_sshd.stop()
    err = helpers.assert_error(upload(client, owner, imagegen.png()), 503)
    assert f"{nas.nas_host}" in err["message"]
    with tenancy.org_scope(owner["org_id"]):
        assert session.scalar(select(func.count()).select_from(file_model.File)) == 0
    assert _files(Path(nas.nas_base_path)) == []
    health = client.get("/health")
    assert health.status_code == 503 and "storage" in health.get_json()["failing"]


def test_hybrid_upload_succeeds_while_nas_down_and_backup_retries(client, session, settings, own_sshd, tmp_path,
                                                                  use_settings):
    nas = use_settings(_nas_settings(settings, own_sshd, tmp_path, "hybrid"))
    owner = helpers.register(client, shop_name="hybrid-shop")
    own_sshd.stop()
    data = imagegen.png(50, 50)
    response = upload(client, owner, data, name="offline.png")
    assert response.status_code == 201, response.get_json()
    f = response.get_json()["file"]
    assert f["status"] == "ready"
    assert (Path(nas.local_root_path) / "hybrid-shop/designs/offline.png").read_bytes() == data
    assert client.get("/health").get_json()["components"]["storage"]["status"] == "degraded"
    # The backup job was deferred with the row; while the NAS is down it fails with a retryable error.
    jobs = session.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'backup_file'"))
    assert jobs.scalar() == 1
    with context.running(owner["org_id"], task_name="backup_file", settings=nas) as ctx:
        with pytest.raises(nas_errors.StorageUnavailable):
            backups.backup(ctx.session, ctx.settings, f["id"])
    decision = backup.UNTIL_NAS_RETURNS.get_retry_decision(
        exception=nas_errors.StorageUnavailable("down", host="h"), job=type("J", (), {"attempts": 3})())
    wait = (decision.retry_at - base.utcnow()).total_seconds()
    assert 0 < wait <= 900
    own_sshd.restart()
    # A killed earlier attempt left a temp file on the NAS; the retry completes and nothing partial stays.
    share = Path(nas.nas_base_path) / "hybrid-shop/designs"
    share.mkdir(parents=True, exist_ok=True)
    (share / ".offline.png.deadbeef.part").write_bytes(data[:10])
    with context.running(owner["org_id"], task_name="backup_file", settings=nas) as ctx:
        assert backups.backup(ctx.session, ctx.settings, f["id"]) == "backed_up"
    with context.running(owner["org_id"], task_name="backup_file", settings=nas) as ctx:
        assert backups.backup(ctx.session, ctx.settings, f["id"]) == "skipped"
    assert (share / "offline.png").read_bytes() == data
    got = client.get(f"/api/organizations/{owner['org_id']}/files/{f['id']}", headers=owner["headers"]).get_json()
    assert got["status"] == "backed_up" and got["backed_up_at"]
    listed = client.get(f"/api/organizations/{owner['org_id']}/files/", headers=owner["headers"]).get_json()
    assert [x["filename"] for x in listed] == ["offline.png"]
