"""Verdicts and speed goals of the page notebooks/nnx_overhead.md.

Every outcome sentence of the page is chosen here from measured numbers; the thresholds are the
module constants below, and the sentences name them.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np

from perfguide.goals import Goal, Results
from perfguide.noise import MAX_RELATIVE_SPREAD
from perfguide.records import Recorder
from perfguide.threads import thread_label, thread_settings
from perfguide.timing import Timing
from perfguide.verdicts import compare_timings, fastest, resolved
from workloads.registry import FLAX_WAYS, FUNCTIONAL, VARIANTS, color
from workloads.sides import TORCH_COMPILED as COMPILED
from workloads.sides import TORCH_EAGER as EAGER
from workloads.sides import Sides

NEAR = 0.10  # a variant within 10% of the functional jax.jit loop costs "about the same"
PYTHON_BOUND = 2.0  # a step taking 2x the functional loop's time is mostly Python work
THREADS_PAY = 1.25  # all cores "pay" where they make a step at least 1.25x faster than 1 core
RISE = 0.10  # a per-step time more than 10% below the previous (narrower) width breaks the rise
HIDDEN = 0.10  # a pipelined step over 10% cheaper than a blocked one: Python work hid behind compute


def _slower(reference: Timing, variant: Timing, tie: float) -> bool:
    """The variant is resolved (beyond `tie` and the spreads) as slower than the reference."""
    return resolved(reference, variant, tie) and variant.median_s > reference.median_s


def crossover_verdict(
    widths: Sequence[int], variant: Sequence[Timing], reference: Sequence[Timing], near: float = NEAR
) -> str:
    """'from width W on' where the variant is never resolved as over `near` slower than the reference."""
    ok = [not _slower(r, v, near) for v, r in zip(variant, reference, strict=True)]
    within = [w for i, w in enumerate(widths) if all(ok[i:])]
    if within:
        return (
            f"is not resolved as more than {near:.0%} slower than it from width {within[0]:,} on "
            "(medians within the threshold, or the spread bands overlap)"
        )
    return f"is more than {near:.0%} slower than it, beyond the spread, at the widest width {widths[-1]:,}"


def python_bound_verdict(ratio: float, bound: float = PYTHON_BOUND) -> str:
    """Whether a step at `ratio` × the functional loop's time is mostly Python work."""
    if ratio >= bound:
        return f"at {bound:.0f}× or more of the functional loop's time, most of the step is Python work"
    return f"below {bound:.0f}× the functional loop's time, Python work is not most of the step"


def hiding_verdict(setting: str, cores: int, blocked: Timing, pipelined: Timing, hidden: float = HIDDEN) -> str:
    """Whether a pipelined step (throughput) is cheaper than a blocked one (latency), and what that can mean.

    Python work can only run beside XLA's compute on a core that the dispatch thread does not share
    with XLA's pool; on 1 core the gain is what waiting on each step costs, not an overlap.
    """
    if _slower(pipelined, blocked, hidden):
        gap_us = (blocked.median_s - pipelined.median_s) * 1e6
        head = (
            f"on {setting}, a pipelined step is {gap_us:,.0f} µs ({blocked.median_s / pipelined.median_s:.2f}×) "
            f"cheaper than a blocked one, beyond {hidden:.0%} and the spread"
        )
        if cores == 1:
            return head + (
                ": with one core shared by the dispatch thread and XLA's pool nothing runs beside the "
                "compute, so the gain lies in how the steps are waited on and scheduled, not in an overlap"
            )
        return head + (
            ": the Python work of the next step, or the wait on each step, overlapped with XLA's compute "
            "(an overlap needs a core the dispatch thread does not share)"
        )
    if _slower(blocked, pipelined, hidden):
        return f"on {setting}, a pipelined step is slower than a blocked one (beyond {hidden:.0%} and the spread)"
    return (
        f"on {setting}, pipelined and blocked steps are not told apart (within {hidden:.0%}, or the bands "
        "overlap): no Python work measurably hid behind the compute"
    )


def library_verdict(jax_name: str, jax_t: Timing, torch_name: str, torch_t: Timing, noisy: bool = False) -> str:
    """Which of a JAX variant and a PyTorch step is faster per step; held back on a noisy run."""
    if noisy:
        return f"{jax_name} and {torch_name} are not told apart on this busy run (see the noise check)"
    return compare_timings(jax_name, jax_t, torch_name, torch_t)


def compiled_verdict(eager: Timing, compiled: Timing) -> str:
    """Whether `torch.compile` made the PyTorch step faster than eager PyTorch."""
    return compare_timings("`torch.compile`", compiled, "PyTorch eager", eager)


def rise_verdict(widths: Sequence[int], per_step: Sequence[Timing], rise: float = RISE) -> str:
    """Whether the time per step rises with width, or where it falls by more than `rise`, resolved."""
    drops = [f"{widths[i - 1]:,} to {widths[i]:,}" for i in range(1, len(widths)) if _slower(per_step[i], per_step[i - 1], rise)]
    if not drops:
        return f"never falls from one width to the next by more than {rise:.0%} beyond the spread"
    return f"falls by more than {rise:.0%}, beyond the spread, from width " + " and from ".join(drops)


def per_run_verdict(widths: Sequence[int], per_step: Sequence[Timing], steps: Sequence[int]) -> str:
    """Whether time per *run* (per step × steps per run) falls with width where the step count drops."""
    per_run = [t.scaled(n) for t, n in zip(per_step, steps, strict=True)]
    falls = [
        f"{widths[i - 1]:,} to {widths[i]:,}" for i in range(1, len(widths)) if _slower(per_run[i], per_run[i - 1], RISE)
    ]
    if falls:
        return (
            "the time of a whole run falls from width " + " and from ".join(falls) + ", where the run has "
            "fewer steps: a figure per run is not a figure per step"
        )
    return "the time of a whole run does not fall beyond the spread, so per-run figures would not mislead here"


def threads_verdict(
    widths: Sequence[int], one: Sequence[Timing], every: Sequence[Timing], pays: float = THREADS_PAY
) -> str:
    """From which width all cores make a step at least `pays`× faster than 1 core, beyond the spread."""
    ok = [_slower(a, o, pays - 1) for o, a in zip(one, every, strict=True)]
    paying = [w for i, w in enumerate(widths) if all(ok[i:])]
    if paying:
        return f"all cores make a step at least {pays:.2f}× faster than 1 core from width {paying[0]:,} on"
    return f"all cores do not make a step {pays:.2f}× faster than 1 core, beyond the spread, at the widest width"


def small_threads_verdict(library: str, one: Timing, every: Timing) -> str:
    """Whether all cores make a (small, Python-bound) step faster or slower than 1 core."""
    return compare_timings(f"{library} on all cores", every, "on 1 core", one)


def wait_policy_verdict(spinning: Timing, passive: Timing) -> str:
    """Whether PyTorch eager got faster with OpenMP's passive wait policy than with its default."""
    return compare_timings("PyTorch eager with `OMP_WAIT_POLICY=passive`", passive, "with the default policy", spinning)


def flatten_verdict(state: Timing, plain: Timing) -> str:
    """Flattening an `nnx.State` against a plain dict of the same arrays."""
    return compare_timings("flattening the `State`", state, "flattening a plain dict of the same arrays", plain)


def graph_breaks_verdict(count: int | None) -> str:
    """`torch._dynamo.explain` on the step: one graph, or breaks that leave parts of it eager."""
    if count is None:
        return "`torch._dynamo.explain` was not run"
    if count == 0:
        return "`torch._dynamo.explain` finds no graph break in the step: it compiles as one graph"
    return f"`torch._dynamo.explain` finds {count} graph break(s) in the step: parts of it run eagerly"


def per_array_verdict(slope_us: float, floor_slope_us: float) -> str:
    """How a variant's cost per state array compares with the floor's (jitted call, no work)."""
    ratio = slope_us / floor_slope_us if floor_slope_us > 0 else float("inf")
    if ratio >= 1 + NEAR:
        return f"{ratio:.1f}× the floor's cost per array: the overhead is per array, beyond XLA's own"
    return f"within {NEAR:.0%} of the floor's cost per array: no overhead per array beyond XLA's own"


def parts_verdict(whole: Timing, parts: dict[str, Timing], max_spread: float = MAX_RELATIVE_SPREAD) -> str:
    """What share of the whole step the parts, timed alone, account for; none stated when too noisy."""
    widest = max([whole, *parts.values()], key=lambda t: t.relative_spread)
    if widest.relative_spread > max_spread:
        return (
            f"their spreads are too wide to say what share of the step they explain (the widest is "
            f"{widest.relative_spread:.0%} of its median, over the {max_spread:.0%} threshold)"
        )
    share = sum(t.median_s for t in parts.values()) / whole.median_s
    if share > 1:
        return f"together they add up to {share:.0%} of the measured step: timed alone, they cost more than inside it"
    return f"together they account for {share:.0%} of the measured step; the other {1 - share:.0%} is unaccounted"


def small_model_verdict(times: dict[str, Timing], near: float = NEAR) -> str:
    """The decision table's pick for small models: the fastest, with any not resolved from it by `near`."""
    best = min(times, key=lambda name: times[name].median_s)
    ties = [name for name, t in times.items() if name != best and not _slower(times[best], t, near)]
    return " or ".join(f"`{name}`" for name in [best, *ties])


def deep_model_verdict(per_layer_us: dict[str, float]) -> str:
    """The decision table's pick for deep models: the variant with the least cost per layer."""
    return f"`{min(per_layer_us, key=per_layer_us.__getitem__)}`"


def wide_model_verdict(nnx_t: Timing, jax_t: Timing, near: float = NEAR) -> str:
    """The decision table's pick for wide models: `nnx.jit` unless resolved as over `near` slower."""
    if not _slower(jax_t, nnx_t, near):
        return f"whatever reads best, e.g. `nnx.jit` (not resolved as over {near:.0%} slower than `jax.jit` at the widest model)"
    return f"still a fast variant: `nnx.jit` is over {near:.0%} slower than `jax.jit`, beyond the spread, at the widest model"


def graph_features_verdict(cached_per_layer_us: float, nnx_per_layer_us: float, near: float = NEAR) -> str:
    """The decision table's pick when graph features are needed: cached_partial if it costs less."""
    if cached_per_layer_us < nnx_per_layer_us / (1 + near):
        return "`nnx.cached_partial` over graph-mode `nnx.jit`"
    return f"graph-mode `nnx.jit` (`nnx.cached_partial` saves less than {near:.0%} here)"



def _t(median: float, spread: float = 0.01) -> Timing:
    """A synthetic timing: five repeats around `median` with a relative spread."""
    return Timing(median, tuple(median * (1 + spread * k) for k in (-2, -1, 0, 1, 2)), 1, "throughput")


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (
        crossover_verdict,
        dict(widths=[32, 64], variant=[_t(2.0), _t(1.05)], reference=[_t(1.0), _t(1.0)]),
        dict(widths=[32, 64], variant=[_t(2.0), _t(1.5)], reference=[_t(1.0), _t(1.0)]),
    ),
    (python_bound_verdict, dict(ratio=5.0), dict(ratio=1.2)),
    (hiding_verdict, dict(setting="2 cores", cores=2, blocked=_t(2.0), pipelined=_t(1.0)),
     dict(setting="2 cores", cores=2, blocked=_t(1.0), pipelined=_t(1.0))),
    (hiding_verdict, dict(setting="1 core", cores=1, blocked=_t(2.0), pipelined=_t(1.0)),
     dict(setting="1 core", cores=1, blocked=_t(1.0), pipelined=_t(1.0))),
    (
        library_verdict,
        dict(jax_name="A", jax_t=_t(1.0), torch_name="B", torch_t=_t(3.0)),
        dict(jax_name="A", jax_t=_t(1.0), torch_name="B", torch_t=_t(3.0), noisy=True),
    ),
    (compiled_verdict, dict(eager=_t(2.0), compiled=_t(1.0)), dict(eager=_t(1.0), compiled=_t(2.0))),
    (rise_verdict, dict(widths=[1, 2, 3], per_step=[_t(1), _t(2), _t(3)]),
     dict(widths=[1, 2, 3], per_step=[_t(1), _t(3), _t(2)])),
    (
        per_run_verdict,
        dict(widths=[1, 2], per_step=[_t(1.0), _t(3.0)], steps=[64, 16]),
        dict(widths=[1, 2], per_step=[_t(1.0), _t(3.0)], steps=[64, 64]),
    ),
    (threads_verdict, dict(widths=[1, 2], one=[_t(1.0), _t(1.8)], every=[_t(1.0), _t(1.0)]),
     dict(widths=[1, 2], one=[_t(1.0), _t(1.0)], every=[_t(1.0), _t(1.0)])),
    (small_threads_verdict, dict(library="A", one=_t(1.0), every=_t(0.5)),
     dict(library="A", one=_t(1.0), every=_t(1.0, 0.3))),
    (wait_policy_verdict, dict(spinning=_t(50.0), passive=_t(2.0)), dict(spinning=_t(2.0), passive=_t(2.0))),
    (flatten_verdict, dict(state=_t(3.0), plain=_t(1.0)), dict(state=_t(1.0), plain=_t(1.0))),
    (graph_breaks_verdict, dict(count=0), dict(count=2)),
    (per_array_verdict, dict(slope_us=3.0, floor_slope_us=1.0), dict(slope_us=1.0, floor_slope_us=1.0)),
    (parts_verdict, dict(whole=_t(10.0), parts={"a": _t(5.0)}), dict(whole=_t(10.0, 0.2), parts={"a": _t(5.0)})),
    (small_model_verdict, dict(times={"a": _t(1.0), "b": _t(2.0)}), dict(times={"a": _t(2.0), "b": _t(1.0)})),
    (deep_model_verdict, dict(per_layer_us={"a": 1.0, "b": 2.0}), dict(per_layer_us={"a": 2.0, "b": 1.0})),
    (wide_model_verdict, dict(nnx_t=_t(1.02), jax_t=_t(1.0)), dict(nnx_t=_t(1.5), jax_t=_t(1.0))),
    (
        graph_features_verdict,
        dict(cached_per_layer_us=5.0, nnx_per_layer_us=20.0),
        dict(cached_per_layer_us=20.0, nnx_per_layer_us=20.0),
    ),
]


def _wide_ratio(results: Results) -> float:
    """nnx.jit over jax.jit split/merge per step at the widest model, all cores."""
    threads = max(int(r.get("threads", 1)) for r in results.records if r["experiment"].startswith("width, "))
    experiment = width_experiment(threads)
    return results.median(experiment, "nnx.jit") / results.median(experiment, FUNCTIONAL)


def _partial_over_floor(results: Results) -> float:
    """nnx.jit_partial over the floor, per step, at the page's depth-sweep depth 5."""
    return results.median("depth", "nnx.jit_partial", 5) / results.median("depth", "floor", 5)


GOALS: list[Goal] = [
    Goal("nnx.jit within 10% of jax.jit split/merge at the widest model (all cores)", _wide_ratio, at_most=1.10),
    Goal("nnx.jit_partial at most 3x the floor at width 32, depth 5", _partial_over_floor, at_most=3.0),
]



# ---- the page's records, read back as tables (no dicts kept beside the Recorder) ----

Table = dict[str, dict[int, Timing]]  # variant -> width -> Timing


def width_experiment(threads: int) -> str:
    """The results' experiment of the width sweep at one thread setting."""
    return f"width, {thread_label(threads)}"


def record_width(recorder: Recorder, threads: int, run: Sides, steps: dict[int, int]) -> None:
    """Record both sides of one setting per step (throughput; `steps`: width -> steps per run),
    torch.compile's first call as its compile time, the blocked nnx.jit steps (latency), and the
    passive-wait PyTorch run if there was one."""
    label = thread_label(threads)
    runs = [(width_experiment(threads), run.jax), (width_experiment(threads), run.torch)]
    runs += [(f"passive wait, {label}", run.passive)] if run.passive else []
    for experiment, side in runs:
        for name, by_width in side.value["timings"].items():
            for width, t in by_width.items():
                compile_s = side.value["compile_s"][width] if name == COMPILED else t.compile_s
                recorder.add(experiment, name, width, t.scaled(1 / steps[width]), compile_s=compile_s,
                             threads=threads, steps=steps[width])
    for width, t in run.jax.value["blocked"].items():
        recorder.add(f"width blocked, {label}", "nnx.jit", width, t, threads=threads, steps=1)


def table(recorder: Recorder, experiment: str) -> Table:
    """Every variant of an experiment: width -> Timing, from the recorder's series."""
    out = {}
    for name in recorder.variants(experiment):
        series = recorder.series(experiment, name)
        out[name] = dict(zip(series.sizes, series.timings))
    return out


def _width_tables(recorder: Recorder) -> dict[int, Table]:
    """The width sweep at every thread setting."""
    return {threads: table(recorder, width_experiment(threads)) for threads in thread_settings()}


def width_table(recorder: Recorder, threads: int) -> str:
    """Milliseconds per step, one row per width and one column per variant (blank where not run)."""
    timings = table(recorder, width_experiment(threads))
    steps = {r.size: r.extra["steps"] for r in recorder.series(width_experiment(threads), "nnx.jit").records}
    short = {name: VARIANTS[name].label if name in VARIANTS else name for name in timings}
    lines = [" width steps" + "".join(f"{short[name]:>14}" for name in timings)]
    for width, n in steps.items():
        cells = "".join(f"{timings[name][width].median_s * 1e3:14.3f}" if width in timings[name] else " " * 14
                        for name in timings)
        lines.append(f"{width:>6}{n:>6}{cells}")
    return "\n".join(lines)


def speedup_table(recorder: Recorder, names: Sequence[str] = (FUNCTIONAL, EAGER)) -> str:
    """Speed-up of all cores over 1 core per step, one row per width, one column per named variant."""
    tables = _width_tables(recorder)
    one, every = tables[min(tables)], tables[max(tables)]
    lines = [" width" + "".join(f"{name:>22}" for name in names)]
    for width in one[names[0]]:
        cells = "".join(f"{one[n][width].median_s / every[n][width].median_s:22.2f}" for n in names)
        lines.append(f"{width:>6}{cells}")
    return "\n".join(lines)


def depth_table(recorder: Recorder) -> str:
    """Microseconds per step, one row per depth (with its state arrays), one column per variant."""
    timings = table(recorder, "depth")
    arrays = {r.size: r.extra["arrays"] for r in recorder.series("depth", "floor").records}
    short = {name: VARIANTS[name].label if name in VARIANTS else name for name in timings}
    lines = ["µs per step (throughput)", "depth arrays" + "".join(f"{short[n]:>12}" for n in timings)]
    for depth, count in arrays.items():
        cells = "".join(f"{timings[n][depth].median_s * 1e6:12.0f}" for n in timings)
        lines.append(f"{depth:>5} {count:>6}{cells}")
    return "\n".join(lines)


# ---- figures (the page's hide-input cells call these) ----

_STYLE = {EAGER: dict(marker="s", linestyle="--", color="0.35"), COMPILED: dict(marker="D", linestyle=":", color="0.1")}


def width_figures(recorder: Recorder) -> tuple[Any, Any]:
    """Time per step against width (median, spread shaded), and each variant over the functional
    loop, one panel per thread setting."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import timing_band

    tables = _width_tables(recorder)
    figs = []
    for ratio in (False, True):
        fig, axes = plt.subplots(1, len(tables), figsize=(10, 4.2), sharey=True)
        for ax, (threads, timings) in zip(np.atleast_1d(axes), tables.items()):
            reference = timings[FUNCTIONAL]
            for name, by_width in timings.items():
                style = (_STYLE[name] if name in _STYLE else dict(color=color(name))) | {"label": name}
                x = list(by_width)
                if not ratio:
                    timing_band(ax, x, list(by_width.values()), unit="ms", **style)
                elif name != FUNCTIONAL:
                    y = [by_width[w].median_s / reference[w].median_s for w in x]
                    ax.plot(x, y, **({"marker": "o"} | style))
            if ratio:
                ax.axhline(1 + NEAR, color="black", linestyle=":", label=f"jax.jit + {NEAR:.0%}")
                ax.axhline(1.0, color="black", linewidth=0.8)
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_xlabel("hidden width (units per layer)")
            ax.set_title(f"{thread_label(threads)} per library")
        first = np.atleast_1d(axes)[0]
        first.set_ylabel("time per step / jax.jit split/merge" if ratio else "time per training step (ms)")
        handles, labels = np.atleast_1d(axes)[-1].get_legend_handles_labels()
        fig.subplots_adjust(bottom=0.3)
        fig.legend(handles, labels, loc="lower center", ncols=4, fontsize=8)
        figs.append(fig)
    return figs[0], figs[1]


def depth_figure(arrays: Sequence[int], us_depth: dict[str, np.ndarray], fits: dict[str, np.ndarray], title: str) -> Any:
    """Time per step against state arrays, with a straight-line fit per variant (the floor dashed)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    line = np.linspace(0, max(arrays) * 1.05, 50)
    for name, times in us_depth.items():
        slope, intercept = fits[name]
        shade = "black" if name == "floor" else color(name)
        ax.plot(arrays, times, "o", color=shade)
        ax.plot(line, intercept + slope * line, "--" if name == "floor" else "-", color=shade,
                label=f"{name}: {intercept:.0f} µs + {slope:.1f} µs/array")
    ax.set_xlabel("state arrays passed in and out (parameters, batch statistics, step count)")
    ax.set_ylabel("time per training step (µs)")
    ax.set_title(title)
    ax.set_xlim(0)
    ax.set_ylim(0)
    ax.legend(fontsize=8)
    return fig


def breakdown_figure(whole_us: float, floor_us: float, stack: dict[str, float]) -> Any:
    """The blocked step as one bar, its parts (timed alone, plus the unaccounted rest) stacked below."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 3.4))
    ax.barh([1], [whole_us], color="0.6")
    ax.axvline(floor_us, color="black", linestyle="--", label=f"floor (blocked): {floor_us:.0f} µs")
    left = 0.0
    for i, (name, value) in enumerate(stack.items()):
        shade = "white" if name == "unaccounted" else f"C{i}"
        ax.barh([0], [value], left=left, color=shade, edgecolor="0.3", label=f"{name}: {value:.0f} µs")
        left += value
    ax.set_yticks([1, 0], ["nnx.jit step,\nmeasured", "its parts,\ntimed alone"])
    ax.set_xlabel("time per step (µs), latency")
    ax.grid(axis="y", visible=False)
    fig.subplots_adjust(bottom=0.42)
    fig.legend(loc="lower center", ncols=2, fontsize=8)
    return fig


# ---- glue (called by the page's hide-input cells) ----


def width_headline(recorder: Recorder) -> dict[str, Timing]:
    """The width sweep's headline figures for the noise check: both ends, both libraries, both settings."""
    out = {}
    for threads, timings in _width_tables(recorder).items():
        for name in ("nnx.jit", FUNCTIONAL, EAGER):
            widths = list(timings[name])
            for width in (widths[0], widths[-1]):
                out[f"{name}, width {width:,}, {thread_label(threads)}"] = timings[name][width]
    return out


def glue_width(recorder: Recorder, noisy: bool, notes: dict[str, Any]) -> None:
    """Glue every number and verdict of the width sweep's prose and of its rows in the decision table;
    `notes` is the PyTorch side's value (optimizers, graph breaks)."""
    from perfguide.glue import glue_number, glue_words

    per_step = _width_tables(recorder)
    one, every = min(per_step), max(per_step)
    table_all = per_step[every]
    widths = list(table_all["nnx.jit"])
    label = thread_label
    steps = [r.extra["steps"] for r in recorder.series(width_experiment(every), "nnx.jit").records]
    small_w, large_w = widths[0], widths[-1]
    glue_number("near_pct", 100 * NEAR)
    glue_number("min_steps", min(steps))
    glue_words("all_cores", label(every))
    glue_number("smallest_width", small_w)
    glue_number("largest_width", large_w)
    nnx_t, ref_t = table_all["nnx.jit"], table_all[FUNCTIONAL]
    ratio = [nnx_t[w].median_s / ref_t[w].median_s for w in widths]
    glue_words("crossover", crossover_verdict(widths, [nnx_t[w] for w in widths], [ref_t[w] for w in widths]))
    glue_words("python_bound", python_bound_verdict(ratio[0]))
    glue_number("nnx_ratio_small", ratio[0])
    glue_number("nnx_ratio_large", ratio[-1])
    glue_number("nnx_small_ms", nnx_t[small_w].median_s * 1e3)
    glue_number("jax_small_ms", ref_t[small_w].median_s * 1e3)
    small = {name: table_all[name][small_w] for name in FLAX_WAYS}
    best = fastest({name: t.median_s for name, t in small.items()})
    glue_words("fastest_small", f"`{best}`")
    glue_number("fastest_small_speedup", small["nnx.jit"].median_s / small[best].median_s)
    glue_words("use_small", small_model_verdict(small))
    glue_words("use_wide", wide_model_verdict(nnx_t[large_w], ref_t[large_w]))
    for threads, key in ((one, "one"), (every, "all")):
        t = per_step[threads]
        blocked = recorder.series(f"width blocked, {label(threads)}", "nnx.jit").timings[-1]
        glue_words(f"hiding_{key}", hiding_verdict(label(threads), threads, blocked, t["nnx.jit"][large_w]))
        for end, width in (("small", small_w), ("large", large_w)):
            glue_words(f"torch_{end}_{key}", library_verdict(
                "`jax.jit` split/merge", t[FUNCTIONAL][width], "PyTorch eager", t[EAGER][width], noisy))
        wide = max(t[COMPILED])
        glue_words(f"compiled_{key}", compiled_verdict(t[EAGER][wide], t[COMPILED][wide]))
        glue_words(f"compiled_jax_{key}", library_verdict(
            "`jax.jit` split/merge", t[FUNCTIONAL][wide], "`torch.compile`", t[COMPILED][wide], noisy))
    glue_number("compiled_width", wide)
    compiled = recorder.series(width_experiment(every), COMPILED)
    glue_number("compile_s", compiled.records[-1].compile_s)
    glue_words("sgd_eager", f"the {notes['optimizer'][EAGER]}")
    glue_words("sgd_compiled", f"the {notes['optimizer'][COMPILED]}")
    glue_words("graph_breaks", graph_breaks_verdict(notes["graph_breaks"]))
    spinning = table_all[EAGER][small_w]
    passive = recorder.series(f"passive wait, {label(every)}", EAGER).timings[0]
    glue_number("passive_ms", passive.median_s * 1e3)
    glue_number("spinning_ms", spinning.median_s * 1e3)
    glue_words("wait_policy", wait_policy_verdict(spinning, passive))
    # the step in the sweep
    for threads, suffix in ((every, ""), (one, "_one")):
        functional = [per_step[threads][FUNCTIONAL][w] for w in widths]
        glue_words(f"rise_jax{suffix}", rise_verdict(widths, functional))
        glue_words(f"per_run{suffix}", per_run_verdict(widths, functional, steps))
    glue_words("rise_torch", rise_verdict(widths, [table_all[EAGER][w] for w in widths]))
    drop = max(range(1, len(widths)), key=lambda i: steps[i - 1] / steps[i])
    glue_number("drop_from", widths[drop - 1])
    glue_number("drop_to", widths[drop])
    glue_number("step_growth", ref_t[widths[drop]].median_s / ref_t[widths[drop - 1]].median_s)
    glue_number("steps_drop", steps[drop - 1] / steps[drop])
    for key, name, library in (("jax", FUNCTIONAL, "`jax.jit`"), ("torch", EAGER, "PyTorch eager")):
        glue_words(f"threads_{key}", threads_verdict(
            widths, [per_step[one][name][w] for w in widths], [table_all[name][w] for w in widths]))
        glue_words(f"small_threads_{key}", small_threads_verdict(library, per_step[one][name][small_w],
                                                                 table_all[name][small_w]))


ARRAYS_PER_LAYER = 6  # kernel, bias, scale, offset, running mean and variance of one Linear + BatchNorm block
DEPTH_KEYS = {"nnx": "nnx.jit", "tree": "nnx.jit(graph=False)", "partial": "nnx.jit_partial",
              "cached": "nnx.cached_partial", "jax": FUNCTIONAL, "floor": "floor"}


def glue_depth(recorder: Recorder, title: str) -> Any:
    """Glue the depth sweep's costs per array and per layer, the deepest ratios and the per-array
    verdicts; return its figure."""
    from perfguide.glue import glue_number, glue_words

    arrays = [r.extra["arrays"] for r in recorder.series("depth", "floor").records]
    us_depth = {name: np.array(recorder.series("depth", name).medians_s) * 1e6
                for name in recorder.variants("depth")}
    fits = {name: np.polyfit(arrays, t, 1) for name, t in us_depth.items()}
    for key, name in DEPTH_KEYS.items():
        glue_number(f"per_array_{key}_us", fits[name][0])
        glue_number(f"per_layer_{key}_us", fits[name][0] * ARRAYS_PER_LAYER)
    glue_number("max_arrays", max(arrays))
    for key in ("nnx", "jax"):
        glue_number(f"{key}_over_floor_deep", us_depth[DEPTH_KEYS[key]][-1] / us_depth["floor"][-1])
    for key in ("nnx", "partial"):
        glue_words(f"per_array_{key}", per_array_verdict(fits[DEPTH_KEYS[key]][0], fits["floor"][0]))
    per_layer = {name: fits[name][0] * ARRAYS_PER_LAYER for name in FLAX_WAYS}
    glue_words("use_deep", deep_model_verdict(per_layer))
    glue_words("use_graph", graph_features_verdict(per_layer["nnx.cached_partial"], per_layer["nnx.jit"]))
    return depth_figure(arrays, us_depth, fits, title)


def depth_headline(recorder: Recorder) -> dict[str, Timing]:
    """The depth sweep's and the breakdown's headline figures for the noise check."""
    deepest = recorder.series("depth", "floor").sizes[-1]
    return {
        f"nnx.jit, depth {deepest}": recorder.series("depth", "nnx.jit").timings[-1],
        f"floor, depth {deepest}": recorder.series("depth", "floor").timings[-1],
        "nnx.jit step (blocked)": recorder.series("breakdown", "nnx.jit step (whole)").timings[0],
    }


BREAKDOWN_KEYS = {"whole": "nnx.jit step (whole)", "split": "nnx.split", "flat_state": "flatten the State",
                  "flat_dict": "flatten a plain dict", "call": "compiled call (jax.jit)", "update": "nnx.update",
                  "merge": "nnx.merge", "floor": "floor (blocked)"}


def glue_breakdown(recorder: Recorder) -> Any:
    """Glue the breakdown's parts, share and flatten verdicts; return its figure (parts stacked, unaccounted rest)."""
    from perfguide.glue import glue_number, glue_words

    breakdown = {name: recorder.series("breakdown", name).timings[0] for name in recorder.variants("breakdown")}
    us = {name: t.median_s * 1e6 for name, t in breakdown.items()}
    for key, name in BREAKDOWN_KEYS.items():
        glue_number(f"part_{key}_us", us[name])
    counted = ["nnx.split", "compiled call (jax.jit)", "nnx.update"]
    glue_words("parts_share", parts_verdict(breakdown["nnx.jit step (whole)"], {n: breakdown[n] for n in counted}))
    glue_words("flatten", flatten_verdict(breakdown["flatten the State"], breakdown["flatten a plain dict"]))
    stack = {
        "nnx.split (graph traversal)": us["nnx.split"],
        "flatten the State": us["flatten the State"],
        "rest of the compiled call": max(us["compiled call (jax.jit)"] - us["flatten the State"], 0.0),
        "nnx.update (write-back)": us["nnx.update"],
    }
    whole = us["nnx.jit step (whole)"]
    stack["unaccounted"] = max(whole - sum(stack.values()), 0.0)
    return breakdown_figure(whole, us["floor (blocked)"], stack)
