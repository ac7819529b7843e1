"""Verdicts and speed goals of the page notebooks/fe_assembly.md."""

from typing import Any

from perfguide.goals import Goal, Results
from perfguide.timing import Timing
from perfguide.verdicts import resolved

TIE = 0.10  # two figures within 10% of each other are reported as the same
FAR_BELOW_ROOF = 0.25  # a point under 25% of the roof above it is not explained by that roof
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
                     far: float = FAR_BELOW_ROOF, tie: float = TIE) -> str:
    """What limits a method, from where its roofline point sits: left or right of the ridge
    (peak / bandwidth), and how close to the roof above it."""
    ridge = peak / bandwidth
    unexplained = "its time goes to work the roofline does not model (the stages below take it apart)"
    if intensity >= ridge:
        side = f"right of the ridge ({intensity:.2f} ≥ {ridge:.1f} flop/byte)"
        if achieved / peak >= far:
            return f"{name} sits {side}, at {achieved / peak:.0%} of the peak: it is limited by arithmetic"
        return (f"{name} sits {side} but reaches only {achieved / peak:.0%} of the peak (below "
                f"{far:.0%}): neither roof explains its time; {unexplained}")
    side = f"left of the ridge ({intensity:.2f} < {ridge:.1f} flop/byte)"
    fraction = achieved / (bandwidth * intensity)
    if fraction > 1 + tie:
        if achieved / peak >= far:
            return (f"{name} sits {side}, above the memory roof ({fraction:.0%} of it) and at "
                    f"{achieved / peak:.0%} of the peak: its data stays in cache, and it is "
                    "limited by arithmetic")
        return (f"{name} sits {side}, above the memory roof ({fraction:.0%} of it): part of the "
                "traffic XLA counts stays in cache, so memory bandwidth does not limit it, and at "
                f"{achieved / peak:.0%} of the peak (below {far:.0%}) arithmetic does not either; "
                f"{unexplained}")
    if fraction >= far:
        return (f"{name} sits {side}, at {fraction:.0%} of the memory roof: it is limited by "
                "memory bandwidth")
    return (f"{name} sits {side}, where memory bandwidth would bound it, but it reaches only "
            f"{fraction:.0%} of that roof (below {far:.0%}): neither roof explains its time; "
            f"{unexplained}")


def scatter_verdict(scalar: Timing, blocks: Timing, tie: float = TIE) -> str:
    """Element blocks plus an entry-by-entry scatter, against element blocks plus a block scatter."""
    ratio = scalar.median_s / blocks.median_s
    if not resolved(blocks, scalar, tie):
        return (f"adding the entries one at a time takes {ratio:.1f} times as long as adding "
                f"3 × 3 blocks, a difference this run does not resolve (within {tie:.0%}, or the "
                f"{scalar.spread} bands overlap)")
    if ratio > 1:
        return (f"adding the entries one at a time makes blocks-and-scatter {ratio:.1f} times as "
                "slow as adding 3 × 3 blocks: XLA's scatter on this machine pays per update, so "
                "fewer, larger updates win")
    return (f"adding the entries one at a time is {1 / ratio:.1f} times as fast as adding 3 × 3 "
            "blocks: here the number of updates is not what limits the scatter")


def compile_growth_verdict(growth: float, flat: float = COMPILE_FLAT) -> str:
    """Compile time of one function from the smallest to the largest mesh."""
    if growth <= flat:
        return (f"changes by a factor {growth:.1f} (within {flat:g}): the compiled program "
                "loops over the elements, and its code does not depend on how many there are")
    return (f"grows by a factor {growth:.1f} (more than {flat:g}): compilation depends on the "
            "mesh size here")


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
    (roofline_verdict, {"name": "A", "intensity": 0.5, "achieved": 4e9, "peak": 1e11, "bandwidth": 1e10},
     {"name": "A", "intensity": 50.0, "achieved": 8e10, "peak": 1e11, "bandwidth": 1e10}),
    (roofline_verdict, {"name": "A", "intensity": 0.5, "achieved": 4e9, "peak": 1e11, "bandwidth": 1e10},
     {"name": "A", "intensity": 0.5, "achieved": 1e8, "peak": 1e11, "bandwidth": 1e10}),
    (roofline_verdict, {"name": "A", "intensity": 0.5, "achieved": 9e9, "peak": 1e11, "bandwidth": 1e10},
     {"name": "A", "intensity": 0.5, "achieved": 4e9, "peak": 1e11, "bandwidth": 1e10}),
    (roofline_verdict, {"name": "A", "intensity": 5.0, "achieved": 9e10, "peak": 1e11, "bandwidth": 1e10},
     {"name": "A", "intensity": 5.0, "achieved": 1e10, "peak": 1e11, "bandwidth": 1e10}),
    (roofline_verdict, {"name": "A", "intensity": 50.0, "achieved": 9e10, "peak": 1e11, "bandwidth": 1e10},
     {"name": "A", "intensity": 50.0, "achieved": 1e10, "peak": 1e11, "bandwidth": 1e10}),
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
