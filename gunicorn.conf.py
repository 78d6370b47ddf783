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
if "PORT" in os.environ and "--bind" not in os.environ.get("GUNICORN_CMD_ARGS", ""):
    bind = f"0.0.0.0:{os.environ['PORT']}"


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
