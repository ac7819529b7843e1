"""Verdicts and speed goals of the page notebooks/scan_rollout.md.

The page times every loop, scanned or Python, the same way: calls issued back to back and only the
last output waited on (throughput mode), so a figure per step compares like with like. Each verdict
that compares two timings reads their spread bands (`resolved`): a gap inside the bands is reported
as not told apart.
"""

import math
from typing import Any

from perfguide.goals import Goal
from perfguide.timing import Timing
from perfguide.verdicts import TIE, compare_timings, resolved

NEAR_BEST = 0.10  # a K "reaches the best" once this run cannot tell its time per step from the best's by more than 10%
COMPILE_FLAT = 1.5  # first-call overhead "flat in K" when its largest value is within 1.5x of its smallest
UNROLL_PAYS = 0.10  # unrolling "pays" when the best factor is resolved faster than unroll=1 by more than 10%
PROPORTIONAL = 0.8  # buffers grow "in proportion to K" when they grow at least as K**0.8 between two K


def epoch_floor_verdict(epoch_t: Timing, floor_t: Timing) -> str:
    """Whether one epoch per call is below the floor of any Python loop, spread-aware."""
    floor_us = floor_t.median_s * 1e6
    if not resolved(epoch_t, floor_t, TIE):
        return f"not told apart from the floor of any Python loop ({floor_us:.0f} µs) by this run"
    if epoch_t.median_s < floor_t.median_s:
        return f"already below the floor of any Python loop ({floor_us:.0f} µs)"
    return f"not yet below the floor of any Python loop ({floor_us:.0f} µs)"


def doubling_verdict(ks: list[int], per_step: list[Timing]) -> str:
    """Whether the median time per step falls with every doubling of K; rises checked against the spread."""
    pairs = list(zip(ks, ks[1:], per_step, per_step[1:], strict=False))
    rises = [(k0, k1, resolved(t0, t1, TIE)) for k0, k1, t0, t1 in pairs if t1.median_s >= t0.median_s]
    if not rises:
        return (
            f"Each doubling of $K$ lowered the median time per step, all the way to $K$ = {ks[-1]}: "
            "the cost of each call is spread over more steps."
        )
    where = ", ".join(
        f"{k0} to {k1} ({'a rise outside the spread bands' if apart else 'inside the spread bands'})"
        for k0, k1, apart in rises
    )
    return f"The median time per step does not fall with every doubling of $K$: it did not fall from $K$ = {where}."


def k_within_verdict(k: int, best_k: int, best_us: float) -> str:
    """The smallest K this run cannot tell from the sweep's lowest median, by NEAR_BEST and the spread bands."""
    best = f"the lowest median of the sweep, {best_us:.1f} µs per step at $K$ = {best_k}"
    if k == best_k:
        return f"No smaller $K$ comes within {NEAR_BEST:.0%} of {best}, by this run's spread bands."
    return (
        f"The smallest $K$ whose time per step this run does not tell apart from {best} (within "
        f"{NEAR_BEST:.0%}, or inside their spread bands) is {k}."
    )


def asymptote_verdict(best_t: Timing, nnx_t: Timing, flat_t: Timing) -> str:
    """The best scanned time per step against `nnx.jit` and loop 6 (flat leaves)."""
    nnx_us, flat_us = nnx_t.median_s * 1e6, flat_t.median_s * 1e6
    return (
        f"{compare_timings('the scanned loop', best_t, '`nnx.jit`', nnx_t, TIE)} "
        f"({nnx_us:.0f} µs per step), and "
        f"{compare_timings('it', best_t, 'the flat-leaves loop', flat_t, TIE)} ({flat_us:.0f} µs)"
    )


def compile_verdict(compile_min_s: float, compile_max_s: float, k_growth: float) -> str:
    """Whether the scanned program's first-call overhead stays flat while K grows."""
    spread = compile_max_s / compile_min_s
    where = (
        f"between {compile_min_s:.2f} and {compile_max_s:.2f} s while $K$ grows {k_growth:,.0f}-fold, "
        f"a spread of {spread:.2f}×"
    )
    if spread <= COMPILE_FLAT:
        return (
            f"The first-call overhead (tracing and compilation) stays flat, within {COMPILE_FLAT:g}×: "
            f"{where}. $K$ is a loop bound in the compiled program, not a count of copies of the step."
        )
    return f"The first-call overhead (tracing and compilation) is not flat, it varies by more than {COMPILE_FLAT:g}×: {where}."


def unroll_verdict(best: int, best_t: Timing, rolled_t: Timing, compile_growth: float, largest: int) -> str:
    """Whether the best unroll factor is resolved faster than unroll=1 (timed interleaved), and its compile cost."""
    cost = f"while unrolling by {largest} multiplies the first-call overhead by {compile_growth:.1f}"
    gain = rolled_t.median_s / best_t.median_s
    if best != 1 and resolved(best_t, rolled_t, UNROLL_PAYS) and gain > 1:
        return (
            f"Here unrolling pays: the best factor, {best}, is {gain:.2f}× faster per step than "
            f"`unroll=1` (more than {UNROLL_PAYS:.0%}, outside the spread bands), {cost}. Use the "
            "best factor if its compile time is affordable."
        )
    return (
        f"Here unrolling does not pay: the fastest factor by median, {best}, is {gain:.2f}× as fast "
        f"per step as `unroll=1`, a gain this run does not resolve (not more than "
        f"{UNROLL_PAYS:.0%} with the spread bands apart), {cost}. For this step, leave `unroll=1` "
        "unless a measurement says otherwise."
    )


def memory_verdict(k_small: int, small_bytes: float, k_large: int, large_bytes: float) -> str:
    """Whether a program's buffers grow in proportion to K, from the exponent between two K values."""
    exponent = math.log(large_bytes / small_bytes) / math.log(k_large / k_small)
    where = f"from $K$ = {k_small} to {k_large} its buffers grow {large_bytes / small_bytes:.2f}-fold"
    if exponent >= PROPORTIONAL:
        return (
            f"{where}, in proportion to $K$ (as $K$ to the power {exponent:.2f}, at least "
            f"{PROPORTIONAL:g}): a memory cost that a larger $K$ multiplies"
        )
    return f"{where}, less than in proportion to $K$ (as $K$ to the power {exponent:.2f}, below {PROPORTIONAL:g})"


def _speedup_band(nnx_t: Timing, scan_t: Timing) -> tuple[float, float, float]:
    """`nnx.jit` time over the scan's: (low, median, high) from the two spread bands."""
    return (nnx_t.low_s / scan_t.high_s, nnx_t.median_s / scan_t.median_s, nnx_t.high_s / scan_t.low_s)


def wide_verdict(narrow_nnx: Timing, narrow_scan: Timing, wide_nnx: Timing, wide_scan: Timing) -> str:
    """How the scanned loop's speedup over `nnx.jit` (same K) changes with a wider model, spread-aware."""
    n_lo, narrow, n_hi = _speedup_band(narrow_nnx, narrow_scan)
    w_lo, wide, w_hi = _speedup_band(wide_nnx, wide_scan)
    change = narrow / wide
    figures = f"{narrow:.1f}× at 64 units, {wide:.1f}× at 1024"
    if change >= 1 + TIE and w_hi < n_lo:
        return f"the gain shrinks: {figures}"
    if change <= 1 / (1 + TIE) and n_hi < w_lo:
        return f"the gain grows: {figures}"
    return f"this run does not tell the two gains apart ({figures}; within {TIE:.0%} or inside their spread bands)"


def _t(us: float, spread: float = 0.02) -> Timing:
    """A synthetic timing of `us` microseconds with a narrow band, for the flip tests."""
    return Timing(us * 1e-6, tuple(us * 1e-6 * (1 + d) for d in (-spread, 0, 0, 0, spread)), 1, "throughput")


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (epoch_floor_verdict, {"epoch_t": _t(10.0), "floor_t": _t(20.0)}, {"epoch_t": _t(30.0), "floor_t": _t(20.0)}),
    (epoch_floor_verdict, {"epoch_t": _t(10.0), "floor_t": _t(20.0)}, {"epoch_t": _t(20.5), "floor_t": _t(20.0)}),
    (
        doubling_verdict,
        {"ks": [1, 2, 4], "per_step": [_t(30.0), _t(20.0), _t(10.0)]},
        {"ks": [1, 2, 4], "per_step": [_t(30.0), _t(10.0), _t(11.0)]},
    ),
    (k_within_verdict, {"k": 64, "best_k": 256, "best_us": 5.0}, {"k": 256, "best_k": 256, "best_us": 5.0}),
    (
        asymptote_verdict,
        {"best_t": _t(10.0), "nnx_t": _t(300.0), "flat_t": _t(50.0)},
        {"best_t": _t(100.0), "nnx_t": _t(30.0), "flat_t": _t(50.0)},
    ),
    (
        compile_verdict,
        {"compile_min_s": 1.0, "compile_max_s": 1.2, "k_growth": 256},
        {"compile_min_s": 1.0, "compile_max_s": 3.0, "k_growth": 256},
    ),
    (
        unroll_verdict,
        {"best": 4, "best_t": _t(10.0), "rolled_t": _t(15.0), "compile_growth": 3.0, "largest": 16},
        {"best": 2, "best_t": _t(10.0), "rolled_t": _t(10.2), "compile_growth": 3.0, "largest": 16},
    ),
    (
        memory_verdict,
        {"k_small": 128, "small_bytes": 2.6e5, "k_large": 256, "large_bytes": 5.2e5},
        {"k_small": 128, "small_bytes": 2.6e5, "k_large": 256, "large_bytes": 2.7e5},
    ),
    (
        wide_verdict,
        {"narrow_nnx": _t(300.0), "narrow_scan": _t(10.0), "wide_nnx": _t(400.0), "wide_scan": _t(200.0)},
        {"narrow_nnx": _t(300.0), "narrow_scan": _t(10.0), "wide_nnx": _t(3000.0), "wide_scan": _t(100.0)},
    ),
]
GOALS: list[Goal] = []
