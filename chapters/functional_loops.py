"""Verdicts and speed goals of the page notebooks/functional_loops.md.

Every figure the verdicts read is microseconds per training step of a pipelined run (throughput
mode: all steps of a run issued back to back, the last loss waited on), so all compared loops,
the floor and PyTorch are measured the same way.
"""

from typing import Any

import numpy as np

from perfguide.goals import Goal, Results
from perfguide.noise import NoiseCheck
from perfguide.records import Recorder
from perfguide.threads import thread_label, thread_settings
from perfguide.timing import Timing
from perfguide.verdicts import TIE, change_words, compare_timings, fastest, resolved
from workloads.registry import PYTHON_LOOPS, VARIANTS, color
from workloads.sides import TORCH_COMPILED, TORCH_EAGER, Sides

FLOOR_CLOSE = 2.0  # a loop "close to the floor" runs within 2x of it
EXCESS_OF_COMPUTE = 2.0  # an excess over the floor "of the order of" the step's compute: within 2x of it

EXPERIMENT, HIDDEN = "loops", 64  # the page's main measurement: records (EXPERIMENT, loop, hidden units)
NNX_JIT, FLAT, SCAN, FLOOR = "nnx.jit", "jax.jit flat leaves", "nnx.scan", "floor"
EAGER = "6 + eager x[ids]"  # loop 6 fed as the study fed its loops


def _us(t: Timing) -> float:
    return t.median_s * 1e6


def floor_verdict(loop: str, loop_t: Timing, floor_t: Timing) -> str:
    """How far the fastest Python loop is above the floor, spread-aware, against FLOOR_CLOSE."""
    multiple = loop_t.median_s / floor_t.median_s
    if not resolved(loop_t, floor_t, TIE):
        return (
            f"The fastest Python loop, {loop}, and the floor are not told apart by this run: "
            f"{multiple:.2f}× the floor by medians, within {TIE:.0%} or inside their {floor_t.spread} "
            "bands."
        )
    if multiple < 1:
        return (
            f"The fastest Python loop, {loop}, measured {multiple:.2f}× the floor, below it. No such "
            "loop can do less than the floor, so in this run noise (see the check at the end of the "
            "measurements) outweighs the difference."
        )
    if multiple <= FLOOR_CLOSE:
        return (
            f"The fastest Python loop, {loop}, runs at {multiple:.2f}× the floor, within "
            f"{FLOOR_CLOSE:g}× of it: the floor's time per step is {1 / multiple:.0%} of the loop's."
        )
    return (
        f"The fastest Python loop, {loop}, runs at {multiple:.2f}× the floor, more than "
        f"{FLOOR_CLOSE:g}× above it: the floor's time per step is only {1 / multiple:.0%} of the loop's."
    )


def excess_verdict(loop_us: float, floor_us: float, scan_us: float) -> str:
    """The fastest loop's excess over the floor set against the scanned step's time: arithmetic only."""
    excess = loop_us - floor_us
    if excess <= 0:
        return "With no measured excess over the floor, this run cannot set the excess against anything."
    if excess <= EXCESS_OF_COMPUTE * scan_us:
        return (
            f"Its {excess:.0f} µs per step above the floor are within {EXCESS_OF_COMPUTE:g}× of "
            f"the time of a step inside the scan, where no Python runs between steps ({scan_us:.0f} µs)."
        )
    return (
        f"Its {excess:.0f} µs per step above the floor are {excess / scan_us:.1f}× the time of a step "
        f"inside the scan ({scan_us:.0f} µs, no Python between steps), more than {EXCESS_OF_COMPUTE:g}× "
        "(arithmetic on the two figures: in a pipelined run host and device work overlap, so the "
        "excess is not a sum of separate costs)."
    )


def scan_verdict(nnx_t: Timing, scan_t: Timing, floor_t: Timing) -> str:
    """The scanned loop against `nnx.jit`, and whether it gets below the floor of a Python loop."""
    speed = compare_timings("The scanned loop", scan_t, "`nnx.jit`", nnx_t, TIE)
    multiple = scan_t.median_s / floor_t.median_s
    if resolved(scan_t, floor_t, TIE) and multiple < 1:
        return (
            f"{speed}, and at {multiple:.2f}× the floor it is below it: it makes one call per run "
            "instead of one per step."
        )
    if not resolved(scan_t, floor_t, TIE):
        return f"{speed}; at {multiple:.2f}× the floor, this run does not tell it apart from the floor."
    return f"{speed}, but at {multiple:.2f}× the floor it is not below it."


def eager_index_verdict(eager_t: Timing, flat_t: Timing) -> str:
    """What indexing the batch eagerly, outside the step, adds to loop 6, spread-aware."""
    eager_us, flat_us = _us(eager_t), _us(flat_t)
    extra = eager_us - flat_us
    if resolved(eager_t, flat_t, TIE) and extra > 0:
        return (
            f"adds {extra:.0f} µs per step to loop 6 ({extra / flat_us:.0%} of its "
            f"{flat_us:.0f} µs) in this pipelined run: two small computations of their own, "
            "dispatched from Python before each call. The study paid them in every loop but the "
            "scanned one."
        )
    if resolved(eager_t, flat_t, TIE):
        return (
            f"measured {-extra:.0f} µs per step *less* than loop 6 ({flat_us:.0f} µs) in this run; "
            "it cannot take less work, so noise decides this comparison."
        )
    return (
        f"is not told apart from loop 6 by this run ({extra:+.0f} µs on {flat_us:.0f} µs, within "
        f"{TIE:.0%} or inside the {flat_t.spread} bands): in this pipelined run the eager indexing "
        "does not decide the comparison."
    )


def eager_takeaway(eager_t: Timing, flat_t: Timing) -> str:
    """The take-away on where to index the batch, from the same two timings as `eager_index_verdict`."""
    if resolved(eager_t, flat_t, TIE) and eager_t.median_s > flat_t.median_s:
        return (
            "Stage data on the device once and pass indices; index inside the step: here eager "
            f"indexing made loop 6 {eager_t.median_s / flat_t.median_s:.1f}× slower per step."
        )
    return (
        "Where to index the batch did not decide this run: eager indexing and indexing inside the "
        "step were not told apart for loop 6."
    )


def width_verdict(loop: str, narrow_speedup: float, wide_speedup: float) -> str:
    """How a loop's speedup over `nnx.jit` changes from the narrow to the wide model."""
    return change_words(f"{loop}'s speedup over `nnx.jit`", narrow_speedup, wide_speedup,
                        tie=TIE)


def torch_verdict(setting: str, jax_name: str, jax_t: Timing, torch_name: str, torch_t: Timing, noisy: bool) -> str:
    """One JAX loop against one PyTorch step at one setting (threads, width), each in its own process."""
    words = compare_timings(jax_name, jax_t, torch_name, torch_t, TIE)
    if noisy and resolved(jax_t, torch_t, TIE):
        words += " (in a run the noise check flags: see the box below)"
    return f"{setting}: {words}."


def thread_verdict(sides: dict[str, tuple[Timing, Timing]], cores: int, busy: bool) -> str:
    """Per side, whether it is faster, slower or not told apart on all cores than on one core.

    `sides` maps a name to (timing on 1 core, timing on all `cores`); `busy`: the machine's load
    average exceeded its cores during the run (`NoiseCheck.busy`), said once if any side is slower.
    """
    sentences, slower = [], False
    for side, (one_t, all_t) in sides.items():
        one, every = _us(one_t), _us(all_t)
        figures = f"{one:.0f} µs per step on 1 core, {every:.0f} µs on {cores}"
        if not resolved(one_t, all_t, TIE):
            sentences.append(f"{side} is not told apart on 1 core and on {cores} by this run ({figures}).")
        elif every > one:
            slower = True
            sentences.append(f"{side} is slower on all {cores} cores than on 1 ({figures}).")
        else:
            sentences.append(f"{side} is faster on all {cores} cores than on 1 ({figures}).")
    if slower and busy:
        sentences.append(
            "The machine's load exceeded its cores during this run (see the box below): threads that "
            "must meet at every step also waited for the scheduler, so the all-core figures say what "
            "all cores gave here, not on an idle machine."
        )
    return " ".join(sentences)


def _t(us: float, spread: float = 0.02) -> Timing:
    """A synthetic timing of `us` microseconds with a narrow band, for the flip tests."""
    return Timing(us * 1e-6, tuple(us * 1e-6 * (1 + d) for d in (-spread, 0, 0, 0, spread)), 1, "throughput")


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (floor_verdict, {"loop": "6", "loop_t": _t(30.0), "floor_t": _t(20.0)}, {"loop": "6", "loop_t": _t(90.0), "floor_t": _t(20.0)}),
    (floor_verdict, {"loop": "6", "loop_t": _t(30.0), "floor_t": _t(20.0)}, {"loop": "6", "loop_t": _t(21.0), "floor_t": _t(20.0)}),
    (excess_verdict, {"loop_us": 30.0, "floor_us": 20.0, "scan_us": 10.0}, {"loop_us": 90.0, "floor_us": 20.0, "scan_us": 10.0}),
    (
        scan_verdict,
        {"nnx_t": _t(300.0), "scan_t": _t(10.0), "floor_t": _t(20.0)},
        {"nnx_t": _t(300.0), "scan_t": _t(40.0), "floor_t": _t(20.0)},
    ),
    (eager_index_verdict, {"eager_t": _t(80.0), "flat_t": _t(40.0)}, {"eager_t": _t(41.0), "flat_t": _t(40.0)}),
    (eager_takeaway, {"eager_t": _t(80.0), "flat_t": _t(40.0)}, {"eager_t": _t(41.0), "flat_t": _t(40.0)}),
    (width_verdict, {"loop": "7", "narrow_speedup": 30.0, "wide_speedup": 3.0}, {"loop": "7", "narrow_speedup": 3.0, "wide_speedup": 3.1}),
    (
        torch_verdict,
        {"setting": "1 thread", "jax_name": "JAX", "jax_t": _t(10.0), "torch_name": "PyTorch", "torch_t": _t(100.0), "noisy": False},
        {"setting": "1 thread", "jax_name": "JAX", "jax_t": _t(100.0), "torch_name": "PyTorch", "torch_t": _t(10.0), "noisy": False},
    ),
    (
        torch_verdict,
        {"setting": "1 thread", "jax_name": "JAX", "jax_t": _t(10.0), "torch_name": "PyTorch", "torch_t": _t(100.0), "noisy": False},
        {"setting": "1 thread", "jax_name": "JAX", "jax_t": _t(10.0, 0.5), "torch_name": "PyTorch", "torch_t": _t(11.0, 0.5), "noisy": False},
    ),
    (
        thread_verdict,
        {"sides": {"PyTorch": (_t(10.0), _t(20.0))}, "cores": 2, "busy": False},
        {"sides": {"PyTorch": (_t(20.0), _t(10.0))}, "cores": 2, "busy": False},
    ),
    (
        thread_verdict,
        {"sides": {"PyTorch": (_t(10.0), _t(20.0))}, "cores": 2, "busy": False},
        {"sides": {"PyTorch": (_t(10.0), _t(10.5))}, "cores": 2, "busy": False},
    ),
]


def best_loop_over_floor(results: Results) -> float:
    """Time per step of the fastest one-call-per-step loop over the floor's (hidden 64)."""
    best = min(results.median(EXPERIMENT, loop, HIDDEN) for loop in PYTHON_LOOPS)
    return best / results.median(EXPERIMENT, FLOOR, HIDDEN)


def scan_speedup_over_nnx_jit(results: Results) -> float:
    """Time per step of `nnx.jit` over the scanned loop's (hidden 64; both run the same steps)."""
    return results.median(EXPERIMENT, NNX_JIT, HIDDEN) / results.median(EXPERIMENT, SCAN, HIDDEN)


GOALS: list[Goal] = [
    Goal("best Python loop per step ≤ 2× its floor (hidden 64)", best_loop_over_floor, at_most=FLOOR_CLOSE),
    Goal("scanned loop ≥ 30× faster per step than nnx.jit (hidden 64)", scan_speedup_over_nnx_jit, at_least=30.0),
]



# ---- the page's tables, figures and glue, read back from its Recorder ----


def label(name: str) -> str:
    """A loop as the page's tables and figures name it: its number, then its name."""
    return f"{VARIANTS[name].number} {name}" if name in VARIANTS else name


def _at(recorder: Recorder, experiment: str, size: int) -> dict[str, Timing]:
    """Every variant's timing of an experiment at one size."""
    out = {}
    for name in recorder.variants(experiment):
        series = recorder.series(experiment, name)
        if size in series.sizes:
            out[name] = series.timings[series.sizes.index(size)]
    return out


def _record(recorder: Recorder, experiment: str, name: str, size: int) -> Any:
    """The record of one variant at one size."""
    series = recorder.series(experiment, name)
    return series.records[series.sizes.index(size)]


def loops_text(recorder: Recorder, hidden: int) -> str:
    """Microseconds per step and first-run overhead of every loop at one width, as printed text."""
    lines = []
    for name, t in _at(recorder, EXPERIMENT, hidden).items():
        compile_s = _record(recorder, EXPERIMENT, name, hidden).compile_s
        lines.append(f"{label(name):>24}: {t.median_s * 1e6:8.1f} µs per step, first run +{compile_s:5.2f} s")
    return "\n".join(lines)


def best_loop(recorder: Recorder, hidden: int = HIDDEN) -> str:
    """The fastest one-call-per-step loop by median at `hidden` units."""
    times = _at(recorder, EXPERIMENT, hidden)
    return fastest({name: times[name].median_s for name in PYTHON_LOOPS})


def loops_markdown(recorder: Recorder, hidden: int) -> str:
    """The closing table of the loops at one width: median, band, multiple of the floor, speedup
    over `nnx.jit`, first-run overhead."""
    times = _at(recorder, EXPERIMENT, hidden)
    floor, nnx = times[FLOOR].median_s, times[NNX_JIT].median_s
    spread = times[FLOOR].spread
    lines = [f"| loop | µs per step | {spread} band, µs | × floor | speedup over `nnx.jit` | "
             "first-run overhead (trace + compile), s |", "|---|---|---|---|---|---|"]
    for name, t in times.items():
        if name == EAGER:
            continue
        compile_s = _record(recorder, EXPERIMENT, name, hidden).compile_s
        lines.append(f"| {label(name)} | {t.median_s * 1e6:.1f} | {t.low_s * 1e6:.1f}–{t.high_s * 1e6:.1f} | "
                     f"{t.median_s / floor:.2f} | {nnx / t.median_s:.1f} | {compile_s:.2f} |")
    return "\n".join(lines)


def loops_figure(times: dict[str, Timing], floor: Timing, title: str) -> Any:
    """Median time per step of every loop with whiskers over the spread, the floor dashed."""
    from perfguide.plotting import timing_bars

    fig = timing_bars([label(name) for name in times], list(times.values()), unit="us")
    ax = fig.axes[0]
    ax.axvline(floor.median_s * 1e6, color="black", linestyle="--",
               label="floor: jitted call, same arrays in and out, donated")
    ax.set_xlabel(f"time per training step (µs), pipelined runs; median and {floor.spread}")
    ax.set_title(title)
    fig.set_size_inches(7.5, 4.8)
    fig.subplots_adjust(left=0.3, bottom=0.22)
    fig.legend(loc="lower center")
    return fig


def glue_loops(recorder: Recorder, hidden: int) -> Any:
    """Glue the table and verdicts of the loops at one width; return the figure."""
    from perfguide.glue import glue_number, glue_words

    times = _at(recorder, EXPERIMENT, hidden)
    us = {name: t.median_s * 1e6 for name, t in times.items()}
    arrays = _record(recorder, EXPERIMENT, FLOOR, hidden).extra["arrays"]
    glue_number("n_arrays", arrays)
    glue_number("us_floor", us[FLOOR])
    glue_number("us_scan", us[SCAN])
    glue_words("loops_times", loops_markdown(recorder, hidden))
    best = best_loop(recorder, hidden)
    best_label = f"loop {VARIANTS[best].number} (`{best}`)"
    glue_words("best_loop", best_label)
    glue_words("floor_verdict", floor_verdict(best_label, times[best], times[FLOOR]))
    glue_words("excess_verdict", excess_verdict(us[best], us[FLOOR], us[SCAN]))
    glue_words("scan_verdict", scan_verdict(times[NNX_JIT], times[SCAN], times[FLOOR]))
    glue_words("eager_verdict", eager_index_verdict(times[EAGER], times[FLAT]))
    glue_words("eager_takeaway", eager_takeaway(times[EAGER], times[FLAT]))
    return loops_figure(times, times[FLOOR], f"hidden {hidden}: {arrays:.0f} state arrays, batch 4")


_TORCH = {TORCH_EAGER: dict(color="0.45", marker="s", linestyle="--"),
          TORCH_COMPILED: dict(color="black", marker="D", linestyle=":")}


def versus_experiment(threads: int) -> str:
    """The results' experiment of the comparison with PyTorch at one thread setting."""
    return f"versus PyTorch, {thread_label(threads)}"


def record_versus(recorder: Recorder, threads: int, run: Sides, steps: int) -> None:
    """Record both sides of one thread setting per step; torch.compile's first call as its
    compile time."""
    for side in (run.jax, run.torch):
        kinds = side.value.get("optimizer", {})  # PyTorch's Adam: fused or foreach
        for name, by_hidden in side.value["timings"].items():
            extra = {"optimizer": kinds[name]} if name in kinds else {}
            for hidden, t in by_hidden.items():
                compile_s = side.value["compile_s"][hidden] if name == TORCH_COMPILED else t.compile_s
                recorder.add(versus_experiment(threads), name, hidden, t.scaled(1 / steps),
                             compile_s=compile_s, threads=threads, steps=steps, **extra)


def versus_text(recorder: Recorder) -> str:
    """Microseconds per step of each side at each width and setting, as printed text."""
    lines = []
    for threads in thread_settings():
        experiment = versus_experiment(threads)
        for name in recorder.variants(experiment):
            series = recorder.series(experiment, name)
            for hidden, t in zip(series.sizes, series.timings):
                lines.append(f"{name:>20}, hidden {hidden:>4}, {thread_label(threads)}: "
                             f"{t.median_s * 1e6:8.1f} µs per step")
    return "\n".join(lines)


def versus_headline(recorder: Recorder) -> dict[str, Timing]:
    """Every figure of the comparison with PyTorch, by side, width and setting."""
    out = {}
    for threads in thread_settings():
        experiment = versus_experiment(threads)
        for name in recorder.variants(experiment):
            series = recorder.series(experiment, name)
            for hidden, t in zip(series.sizes, series.timings):
                out[f"{name}, {hidden}, {thread_label(threads)}"] = t
    return out


def glue_versus(recorder: Recorder, noise: NoiseCheck, steps: int) -> Any:
    """Glue the comparison with PyTorch (verdicts per setting and width, threads per side); return
    its figure: time per step against hidden units, one panel per thread setting."""
    import matplotlib.pyplot as plt

    from perfguide.glue import glue_number, glue_words
    from perfguide.plotting import timing_band

    settings = thread_settings()
    experiments = {threads: versus_experiment(threads) for threads in settings}
    first = experiments[settings[0]]
    names = recorder.variants(first)
    jax_loop = names[0]
    widths = recorder.series(first, jax_loop).sizes
    fig, axes = plt.subplots(1, len(settings), figsize=(8.0, 3.8), sharey=True)
    for ax, threads in zip(np.atleast_1d(axes), settings):
        for i, name in enumerate(names):
            series = recorder.series(experiments[threads], name)
            dodge = [h * 2 ** (0.12 * (i - (len(names) - 1) / 2)) for h in series.sizes]  # side by side
            style = _TORCH[name] if name in _TORCH else dict(color=color(name))
            timing_band(ax, dodge, series.timings, unit="us", bars=True, **style,
                        label=f"JAX {name}" if name in VARIANTS else name)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xticks(widths, [str(h) for h in widths])
        ax.set_xlim(min(widths) / 1.6, max(widths) * 1.6)
        ax.set_xlabel("hidden units")
        ax.set_title(f"{thread_label(threads)} each, own process")
    np.atleast_1d(axes)[0].set_ylabel("time per training step (µs)")
    fig.subplots_adjust(bottom=0.3)
    fig.legend(*np.atleast_1d(axes)[0].get_legend_handles_labels(), loc="lower center", ncols=2, fontsize=8)
    glue_number("steps", steps)
    glue_words("versus_widths", " and ".join(str(h) for h in widths))
    glue_words("adam_kind", _record(recorder, first, TORCH_EAGER, widths[0]).extra["optimizer"])
    sentences = []
    best_label = f"JAX's loop {VARIANTS[jax_loop].number} (`{jax_loop}`)"
    for threads in settings:
        for hidden in widths:
            times = _at(recorder, experiments[threads], hidden)
            torch_best = min([TORCH_EAGER, TORCH_COMPILED], key=lambda n: times[n].median_s)
            sentences.append(torch_verdict(f"{thread_label(threads)} each, {hidden} hidden units", best_label,
                                           times[jax_loop], torch_best, times[torch_best], noise.noisy))
    glue_words("torch_verdicts", " ".join(sentences))
    sides_at = {}
    for name in names:
        for hidden in widths:
            one, every = (_at(recorder, experiments[t], hidden)[name] for t in (settings[0], settings[-1]))
            sides_at[f"{name} ({hidden} hidden units)"] = (one, every)
    glue_words("thread_verdicts", thread_verdict(sides_at, settings[-1], noise.busy))
    return fig


def glue_wide(recorder: Recorder, narrow: int, wide: int) -> Any:
    """Glue the wide model's figures and verdicts; return the speedup figure (each loop and the
    floor over `nnx.jit`, at both widths)."""
    import matplotlib.pyplot as plt

    from perfguide.glue import glue_number, glue_words

    us = {hidden: {n: t.median_s * 1e6 for n, t in _at(recorder, EXPERIMENT, hidden).items()}
          for hidden in (narrow, wide)}
    names = [*VARIANTS, FLOOR]
    fig, ax = plt.subplots()
    positions = np.arange(len(names))
    for offset, hidden in zip([-0.2, 0.2], (narrow, wide)):
        speedup = [us[hidden][NNX_JIT] / us[hidden][n] for n in names]
        ax.bar(positions + offset, speedup, width=0.4, label=f"hidden {hidden}")
    ax.axhline(1, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xticks(positions, [label(n) for n in names], fontsize=8, rotation=30, ha="right")
    ax.set_ylabel("speedup over nnx.jit (×, same width)")
    ax.legend()
    fig.tight_layout()
    glue_number("wide_us_scan", us[wide][SCAN])
    glue_number("wide_us_nnx", us[wide][NNX_JIT])
    glue_words("width_verdict", "; ".join(
        width_verdict(words, us[narrow][NNX_JIT] / us[narrow][name], us[wide][NNX_JIT] / us[wide][name])
        for words, name in (("The scanned loop", SCAN), ("the flat-leaves loop", FLAT))))
    return fig


def headline(recorder: Recorder) -> dict[str, Timing]:
    """Every figure of the page, for the noise check."""
    out = {}
    for hidden in recorder.series(EXPERIMENT, FLOOR).sizes:
        out |= {f"{label(name)}, hidden {hidden}": t for name, t in _at(recorder, EXPERIMENT, hidden).items()}
    return out | versus_headline(recorder)
