"""Worker process for bench/queue.py: ours (the print-job runner with a no-op job type) or procrastinate's bare App.

    python bench/queue_worker.py ours|bare
"""
from __future__ import annotations

import sys
from pathlib import Path

# This directory holds a queue.py, which would shadow the standard library's queue module: look from the root.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import types as pytypes

import procrastinate

import config

BENCH_QUEUE = "bench_noop"
bare_app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=config.get_settings().psycopg_dsn))


@bare_app.task(name="bare_noop", queue=BENCH_QUEUE)
def bare_noop(n: int) -> int:
    """Does nothing: the bare baseline."""
    return n


def noop_module() -> pytypes.ModuleType:
    """A job type whose run does nothing but report progress once, so only our layer's cost remains."""
    from marshmallow import Schema, fields

    module = pytypes.ModuleType("bench_noop_job")

    class ParamsSchema(Schema):
        n = fields.Integer(required=True)

    module.ParamsSchema = ParamsSchema
    module.check_params = lambda session, params: params
    module.run = lambda ctx, job: (ctx.progress(50, "half way"), {"n": job.params["n"]})[1]
    sys.modules["bench_noop_job"] = module
    return module


def install_noop_type() -> None:
    """Define and run "designs" jobs with the no-op module (in the bench's own processes only)."""
    from jobs import types
    from services import job_types

    noop_module()
    types.MODULES["designs"] = job_types.MODULES["designs"] = "bench_noop_job"


def main() -> None:
    kind = sys.argv[1]
    if kind == "bare":
        bare_app.run_worker(queues=[BENCH_QUEUE], concurrency=4, install_signal_handlers=True, delete_jobs="never")
        return
    install_noop_type()
    from jobs import app as jobs_app
    from models import print_job

    print_job.QUEUES["designs"] = BENCH_QUEUE
    jobs_app.app.run_worker(queues=[BENCH_QUEUE], concurrency=4, delete_jobs="never")


if __name__ == "__main__":
    main()
