"""Verdicts and speed goals of the page notebooks/nnx_overhead.md.

Every outcome sentence of the page is chosen here from measured numbers; the thresholds are the
module constants below, and the sentences name them.
"""

from collections.abc import Sequence
from typing import Any

from perfguide.goals import Goal, Results
from perfguide.verdicts import compare

NEAR = 0.10  # a variant within 10% of the functional jax.jit loop costs "about the same"
PYTHON_BOUND = 2.0  # a step taking 2x the functional loop's time is mostly Python work
THREADS_PAY = 1.25  # all cores "pay" where they make a step at least 1.25x faster than 1 thread
RISE = 0.10  # a per-step time more than 10% below the previous (narrower) width breaks the rise


def crossover_verdict(widths: Sequence[int], ratios: Sequence[float], near: float = NEAR) -> str:
    """'from width W on' where `ratios` (variant / reference) stay within `near` up to the widest."""
    within = [w for i, w in enumerate(widths) if all(r <= 1 + near for r in ratios[i:])]
    if within:
        return f"stays within {near:.0%} of it from width {within[0]:,} on"
    return f"is more than {near:.0%} slower than it at every width up to {widths[-1]:,}"


def python_bound_verdict(ratio: float, bound: float = PYTHON_BOUND) -> str:
    """Whether a step at `ratio` × the functional loop's time is mostly Python work."""
    if ratio >= bound:
        return f"at {bound:.0f}× or more of the functional loop's time, most of the step is Python work"
    return f"below {bound:.0f}× the functional loop's time, Python work is not most of the step"


def library_verdict(jax_name: str, jax_s: float, torch_name: str, torch_s: float) -> str:
    """Which of a JAX variant and a PyTorch step is faster per step, or a tie within 10%."""
    return compare(jax_name, jax_s, torch_name, torch_s)


def compiled_verdict(eager_s: float, compiled_s: float) -> str:
    """Whether `torch.compile` made the PyTorch step faster than eager PyTorch."""
    return compare("`torch.compile`", compiled_s, "PyTorch eager", eager_s)


def rise_verdict(widths: Sequence[int], per_step_s: Sequence[float], rise: float = RISE) -> str:
    """Whether the time per step rises with width, or where it falls by more than `rise`."""
    drops = [
        f"{widths[i - 1]:,} to {widths[i]:,}"
        for i in range(1, len(widths))
        if per_step_s[i] < (1 - rise) * per_step_s[i - 1]
    ]
    if not drops:
        return f"rises with the width everywhere (no step more than {rise:.0%} below its narrower neighbour)"
    return f"falls by more than {rise:.0%} from width " + " and from ".join(drops)


def per_run_verdict(widths: Sequence[int], per_step_s: Sequence[float], steps: Sequence[int]) -> str:
    """Whether time per *run* (per step × steps per run) falls with width where the step count drops."""
    per_run = [t * n for t, n in zip(per_step_s, steps, strict=True)]
    falls = [f"{widths[i - 1]:,} to {widths[i]:,}" for i in range(1, len(widths)) if per_run[i] < per_run[i - 1]]
    if falls:
        return (
            "the time of a whole run falls from width " + " and from ".join(falls) + ", where the run has "
            "fewer steps: a figure per run is not a figure per step"
        )
    return "the time of a whole run rises with the width too, so per-run figures would not mislead here"


def threads_verdict(widths: Sequence[int], speedups: Sequence[float], pays: float = THREADS_PAY) -> str:
    """From which width all cores make a step at least `pays`× faster than one thread."""
    paying = [w for i, w in enumerate(widths) if all(s >= pays for s in speedups[i:])]
    if paying:
        return f"all cores make a step at least {pays:.2f}× faster than one thread from width {paying[0]:,} on"
    return f"all cores make a step less than {pays:.2f}× faster than one thread at some of the widest widths"


def small_threads_verdict(library: str, one_thread_s: float, all_cores_s: float) -> str:
    """Whether all cores make a (small, Python-bound) step faster or slower than one thread."""
    return compare(f"{library} on all cores", all_cores_s, "on one thread", one_thread_s)


def wait_policy_verdict(spinning_s: float, passive_s: float) -> str:
    """Whether PyTorch eager got faster with OpenMP's passive wait policy than with its default."""
    return compare("PyTorch eager with `OMP_WAIT_POLICY=passive`", passive_s, "with the default policy", spinning_s)


def per_array_verdict(slope_us: float, floor_slope_us: float) -> str:
    """How a variant's cost per state array compares with the floor's (jitted call, no work)."""
    ratio = slope_us / floor_slope_us if floor_slope_us > 0 else float("inf")
    if ratio >= 1 + NEAR:
        return f"{ratio:.1f}× the floor's cost per array: the overhead is per array, beyond XLA's own"
    return f"within {NEAR:.0%} of the floor's cost per array: no overhead per array beyond XLA's own"


def small_model_verdict(times_s: dict[str, float], near: float = NEAR) -> str:
    """The decision table's pick for small models: the fastest variant, with any within `near` of it."""
    best = min(times_s, key=times_s.__getitem__)
    ties = [name for name, t in times_s.items() if name != best and t <= (1 + near) * times_s[best]]
    return " or ".join(f"`{name}`" for name in [best, *ties])


def deep_model_verdict(per_layer_us: dict[str, float]) -> str:
    """The decision table's pick for deep models: the variant with the least cost per layer."""
    return f"`{min(per_layer_us, key=per_layer_us.__getitem__)}`"


def wide_model_verdict(nnx_over_functional: float, near: float = NEAR) -> str:
    """The decision table's pick for wide models: `nnx.jit` if within `near` of the functional loop."""
    if nnx_over_functional <= 1 + near:
        return f"whatever reads best, e.g. `nnx.jit` (within {near:.0%} of `jax.jit` at the widest model)"
    return f"still a fast variant: `nnx.jit` is more than {near:.0%} slower than `jax.jit` at the widest model"


def graph_features_verdict(cached_per_layer_us: float, nnx_per_layer_us: float, near: float = NEAR) -> str:
    """The decision table's pick when graph features are needed: cached_partial if it costs less."""
    if cached_per_layer_us < nnx_per_layer_us / (1 + near):
        return "`nnx.cached_partial` over graph-mode `nnx.jit`"
    return f"graph-mode `nnx.jit` (`nnx.cached_partial` saves less than {near:.0%} here)"


def width_table(
    table: dict[str, dict[int, Any]], widths: Sequence[int], steps: Sequence[int], short: dict[str, str]
) -> str:
    """Milliseconds per step, one row per width and one column per variant (blank where not run)."""
    lines = [" width steps" + "".join(f"{short[name]:>12}" for name in table)]
    for width, n in zip(widths, steps, strict=True):
        cells = "".join(
            f"{table[name][width].median_s * 1e3:12.3f}" if width in table[name] else " " * 12 for name in table
        )
        lines.append(f"{width:>6}{n:>6}{cells}")
    return "\n".join(lines)


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (crossover_verdict, dict(widths=[32, 64], ratios=[2.0, 1.05]), dict(widths=[32, 64], ratios=[2.0, 1.5])),
    (python_bound_verdict, dict(ratio=5.0), dict(ratio=1.2)),
    (
        library_verdict,
        dict(jax_name="A", jax_s=1.0, torch_name="B", torch_s=3.0),
        dict(jax_name="A", jax_s=3.0, torch_name="B", torch_s=1.0),
    ),
    (compiled_verdict, dict(eager_s=2.0, compiled_s=1.0), dict(eager_s=1.0, compiled_s=2.0)),
    (rise_verdict, dict(widths=[1, 2, 3], per_step_s=[1, 2, 3]), dict(widths=[1, 2, 3], per_step_s=[1, 3, 2])),
    (
        per_run_verdict,
        dict(widths=[1, 2], per_step_s=[1.0, 3.0], steps=[64, 16]),
        dict(widths=[1, 2], per_step_s=[1.0, 3.0], steps=[64, 64]),
    ),
    (threads_verdict, dict(widths=[1, 2], speedups=[1.0, 1.8]), dict(widths=[1, 2], speedups=[1.0, 1.0])),
    (
        small_threads_verdict,
        dict(library="A", one_thread_s=1.0, all_cores_s=0.5),
        dict(library="A", one_thread_s=1.0, all_cores_s=2.0),
    ),
    (wait_policy_verdict, dict(spinning_s=50.0, passive_s=2.0), dict(spinning_s=2.0, passive_s=2.0)),
    (per_array_verdict, dict(slope_us=3.0, floor_slope_us=1.0), dict(slope_us=1.0, floor_slope_us=1.0)),
    (small_model_verdict, dict(times_s={"a": 1.0, "b": 2.0}), dict(times_s={"a": 2.0, "b": 1.0})),
    (deep_model_verdict, dict(per_layer_us={"a": 1.0, "b": 2.0}), dict(per_layer_us={"a": 2.0, "b": 1.0})),
    (wide_model_verdict, dict(nnx_over_functional=1.02), dict(nnx_over_functional=1.5)),
    (
        graph_features_verdict,
        dict(cached_per_layer_us=5.0, nnx_per_layer_us=20.0),
        dict(cached_per_layer_us=20.0, nnx_per_layer_us=20.0),
    ),
]

def _all_cores(results: Results) -> int:
    """The 'all cores' thread setting the page ran at (the largest recorded)."""
    return max(int(r.get("threads", 1)) for r in results.records if r["experiment"] == "width")


def _wide_ratio(results: Results) -> float:
    """nnx.jit over jax.jit split/merge per step at the widest model, all cores."""
    threads = _all_cores(results)
    return results.median("width", "nnx.jit", None, threads=threads) / results.median(
        "width", "jax.jit split/merge", None, threads=threads
    )


def _partial_over_floor(results: Results) -> float:
    """nnx.jit_partial over the floor, per step, at the page's depth-sweep depth 5."""
    return results.median("depth", "nnx.jit_partial", 5) / results.median("depth", "floor", 5)


# at_least=0.0 only works around Goal.bound formatting a missing lower bound (a core bug).
GOALS: list[Goal] = [
    Goal("nnx.jit within 10% of jax.jit split/merge at the widest model (all cores)", _wide_ratio, at_least=0.0, at_most=1.10),
    Goal("nnx.jit_partial at most 3x the floor at width 32, depth 5", _partial_over_floor, at_least=0.0, at_most=3.0),
]
