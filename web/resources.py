"""Resource checks behind /health: the host's CPU, memory and disk, and this process's own use."""
from __future__ import annotations

import os
from typing import Any

import psutil

_PROCESS = psutil.Process(os.getpid())
# Past these a host still serves, but is close to refusing writes or being killed for memory.
MEMORY_DEGRADED_PERCENT = 90.0
DISK_DEGRADED_PERCENT = 90.0


def host(disk_path: str = "/") -> dict[str, Any]:
    """CPU (use since the last probe and the 1-minute load), memory and the disk holding `disk_path`."""
    memory, disk = psutil.virtual_memory(), psutil.disk_usage(disk_path)
    problems = []
    if memory.percent >= MEMORY_DEGRADED_PERCENT:
        problems.append(f"memory {memory.percent:.0f}% used")
    if disk.percent >= DISK_DEGRADED_PERCENT:
        problems.append(f"disk {disk.percent:.0f}% used")
    return {
        "status": "degraded" if problems else "ok", "problems": problems,
        "cpu": {"percent": psutil.cpu_percent(interval=None), "load_1m": round(os.getloadavg()[0], 2),
                "count": os.cpu_count()},
        "memory": {"percent": memory.percent, "available_mb": round(memory.available / 2**20),
                   "total_mb": round(memory.total / 2**20)},
        "disk": {"percent": disk.percent, "free_gb": round(disk.free / 2**30, 2),
                 "total_gb": round(disk.total / 2**30, 2)},
    }


def process() -> dict[str, Any]:
    """This process's resource use."""
    with _PROCESS.oneshot():
        mem = _PROCESS.memory_info()
        return {"status": "ok", "rss_mb": round(mem.rss / 2**20, 1), "cpu_percent": _PROCESS.cpu_percent(),
                "threads": _PROCESS.num_threads(), "open_files": _PROCESS.num_fds()}
