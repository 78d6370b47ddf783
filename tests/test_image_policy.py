"""The one image-size policy is set from MAX_IMAGE_MEGAPIXELS when the web app and a worker process start."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests import dbsetup

PROBE = """
import json, sys
from PIL import Image
from prepress import imagelimits
if sys.argv[1] == "web":
    from web import create_app
    create_app()
else:
    from jobs import worker
    async def configured_only(settings):  # configure, then return instead of serving the queues
        return None
    worker.serve = configured_only
    worker.main()
print(json.dumps([imagelimits.max_upload_pixels(), Image.MAX_IMAGE_PIXELS]))
"""


def _limits(process: str) -> list[int]:
    env = {**os.environ, "MAX_IMAGE_MEGAPIXELS": "123", "WORKER_TYPE": "print_jobs"}
    done = subprocess.run([sys.executable, "-c", PROBE, process], cwd=dbsetup.ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_web_app_sets_the_upload_limit_for_our_checks_and_pillows():
    assert _limits("web") == [123_000_000, 123_000_000]


def test_a_worker_sets_the_same_limit():
    assert _limits("worker") == [123_000_000, 123_000_000]
