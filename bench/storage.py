"""Storage benchmark: SFTPStorage vs OpenSSH's `sftp` client against the same local sshd, in one run.

    .venv/bin/python bench/storage.py [--size-mb 200] [--repeat 1] [--api-mb 100,1024]

Prints MB/s (10**6 bytes/s) for upload and download by both, and our/OpenSSH ratios (best of --repeat).
Then uploads files of --api-mb sizes through the API (gunicorn, one worker, SFTP storage on the same sshd) and
prints the worker's peak memory growth for each: it must stay flat as the file grows.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# Replace this folder on the path: its queue.py would shadow the standard library's queue module.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import nas
from bench import upload_memory
from nas import base
from tests.nas import sshd

KEY = "bench/designs/big.bin"
NEGOTIATED: dict[str, str] = {}


def make_file(path: Path, size: int) -> str:
    """Random bytes (incompressible) of `size` bytes; returns their sha256."""
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        for offset in range(0, size, base.CHUNK_SIZE):
            chunk = os.urandom(min(base.CHUNK_SIZE, size - offset))
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def timed(fn: Callable[[], object]) -> float:
    """Wall seconds taken by `fn()`."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def ours(server: sshd.SSHServer, src: Path, dst: Path, share: Path, cipher: str | None) -> tuple[float, float]:
    """(upload s, download s) through SFTPStorage, checking the bytes both ways."""
    storage = nas.open_storage(server.settings(nas_base_path=str(share)))
    try:
        conn = storage.pool.acquire()
        NEGOTIATED["ours"] = f"{conn.transport.remote_cipher}/{conn.transport.remote_mac}"
        storage.pool.discard(conn)  # the timed upload connects afresh, as each OpenSSH run does
        storage.delete(KEY, missing_ok=True)
        result = None

        def upload() -> None:
            nonlocal result
            with open(src, "rb") as stream:
                result = storage.put(KEY, stream, on_conflict="replace")

        def download() -> None:
            with storage.open(KEY) as stream, open(dst, "wb") as out:
                while chunk := stream.read(base.CHUNK_SIZE):
                    out.write(chunk)

        up, down = timed(upload), timed(download)
        assert result is not None and result.size == src.stat().st_size
        assert dst.stat().st_size == src.stat().st_size
        return up, down
    finally:
        storage.close()


def openssh(server: sshd.SSHServer, src: Path, dst: Path, share: Path, cipher: str | None) -> tuple[float, float]:
    """(upload s, download s) by OpenSSH's sftp client, one batch per direction (connection setup included)."""
    remote = share / "openssh.bin"
    NEGOTIATED["openssh"] = cipher or "OpenSSH default (chacha20-poly1305@openssh.com)"

    def run(batch: str) -> None:
        batch_file = dst.parent / "batch"
        batch_file.write_text(batch)
        subprocess.run(
            ["sftp", "-q", *(["-c", cipher] if cipher else []), "-b", str(batch_file), "-i", str(server.client_key),
             "-o", f"UserKnownHostsFile={server.known_hosts}", "-o", "StrictHostKeyChecking=yes",
             "-o", "BatchMode=yes", "-P", str(server.port), f"{server.username}@{server.host}"],
            check=True, stdout=subprocess.DEVNULL,
        )

    up = timed(lambda: run(f"put {src} {remote}\n"))
    down = timed(lambda: run(f"get {remote} {dst}\n"))
    assert dst.stat().st_size == src.stat().st_size
    remote.unlink()
    return up, down


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--openssh-cipher", help="e.g. aes128-gcm@openssh.com, to compare like with like")
    parser.add_argument("--api-mb", default="100,1024", help="upload sizes (MiB) for the API memory check")
    args = parser.parse_args()
    api_sizes = tuple(int(x) for x in args.api_mb.split(",") if x)
    size = args.size_mb * 10**6
    with tempfile.TemporaryDirectory(prefix="nas-bench-") as tmp:
        tmp_path = Path(tmp)
        src, dst, share = tmp_path / "src.bin", tmp_path / "dst.bin", tmp_path / "share"
        share.mkdir()
        make_file(src, size)
        with sshd.SSHServer.start(tmp_path / "sshd") as server:
            best: dict[str, float] = {}
            for _ in range(args.repeat):
                for name, fn in (("openssh", openssh), ("ours", ours)):
                    up, down = fn(server, src, dst, share, args.openssh_cipher)
                    dst.unlink()
                    best[f"{name} upload"] = min(best.get(f"{name} upload", up), up)
                    best[f"{name} download"] = min(best.get(f"{name} download", down), down)
            src.unlink()
            api = upload_memory.measure(server, api_sizes, tmp_path) if api_sizes else []
    print(f"file: {size / 1e6:.0f} MB random bytes, sshd on 127.0.0.1, best of {args.repeat}")
    print(f"ciphers: ours {NEGOTIATED['ours']}, openssh {NEGOTIATED['openssh']}")
    for label, seconds in best.items():
        print(f"{label:18s} {size / 1e6 / seconds:8.1f} MB/s  ({seconds:.2f} s)")
    for direction in ("upload", "download"):
        ratio = best[f"openssh {direction}"] / best[f"ours {direction}"]
        print(f"ratio ours/openssh {direction}: {ratio:.2f}x")

    for r in api:
        print(f"API upload {r['size_mb']:5d} MiB via gunicorn -> SFTP: worker RSS {r['rss_before_mb']:.0f} MiB before, "
              f"peak {r['rss_peak_mb']:.0f} MiB (+{r['growth_mb']:.1f} MiB), {r['size_mb'] / r['seconds']:.0f} MiB/s")
    if len(api) > 1:
        print(f"memory growth, largest vs smallest upload: {api[-1]['growth_mb']:.1f} MiB vs "
              f"{api[0]['growth_mb']:.1f} MiB for {api[-1]['size_mb'] / api[0]['size_mb']:.0f}x the bytes")


if __name__ == "__main__":
    main()
