"""The gunicorn entry point: the worker keeps what it built at start out of the garbage collector's walks."""
from __future__ import annotations

import os
import subprocess
import sys


def test_the_web_worker_freezes_what_it_built_at_start(database, settings):
    # A full garbage collection then walks only what requests made, not every module, mapper and schema.
    code = "import gc, web.wsgi; print(gc.get_freeze_count())"
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout.split()[-1]) > 100_000
