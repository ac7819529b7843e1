"""Memory while code runs: peak resident memory of this process, and device memory statistics."""

import ctypes
import resource
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memory_profiler import memory_usage

from perfguide.timing import block


def return_freed_memory() -> None:
    """Ask glibc to hand freed heap pages back to the system, so later growth is visible (Linux)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def peak_rss_mib(fn: Callable[..., Any], *args: Any, interval_s: float = 0.01) -> tuple[float, float, Any]:
    """Run `fn(*args)` (blocked) and return (peak RSS MiB, peak minus RSS before the call, result)."""
    return_freed_memory()
    before = memory_usage(-1, interval=interval_s, timeout=interval_s, max_usage=True)
    with warnings.catch_warnings():
        # memory-profiler forks a sampler that only reads /proc; JAX warns about any fork.
        warnings.filterwarnings("ignore", message="os.fork", category=RuntimeWarning)
        peak, result = memory_usage(
            (lambda: block(fn(*args)), (), {}), interval=interval_s, max_usage=True, retval=True
        )
    return float(peak), float(peak - before), result


def device_memory_stats() -> dict[str, int] | None:
    """The first JAX device's memory statistics (bytes in use, peak, limit), or None where the backend has none."""
    import jax

    stats = jax.devices()[0].memory_stats()
    return dict(stats) if stats else None


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
    return_freed_memory()
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
