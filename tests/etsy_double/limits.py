"""Etsy's rate limits (per second and per day, with headers and 429), injected failures and the request log."""
from __future__ import annotations

import collections
import dataclasses
import threading
import time
from typing import Any


@dataclasses.dataclass(frozen=True)
class Logged:
    """One request the double received."""

    at: float  # time.monotonic() on arrival
    method: str
    path: str
    params: dict[str, Any]
    status: int = 0
    operation: str = ""


class RateLimiter:
    """Per-key sliding one-second window and a per-UTC-day counter, answering Etsy's headers."""

    def __init__(self, per_second: int = 10, per_day: int = 10_000):
        self.per_second = per_second
        self.per_day = per_day
        self._window: collections.deque[float] = collections.deque()
        self._day = int(time.time() // 86400)
        self._day_count = 0
        self._lock = threading.Lock()

    def check(self, now: float) -> tuple[bool, dict[str, str]]:
        """Count one request arriving at monotonic `now`; (allowed, headers). Refused ones use up no budget."""
        with self._lock:
            wall = time.time()
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if int(wall // 86400) != self._day:
                self._day, self._day_count = int(wall // 86400), 0
            headers: dict[str, str] = {}
            allowed = True
            if self._day_count >= self.per_day:
                allowed = False
                headers["retry-after"] = str(int((self._day + 1) * 86400 - wall) + 1)
            elif len(self._window) >= self.per_second:
                allowed = False
                headers["retry-after"] = "1"
            else:
                self._window.append(now)
                self._day_count += 1
            headers.update({"x-limit-per-second": str(self.per_second),
                            "x-remaining-this-second": str(max(0, self.per_second - len(self._window))),
                            "x-limit-per-day": str(self.per_day),
                            "x-remaining-today": str(max(0, self.per_day - self._day_count))})
            return allowed, headers


class Faults:
    """Failures to inject into the next requests: error statuses or slow answers."""

    def __init__(self) -> None:
        self._plan: collections.deque[tuple[str, Any]] = collections.deque()
        self._lock = threading.Lock()
        self.stopping = threading.Event()

    def fail_next(self, count: int, status: int = 503) -> None:
        """The next `count` API requests answer `status` with Etsy's error body."""
        with self._lock:
            self._plan.extend([("status", status)] * count)

    def slow_next(self, count: int, seconds: float) -> None:
        """The next `count` API requests answer only after `seconds` (for client timeout tests)."""
        with self._lock:
            self._plan.extend([("slow", seconds)] * count)

    def clear(self) -> None:
        """No more injected failures."""
        with self._lock:
            self._plan.clear()

    def take(self) -> tuple[str, Any] | None:
        """The fault for this request, if any."""
        with self._lock:
            return self._plan.popleft() if self._plan else None


class RequestLog:
    """Every request, for tests to count calls and check pacing."""

    def __init__(self) -> None:
        self.entries: list[Logged] = []
        self._lock = threading.Lock()

    def add(self, entry: Logged) -> None:
        with self._lock:
            self.entries.append(entry)

    def calls(self, operation: str | None = None) -> list[Logged]:
        """Logged API calls, optionally of one operationId."""
        with self._lock:
            return [e for e in self.entries if operation is None or e.operation == operation]

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()

    def max_per_window(self, window: float = 1.0, operation: str | None = None, accepted_only: bool = False) -> int:
        """The most requests that arrived within any `window` seconds (half-open windows, as the limiter counts)."""
        times = sorted(e.at for e in self.calls(operation) if not (accepted_only and e.status == 429))
        best, start = 0, 0
        for end, at in enumerate(times):
            while times[start] <= at - window:
                start += 1
            best = max(best, end - start + 1)
        return best
