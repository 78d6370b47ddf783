"""Leftovers and leaks: upload temp files swept, no temp paths or database text in 4xx answers, queue/info of the
caller's organization only, /metrics behind METRICS_TOKEN, downloads never sniffed or run."""
from __future__ import annotations

import dataclasses
import io
import os
import socket
import tempfile
import time
import urllib.error
import urllib.request

import pytest
from sqlalchemy import exc as sa_exc

from jobs import maintenance, schedule, worker
from prepress import imageinfo
from services import monitoring, uploads
from services import print_jobs as print_jobs_service
from tests import helpers, imagegen


def _upload(client, org, data: bytes, name: str, file_type: str = "designs"):
    return client.post(f"/api/organizations/{org['org_id']}/files/", headers=org["headers"],
                       data={"file": (io.BytesIO(data), name), "file_type": file_type},
                       content_type="multipart/form-data")


def test_old_upload_temp_files_are_swept_and_fresh_ones_kept(tmp_path):
    old = tmp_path / f"{uploads.TEMP_PREFIX}killed{uploads.TEMP_SUFFIX}"
    fresh = tmp_path / f"{uploads.TEMP_PREFIX}live{uploads.TEMP_SUFFIX}"
    other = tmp_path / "someone-elses.part"
    for path in (old, fresh, other):
        path.write_bytes(b"x" * 1024)
    long_ago = time.time() - 7 * 3600
    os.utime(old, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    assert uploads.sweep_temp(6 * 3600, folder=str(tmp_path)) == 1
    assert not old.exists() and fresh.exists() and other.exists()


def test_the_scheduler_and_a_starting_web_worker_sweep(settings, database):
    assert "sweep_upload_temp" in {task.periodic_id for task in schedule.app.periodic_registry.periodic_tasks.values()}
    leftover = tempfile.NamedTemporaryFile(prefix=uploads.TEMP_PREFIX, suffix=uploads.TEMP_SUFFIX, delete=False)
    leftover.close()
    long_ago = time.time() - settings.upload_temp_max_age_seconds - 60
    os.utime(leftover.name, (long_ago, long_ago))
    assert maintenance.sweep_upload_temp() >= 1 and not os.path.exists(leftover.name)
    leftover = tempfile.NamedTemporaryFile(prefix=uploads.TEMP_PREFIX, suffix=uploads.TEMP_SUFFIX, delete=False)
    leftover.close()
    os.utime(leftover.name, (long_ago, long_ago))
    from web import create_app

    create_app(settings)
    assert not os.path.exists(leftover.name)


def test_a_422_names_no_temp_file(client, monkeypatch):
    owner = helpers.register(client)

    def unreadable(path, **kwargs):
        # What Pillow says of a file it cannot identify, by its path (the review saw the spool file's).
        raise imageinfo.BadImage(f"Not a readable image: cannot identify image file {str(path)!r}")

    monkeypatch.setattr(imageinfo, "inspect", unreadable)
    broken = imagegen.png()
    body = helpers.assert_error(_upload(client, owner, broken, "broken.png"), 422)
    text = str(body)
    assert tempfile.gettempdir() + "/" not in text and "esa-upload-" not in text, text


def test_a_value_the_database_refuses_is_a_422_without_its_text(client, monkeypatch):
    owner = helpers.register(client)

    def refuse(*args, **kwargs):
        raise sa_exc.DataError("SELECT 1", {}, Exception('value "99999999999999999999" is out of range for type '
                                                          'bigint\nCONTEXT: unnamed portal parameter $1'))

    monkeypatch.setattr(print_jobs_service, "queue_info", refuse)
    body = helpers.assert_error(client.get(f"/api/organizations/{owner['org_id']}/print-jobs/queue/info",
                                           headers=owner["headers"]), 422)
    assert "bigint" not in body["message"] and "portal" not in body["message"]


def test_queue_info_shows_only_the_callers_organization(client):
    busy, quiet = helpers.register(client), helpers.register(client)
    design = _upload(client, busy, imagegen.png(), "d.png").get_json()["file"]
    for _ in range(3):
        made = client.post(f"/api/organizations/{busy['org_id']}/print-jobs/", headers=busy["headers"],
                           json={"job_type": "designs", "params": {"file_ids": [design["id"]]}})
        assert made.status_code in (201, 202), made.get_json()
    mine = client.get(f"/api/organizations/{busy['org_id']}/print-jobs/queue/info", headers=busy["headers"])
    assert mine.get_json()["queues"]["designs"]["waiting"] == 3
    theirs = client.get(f"/api/organizations/{quiet['org_id']}/print-jobs/queue/info",
                        headers=quiet["headers"]).get_json()
    assert all(q == {"waiting": 0, "running": 0, "oldest_waiting_seconds": 0.0} for q in theirs["queues"].values())
    assert "waiting_all_orgs" not in str(theirs)


def test_web_metrics_need_the_token_when_one_is_set(app, client, settings, monkeypatch):
    assert client.get("/metrics").status_code == 200
    monkeypatch.setitem(app.extensions, "esa_settings", dataclasses.replace(settings, metrics_token="s3cret-token"))
    helpers.assert_error(client.get("/metrics"), 401)
    helpers.assert_error(client.get("/metrics", headers={"Authorization": "Bearer wrong"}), 401)
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200 and b"esa_" in ok.data


def test_worker_metrics_need_the_token_when_one_is_set(settings):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    worker.serve_metrics(port, None, dataclasses.replace(settings, metrics_token="worker-token"))
    url = f"http://127.0.0.1:{port}/metrics"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)
    assert refused.value.code == 401
    allowed = urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": "Bearer worker-token"}),
                                     timeout=5)
    assert allowed.status == 200
    assert monitoring.scrape_allowed(settings, None)  # no token configured: open, as before


def test_downloads_are_never_sniffed_and_svg_is_an_attachment(client):
    owner = helpers.register(client)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    made = _upload(client, owner, svg, "logo.svg")
    assert made.status_code == 201, made.get_json()
    file_id = made.get_json()["file"]["id"]
    answer = client.get(f"/api/organizations/{owner['org_id']}/files/{file_id}/download", headers=owner["headers"])
    assert answer.status_code == 200
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in answer.headers["Content-Security-Policy"]
