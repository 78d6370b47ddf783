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
def database(env: dict[str, str], var_dir: Path = VAR) -> Iterator[None]:
    """`env` with the DATABASE_URL to use: its own, else the embedded server under `var_dir`/pgdata (started, or
    reused while another process runs it; it stops when the last process using it is done)."""
    if env.get("DATABASE_URL"):
        yield
        return
    from devtools import embedded_pg

    print(f"DATABASE_URL is not set: using the embedded PostgreSQL in {var_dir / 'pgdata'}", flush=True)
    with embedded_pg.running(var_dir / "pgdata", "esa") as url:
        env["DATABASE_URL"] = url
        yield


def migrate(env: dict[str, str]) -> int:
    """The release step (alembic upgrade head), as the platform runs it; its exit status."""
    return subprocess.run([sys.executable, "-m", "devtools.procfile", "release"], cwd=ROOT, env=env).returncode


def main() -> int:
    """Run everything in the foreground; Ctrl-C (or SIGTERM) stops every process, then the database."""
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    with database(env):
        migrated = migrate(env)
        if migrated != 0:
            print("migration failed; not starting", file=sys.stderr)
            return migrated
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
        base = f"http://127.0.0.1:{env.get('PORT', '8000')}"
        print(f"serving {base}: the console at {base}/console/ (sign up there), API docs at {base}/api/docs; "
              "Ctrl-C stops", flush=True)
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
