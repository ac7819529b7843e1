"""Timing that cannot forget to block: first call apart from steady state, repeats and spread."""

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import numpy as np

from perfguide.profiles import pick


def block(out: Any) -> Any:
    """Wait until every array in `out` is computed: JAX via block_until_ready, torch via CUDA sync."""
    leaves = jax.tree_util.tree_leaves(out)
    if any(_is_cuda_tensor(leaf) for leaf in leaves):
        import torch

        torch.cuda.synchronize()
    jax.block_until_ready([leaf for leaf in leaves if isinstance(leaf, jax.Array)])
    return out


def _is_cuda_tensor(leaf: Any) -> bool:
    """True for a torch tensor that lives on a CUDA device (torch is only imported if already used)."""
    return type(leaf).__module__.startswith("torch") and getattr(leaf, "is_cuda", False)


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the first call, and one steady-state figure per repeat."""

    first_call_s: float
    per_call_s: tuple[float, ...]
    calls_per_repeat: int

    @property
    def repeats(self) -> int:
        """Number of steady-state repeats."""
        return len(self.per_call_s)

    @property
    def min_s(self) -> float:
        """Fastest repeat, seconds per call."""
        return min(self.per_call_s)

    @property
    def median_s(self) -> float:
        """Median repeat, seconds per call."""
        return statistics.median(self.per_call_s)

    @property
    def mean_s(self) -> float:
        """Mean repeat, seconds per call."""
        return statistics.fmean(self.per_call_s)

    @property
    def std_s(self) -> float:
        """Standard deviation over repeats, seconds per call (0 for a single repeat)."""
        return statistics.stdev(self.per_call_s) if self.repeats > 1 else 0.0

    @property
    def iqr_s(self) -> float:
        """Interquartile range over repeats, seconds per call."""
        q75, q25 = np.percentile(self.per_call_s, [75, 25])
        return float(q75 - q25)

    @property
    def compile_s(self) -> float:
        """First-call time beyond one steady-state call: tracing, compilation and first-run costs."""
        return max(self.first_call_s - self.median_s, 0.0)

    def summary(self) -> dict[str, float | int]:
        """Plain-number summary for records and tables."""
        return {
            "first_call_s": self.first_call_s,
            "compile_s": self.compile_s,
            "min_s": self.min_s,
            "median_s": self.median_s,
            "mean_s": self.mean_s,
            "std_s": self.std_s,
            "iqr_s": self.iqr_s,
            "repeats": self.repeats,
            "calls_per_repeat": self.calls_per_repeat,
        }


def time_call(
    fn: Callable[..., Any],
    *args: Any,
    repeats: int = 7,
    target_s: float | None = None,
    warmup: int = 2,
    max_calls_per_repeat: int = 10_000,
    blocking: bool = True,
) -> Timing:
    """Time `fn(*args)`: first call apart, then `repeats` repeats of a calibrated number of calls.

    `target_s` is the whole steady-state budget (default: 0.2 s in the quick profile, 1 s in full);
    each repeat runs enough calls to last about `target_s / repeats`. With `blocking=False` the timed calls are not waited on (the mistake
    this exists to demonstrate); the first call, warm-up and calibration are always blocked, and
    each repeat is drained outside the clock so that repeats do not leak into each other.
    """
    target_s = pick(quick=0.2, full=1.0) if target_s is None else target_s
    start = time.perf_counter()
    block(fn(*args))
    first_call_s = time.perf_counter() - start

    for _ in range(warmup):
        block(fn(*args))

    start = time.perf_counter()
    block(fn(*args))
    one_call_s = time.perf_counter() - start
    calls = max(1, min(max_calls_per_repeat, math.floor(target_s / repeats / max(one_call_s, 1e-9))))

    per_call_s = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            out = fn(*args)
            if blocking:
                block(out)
        per_call_s.append((time.perf_counter() - start) / calls)
        block(out)
    return Timing(first_call_s, tuple(per_call_s), calls)
