"""What machine a benchmark ran on, for its results file, and how much memory a process holds."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine(**extra) -> dict:
    """Cores, CPU model, Python version and platform, plus whatever ``extra`` a benchmark adds."""
    return {"cores": os.cpu_count(), "cpu": cpu_model(), "python": platform.python_version(),
            "platform": platform.platform(), **extra}


def memory_mb(pid: int | str = "self") -> dict:
    """A process's memory from ``/proc/PID/smaps_rollup``, in MB: RSS; its own pages (private, not
    shared with other processes); anonymous memory (heap: the process's own, which the kernel cannot
    drop); and the rest of RSS, pages of files such as a memory-mapped index (one copy in the page
    cache however many processes map them, dropped under pressure)."""
    rollup = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        rollup[name] = int(value.split()[0]) // 1024
    return {"rss_mb": rollup["Rss"], "private_mb": rollup["Private_Clean"] + rollup["Private_Dirty"],
            "heap_mb": rollup["Anonymous"], "file_mb": rollup["Rss"] - rollup["Anonymous"]}
