"""Verdicts and speed goals of the page notebooks/scan_rollout.md.

The page times every loop, scanned or Python, the same way: calls issued back to back and only the
last output waited on (throughput mode), so a figure per step compares like with like.
"""

import math
from typing import Any

from perfguide.goals import Goal
from perfguide.verdicts import TIE, compare

NEAR_BEST = 0.10  # K "reaches the asymptote" once its time per step is within 10% of the sweep's best
COMPILE_FLAT = 1.5  # compile time "flat in K" when its largest value is within 1.5x of its smallest
UNROLL_PAYS = 0.10  # unrolling "pays" when the best factor is more than 10% faster per step than unroll=1
PROPORTIONAL = 0.8  # buffers grow "in proportion to K" when they grow at least as K**0.8 between two K


def epoch_floor_verdict(epoch_us: float, floor_us: float) -> str:
    """Whether one epoch per call is already below the floor of any Python loop."""
    if epoch_us < floor_us:
        return f"already below the floor of any Python loop ({floor_us:.0f} µs)"
    return f"not yet below the floor of any Python loop ({floor_us:.0f} µs)"


def asymptote_verdict(best_us: float, nnx_us: float, flat_us: float) -> str:
    """The best scanned time per step against `nnx.jit` and the fastest Python loop."""
    return (
        f"{compare('the scanned loop', best_us, '`nnx.jit`', nnx_us, TIE)} "
        f"({nnx_us:.0f} µs per step), and "
        f"{compare('it', best_us, 'the flat-leaves loop', flat_us, TIE)} ({flat_us:.0f} µs)"
    )


def compile_verdict(compile_min_s: float, compile_max_s: float, k_growth: float) -> str:
    """Whether the scanned program's compile time stays flat while K grows."""
    spread = compile_max_s / compile_min_s
    where = (
        f"between {compile_min_s:.2f} and {compile_max_s:.2f} s while $K$ grows {k_growth:,.0f}-fold, "
        f"a spread of {spread:.2f}×"
    )
    if spread <= COMPILE_FLAT:
        return f"The compile time stays flat, within {COMPILE_FLAT:g}×: {where}. XLA compiles the loop body once, whatever $K$."
    return f"The compile time is not flat, it varies by more than {COMPILE_FLAT:g}×: {where}."


def unroll_verdict(best: int, gain: float, compile_growth: float, largest: int) -> str:
    """Whether unrolling pays, against UNROLL_PAYS, and what it costs in compile time."""
    cost = f"while unrolling by {largest} multiplies the compile time by {compile_growth:.1f}"
    if gain > 1 + UNROLL_PAYS:
        return (
            f"Here unrolling pays: the best factor, {best}, is {gain:.2f}× faster per step than no "
            f"unrolling (more than {UNROLL_PAYS:.0%}), {cost}. Use the best factor if its compile "
            "time is affordable."
        )
    return (
        f"Here unrolling does not pay: the best factor, {best}, is {gain:.2f}× faster per step than "
        f"no unrolling (not more than {UNROLL_PAYS:.0%}), {cost}. For a step this small the loop "
        "machinery of XLA is not the bottleneck: leave `unroll=1` unless a measurement says otherwise."
    )


def memory_verdict(k_small: int, small_bytes: float, k_large: int, large_bytes: float) -> str:
    """Whether a program's buffers grow in proportion to K, from the exponent between two K values."""
    exponent = math.log(large_bytes / small_bytes) / math.log(k_large / k_small)
    where = f"from $K$ = {k_small} to {k_large} its buffers grow {large_bytes / small_bytes:.2f}-fold"
    if exponent >= PROPORTIONAL:
        return (
            f"{where}, in proportion to $K$ (as $K$ to the power {exponent:.2f}, at least "
            f"{PROPORTIONAL:g}): for a real model that is where a large $K$ runs out of memory"
        )
    return f"{where}, less than in proportion to $K$ (as $K$ to the power {exponent:.2f}, below {PROPORTIONAL:g})"


def wide_verdict(narrow_speedup: float, wide_speedup: float) -> str:
    """How the scanned loop's speedup over `nnx.jit` changes with a wider model."""
    change = narrow_speedup / wide_speedup
    if change >= 1 + TIE:
        return (
            f"the gain shrinks, from {narrow_speedup:.0f}× at 64 units to {wide_speedup:.1f}×: "
            "scanning removes the per-call cost, and once the step's compute dominates, there is "
            "less of it left to remove"
        )
    if change <= 1 / (1 + TIE):
        return f"the gain grows, from {narrow_speedup:.1f}× at 64 units to {wide_speedup:.1f}×"
    return (
        f"the gain stays within {TIE:.0%}: {narrow_speedup:.1f}× at 64 units, {wide_speedup:.1f}× at "
        "1024"
    )


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (epoch_floor_verdict, {"epoch_us": 10.0, "floor_us": 20.0}, {"epoch_us": 30.0, "floor_us": 20.0}),
    (
        asymptote_verdict,
        {"best_us": 10.0, "nnx_us": 300.0, "flat_us": 50.0},
        {"best_us": 100.0, "nnx_us": 30.0, "flat_us": 50.0},
    ),
    (
        compile_verdict,
        {"compile_min_s": 1.0, "compile_max_s": 1.2, "k_growth": 256},
        {"compile_min_s": 1.0, "compile_max_s": 3.0, "k_growth": 256},
    ),
    (
        unroll_verdict,
        {"best": 4, "gain": 1.5, "compile_growth": 3.0, "largest": 16},
        {"best": 2, "gain": 1.02, "compile_growth": 3.0, "largest": 16},
    ),
    (
        memory_verdict,
        {"k_small": 128, "small_bytes": 2.6e5, "k_large": 256, "large_bytes": 5.2e5},
        {"k_small": 128, "small_bytes": 2.6e5, "k_large": 256, "large_bytes": 2.7e5},
    ),
    (wide_verdict, {"narrow_speedup": 30.0, "wide_speedup": 2.0}, {"narrow_speedup": 2.0, "wide_speedup": 2.0}),
]
GOALS: list[Goal] = []
