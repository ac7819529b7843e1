"""Peak memory over a stretch of code: the kernel's high-water mark of
resident memory on the CPU, the allocator's peak on a device."""

import resource
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfguide.memory import _return_freed_memory, device_memory_stats
from perfguide.memory import peak_rss_mib
from perfguide.timing import block

STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass
class Peak:
    """What the code added at its peak, in MiB, and how that was read."""

    mib: float = 0.0  # the peak minus what was in use at the start
    baseline_mib: float = 0.0  # resident (or device) memory at the start
    how: str = ""  # "kernel high-water mark" or "device allocator"


def _status_mib(key: str) -> float:
    """A `VmRSS` or `VmHWM` line of /proc/self/status, in MiB."""
    for line in STATUS.read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def minor_faults() -> int:
    """Minor page faults of this process so far: pages newly mapped."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def high_water_mark_resets() -> bool:
    """Reset the peak RSS to the current RSS (Linux 4.0 and later)."""
    try:
        CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


@contextmanager
def peak_over() -> Iterator[Peak]:
    """The peak memory of the `with` block over what was in use at its
    start, filled in when the block ends.

    On the CPU: the kernel's exact high-water mark of resident memory,
    reset at the start, after freed heap pages go back to the system. On
    a device: the allocator's peak over the bytes in use at the start;
    that peak never falls, so use a fresh process.
    """
    found = Peak()
    before = device_memory_stats()
    if before is not None:
        found.baseline_mib = before.get("bytes_in_use", 0) / 2**20
        found.how = "device allocator"
        yield found
        after = device_memory_stats() or {}
        peak = after.get("peak_bytes_in_use", 0) / 2**20
        found.mib = peak - found.baseline_mib
        return
    _return_freed_memory()
    if not high_water_mark_resets():
        raise RuntimeError("this system does not let a process reset its "
                           "peak RSS (/proc/self/clear_refs): use "
                           "perfguide.peak_rss_mib, which samples it")
    found.baseline_mib = _status_mib("VmHWM")
    found.how = "kernel high-water mark"
    yield found
    found.mib = _status_mib("VmHWM") - found.baseline_mib


def call_peak(fn: Callable[..., Any], *args: Any) -> tuple[Peak, Any]:
    """Run `fn(*args)` once, waited on: its peak memory over what was in
    use just before it, and its result."""
    if device_memory_stats() is None and not high_water_mark_resets():
        peak, added, out = peak_rss_mib(fn, *args)  # sampled instead
        return Peak(added, peak - added, "sampled RSS"), out
    with peak_over() as found:
        out = block(fn(*args))
    return found, out
