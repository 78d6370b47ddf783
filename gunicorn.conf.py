"""gunicorn settings: the app is loaded in each worker after the fork, so every process opens its own pool."""
import multiprocessing
import os
import tempfile

# Request metrics from every worker are merged at /metrics through a shared directory; it must be set
# before prometheus_client is first imported, which happens only in the workers (preload_app is off).
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="esa-metrics-")

preload_app = False
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get("WEB_THREADS", 4))
worker_class = "gthread"
timeout = 120
graceful_timeout = 30
# In a container the platform routes to $PORT on every interface; `make run` passes --bind 127.0.0.1 instead.
if "--bind" not in os.environ.get("GUNICORN_CMD_ARGS", ""):
    bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
