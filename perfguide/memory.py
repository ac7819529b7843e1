"""Memory while code runs: peak resident memory of this process, and device memory statistics."""

import ctypes
import warnings
from collections.abc import Callable
from typing import Any

from memory_profiler import memory_usage

from perfguide.timing import block


def _return_freed_memory() -> None:
    """Ask glibc to hand freed heap pages back to the system, so later growth is visible (Linux)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def peak_rss_mib(fn: Callable[..., Any], *args: Any, interval_s: float = 0.01) -> tuple[float, float, Any]:
    """Run `fn(*args)` (blocked) and return (peak RSS MiB, peak minus RSS before the call, result)."""
    _return_freed_memory()
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
