"""NAS (SFTP) transfer, error and connection counters, kept by the SFTP backend as it works."""
from __future__ import annotations

from prometheus_client import Counter, Gauge

from nas import errors

BYTES = Counter("esa_nas_bytes_total", "Bytes moved to (write) or from (read) the NAS", ["direction"])
SECONDS = Counter("esa_nas_transfer_seconds_total", "Time spent moving those bytes, by direction", ["direction"])
ERRORS = Counter("esa_nas_errors_total", "Failed NAS operations by operation and kind (unavailable: unreachable or "
                 "dropped; host_key: the host key did not match; refused: the NAS said no; integrity: bytes differ)",
                 ["operation", "error"])
CONNECTIONS = Counter("esa_nas_connections_total", "SSH connections opened to the NAS, by result (ok, failed)",
                      ["result"])
# Gauges summed over the live processes of a gunicorn server (a worker service has one process).
POOL = Gauge("esa_nas_pool_connections", "Pooled NAS connections by state (in_use, idle)", ["state"],
             multiprocess_mode="livesum")
POOL_SIZE = Gauge("esa_nas_pool_size", "Most connections the open pools may hold", multiprocess_mode="livesum")
DIRECTIONS = ("read", "write")

# Every series exists from the start, so "no failure yet" reads 0 rather than nothing (alerts compare them).
for _direction in DIRECTIONS:
    BYTES.labels(_direction)
    SECONDS.labels(_direction)
for _result in ("ok", "failed"):
    CONNECTIONS.labels(_result)
for _state in ("in_use", "idle"):
    POOL.labels(_state)


def transferred(direction: str, size: int, seconds: float) -> None:
    """Count bytes moved in one direction and the time it took."""
    BYTES.labels(direction).inc(size)
    SECONDS.labels(direction).inc(seconds)


def kind(exc: BaseException) -> str | None:
    """The error label of a failure of the NAS itself; None for the caller's mistakes (missing key, bad name)."""
    if isinstance(exc, errors.HostKeyMismatch):
        return "host_key"
    if isinstance(exc, errors.StorageUnavailable):
        return "unavailable"
    if isinstance(exc, errors.IntegrityError):
        return "integrity"
    if isinstance(exc, (errors.ObjectNotFound, errors.ObjectExists, errors.InvalidName, errors.TooLarge)):
        return None
    if isinstance(exc, errors.StorageError):
        return "refused"
    return None


def failed(operation: str, exc: BaseException) -> None:
    """Count a failed operation, if the failure was the NAS's; name the operation on the error."""
    if isinstance(exc, errors.StorageError) and getattr(exc, "operation", None) is None:
        exc.operation = operation
    label = kind(exc)
    if label is not None:
        ERRORS.labels(operation, label).inc()
