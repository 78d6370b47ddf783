"""Memory of the web process while a large file is uploaded through the API to SFTP storage."""
from __future__ import annotations

import http.client
import json
import os
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psutil

from bench import common

BOUNDARY = "esa-bench-boundary"
CHUNK = 1024 * 1024


def _body_parts(size: int) -> tuple[bytes, bytes]:
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file_type\"\r\n\r\nexports\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big-{size}.zip\"\r\n"
            f"Content-Type: application/zip\r\n\r\n").encode()
    return head, f"\r\n--{BOUNDARY}--\r\n".encode()


def _post(base: str, path: str, token: str, size: int) -> dict:
    """Stream a multipart upload of `size` bytes (a ZIP header then pseudo-random bytes) with Content-Length."""
    head, tail = _body_parts(size)
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    conn.putrequest("POST", path)
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    conn.putheader("Content-Length", str(len(head) + size + len(tail)))
    conn.endheaders()
    conn.send(head)
    block = b"PK\x03\x04" + os.urandom(CHUNK - 4)
    sent = 0
    while sent < size:
        piece = block[: min(CHUNK, size - sent)]
        if sent:
            # A different first byte per chunk keeps every upload's content (and sha256) distinct.
            piece = bytes([sent // CHUNK % 251]) + piece[1:]
        conn.send(piece)
        sent += len(piece)
    conn.send(tail)
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    if response.status != 201:
        raise RuntimeError(f"upload failed: {response.status} {body}")
    return body


class Sampler(threading.Thread):
    """Polls the RSS of one process every few milliseconds and keeps the peak."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak = 0
        self.stop_event = threading.Event()

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.01)


def measure(server, sizes_mb: tuple[int, ...], workdir: Path) -> list[dict]:
    """Peak RSS growth of the single gunicorn worker during uploads of each size."""
    ns = server.settings(nas_base_path=str(workdir / "api-share"))
    env_nas = {"STORAGE_BACKEND": "sftp", "QNAP_NAS_HOST": ns.nas_host, "QNAP_NAS_PORT": str(ns.nas_port),
               "QNAP_NAS_USERNAME": ns.nas_username, "QNAP_NAS_KEY_PATH": ns.nas_key_path,
               "QNAP_NAS_KNOWN_HOSTS": ns.nas_known_hosts_path, "QNAP_NAS_BASE_PATH": ns.nas_base_path,
               "MAX_UPLOAD_MB": str(max(sizes_mb) + 10), "CACHE_DIR": str(workdir / "cache")}
    results = []
    with common.database() as url:
        env = {**common.BASE_ENV, **env_nas, "DATABASE_URL": url}
        org_id, token = common.seed(env)
        with common.gunicorn(env, workers=1, threads=2) as (base, master):
            worker = psutil.Process(master.pid).children()[0]
            path = f"/api/organizations/{org_id}/files/"
            _post(base, path, token, 1024 * 1024)  # warm up imports, pools and the SFTP connection
            for size_mb in sizes_mb:
                before = worker.memory_info().rss
                sampler = Sampler(worker.pid)
                sampler.start()
                started = time.perf_counter()
                _post(base, path, token, size_mb * 1024 * 1024)
                seconds = time.perf_counter() - started
                sampler.stop_event.set()
                sampler.join()
                results.append({"size_mb": size_mb, "rss_before_mb": before / 2**20,
                                "rss_peak_mb": sampler.peak / 2**20, "growth_mb": (sampler.peak - before) / 2**20,
                                "seconds": seconds})
    return results
