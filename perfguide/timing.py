"""Timing that cannot forget to block: first call apart, repeats, spread, and no cost of its own billed.

Two honest modes, and one that exists to show a mistake:

- ``latency``: every call is waited on before the next starts; the cost of waiting (walking the
  output's pytree to block on each leaf) is measured on an already finished output of the same
  structure and subtracted, so an output with many leaves is not charged more than one with few.
  Where the work is still running during the walk the two overlap, so the true latency lies
  between the corrected figure and `raw_median_s`; both are recorded.
- ``throughput``: calls are issued back to back and only the last output is waited on, inside the
  clock; the figure is time per call of a pipelined run. Use it for chained runs
  (``state = step(state, batch)``), where the last output depends on every call before it.
- ``unblocked``: nothing is waited on inside the clock (each repeat is drained outside it). This
  measures dispatch, not work: it is the mistake the measuring chapter demonstrates.

Python's garbage collector is off inside every timed region, as in :mod:`timeit`.
"""

import gc
import math
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import jax
import numpy as np

from perfguide.profiles import steady_budget_s

Mode = Literal["latency", "throughput", "unblocked"]
MODES: tuple[Mode, ...] = ("latency", "throughput", "unblocked")
MIN_REPEATS_FOR_IQR = 5  # with fewer repeats a quartile is an interpolation: show min and max instead


def block(out: Any) -> Any:
    """Wait until every array in `out` is computed: JAX via block_until_ready, torch via CUDA sync."""
    if isinstance(out, jax.Array):  # fast paths: one array, or a synchronous NumPy result
        return out.block_until_ready()
    if out is None or isinstance(out, np.ndarray):  # nothing to wait on (`np.copyto`'s None)
        return out
    leaves = jax.tree_util.tree_leaves(out)
    if any(_is_cuda_tensor(leaf) for leaf in leaves):
        import torch

        torch.cuda.synchronize()
    arrays = [leaf for leaf in leaves if isinstance(leaf, jax.Array)]
    if arrays:
        jax.block_until_ready(arrays)
    return out


def _is_cuda_tensor(leaf: Any) -> bool:
    """True for a torch tensor that lives on a CUDA device (torch is only imported if already used)."""
    return type(leaf).__module__.startswith("torch") and getattr(leaf, "is_cuda", False)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Switch Python's garbage collector off for a timed region (as `timeit` does), then restore it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the first call, one steady-state figure per repeat, and how it was taken."""

    first_call_s: float
    per_call_s: tuple[float, ...]
    calls_per_repeat: int
    mode: Mode = "latency"
    harness_s: float = 0.0  # cost of waiting on one output, measured and already subtracted

    @property
    def repeats(self) -> int:
        """Number of steady-state repeats."""
        return len(self.per_call_s)

    @property
    def min_s(self) -> float:
        """Fastest repeat, seconds per call."""
        return min(self.per_call_s)

    @property
    def max_s(self) -> float:
        """Slowest repeat, seconds per call."""
        return max(self.per_call_s)

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
    def spread(self) -> str:
        """Which band `low_s`/`high_s` give: 'IQR' with enough repeats, else 'min-max'."""
        return "IQR" if self.repeats >= MIN_REPEATS_FOR_IQR else "min-max"

    @property
    def low_s(self) -> float:
        """Lower edge of the spread band: first quartile, or the minimum with few repeats."""
        return float(np.percentile(self.per_call_s, 25)) if self.spread == "IQR" else self.min_s

    @property
    def high_s(self) -> float:
        """Upper edge of the spread band: third quartile, or the maximum with few repeats."""
        return float(np.percentile(self.per_call_s, 75)) if self.spread == "IQR" else self.max_s

    @property
    def relative_spread(self) -> float:
        """Width of the spread band over the median (0.1 means the band is 10% of the median)."""
        return (self.high_s - self.low_s) / self.median_s if self.median_s > 0 else 0.0

    @property
    def raw_median_s(self) -> float:
        """Median before the harness cost was subtracted: an upper bound where the walk overlaps the work."""
        return self.median_s + self.harness_s

    @property
    def compile_s(self) -> float:
        """First-call time beyond one steady-state call: tracing, compilation and first-run costs."""
        return max(self.first_call_s - self.median_s, 0.0)

    def scaled(self, factor: float) -> "Timing":
        """The same timing with every figure multiplied by `factor` (e.g. 1/steps for per-step times)."""
        return Timing(
            self.first_call_s * factor,
            tuple(t * factor for t in self.per_call_s),
            self.calls_per_repeat,
            self.mode,
            self.harness_s * factor,
        )

    def summary(self) -> dict[str, float | int | str]:
        """Plain-number summary for records and tables."""
        return {
            "first_call_s": self.first_call_s,
            "compile_s": self.compile_s,
            "min_s": self.min_s,
            "max_s": self.max_s,
            "median_s": self.median_s,
            "mean_s": self.mean_s,
            "std_s": self.std_s,
            "iqr_s": self.iqr_s,
            "low_s": self.low_s,
            "high_s": self.high_s,
            "spread": self.spread,
            "repeats": self.repeats,
            "calls_per_repeat": self.calls_per_repeat,
            "mode": self.mode,
            "harness_s": self.harness_s,
            "raw_median_s": self.raw_median_s,
        }

    @classmethod
    def from_summary(cls, summary: dict[str, Any]) -> "Timing":
        """Rebuild a Timing from a record that kept its repeats (`per_call_s`)."""
        return cls(
            summary["first_call_s"],
            tuple(summary["per_call_s"]),
            summary["calls_per_repeat"],
            summary.get("mode", "latency"),
            summary.get("harness_s", 0.0),
        )


def blocking_cost_s(out: Any, calls: int = 200, repeats: int = 5) -> float:
    """Seconds one `block(out)` costs on an output that is already finished: the harness's own cost."""
    block(out)
    samples = []
    with gc_paused():
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(calls):
                block(out)
            samples.append((time.perf_counter() - start) / calls)
    return statistics.median(samples)


def time_once(fn: Callable[..., Any], *args: Any) -> tuple[float, Any]:
    """Seconds of one call, its output waited on, the collector off.

    For a clock that cannot repeat (an epoch that changes the model, a
    first call that compiles); wherever a call repeats, use `time_call`."""
    with gc_paused():
        start = time.perf_counter()
        out = block(fn(*args))
        return time.perf_counter() - start, out


def time_call(
    fn: Callable[..., Any],
    *args: Any,
    repeats: int = 7,
    target_s: float | None = None,
    warmup: int = 2,
    max_calls_per_repeat: int = 10_000,
    mode: Mode = "latency",
) -> Timing:
    """Time `fn(*args)`: first call apart, then `repeats` calibrated repeats.

    `target_s` is the steady-state budget (0.2 s quick, 0.5 s full: see
    `steady_budget_s`); each repeat runs enough calls to last about
    `target_s / repeats`, calibrated on the median of three blocked calls.
    `mode` says what is waited on (module docstring); in `latency` mode the
    measured cost of blocking on one output is subtracted from every repeat
    and kept as `harness_s`.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    target_s = steady_budget_s() if target_s is None else target_s
    with gc_paused():
        start = time.perf_counter()
        out = block(fn(*args))
        first_call_s = time.perf_counter() - start

    for _ in range(warmup):
        block(fn(*args))

    calls = 1  # target_s == 0: one call per repeat, nothing to calibrate
    if target_s > 0:
        samples = []
        for _ in range(3 if first_call_s < target_s / repeats else 1):
            with gc_paused():
                start = time.perf_counter()
                block(fn(*args))
                samples.append(time.perf_counter() - start)
        one_call_s = max(statistics.median(samples), 1e-9)
        budget = math.floor(target_s / repeats / one_call_s)
        calls = max(1, min(max_calls_per_repeat, budget))

    harness_s = 0.0
    if mode == "latency":  # a fresh output: a chained fn may donate old ones
        with gc_paused():
            fresh = block(fn(*args))
        harness_s = blocking_cost_s(fresh)
    per_call_s = []
    for _ in range(repeats):
        with gc_paused():
            start = time.perf_counter()
            if mode == "latency":
                for _ in range(calls):
                    block(fn(*args))
            else:
                for _ in range(calls):
                    out = fn(*args)
                if mode == "throughput":
                    block(out)
            elapsed = (time.perf_counter() - start) / calls
        if mode == "unblocked":
            block(out)  # drained outside the clock: repeats do not leak
        per_call_s.append(max(elapsed - harness_s, 0.0))
    return Timing(first_call_s, tuple(per_call_s), calls, mode, harness_s)
