"""What a file may ask of this machine: the largest run, the longest time, the deepest nesting.

Each bound is one named constant, measured on the engine as it is; a faster engine can raise them.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

#: the most records a run may send: 100,000 ran in about 3 s and 130 MB, 500,000 in about 18 s
#: and 450 MB; a run's memory grows with its records (1,000,000 took 35 s and 860 MB)
MAX_MESSAGES = 500_000
#: the longest simulated time any setting, event, wait or question may name: one hour
MAX_TIME_MS = 3_600_000
#: the longest a workload may keep sending or processing (messages x interval.ms, messages x
#: processing.ms): one day of simulated time (the sandbox streams for 83 minutes)
MAX_WORKLOAD_MS = 86_400_000
#: the deepest nesting of tables and arrays a file may have (scenario and lesson files need 5)
MAX_DEPTH = 32
#: the largest scenario, lesson or progress file read (bytes)
MAX_FILE_BYTES = 4 * 1024 * 1024


def time_key(key: str) -> float | None:
    """Milliseconds per unit of a setting that holds a time (``*.ms``: 1, ``*_centisecs``: 10), else None."""
    if key == "ms" or key.endswith(".ms"):
        return 1.0
    if key.endswith("_centisecs"):
        return 10.0
    return None


def time_problem(key: str, value: Any) -> str | None:
    """Why a time setting's value is too long, or None."""
    unit = time_key(key)
    if unit is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value * unit > MAX_TIME_MS:
        return (f"must be at most {int(MAX_TIME_MS / unit)} (one hour of simulated time, the longest "
                f"a run may last), not {value:g}")
    return None


def messages_problem(value: Any) -> str | None:
    """Why a workload's `messages` is more than this machine runs in reasonable time and memory, or None."""
    if isinstance(value, int) and not isinstance(value, bool) and value > MAX_MESSAGES:
        return (f"must be at most {MAX_MESSAGES} (a run's memory and time grow with its records: "
                f"{MAX_MESSAGES} take about 18 s and 450 MB), not {value}")
    return None


class FileTooBig(OSError):
    """A file larger than MAX_FILE_BYTES, or one that is not a regular file (a FIFO, a device)."""


def read_text(path: str | Path, limit: int = MAX_FILE_BYTES) -> str:
    """A regular file's text (UTF-8, a byte-order mark dropped), read with a bound; OSError otherwise."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block the open
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileTooBig(errno.EINVAL, "not a regular file")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise FileTooBig(errno.EFBIG, f"larger than {limit // (1024 * 1024)} MB")
    text = data.decode("utf-8")
    return text[1:] if text.startswith("\ufeff") else text


def load_maximum(section: str, key: str, maximum: float | None) -> float | None:
    """The largest value a file may give a setting: the model's own bound, or a limit above if lower."""
    limits = [maximum] if maximum is not None else []
    if (section, key) == ("workload", "messages"):
        limits.append(MAX_MESSAGES)
    unit = time_key(key)
    if unit is not None:
        limits.append(MAX_TIME_MS / unit)
    return min(limits) if limits else None


def depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """How deeply tables and arrays nest in `value` (stops counting past `limit`), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if level > deepest:
            deepest = level
            if deepest > limit:
                return deepest
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest
