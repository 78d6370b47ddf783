"""Worker process entry point: `python -m jobs.worker` serves the queues of WORKER_TYPE."""
from __future__ import annotations

import importlib
import logging

import config
from jobs import app as jobs_app
from prepress import imagelimits


def main() -> None:
    """Run a procrastinate worker until SIGINT/SIGTERM (finishing or aborting running jobs gracefully)."""
    settings = config.get_settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("procrastinate").setLevel(logging.WARNING)
    # The same image-size policy as the web process: designs within MAX_IMAGE_MEGAPIXELS render, bombs do not.
    imagelimits.configure(settings.max_image_pixels)
    kind = settings.worker_type
    if kind == "scheduler":
        importlib.import_module("jobs.schedule")
    app = jobs_app.app
    app.run_worker(
        queues=list(jobs_app.QUEUES[kind]),
        name=kind,
        concurrency=jobs_app.CONCURRENCY[kind],
        update_heartbeat_interval=max(2.0, settings.stalled_worker_seconds / 4),
        stalled_worker_timeout=settings.stalled_worker_seconds,
        shutdown_graceful_timeout=30,
        delete_jobs="never",
    )


if __name__ == "__main__":
    main()
