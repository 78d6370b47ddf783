"""Etsy call counters, kept by the client as calls happen (in whichever process makes them)."""
from __future__ import annotations

from prometheus_client import Counter

REQUESTS = Counter(
    "esa_etsy_requests_total", "Etsy API calls by operation (the spec's operationId) and HTTP status "
    "(or timeout / connection_error when no answer came)", ["operation", "status"])
RATE_LIMITED = Counter(
    "esa_etsy_rate_limited_total", "Etsy calls held back: source=etsy for a 429 answer, source=budget when the "
    "deployment's shared budget refused to send", ["operation", "source"])


def request(operation: str, status: int | str) -> None:
    """Count one call (one attempt: a retried call counts each try)."""
    REQUESTS.labels(operation, str(status)).inc()


def rate_limited(operation: str, source: str) -> None:
    """Count one call held back by a 429 (source "etsy") or by the shared budget (source "budget")."""
    RATE_LIMITED.labels(operation, source).inc()
