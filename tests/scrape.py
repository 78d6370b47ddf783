"""Reading Prometheus exposition text in tests: every sample by name and labels."""
from __future__ import annotations

import socket
import urllib.request

from prometheus_client import parser

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """{(sample name, labels): value} of an exposition."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in parser.text_string_to_metric_families(text) for s in family.samples}


def url(address: str) -> Samples:
    """The samples served at `address` (a worker's /metrics)."""
    with urllib.request.urlopen(address, timeout=10) as response:
        return parse(response.read().decode())


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 when the series does not exist (a counter nothing has touched)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def series(samples: Samples, name: str) -> dict[frozenset[tuple[str, str]], float]:
    """Every series of one sample name: {labels: value}."""
    return {labels: v for (n, labels), v in samples.items() if n == name}


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
