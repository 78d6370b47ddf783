"""Etsy operation names (the spec's operationIds) for request paths: bounded labels for metrics and logs."""
from __future__ import annotations

import functools
import json
import re
from pathlib import Path

SPEC = Path(__file__).resolve().parent / "spec" / "openapi-3.0.0.json"
PREFIX = "/v3/application"
# Requests the spec does not describe (a path Etsy added later, a typo) share one label.
OTHER = "other"


@functools.cache
def _routes() -> list[tuple[str, re.Pattern[str], str]]:
    """(method, path pattern, operationId) for every operation, the most literal paths first."""
    paths = json.loads(SPEC.read_text())["paths"]
    routes = []
    for template, item in paths.items():
        relative = template.removeprefix(PREFIX)
        pattern = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(relative)) + "$")
        literal = sum(1 for part in relative.split("/") if part and not part.startswith("{"))
        for method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                routes.append((literal, method.upper(), pattern, operation["operationId"]))
    # `/shops/{id}/listings/active` must win over `/shops/{id}/listings/{listing_id}`.
    routes.sort(key=lambda route: -route[0])
    return [(method, pattern, name) for _, method, pattern, name in routes]


@functools.lru_cache(maxsize=1024)
def name(method: str, path: str) -> str:
    """The operationId of `method path` (path relative to /v3/application, query excluded), else "other"."""
    method = method.upper()
    for route_method, pattern, operation in _routes():
        if route_method == method and pattern.match(path):
            return operation
    return OTHER
