"""Several runs timed together, their repeats taking turns; repeats of one
measurement pooled across processes."""

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from perfguide.profiles import steady_budget_s
from perfguide.timing import Timing, block, gc_paused

Run = tuple[Callable[..., Any], tuple[Any, ...]]


def time_interleaved(
    runs: dict[Any, Run],
    repeats: int = 7,
    target_s: float | None = None,
    warmup: int = 2,
) -> dict[Any, Timing]:
    """Throughput timings of several runs, their repeats interleaved.

    `runs` maps a name to `(fn, args)`. Each is called once (first call,
    compilation) and `warmup` times; the calls per repeat are calibrated on
    one blocked call, so each repeat lasts about `target_s / repeats`. Then
    repeat r times every run once, in an order rotated by one per repeat:
    a slow spell of the machine hits every run alike instead of one run's
    whole sample. Each repeat issues its calls back to back and waits on the
    last output inside the clock (throughput mode, as `time_call`); the
    garbage collector is off in the timed region.
    """
    target_s = steady_budget_s() if target_s is None else target_s
    names = list(runs)
    first, calls = {}, {}
    for name in names:
        fn, args = runs[name]
        with gc_paused():
            start = time.perf_counter()
            block(fn(*args))
            first[name] = time.perf_counter() - start
        for _ in range(warmup):
            block(fn(*args))
        with gc_paused():
            start = time.perf_counter()
            block(fn(*args))
            one = max(time.perf_counter() - start, 1e-9)
        calls[name] = max(1, math.floor(target_s / repeats / one))
    samples: dict[Any, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        turn = r % len(names)
        for name in names[turn:] + names[:turn]:
            fn, args = runs[name]
            with gc_paused():
                start = time.perf_counter()
                for _ in range(calls[name]):
                    out = fn(*args)
                block(out)
                elapsed = time.perf_counter() - start
            samples[name].append(elapsed / calls[name])
    return {
        name: Timing(
            first[name], tuple(samples[name]), calls[name], "throughput"
        )
        for name in names
    }


def pool(timings: list[Timing]) -> Timing:
    """One Timing with the repeats of several of the same measurement
    (e.g. from alternating processes); the first call is the first's."""
    first = timings[0]
    per_call = tuple(t for timing in timings for t in timing.per_call_s)
    harness = float(np.mean([timing.harness_s for timing in timings]))
    return Timing(
        first.first_call_s, per_call, first.calls_per_repeat, first.mode,
        harness,
    )
