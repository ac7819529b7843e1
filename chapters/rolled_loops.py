"""Verdicts, figures, glue and speed goals of the page notebooks/rolled_loops.md.

Every outcome sentence of the page is picked here from measured numbers; the thresholds are the
named constants below and each sentence states the one it used. The page's `Recorder` holds
- "rolled": variant (a `LABELS` key), size = steps, extra `threads`: seconds per call of `steps`
  steps, each library in a process of its own, compile time where there is one;
- "compile": `fori_loop` / `scan`, size = steps: seconds per compilation, several compilations;
- "unroll": `scan`, size = k, extra `steps`: `scan(..., unroll=k)` in the notebook's process;
- "post": "Python for" / "scan", size = steps: the post's scripts in the notebook's process.
"""

import math
from typing import Any

from perfguide.goals import Goal, Results
from perfguide.records import Recorder, Series
from perfguide.timing import Timing
from perfguide.verdicts import compare_timings, ratio_words, resolved

TIE = 0.10  # two times within 10% of each other are a tie
SHORT_LOOP_LARGE = 0.25  # a fixed cost per call over a quarter of a step's own time: worth batching steps
COMPILE_FLAT_TIE = 0.25  # median compile times within 25% of each other over the sweep: flat
WORK_FACTOR = 1.5  # over 1.5x `unroll=1`'s flops per step (XLA's cost analysis): the body added work
COMPILE_SHARE = 0.5  # compilation over half of a first call: the compiler dominated it


def _x(ratio: float) -> str:
    return f"{ratio:.2f}×" if ratio < 10 else f"{ratio:,.0f}×"


def rolled_vs_numpy_verdict(numpy: Timing, jax: Timing, jax_name: str, tie: float = TIE,
                            numpy_name: str = "NumPy") -> str:
    """The rolled JAX loop against NumPy: a ratio only when the run tells them apart."""
    return compare_timings(jax_name, jax, numpy_name, numpy, tie)


def compiled_vs_compiled_verdict(torch: Timing | None, jax: Timing, jax_name: str,
                                 tie: float = TIE) -> str:
    """The two compiled steps, each called in a Python loop: `jax.jit` against `torch.compile`."""
    if torch is None:
        return "`torch.compile` failed here, so there is no compiled PyTorch side to compare"
    return compare_timings(jax_name, jax, "`torch.compile` of the step", torch, tie)


def threads_verdict(library: str, one: Timing, every: Timing, cores: int, tie: float = TIE,
                    backend: str = "cpu") -> str:
    """One library at all cores against the same library at one thread, each in its own process.

    On a GPU the pinning limits only the host threads that launch the work."""
    where = f"{cores} cores" if backend == "cpu" else f"{cores} host cores (the {backend} does the work)"
    ratio = one.median_s / every.median_s
    if not resolved(one, every, tie):
        return (f"{library} on {where} and on one are not told apart (medians within "
                f"{tie:.0%}, or {one.spread} bands that overlap)")
    if ratio > 1:
        return f"{library} gains {_x(ratio)} from {where}"
    return f"{library} is {_x(1 / ratio)} slower on {where} than on one"


def same_program_verdict(identical: bool, steps: int) -> str:
    """Do `fori_loop` and `scan` compile to one program? Then `scan` stands for both."""
    if identical:
        return (f"at {steps} steps the optimised HLO of the `fori_loop` and of the `scan` is "
                "identical, names and source locations aside: they are one program, and `scan` "
                "stands for both in every ratio below")
    return (f"at {steps} steps the optimised HLO of the `fori_loop` and of the `scan` differ, so "
            "both are shown; `scan` stands for the rolled loops in the ratios below")


def fori_vs_scan_verdict(fori: Timing, scan: Timing, identical: bool, tie: float = TIE) -> str:
    """`fori_loop` against `scan`, measured alternately: not told apart, or a gap and its nature."""
    if not resolved(fori, scan, tie):
        return (f"`fori_loop` and `scan` are not told apart (medians within {tie:.0%}, or "
                f"{fori.spread} bands that overlap)")
    gap = ratio_words(scan.median_s / fori.median_s, "`fori_loop`", "`scan`", tie)
    if identical:
        return (f"{gap}; as the two compiled programs are identical, that gap is variation between "
                "runs of one program, not a difference between the loops")
    return f"{gap}, and their compiled programs differ"


def short_loop_verdict(short: Timing, long: Timing, tie: float = TIE,
                       large: float = SHORT_LOOP_LARGE) -> str:
    """Per-step time of the shortest call over the longest: does a fixed cost per call show?"""
    ratio = short.median_s / long.median_s
    if not resolved(short, long, tie) or ratio < 1:
        return (f"{_x(ratio)} its time in the longest run: no fixed cost per call shows (a gap needs "
                f"over {tie:.0%} and bands apart)")
    if ratio < 1 + large:
        return (f"{_x(ratio)} its time in the longest run: a fixed cost per call (dispatch, handing "
                f"over the arguments) shows, {ratio - 1:.0%} of a step, below the {large:.0%} we "
                "would call large (where batching more steps into one call starts to pay)")
    return (f"{_x(ratio)} its time in the longest run, over the {large:.0%} we call large: a fixed "
            "cost per call (dispatch, handing over the arguments), which a short loop shares "
            "among fewer steps, so batching more steps into one call pays")


def torch_compile_words(device: str) -> str:
    """What `torch.compile`'s inductor generates on this device."""
    if device == "cuda":
        return "generates Triton kernels for the GPU and compiles them"
    return "generates C++ and builds it with the machine's compiler"


def graph_breaks_verdict(count: int | None) -> str:
    """`torch._dynamo.explain` on the step: one graph, or breaks that leave parts eager."""
    if count is None:
        return "`torch._dynamo.explain` was not run"
    if count == 0:
        return "`torch._dynamo.explain` finds no graph break in the step: it compiles as one graph"
    return (f"`torch._dynamo.explain` finds {count} graph break(s) in the step: parts of it run "
            "eagerly between compiled graphs")


def torch_compile_verdict(compile_s: float | None, error: str | None, device: str = "cpu") -> str:
    """Whether `torch.compile` worked here, and what its first call cost."""
    if error is not None or compile_s is None:
        return f"`torch.compile` failed here ({error}), so the figure has no line for it."
    made = "generating Triton kernels" if device == "cuda" else "generating and building C++"
    return (f"`torch.compile` works offline here: its first call took {compile_s:.1f} s (loading the "
            f"compiler, {made}), which is kept apart from its time per step.")


def compile_is_flat(times: list[Timing], tie: float = COMPILE_FLAT_TIE) -> bool:
    """Median compile times within `tie` of each other over the sweep, or no trend resolved."""
    slowest = max(times, key=lambda t: t.median_s)
    fastest = min(times, key=lambda t: t.median_s)
    return slowest.median_s <= (1 + tie) * fastest.median_s or not resolved(slowest, fastest, tie)


def compile_flat_verdict(name: str, times: list[Timing], tie: float = COMPILE_FLAT_TIE) -> str:
    """Compile times over the step sweep (repeated compilations per count): flat, or not."""
    slowest = max(times, key=lambda t: t.median_s)
    fastest = min(times, key=lambda t: t.median_s)
    ratio = slowest.median_s / fastest.median_s
    if ratio <= 1 + tie:
        return (f"`{name}`'s median compile time stays within {tie:.0%} over the sweep "
                f"(largest over smallest {ratio:.2f}): the count is only the loop's trip count")
    if compile_is_flat(times, tie):
        return (f"`{name}`'s median compile time varies by {ratio:.2f}× over the sweep, more than "
                f"{tie:.0%}, but the {slowest.spread} bands of its slowest and fastest counts "
                "overlap: no trend with the count is resolved")
    return (f"`{name}`'s median compile time varies by {ratio:.2f}× over the sweep, more than "
            f"{tie:.0%} and beyond the spread of its repeats: it changed with the step count here")


def breakeven_verdict(compile_s: float, numpy_step: Timing, jax_step: Timing,
                      tie: float = TIE) -> str:
    """When a compiled `scan` run once catches up with NumPy, counting its compilation."""
    numpy_s, jax_s = numpy_step.median_s, jax_step.median_s
    if resolved(numpy_step, jax_step, tie) and numpy_s > jax_s:
        steps = compile_s / (numpy_s - jax_s)
        return (f"with a step {_x(numpy_s / jax_s)} faster than NumPy's, a `scan` run once "
                f"catches up with NumPy, compilation included, after about {steps:,.0f} steps")
    return (f"with a step not resolved as faster than NumPy's (by more than {tie:.0%}, bands "
            "apart), compiling does not pay for a `scan` run once here")


def unroll_verdict(best_k: int, best_high_s: float, one_low_s: float, spread: str,
                   one_high_s: float = math.inf, others_low_s: float = 0.0) -> str:
    """A clear gain from `unroll=k`: the best k's upper band edge below `unroll=1`'s lower edge;
    a clear loss: `unroll=1`'s upper edge below every other k's lower edge."""
    if best_k != 1 and best_high_s < one_low_s:
        return (f"unrolling pays: `unroll={best_k}` is the fastest, and its {spread} lies wholly "
                "below that of `unroll=1`")
    if best_k == 1 and one_high_s < others_low_s:
        return (f"unrolling hurts: every `k` above 1 is slower than `unroll=1`, their {spread}s "
                "wholly above its own")
    return (f"unrolling brings no clear gain: no `k` beats `unroll=1` by more than the spread of "
            f"the repeats ({spread})")


def unroll_body_verdict(flops: float, flops_one: float, bytes_: float, bytes_one: float, k: int,
                        factor: float = WORK_FACTOR) -> str:
    """Per step, XLA's cost analysis of `unroll=k` against `unroll=1`: does the body add work?"""
    ratio = flops / flops_one
    if ratio > factor:
        return (f"Per step, XLA's cost analysis counts {_x(ratio)} the floating-point operations "
                f"and {_x(bytes_ / bytes_one)} the bytes accessed with `unroll={k}` as with "
                f"`unroll=1` (over {factor:g}×): as with the Python loop, the fused steps recompute "
                "intermediate fields, work which the saved loop iterations have to pay for.")
    return (f"Per step, XLA's cost analysis counts {_x(ratio)} the floating-point operations and "
            f"{_x(bytes_ / bytes_one)} the bytes accessed with `unroll={k}` as with `unroll=1` "
            f"(not over {factor:g}×): the unrolled body adds little work of its own.")


def post_reason_verdict(share: float, threshold: float = COMPILE_SHARE) -> str:
    """Was the unrolled script's first call mostly compilation?"""
    if share > threshold:
        return (f"over {threshold:.0%}: most of the unrolled script's first call was the "
                "compiler")
    return (f"at most {threshold:.0%}: the unrolled script's first call was mostly running, not "
            "compiling")


def post_run_verdict(call_10: Timing, call_post: Timing, post_steps: int,
                     tie: float = TIE) -> str:
    """Compilation apart, does the unrolled loop's compiled call grow faster than its steps?"""
    per_step = (call_post.median_s / post_steps) / (call_10.median_s / 10)
    growth = f"{call_post.median_s * 1e3:,.1f} ms at {post_steps} steps"
    if per_step > 1 + tie and call_post.low_s / post_steps > call_10.high_s / 10:
        return (f"Compilation apart, its compiled call still takes {growth}, {per_step:,.0f}× the "
                "time per step of its 10-step version: the unrolled program also runs slower as "
                "it grows, so the post's verdict on the unrolled loop stands at its own 100 "
                "steps, for the run as well as for the compiler.")
    return (f"Compilation apart, its compiled call takes {growth}, within {tie:.0%} of its "
            "10-step version per step (or not resolved): the post's slow unrolled script was "
            "compile time.")


def post_advice_verdict(unrolled_compile_s: float, scan_compile_s: float, steps: int,
                        scan_flat: bool, tie: float = TIE) -> str:
    """Does the post's advice (a loop construct JAX does not unroll) buy compile time here, at
    equal step counts? `scan_flat`: section 2's outcome for `scan`'s compile time."""
    ratio = unrolled_compile_s / scan_compile_s
    grows = ("the `scan`'s compile time stayed flat over the step sweep of section 2" if scan_flat
             else "although the `scan`'s own compile time was not flat over the sweep here")
    if ratio >= 1 + tie:
        return (f"The post's advice, to use a loop construct that JAX does not unroll, holds: at "
                f"{steps:,} steps each, the unrolled loop compiles {_x(ratio)} as long as the `scan` "
                f"(more than {tie:.0%}), and {grows}.")
    return (f"At {steps:,} steps each the post's advice buys no compile time here: the unrolled "
            f"loop compiles in {_x(ratio)} the `scan`'s time (a gain needs over {tie:.0%}).")


def rounds_words(rounds: int) -> str:
    """What the bands of the isolated sweep include."""
    if rounds > 1:
        return (f"Each setting ran in {rounds} rounds of processes, in alternation, and the bands "
                "pool their repeats, so they include the difference between processes.")
    return ("In this build each setting ran in one process: the bands show the spread within that "
            "process, not between processes.")


def _t(median_s: float) -> Timing:
    """A synthetic timing with a narrow band around `median_s`, for the flip tests."""
    return Timing(median_s, tuple(median_s * f for f in (0.98, 0.99, 1.0, 1.01, 1.02)), 1)


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (rolled_vs_numpy_verdict, dict(numpy=_t(3.0), jax=_t(1.0), jax_name="scan"),
     dict(numpy=_t(1.0), jax=_t(3.0), jax_name="scan")),
    (compiled_vs_compiled_verdict, dict(torch=_t(3.0), jax=_t(1.0), jax_name="scan"),
     dict(torch=_t(1.0), jax=_t(3.0), jax_name="scan")),
    (threads_verdict, dict(library="NumPy", one=_t(2.0), every=_t(1.0), cores=2),
     dict(library="NumPy", one=_t(1.0), every=_t(1.0), cores=2)),
    (threads_verdict, dict(library="NumPy", one=_t(2.0), every=_t(1.0), cores=2),
     dict(library="NumPy", one=_t(2.0), every=_t(1.0), cores=2, backend="gpu")),
    (same_program_verdict, dict(identical=True, steps=10), dict(identical=False, steps=10)),
    (fori_vs_scan_verdict, dict(fori=_t(1.0), scan=_t(1.02), identical=True),
     dict(fori=_t(1.0), scan=_t(2.0), identical=True)),
    (short_loop_verdict, dict(short=_t(2.0), long=_t(1.0)), dict(short=_t(1.0), long=_t(1.0))),
    (short_loop_verdict, dict(short=_t(1.15), long=_t(1.0)), dict(short=_t(2.0), long=_t(1.0))),
    (torch_compile_words, dict(device="cpu"), dict(device="cuda")),
    (graph_breaks_verdict, dict(count=0), dict(count=2)),
    (torch_compile_verdict, dict(compile_s=5.0, error=None), dict(compile_s=None, error="no compiler")),
    (torch_compile_verdict, dict(compile_s=5.0, error=None),
     dict(compile_s=5.0, error=None, device="cuda")),
    (compile_flat_verdict, dict(name="scan", times=[_t(1.0), _t(1.05)]),
     dict(name="scan", times=[_t(1.0), _t(3.0)])),
    (breakeven_verdict, dict(compile_s=0.1, numpy_step=_t(2e-4), jax_step=_t(1e-4)),
     dict(compile_s=0.1, numpy_step=_t(1e-4), jax_step=_t(1e-4))),
    (unroll_verdict, dict(best_k=4, best_high_s=1.0, one_low_s=2.0, spread="IQR"),
     dict(best_k=1, best_high_s=1.0, one_low_s=1.0, spread="IQR")),
    (unroll_body_verdict, dict(flops=5.0, flops_one=1.0, bytes_=2.0, bytes_one=1.0, k=16),
     dict(flops=1.0, flops_one=1.0, bytes_=1.0, bytes_one=1.0, k=16)),
    (post_reason_verdict, dict(share=0.9), dict(share=0.1)),
    (post_advice_verdict, dict(unrolled_compile_s=2.0, scan_compile_s=0.1, steps=10, scan_flat=True),
     dict(unrolled_compile_s=0.1, scan_compile_s=0.1, steps=10, scan_flat=True)),
    (post_advice_verdict, dict(unrolled_compile_s=2.0, scan_compile_s=0.1, steps=10, scan_flat=True),
     dict(unrolled_compile_s=2.0, scan_compile_s=0.1, steps=10, scan_flat=False)),
    (rounds_words, dict(rounds=1), dict(rounds=2)),
    (post_run_verdict, dict(call_10=_t(1e-3), call_post=_t(1e-2), post_steps=100),
     dict(call_10=_t(1e-3), call_post=_t(1e-1), post_steps=100)),
    (unroll_verdict, dict(best_k=1, best_high_s=1.0, one_low_s=0.9, spread="IQR",
                          one_high_s=1.0, others_low_s=1.5),
     dict(best_k=1, best_high_s=1.0, one_low_s=0.9, spread="IQR")),
]


# Figures, tables and glue: plumbing, kept out of the notebook. Per-step timings are Timings
# scaled to µs per step.
LABELS = {"NumPy": "NumPy as in the post (np.gradient)",
          "NumPy, preallocated": "NumPy into preallocated buffers", "scan": "`scan`",
          "fori_loop": "`fori_loop`", "jax.jit(step)": "`jax.jit(step)` in a Python loop",
          "PyTorch eager": "PyTorch eager", "torch.compile": "`torch.compile` of the step",
          "Numba": "Numba's compiled loop (`@njit`)"}
STYLES = {"fori_loop": ("C0", "o", "-"), "scan": ("C1", "s", "-"),
          "jax.jit(step)": ("C2", "x", "-"), "PyTorch eager": ("C4", "^", "-"),
          "torch.compile": ("C5", "v", "-"), "Numba": ("C3", "P", "-"),
          "NumPy": ("0.55", "", ":"), "NumPy, preallocated": ("k", "", "--")}
NUMPY_VARIANTS = ("NumPy", "NumPy, preallocated")  # the best of them is the reference


def rolled(recorder: Recorder, name: str, threads: int) -> Series:
    """One side of the isolated sweep at one thread setting."""
    return recorder.series("rolled", name, threads=threads)


def per_step(recorder: Recorder, threads: int, name: str, steps: int | None = None) -> Timing:
    """An isolated side's timing in µs per step (at the largest count by default)."""
    series = rolled(recorder, name, threads)
    steps = steps or series.sizes[-1]
    return series.timings[series.sizes.index(steps)].scaled(1e6 / steps)


def best_numpy(recorder: Recorder, threads: int) -> str:
    """The NumPy variant with the lower median at the largest step count: NumPy's best path."""
    present = [name for name in NUMPY_VARIANTS if rolled(recorder, name, threads).sizes]
    return min(present, key=lambda name: rolled(recorder, name, threads).timings[-1].median_s)


def headline(recorder: Recorder, settings: list[int]) -> dict[str, Timing]:
    """Every isolated side at the largest count, for the noise check."""
    from perfguide.threads import thread_label

    return {f"{LABELS[name]}, {thread_label(t)}": rolled(recorder, name, t).timings[-1]
            for t in settings for name in recorder.variants("rolled")
            if rolled(recorder, name, t).sizes}


def per_step_figure(recorder: Recorder, settings: list[int]) -> Any:
    """Time per step against steps per call: one panel per thread setting."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log, timing_band
    from perfguide.threads import thread_label

    fig, axes = plt.subplots(1, len(settings), figsize=(8.8, 4.1), sharex=True, sharey=True,
                             layout="constrained", squeeze=False)
    for ax, threads in zip(axes[0], settings):
        for name, (color, marker, line) in STYLES.items():
            series = rolled(recorder, name, threads)
            if series.sizes:
                timing_band(ax, series.sizes, series.timings, per=series.sizes, color=color,
                            marker=marker, linestyle=line,
                            lw=2.2 if name in NUMPY_VARIANTS else None,
                            label=LABELS[name].replace("`", ""))
        ax.set(xlabel="steps per call", title=f"{thread_label(threads)} each")
        plain_log(ax)
    axes[0, 0].set_ylabel("time per step (µs), latency")
    fig.legend(*axes[0, -1].get_legend_handles_labels(), loc="outside lower center", ncols=3,
               fontsize=8)
    return fig


def per_step_table(recorder: Recorder, settings: list[int]) -> str:
    """Markdown table: µs per step at the largest count for every side and thread setting, and
    compile time in the 1-thread process."""
    from perfguide.threads import thread_label

    one = settings[0]
    rows = ["| side | " + " | ".join(f"µs per step, {thread_label(t)} each" for t in settings)
            + " | compile (s), 1-thread process |", "|---" * (len(settings) + 2) + "|"]
    for name in LABELS:
        series = rolled(recorder, name, one)
        if series.sizes:
            cells = [f"{per_step(recorder, t, name).median_s:,.1f}" for t in settings]
            first = series.records[-1].compile_s
            rows.append(f"| {LABELS[name]} | " + " | ".join(cells)
                        + (f" | {first:.2f} |" if first else " | none |"))
    return "\n".join(rows)


def compile_figure(recorder: Recorder, numpy: Series, numpy_label: str) -> Any:
    """Compile time of the rolled loops (repeated) and NumPy's run time of the same steps."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log, timing_band

    fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    for name, color, marker in [("fori_loop", "C0", "o"), ("scan", "C1", "s")]:
        series = recorder.series("compile", name)
        timing_band(ax, series.sizes, series.timings, unit="s", bars=True, color=color,
                    marker=marker, label=f"{name} compile (median of "
                    f"{series.timings[0].repeats}, {series.timings[0].spread})")
    ax.plot(numpy.sizes, numpy.medians_s, "k--", lw=2.2,
            label=f"{numpy_label}: run time of the same steps")
    ax.set(xlabel="steps in the loop", ylabel="seconds")
    plain_log(ax)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=8)
    return fig


def unroll_figure(series: Series, steps: int) -> Any:
    """Time per step (µs) and compile time against `unroll=k`."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log, timing_band

    ks = series.sizes
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.4), layout="constrained")
    timing_band(left, ks, series.timings, per=steps, color="C1", marker="s",
                label=f"scan, median and {series.timings[0].spread}")
    left.set(xlabel="unroll (steps per iteration)", ylabel="time per step (µs), latency",
             title=f"{steps:,} steps per call")
    left.legend(loc="upper left")
    right.plot(ks, [r.compile_s for r in series.records], "s-", color="C1")
    right.set(xlabel="unroll (steps per iteration)", ylabel="compile time (s)",
              title="one compilation each")
    for ax in (left, right):
        plain_log(ax)
        ax.set_xticks(ks, [str(k) for k in ks])
    return fig


def glue_rolled(recorder: Recorder, settings: list[int], identical: bool, rounds: int,
                side: Any, device: str, backend: str) -> None:
    """Section 1: the cross-library verdicts, each side from its own process. `side`: the PyTorch
    process's `Side` (its failures and graph-break count)."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    one, every = settings[0], settings[-1]
    steps_list = rolled(recorder, "scan", one).sizes
    t = per_step(recorder, one, "scan")
    glue_figure("fig_per_step", per_step_figure(recorder, settings))
    glue_words("per_step_table", per_step_table(recorder, settings))
    glue_words("torch_made", torch_compile_words(device))
    glue_words("pinning_words", "Here the work runs on the CPU, on the pinned cores."
               if backend == "cpu" else
               f"On this {backend.upper()} the pinning limits only the host threads that launch "
               "the work, not the device.")
    glue_words("rounds_words", rounds_words(rounds))
    glue_words("band_words", f"{t.spread} of {t.repeats} repeats"
               + (f" pooled over {rounds} processes" if rounds > 1 else ""))
    glue_words("same_program", same_program_verdict(identical, 10))
    glue_words("fori_vs_scan", fori_vs_scan_verdict(
        per_step(recorder, one, "fori_loop"), t, identical))
    for key, n in (("one", one), ("all", every)):
        scan, jit_step = per_step(recorder, n, "scan"), per_step(recorder, n, "jax.jit(step)")
        best = best_numpy(recorder, n)
        glue_words(f"rolled_{key}", rolled_vs_numpy_verdict(
            per_step(recorder, n, best), scan, "`scan`", numpy_name=LABELS[best]))
        glue_words(f"post_numpy_{key}", rolled_vs_numpy_verdict(
            per_step(recorder, n, "NumPy"), scan, "`scan`", numpy_name=LABELS["NumPy"]))
        glue_words(f"buffers_{key}", compare_timings(
            LABELS["NumPy, preallocated"], per_step(recorder, n, "NumPy, preallocated"),
            LABELS["NumPy"], per_step(recorder, n, "NumPy")))
        numba = rolled(recorder, "Numba", n)
        glue_words(f"numba_{key}", compare_timings(
            "`scan`", scan, LABELS["Numba"], per_step(recorder, n, "Numba"))
            if numba.sizes else "Numba did not run here")
        compiled = rolled(recorder, "torch.compile", n)
        glue_words(f"compiled_{key}", compiled_vs_compiled_verdict(
            per_step(recorder, n, "torch.compile") if compiled.sizes else None,
            jit_step, "`jax.jit` of the step"))
        glue_words(f"inside_{key}", compare_timings(
            "`scan`", scan, "`jax.jit(step)` in a Python loop", jit_step))
    glue_words("threads_words", "; ".join(
        threads_verdict(LABELS[name], per_step(recorder, one, name),
                        per_step(recorder, every, name), every, backend=backend)
        for name in ("NumPy", "NumPy, preallocated", "Numba", "scan", "jax.jit(step)",
                     "PyTorch eager", "torch.compile")
        if rolled(recorder, name, every).sizes))
    glue_words("short_reason", short_loop_verdict(
        per_step(recorder, one, "scan", steps_list[0]), t))
    glue_words("graph_breaks", graph_breaks_verdict(side.notes.get("graph_breaks")))
    compiled = rolled(recorder, "torch.compile", one)
    glue_words("torch_compile_verdict", torch_compile_verdict(
        compiled.records[-1].compile_s if compiled.sizes else None,
        side.failed.get("torch.compile"), device))
    glue_number("max_steps", steps_list[-1])
    glue_number("min_steps", steps_list[0])
    glue_number("cores", every)


def glue_compile(recorder: Recorder, every: int) -> bool:
    """Section 2: compile times against the sweep; returns whether `scan`'s stayed flat."""
    from perfguide.glue import glue_figure, glue_number, glue_words
    from perfguide.threads import thread_label

    best = best_numpy(recorder, every)
    numpy = rolled(recorder, best, every)
    glue_figure("fig_compile", compile_figure(recorder, numpy,
                                              f"{LABELS[best]} ({thread_label(every)})"))
    glue_words("compile_numpy", LABELS[best])
    scan = recorder.series("compile", "scan").timings
    glue_number("compile_repeats", scan[0].repeats)
    glue_number("scan_compile_first_ms", scan[0].median_s * 1e3)
    glue_number("scan_compile_last_ms", scan[-1].median_s * 1e3)
    glue_words("compile_flat", "; ".join(
        compile_flat_verdict(name, recorder.series("compile", name).timings)
        for name in ("fori_loop", "scan")))
    numpy_step, scan_step = (per_step(recorder, every, n).scaled(1e-6) for n in (best, "scan"))
    glue_number("scan_compile_in_numpy_steps", scan[-1].median_s / numpy_step.median_s)
    glue_words("breakeven", breakeven_verdict(scan[-1].median_s, numpy_step, scan_step))
    return compile_is_flat(scan)


def glue_unroll(recorder: Recorder, cost: dict[int, tuple[float, float]]) -> None:
    """Section 3: `unroll=k` timings (notebook process), compile times and XLA's cost per step."""
    import numpy as np

    from perfguide.glue import glue_figure, glue_number, glue_words

    series = recorder.series("unroll", "scan")
    ks, steps = series.sizes, series.records[0].extra["steps"]
    glue_figure("fig_unroll", unroll_figure(series, steps))
    per = [t.scaled(1e6 / steps) for t in series.timings]
    med = np.array([t.median_s for t in per])
    best = int(np.argmin(med))
    compile_s = [r.compile_s for r in series.records]
    glue_number("unroll_gain", med[0] / med[best])
    glue_number("unroll_k_max", ks[-1])
    glue_number("unroll_max_ratio", med[-1] / med[0])
    glue_number("unroll_max_compile_ratio", compile_s[-1] / compile_s[0])
    glue_number("instr_unroll_1", series.records[0].extra["hlo_instructions"])
    glue_number("instr_unroll_max", series.records[-1].extra["hlo_instructions"])
    glue_words("unroll_body", unroll_body_verdict(cost[ks[-1]][0], cost[1][0], cost[ks[-1]][1],
                                                  cost[1][1], ks[-1]))
    glue_words("unroll_verdict", unroll_verdict(
        ks[best], per[best].high_s, per[0].low_s, per[0].spread, one_high_s=per[0].high_s,
        others_low_s=min((t.low_s for t in per[1:]), default=math.inf)))


def _at(series: Series, steps: int) -> tuple[Timing, float]:
    """The timing and compile time of a series at one step count."""
    i = series.sizes.index(steps)
    return series.timings[i], series.records[i].compile_s


def glue_post(recorder: Recorder, numpy_10: Timing, scan_isolated_10: Timing, scan_flat: bool,
              post_steps: int = 100) -> None:
    """The post's table and ratios: the JAX scripts from this process, NumPy from its own."""
    from perfguide.glue import glue_number, glue_words

    unrolled, scan = recorder.series("post", "Python for"), recorder.series("post", "scan")
    post_u = post_steps if post_steps in unrolled.sizes else unrolled.sizes[-1]
    (post, post_c), (u10, u10_c), (s10, s10_c) = (
        _at(unrolled, post_u), _at(unrolled, 10), _at(scan, 10))
    rows = {"numpy": (numpy_10, None), "unrolled": (post, post_c),
            "unrolled10": (u10, u10_c), "scan": (s10, s10_c)}
    for key, (timing, compile_s) in rows.items():
        glue_number(f"post_{key}_first_ms", timing.first_call_s * 1e3)
        glue_number(f"post_{key}_call_ms", timing.median_s * 1e3)
        if compile_s is not None:
            glue_number(f"post_{key}_compile_ms", compile_s * 1e3)
    glue_number("post_unrolled_steps", post_u)
    glue_number("post_ratio_first", post.first_call_s / s10.first_call_s)
    glue_number("matched_compile_ratio", u10_c / s10_c)
    glue_words("matched_call", compare_timings("the unrolled loop", u10, "`scan`", s10))
    glue_words("matched_numpy", rolled_vs_numpy_verdict(numpy_10, scan_isolated_10, "`scan`"))
    share = post_c / post.first_call_s
    glue_number("post_compile_share", 100 * share)
    glue_words("post_reason", post_reason_verdict(share))
    glue_words("post_run", post_run_verdict(u10, post, post_u))
    glue_words("post_advice", post_advice_verdict(u10_c, s10_c, 10, scan_flat))


# Speed goals, read by `make bench` from the page's results file: "rolled" records (variant,
# steps, threads: seconds per call of `steps` steps, each side in its own process) and "compile"
# records (variant, steps: seconds per compilation, median of several).
def rolled_over_numpy(threads: str) -> Any:
    """NumPy's best time (of its variants) over `scan`'s (which stands for the rolled loops) at
    the largest step count; 'one' or 'all' threads."""

    def measure(results: Results) -> float:
        pick = (min if threads == "one" else max)
        counts = {r["threads"] for r in results.records if r["experiment"] == "rolled"}
        n = pick(counts)
        steps = max(results.sizes("rolled", "NumPy"))
        numpy = min(results.median("rolled", name, steps, threads=n) for name in NUMPY_VARIANTS
                    if steps in results.sizes("rolled", name))
        return numpy / results.median("rolled", "scan", steps, threads=n)

    return measure


def compile_spread(name: str) -> Any:
    """Largest over smallest median compile time of `name` across the step sweep."""

    def measure(results: Results) -> float:
        times = [results.median("compile", name, steps) for steps in results.sizes("compile", name)]
        return max(times) / min(times)

    return measure


GOALS: list[Goal] = [
    Goal("rolled loops ≥ NumPy per step at the largest step count, 1 thread each "
         "(NumPy's best time / scan time)", rolled_over_numpy("one"), at_least=1),
    Goal("rolled loops ≥ NumPy per step at the largest step count, all cores each "
         "(NumPy's best time / scan time)", rolled_over_numpy("all"), at_least=1),
    Goal("fori_loop compile time flat from 10 to 10,000 steps (largest / smallest median)",
         compile_spread("fori_loop"), at_most=1.5),
    Goal("scan compile time flat from 10 to 10,000 steps (largest / smallest median)",
         compile_spread("scan"), at_most=1.5),
]
