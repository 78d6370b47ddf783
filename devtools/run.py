"""`make run`: migrate, then run web + general worker + print worker + scheduler until Ctrl-C."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from devtools import procfile

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


def _processes() -> list[str]:
    """Every long-running process of the Procfile (release is the migration, run before them)."""
    return [name for name in procfile.load() if name != "release"]


@contextlib.contextmanager
def _database(env: dict[str, str]) -> Iterator[None]:
    if env.get("DATABASE_URL"):
        yield
        return
    from devtools import embedded_pg

    print("DATABASE_URL is not set: starting the embedded PostgreSQL in var/pgdata", flush=True)
    with embedded_pg.running(VAR / "pgdata", "esa") as url:
        env["DATABASE_URL"] = url
        yield


def main() -> int:
    """Run everything in the foreground; Ctrl-C (or SIGTERM) stops every process, then the database."""
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    with _database(env):
        migrate = subprocess.run([sys.executable, "-m", "devtools.procfile", "release"], cwd=ROOT, env=env)
        if migrate.returncode != 0:
            print("migration failed; not starting", file=sys.stderr)
            return migrate.returncode
        children: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        # The web server listens on loopback only here; in a container it binds 0.0.0.0:$PORT (gunicorn.conf.py).
        child_env = dict(env, GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{env.get('PORT', '8000')}")
        for name in _processes():
            # The same launcher the container runs; own process group, so the terminal's Ctrl-C reaches only us
            # and we stop the children in order.
            children[name] = subprocess.Popen([sys.executable, "-m", "devtools.procfile", name], cwd=ROOT,
                                              env=child_env, start_new_session=True)
        print(f"serving http://127.0.0.1:{env.get('PORT', '8000')} (API docs at /api/docs); Ctrl-C stops",
              flush=True)
        status = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"{name} exited with {child.returncode}; stopping the others", file=sys.stderr)
                    stopping, status = True, 1
                    break
            time.sleep(0.3)
        _stop_all(children)
        return status


def _stop_all(children: dict[str, subprocess.Popen]) -> None:
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.time() + 40
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


if __name__ == "__main__":
    sys.exit(main())
