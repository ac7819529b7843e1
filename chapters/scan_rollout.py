"""Verdicts and speed goals of the page notebooks/scan_rollout.md.

The page times every loop, scanned or Python, the same way: calls issued back to back and only the
last output waited on (throughput mode), so a figure per step compares like with like. Each verdict
that compares two timings reads their spread bands (`resolved`): a gap inside the bands is reported
as not told apart.
"""

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from perfguide.goals import Goal
from perfguide.records import Recorder
from perfguide.timing import Timing
from perfguide.verdicts import TIE, compare_timings, resolved
from workloads.registry import color

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



# ---- the page's printed tables, figures and glue, read back from its Recorder ----

SCAN, NNX_JIT, FLAT, FLOOR = "nnx.scan", "nnx.jit", "jax.jit flat leaves", "floor"


def _per_step(recorder: Recorder, experiment: str, variant: str = SCAN) -> dict[int, Timing]:
    """Size -> timing per step of one variant of an experiment."""
    series = recorder.series(experiment, variant)
    return dict(zip(series.sizes, series.timings))


def _compile_s(recorder: Recorder, experiment: str, variant: str = SCAN) -> np.ndarray:
    """The first-call overhead of each record of one variant, in size order."""
    return np.array([r.compile_s for r in recorder.series(experiment, variant).records])


def k_text(recorder: Recorder) -> str:
    """Microseconds per step and first-call overhead at every K, as printed text."""
    compile_s = _compile_s(recorder, "steps_per_call")
    return "\n".join(f"K = {k:>4}: {t.median_s * 1e6:8.2f} µs per step, first call +{c:.2f} s"
                     for (k, t), c in zip(_per_step(recorder, "steps_per_call").items(), compile_s))


def glue_k(recorder: Recorder, epoch: int) -> tuple[Any, Any]:
    """Glue the K sweep's numbers and verdicts; return its two figures (time per step against K with
    the Python loops for reference, and the first-call overhead against K)."""
    import matplotlib.pyplot as plt

    from perfguide.glue import glue_number, glue_words
    from perfguide.plotting import timing_band

    per_k = _per_step(recorder, "steps_per_call")
    ks = list(per_k)
    ref = {name: recorder.series("python_loop", name).timings[0] for name in recorder.variants("python_loop")}
    fig, ax = plt.subplots()
    spreads = "/".join(sorted({t.spread for t in per_k.values()}))
    timing_band(ax, ks, list(per_k.values()), unit="us", color=color(SCAN),
                label=f"nnx.scan, K steps per call (median, {spreads})")
    for (name, t), style in zip(ref.items(), ["-", "-.", "--"]):
        ax.axhline(t.median_s * 1e6, color="0.3", linestyle=style, label=f"Python loop: {name}")
    for k in (epoch, 8 * epoch):
        ax.axvline(k, color="0.8", linewidth=0.8)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("steps per call, K")
    ax.set_ylabel("time per training step (µs), pipelined calls")
    fig.subplots_adjust(bottom=0.26)
    fig.legend(loc="lower center", ncols=2, fontsize=8)

    compile_s = _compile_s(recorder, "steps_per_call")
    fig_compile, ax = plt.subplots(figsize=(7.0, 3.2))
    ax.plot(ks, compile_s, "o-", color="C1")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_ylim(compile_s.min() / 3, compile_s.max() * 3)
    ax.set_xlabel("steps per call, K")
    ax.set_ylabel("first-call overhead\n(trace + compile), s")

    best_k = min(ks, key=lambda k: per_k[k].median_s)  # lowest median: noisy, said so
    within = [k for k in ks if not resolved(per_k[k], per_k[best_k], NEAR_BEST)]
    glue_number("k_max", ks[-1])
    glue_number("k1_us", per_k[ks[0]].median_s * 1e6)
    glue_number("epoch_us", per_k[epoch].median_s * 1e6)
    glue_words("doubling_verdict", doubling_verdict(ks, list(per_k.values())))
    glue_words("k_within_verdict", k_within_verdict(within[0], best_k, per_k[best_k].median_s * 1e6))
    glue_words("epoch_vs_floor", epoch_floor_verdict(per_k[epoch], ref[FLOOR]))
    glue_words("asymptote_verdict", asymptote_verdict(per_k[best_k], ref[NNX_JIT], ref[FLAT]))
    glue_words("compile_verdict", compile_verdict(compile_s.min(), compile_s.max(), ks[-1] / ks[0]))
    return fig, fig_compile


def unroll_text(recorder: Recorder) -> str:
    """Microseconds per step and first-call overhead at every unroll factor, as printed text."""
    compile_s = _compile_s(recorder, "unroll")
    return "\n".join(f"unroll {u:>2}: {t.median_s * 1e6:6.2f} µs per step, first call +{c:.2f} s"
                     for (u, t), c in zip(_per_step(recorder, "unroll").items(), compile_s))


def glue_unroll(recorder: Recorder) -> Any:
    """Glue the unroll verdict; return its figure (time per step and first-call overhead)."""
    import matplotlib.pyplot as plt

    from perfguide.glue import glue_number, glue_words
    from perfguide.plotting import timing_band

    per_u = _per_step(recorder, "unroll")
    unrolls, timings = list(per_u), list(per_u.values())
    compile_s = _compile_s(recorder, "unroll")
    k = recorder.series("unroll", SCAN).records[0].extra["steps"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.0, 3.4))
    timing_band(left, unrolls, timings, unit="us", color=color(SCAN))
    left.set_xscale("log", base=2)
    left.set_xlabel("unroll")
    left.set_ylabel("time per step (µs)")
    left.set_ylim(0, max(t.high_s for t in timings) * 1e6 * 1.3)
    right.plot(unrolls, compile_s, "o-", color="C1")
    right.set_xscale("log", base=2)
    right.set_yscale("log")
    right.set_xlabel("unroll")
    right.set_ylabel("first-call overhead\n(trace + compile), s")
    fig.suptitle(f"nnx.scan over {k} steps per call")
    fig.tight_layout()
    best = min(unrolls, key=lambda u: per_u[u].median_s)
    glue_number("k_unroll", k)
    glue_words("unroll_verdict", unroll_verdict(best, per_u[best], per_u[unrolls[0]],
                                                compile_s[-1] / compile_s[0], unrolls[-1]))
    return fig


def glue_memory(ks: Sequence[int], memory: dict[str, list[int]]) -> Any:
    """Glue the buffer sizes at the largest K and the snapshots' growth; return the figure."""
    import matplotlib.pyplot as plt

    from perfguide.glue import glue_number, glue_words

    fig, ax = plt.subplots()
    for i, (name, sizes) in enumerate(memory.items()):
        ax.plot(ks, np.array(sizes) / 1024, "o-", color=f"C{i}", label=name)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("steps per call, K")
    ax.set_ylabel("output + temporary buffers (KiB)")
    ax.legend()
    snapshots = memory["per-step parameter snapshots"]
    glue_number("snapshots_kib", snapshots[-1] / 1024)
    glue_number("losses_kib", memory["per-step losses"][-1] / 1024)
    glue_number("nothing_kib", memory["nothing (read the metric after)"][-1] / 1024)
    glue_words("memory_verdict", memory_verdict(ks[-2], snapshots[-2], ks[-1], snapshots[-1]))
    return fig


def wide_text(recorder: Recorder) -> str:
    """Microseconds per step of the wide model's loops, as printed text."""
    return "\n".join(f"{name}: {recorder.series('wide', name).timings[0].median_s * 1e6:.1f} µs per step"
                     for name in recorder.variants("wide"))


def glue_wide(recorder: Recorder) -> None:
    """Glue the wide model's speedups and its verdict, against the narrow model at the same K."""
    from perfguide.glue import glue_number, glue_words

    wide = {name: recorder.series("wide", name).timings[0] for name in recorder.variants("wide")}
    narrow_scan = recorder.series("steps_per_call", SCAN).timings[-1]  # the largest K, as the wide run
    narrow_nnx = recorder.series("python_loop", NNX_JIT).timings[0]
    glue_number("wide_scan_us", wide[SCAN].median_s * 1e6)
    glue_number("wide_speedup_nnx", wide[NNX_JIT].median_s / wide[SCAN].median_s)
    glue_number("wide_speedup_flat", wide[FLAT].median_s / wide[SCAN].median_s)
    glue_number("narrow_speedup_nnx", narrow_nnx.median_s / narrow_scan.median_s)
    glue_words("wide_verdict", wide_verdict(narrow_nnx, narrow_scan, wide[NNX_JIT], wide[SCAN]))


def headline(recorder: Recorder) -> dict[str, Timing]:
    """Every timing of the page, for the noise check."""
    out = {f"nnx.scan, K={k}": t for k, t in _per_step(recorder, "steps_per_call").items()}
    out |= {f"Python loop: {name}": recorder.series("python_loop", name).timings[0]
            for name in recorder.variants("python_loop")}
    out |= {f"unroll={u}": t for u, t in _per_step(recorder, "unroll").items()}
    return out | {f"hidden 1024, {name}": recorder.series("wide", name).timings[0]
                  for name in recorder.variants("wide")}
