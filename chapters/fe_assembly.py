"""Verdicts and speed goals of the page notebooks/fe_assembly.md."""

from typing import Any

from perfguide.goals import Goal, Results
from perfguide.timing import Timing
from perfguide.verdicts import compare_timings, resolved

TIE = 0.10  # two figures within 10% of each other are reported as the same
LIMITED = 0.70  # "limited by" a roof only at 70% of it or more; "at X% of" below
LARGER_PART = 0.5  # the element blocks are "the larger part" at half the pipeline's time or more
COMPILE_FLAT = 1.5  # compile time within 1.5x from the smallest to the largest mesh: flat
GOAL_N = 20  # the goals read n = 20, or the largest n below it in a quick build
JAX_JACOBIAN = ("jax_vmap", "jax_autodiff")  # float64 JAX methods; the fastest one counts
JAX_RESIDUAL = ("jax_vmap", "jax_autodiff")


def ratio_band(slow: Timing, fast: Timing) -> tuple[float, float]:
    """The range a time ratio slow / fast spans over both timings' spread bands."""
    return slow.low_s / fast.high_s, slow.high_s / fast.low_s


def threads_verdict(ratio_one: float, ratio_all: float, other: str, band_one: tuple[float, float] | None = None,
                    band_all: tuple[float, float] | None = None, tie: float = TIE) -> str:
    """How `other`'s time over JAX's changes from 1 thread each to all cores each; a change
    inside the ratios' spread bands (`ratio_band`) is not called a change."""
    numbers = f"the ratio is {ratio_one:.1f} at 1 thread each and {ratio_all:.1f} at all cores each"
    change = ratio_all / ratio_one
    overlap = band_one and band_all and band_one[0] <= band_all[1] and band_all[0] <= band_one[1]
    if abs(change - 1) < tie or overlap:
        why = f"within {tie:.0%}" if abs(change - 1) < tie else "their spread bands overlap"
        return f"{numbers} ({why}): this run does not show the thread setting changing it"
    if change > 1:
        return f"{numbers}: JAX gains more from the extra cores than {other} does"
    return f"{numbers}: {other} gains more from the extra cores than JAX does"


def roofline_verdict(name: str, intensity: float, achieved: float, peak: float, bandwidth: float,
                     bandwidth_step: float, limited: float = LIMITED, tie: float = TIE) -> str:
    """Where a method sits against the measured roofs: the peak, a stream of at least 4x the
    last-level cache (`bandwidth`) and a stream of the step's own bytes (`bandwidth_step`).
    "Limited by" only at `limited` of a roof or more; XLA's bytes are an estimate."""
    of_peak = achieved / peak
    of_large = achieved / (bandwidth * intensity)
    of_step = achieved / (bandwidth_step * intensity)
    where = (f"{name} runs at {of_peak:.0%} of the peak, {of_large:.0%} of the large-stream "
             f"roof and {of_step:.0%} of the roof of a stream of its own size (intensity "
             f"{intensity:.2f} flop/byte from XLA's byte estimate)")
    if of_peak >= limited:
        return f"{where}: it is limited by arithmetic (at least {limited:.0%} of the peak)"
    if of_step >= limited:
        cache = ""
        if of_large > 1 + tie and bandwidth_step > (1 + tie) * bandwidth:
            cache = (f"; it exceeds the large-stream roof, as a stream of its size does "
                     f"({bandwidth_step / bandwidth:.1f} times the large one)")
        return (f"{where}: it is limited by memory bandwidth (at least {limited:.0%} of a stream "
                f"of its own size){cache}")
    return (f"{where}: below {limited:.0%} of every roof, so neither arithmetic nor bandwidth "
            "limits it; its time goes to work the roofline does not model")


def scatter_verdict(scalar: Timing, blocks: Timing, tie: float = TIE) -> str:
    """Element blocks plus an entry-by-entry scatter, against element blocks plus a block scatter."""
    ratio = scalar.median_s / blocks.median_s
    if not resolved(blocks, scalar, tie):
        return (f"adding the entries one at a time takes {ratio:.1f} times as long as adding "
                f"3 × 3 blocks, a difference this run does not resolve (within {tie:.0%}, or the "
                f"{scalar.spread} bands overlap)")
    if ratio > 1:
        return (f"adding the entries one at a time (9 times as many updates) makes "
                f"blocks-and-scatter {ratio:.1f} times as slow as adding 3 × 3 blocks")
    return (f"adding the entries one at a time (9 times as many updates) is {1 / ratio:.1f} "
            "times as fast as adding 3 × 3 blocks")


def compile_growth_verdict(growth: float, flat: float = COMPILE_FLAT) -> str:
    """Compile time of one function from the smallest to the largest mesh."""
    if growth <= flat:
        return f"changes by a factor {growth:.1f} (within {flat:g}): flat in the mesh size"
    return f"grows by a factor {growth:.1f} (more than {flat:g}) with the mesh size"


def stage_verdict(blocks: Timing, whole: Timing, tie: float = TIE, larger: float = LARGER_PART) -> str:
    """Whether the element-block prefix or what follows it takes most of the pipeline's time.
    Prefixes are compiled separately, so only the two ends are compared."""
    share = blocks.median_s / whole.median_s
    if not resolved(blocks, whole, tie):
        return (f"the element blocks alone take {share:.0%} of the whole pipeline's time, which "
                f"this run does not tell apart from all of it (within {tie:.0%}, or the "
                f"{whole.spread} bands overlap): computing the element matrices is most of it")
    if share >= larger:
        return (f"the element blocks alone take {share:.0%} of the whole pipeline's time (at least "
                f"{larger:.0%}): computing the element matrices is the larger part")
    return (f"the element blocks alone take {share:.0%} of the whole pipeline's time (under "
            f"{larger:.0%}): the sum, gather and wrap after them are the larger part")


def both_settings(name_a: str, a: dict[int, Timing], name_b: str, b: dict[int, Timing],
                  tie: float = TIE) -> str:
    """compare_timings at 1 thread and at all cores, saying when the two settings disagree."""
    one, every = min(a), max(a)
    words = {k: compare_timings(name_a, a[k], name_b, b[k], tie) for k in (one, every)}
    winner = {k: (None if not resolved(a[k], b[k], tie) else a[k].median_s < b[k].median_s)
              for k in (one, every)}
    if words[one] == words[every] or winner[one] == winner[every]:
        agree = "the two settings agree" if winner[one] == winner[every] else ""
        text = f"at 1 thread each, {words[one]}; at all cores each, {words[every]}"
        return f"{text} ({agree})" if agree else text
    return (f"at 1 thread each, {words[one]}; at all cores each, {words[every]}: the two "
            "settings disagree")


def breakeven_verdict(t_assemble: float, t_spmv: float, t_jvp: float) -> str:
    """After how many products assembling once beats the matrix-free product."""
    if t_jvp <= t_spmv:
        return "never: the matrix-free product is the cheaper one here"
    breakeven = t_assemble / (t_jvp - t_spmv)
    count = f"{breakeven:.1f}" if breakeven < 10 else f"{breakeven:,.0f}"
    return f"after {count} products"


def _timing(seconds: float) -> Timing:
    """A synthetic timing with a 2% spread, for the flip tests."""
    return Timing(seconds, tuple(seconds * f for f in (0.98, 0.99, 1.0, 1.01, 1.02)), 1)


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (threads_verdict, {"ratio_one": 10.0, "ratio_all": 20.0, "other": "NumPy"},
     {"ratio_one": 20.0, "ratio_all": 10.0, "other": "NumPy"}),
    (threads_verdict, {"ratio_one": 10.0, "ratio_all": 10.5, "other": "NumPy"},
     {"ratio_one": 10.0, "ratio_all": 20.0, "other": "NumPy"}),
    (threads_verdict, {"ratio_one": 10.0, "ratio_all": 20.0, "other": "NumPy",
                       "band_one": (8.0, 12.0), "band_all": (18.0, 22.0)},
     {"ratio_one": 10.0, "ratio_all": 20.0, "other": "NumPy",
      "band_one": (8.0, 19.0), "band_all": (18.0, 22.0)}),
    (roofline_verdict, {"name": "A", "intensity": 0.5, "achieved": 4e9, "peak": 1e11, "bandwidth": 1e10,
                        "bandwidth_step": 1e10},
     {"name": "A", "intensity": 50.0, "achieved": 8e10, "peak": 1e11, "bandwidth": 1e10,
      "bandwidth_step": 1e10}),
    (roofline_verdict, {"name": "A", "intensity": 0.5, "achieved": 4e9, "peak": 1e11, "bandwidth": 1e10,
                        "bandwidth_step": 1e10},
     {"name": "A", "intensity": 0.5, "achieved": 1e9, "peak": 1e11, "bandwidth": 1e10,
      "bandwidth_step": 1e10}),
    (roofline_verdict, {"name": "A", "intensity": 0.5, "achieved": 1.5e10, "peak": 1e11, "bandwidth": 1e10,
                        "bandwidth_step": 2.5e10},
     {"name": "A", "intensity": 0.5, "achieved": 4e9, "peak": 1e11, "bandwidth": 1e10,
      "bandwidth_step": 1e10}),
    (stage_verdict, {"blocks": _timing(0.8), "whole": _timing(1.0)},
     {"blocks": _timing(0.2), "whole": _timing(1.0)}),
    (stage_verdict, {"blocks": _timing(1.0), "whole": _timing(1.02)},
     {"blocks": _timing(0.2), "whole": _timing(1.0)}),
    (both_settings, {"name_a": "A", "a": {1: _timing(1.0), 2: _timing(1.0)},
                     "name_b": "B", "b": {1: _timing(2.0), 2: _timing(2.0)}},
     {"name_a": "A", "a": {1: _timing(1.0), 2: _timing(2.0)},
      "name_b": "B", "b": {1: _timing(2.0), 2: _timing(1.0)}}),
    (scatter_verdict, {"scalar": _timing(3.0), "blocks": _timing(1.0)},
     {"scalar": _timing(1.0), "blocks": _timing(3.0)}),
    (scatter_verdict, {"scalar": _timing(3.0), "blocks": _timing(1.0)},
     {"scalar": _timing(1.05), "blocks": _timing(1.0)}),
    (compile_growth_verdict, {"growth": 1.1}, {"growth": 3.0}),
    (breakeven_verdict, {"t_assemble": 1.0, "t_spmv": 0.1, "t_jvp": 0.2},
     {"t_assemble": 1.0, "t_spmv": 0.2, "t_jvp": 0.1}),
]


# ---------------------------------------------------------------------------------------------
# Speed goals, read from the page's results file by `make bench`
# ---------------------------------------------------------------------------------------------


def _threads(results: Results, setting: str) -> int:
    """The thread count of a setting: 1, or all cores (the most threads any record ran with)."""
    counts = {r["threads"] for r in results.records if r.get("threads") is not None}
    if not counts:
        raise KeyError("no record says how many threads it ran with")
    return 1 if setting == "1 thread" else max(counts)


def _goal_n(results: Results, experiment: str, variant: str, threads: int) -> float:
    """n = GOAL_N where it was measured, else the largest n below it (a quick build)."""
    sizes = [r["size"] for r in results.records if r["experiment"] == experiment
             and r["variant"] == variant and r.get("threads") == threads and r["size"] <= GOAL_N]
    if not sizes:
        raise KeyError(f"{experiment} / {variant} at {threads} threads, n ≤ {GOAL_N}")
    return max(sizes)


def speedup(results: Results, experiment: str, baseline: str, jax_methods: tuple[str, ...], setting: str) -> float:
    """`baseline`'s median time over the fastest JAX method's, at n = GOAL_N and one thread setting."""
    threads = _threads(results, setting)
    n = _goal_n(results, experiment, baseline, threads)
    fastest = min(results.median(experiment, m, n, threads=threads) for m in jax_methods)
    return results.median(experiment, baseline, n, threads=threads) / fastest


GOALS: list[Goal] = [
    Goal(f"FE Jacobian at n = {GOAL_N} (or the largest n below), {setting} each: scikit-fem time / fastest JAX method",
         lambda r, s=setting: speedup(r, "jacobian", "scikit_fem", JAX_JACOBIAN, s), at_least=50)
    for setting in ("1 thread", "all cores")
] + [
    Goal(f"FE residual at n = {GOAL_N} (or the largest n below), {setting} each: NumPy with precomputed slots / fastest JAX",
         lambda r, s=setting: speedup(r, "residual", "numpy_slots", JAX_RESIDUAL, s), at_least=10)
    for setting in ("1 thread", "all cores")
]


# ---------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------


def memory_figure(memory: dict[str, tuple[int, str, float]], csr_mib: dict[int, float],
                  labels: dict[str, str]) -> Any:
    """Horizontal bars: each method's memory (n, kind, MiB) labelled with its size and what was
    measured; a black tick on each bar at the CSR matrix's size at that bar's n."""
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(7.0, 3.2))
    positions = np.arange(len(memory))[::-1]
    for i, (method, (n, kind, mib)) in enumerate(memory.items()):
        ax.barh(positions[i], mib, color=f"C{i}")
        ax.plot([csr_mib[n]] * 2, [positions[i] - 0.4, positions[i] + 0.4], "k-", lw=2,
                label="the CSR matrix at the bar's n" if i == 0 else None)
    ax.set_yticks(positions, [f"{labels[m]} (n = {n}; {kind})" for m, (n, kind, _) in memory.items()])
    ax.set_xlabel("memory of one warm call (MiB)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    return fig
