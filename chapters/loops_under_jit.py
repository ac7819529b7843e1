"""Verdicts and speed goals of the page notebooks/loops_under_jit.md.

Every outcome sentence of the page is picked here from measured numbers; the thresholds are the
named constants below and each sentence states the one it used.
"""

from typing import Any

from perfguide.goals import Goal, Results
from perfguide.timing import Timing
from perfguide.verdicts import compare_timings, ratio_words, resolved

TIE = 0.10  # two times within 10% of each other are a tie
SHORT_LOOP_LARGE = 0.25  # a fixed cost per call over a quarter of a step's own time: worth batching steps
COMPILE_FLAT_TIE = 0.25  # median compile times within 25% of each other over the sweep: flat
WORK_FACTOR = 1.5  # over 1.5x a lone step's flops per step (XLA's cost analysis): XLA added work
COMPILE_SHARE = 0.5  # compilation over half of a first call: the compiler dominated it


def _x(ratio: float) -> str:
    return f"{ratio:.2f}×" if ratio < 10 else f"{ratio:,.0f}×"


def program_growth_verdict(per_step_first: float, per_step_last: float, tie: float = TIE) -> str:
    """Does the optimised program of the unrolled loop grow faster than the steps?"""
    ratio = per_step_last / per_step_first
    if ratio >= 1 + tie:
        return (f"The compiled program grows faster than the steps: its HLO instructions per step "
                f"rose {_x(ratio)} from one step to the largest count (more than {tie:.0%})")
    if ratio <= 1 / (1 + tie):
        return (f"The compiled program grows more slowly than the steps: its HLO instructions per "
                f"step fell {_x(1 / ratio)} from one step to the largest count (more than {tie:.0%})")
    return (f"The compiled program grows in proportion to the steps: its HLO instructions per step "
            f"stayed within {tie:.0%} from one step to the largest count")


def unrolled_slowdown_verdict(lone: Timing, per_step: Timing, scan: Timing, steps: int,
                              tie: float = TIE) -> str:
    """A step of the largest unrolled loop against a lone step and against `scan` at the same count
    (all three per step, in the same process); a change only when the run resolves it."""
    ratio = per_step.median_s / lone.median_s
    if not resolved(lone, per_step, tie):
        head = (f"a step of the {steps:,}-step unrolled loop and a lone step are not told apart "
                f"(medians within {tie:.0%}, or their {lone.spread} bands overlap)")
    elif ratio > 1:
        head = (f"each step got slower as the unrolled loop grew ({_x(ratio)} the time of a lone "
                f"step, more than {tie:.0%} and beyond the spread)")
    else:
        head = (f"each step got cheaper as the unrolled loop grew (a lone step took {_x(1 / ratio)} "
                f"as long, more than {tie:.0%} and beyond the spread): the call's fixed cost is "
                "shared among more steps")
    return (f"{head}; at the same {steps:,} steps in this process, "
            + compare_timings("the unrolled loop", per_step, "`scan`", scan, tie))


def unrolled_work_verdict(flops_lone: float, flops_per_step: float, steps: int,
                          factor: float = WORK_FACTOR) -> str:
    """XLA's own count of floating-point work per step: lone step against the unrolled loop."""
    ratio = flops_per_step / flops_lone
    if ratio > factor:
        return (f"XLA's cost analysis of the compiled programs counts {_x(ratio)} the floating-point "
                f"operations per step at {steps:,} steps as for a lone step (over {factor:g}×): the "
                "fused program recomputes intermediate fields instead of storing them")
    return (f"XLA's cost analysis counts {_x(ratio)} the floating-point operations per step at "
            f"{steps:,} steps as for a lone step (not over {factor:g}×): the longer program does "
            "no extra arithmetic per step")


def rolled_vs_numpy_verdict(numpy: Timing, jax: Timing, jax_name: str, tie: float = TIE) -> str:
    """The fastest rolled JAX loop against NumPy: a ratio only when the run tells them apart."""
    return compare_timings(jax_name, jax, "NumPy", numpy, tie)


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


def unroll_verdict(best_k: int, best_high_s: float, one_low_s: float, spread: str) -> str:
    """A clear gain from `unroll=k`: the best k's upper band edge below `unroll=1`'s lower edge."""
    if best_k != 1 and best_high_s < one_low_s:
        return (f"unrolling pays: `unroll={best_k}` is the fastest, and its {spread} lies wholly "
                "below that of `unroll=1`")
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
        return (f"over {threshold:.0%}: most of the unrolled script's time was the compiler, not "
                "the loop")
    return (f"at most {threshold:.0%}: the unrolled script's first call was mostly running, not "
            "compiling")


def post_advice_verdict(unrolled_compile_s: float, scan_compile_s: float, steps: int,
                        scan_flat: bool, tie: float = TIE) -> str:
    """Does the post's advice (a loop construct JAX does not unroll) buy compile time here, at
    equal step counts? `scan_flat`: section 3's outcome for `scan`'s compile time."""
    ratio = unrolled_compile_s / scan_compile_s
    grows = ("the `scan`'s compile time stayed flat over the step sweep of section 3" if scan_flat
             else "although the `scan`'s own compile time was not flat over the sweep here")
    if ratio >= 1 + tie:
        return (f"The post's advice, to use a loop construct that JAX does not unroll, holds: at "
                f"{steps:,} steps each, the unrolled loop compiles {_x(ratio)} as long as the `scan` "
                f"(more than {tie:.0%}), and {grows}.")
    return (f"At {steps:,} steps each the post's advice buys no compile time here: the unrolled "
            f"loop compiles in {_x(ratio)} the `scan`'s time (a gain needs over {tie:.0%}).")


def _t(median_s: float) -> Timing:
    """A synthetic timing with a narrow band around `median_s`, for the flip tests."""
    return Timing(median_s, tuple(median_s * f for f in (0.98, 0.99, 1.0, 1.01, 1.02)), 1)


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (program_growth_verdict, dict(per_step_first=20, per_step_last=60), dict(per_step_first=20, per_step_last=20)),
    (unrolled_slowdown_verdict, dict(lone=_t(1.0), per_step=_t(3.0), scan=_t(1.0), steps=50),
     dict(lone=_t(1.0), per_step=_t(1.0), scan=_t(1.0), steps=50)),
    (unrolled_work_verdict, dict(flops_lone=1.0, flops_per_step=10.0, steps=50),
     dict(flops_lone=1.0, flops_per_step=1.0, steps=50)),
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
    (torch_compile_verdict, dict(compile_s=5.0, error=None), dict(compile_s=5.0, error=None, device="cuda")),
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
]


# Figures and tables of the page: plumbing, kept out of the notebook. Per-step timings are Timings
# scaled to µs per step; `sweep[threads][variant][steps]` holds the isolated sides' SidePoints.
LABELS = {"NumPy": "NumPy as in the post (np.gradient)", "scan": "`scan`",
          "fori_loop": "`fori_loop`", "jax.jit(step)": "`jax.jit(step)` in a Python loop",
          "PyTorch eager": "PyTorch eager", "torch.compile": "`torch.compile` of the step"}
STYLES = {"fori_loop": ("C0", "o-"), "scan": ("C1", "s-"), "jax.jit(step)": ("C2", "x-"),
          "PyTorch eager": ("C4", "^-"), "torch.compile": ("C5", "v-"), "NumPy": ("k", "--")}


def _band(ax: Any, x: Any, timings: list[Timing], fmt: str, color: str, label: str) -> None:
    """Median with error bars over each timing's spread band."""
    import numpy as np

    med = np.array([t.median_s for t in timings])
    ax.errorbar(x, med, yerr=[med - [t.low_s for t in timings], [t.high_s for t in timings] - med],
                fmt=fmt, color=color, capsize=3, label=label)


def fields_figure(x: Any, y: Any, before: Any, after: Any, steps: int) -> Any:
    """The density before and after the longest run."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(7.6, 2.8), sharey=True, layout="constrained")
    for ax, field, title in zip(axes, (before, after), ("initial", f"after {steps:,} steps")):
        image = ax.imshow(field.T, origin="lower", extent=(x[0], x[-1], y[0], y[-1]),
                          vmin=0, vmax=1, cmap="viridis")
        ax.set_title(f"density, {title}")
        ax.set_xlabel("x (the post's normalised units)")
        ax.grid(False)
    axes[0].set_ylabel("y (the post's normalised units)")
    fig.colorbar(image, ax=axes, label="density (normalised)", shrink=0.9)
    return fig


def program_size_figure(unrolled: dict[int, Any], scan: dict[int, Any]) -> Any:
    """Jaxpr equations, HLO instructions and RSS growth against the steps (Points by steps)."""
    import matplotlib.pyplot as plt
    import numpy as np

    from perfguide.plotting import plain_log

    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.6), layout="constrained")
    for points, label, color in [(unrolled, "Python for", "C3"), (scan, "scan", "C1")]:
        steps = sorted(points)
        left.plot(steps, [points[s].eqns for s in steps], "o-", color=color,
                  label=f"{label}: jaxpr equations")
        left.plot(steps, [points[s].instructions for s in steps], "s--", color=color,
                  label=f"{label}: HLO instructions (optimised)")
        right.plot(steps, [max(points[s].memory_mib, 0.1) for s in steps], "o-", color=color,
                   label=label)
    steps_u = np.array(sorted(unrolled))
    left.plot(steps_u, unrolled[steps_u[0]].eqns / steps_u[0] * steps_u, ":", color="0.4",
              label="proportional to steps")
    left.set(xlabel="steps in the loop", ylabel="program size (count)")
    left.legend(fontsize=8)
    right.set(xlabel="steps in the loop", ylabel="peak RSS increase, compile and timing (MiB)")
    right.legend()
    plain_log(left)
    plain_log(right)
    return fig


def per_step_figure(sweep: dict[int, dict[str, dict[int, Any]]], unrolled: dict[int, Any]) -> Any:
    """Time per step against steps per call: one panel per thread setting; the unrolled loop
    (measured in the notebook's process on all cores) on the last panel."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log
    from perfguide.threads import thread_label

    settings = list(sweep)
    fig, axes = plt.subplots(1, len(settings), figsize=(8.8, 4.1), sharex=True, sharey=True,
                             layout="constrained", squeeze=False)
    for ax, threads in zip(axes[0], settings):
        for name, (color, style) in STYLES.items():
            if name in sweep[threads]:
                steps = sorted(sweep[threads][name])
                t = [sweep[threads][name][s].timing.scaled(1e6 / s) for s in steps]
                ax.plot(steps, [x.median_s for x in t], style, color=color,
                        label=LABELS[name].replace("`", ""))
                ax.fill_between(steps, [x.low_s for x in t], [x.high_s for x in t], color=color,
                                alpha=0.2)
        ax.set(xlabel="steps per call", title=f"{thread_label(threads)} each")
    steps_u = sorted(unrolled)
    _band(axes[0, -1], steps_u, [unrolled[s].timing.scaled(1e6 / s) for s in steps_u], "D-", "C3",
          "Python for under jit (notebook process, min-max)")
    axes[0, 0].set_ylabel("time per step (µs), latency")
    for ax in axes[0]:
        plain_log(ax)
    fig.legend(*axes[0, -1].get_legend_handles_labels(), loc="outside lower center", ncols=3,
               fontsize=8)
    return fig


def per_step_table(sweep: dict[int, dict[str, dict[int, Any]]], steps: int) -> str:
    """Markdown table: µs per step at `steps` for every side and thread setting, and compile time."""
    from perfguide.threads import thread_label

    settings = list(sweep)
    one = settings[0]
    rows = ["| side | " + " | ".join(f"µs per step, {thread_label(t)} each" for t in settings)
            + " | compile (s), 1-thread process |", "|---" * (len(settings) + 2) + "|"]
    for name in LABELS:
        if name in sweep[one]:
            cells = [f"{sweep[t][name][steps].timing.median_s / steps * 1e6:,.1f}" for t in settings]
            first = sweep[one][name][steps].compile_s
            rows.append(f"| {LABELS[name]} | " + " | ".join(cells)
                        + (f" | {first:.2f} |" if first else " | none |"))
    return "\n".join(rows)


def compile_figure(compile_times: dict[tuple[str, int], Timing], unrolled: dict[int, Any],
                   numpy_run: dict[int, Timing], numpy_label: str) -> Any:
    """Compile time of the rolled loops (repeated) and the unrolled one, and NumPy's run time."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log

    fig, ax = plt.subplots(figsize=(6.4, 4.4), layout="constrained")
    for name, color, marker in [("fori_loop", "C0", "o"), ("scan", "C1", "s")]:
        steps = sorted(s for n, s in compile_times if n == name)
        t = [compile_times[name, s] for s in steps]
        _band(ax, steps, t, f"{marker}-", color,
              f"{name} compile (median of {t[0].repeats}, {t[0].spread})")
    steps_u = sorted(unrolled)
    ax.plot(steps_u, [unrolled[s].compile_s for s in steps_u], "D-", color="C3",
            label="Python for under jit compile (once per count)")
    steps_n = sorted(numpy_run)
    ax.plot(steps_n, [numpy_run[s].median_s for s in steps_n], "k--", lw=2.2,
            label=f"{numpy_label}: run time of the same steps")
    ax.set(xlabel="steps in the loop", ylabel="seconds")
    plain_log(ax)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncols=2, fontsize=8)
    return fig


def unroll_figure(ks: list[int], per_step: list[Timing], compile_s: list[float], steps: int) -> Any:
    """Time per step (µs) and compile time against `unroll=k`."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log

    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.4), layout="constrained")
    _band(left, ks, per_step, "s-", "C1", f"scan, median and {per_step[0].spread}")
    left.set(xlabel="unroll (steps per iteration)", ylabel="time per step (µs), latency",
             title=f"{steps:,} steps per call")
    left.legend(loc="upper left")
    right.plot(ks, compile_s, "s-", color="C1")
    right.set(xlabel="unroll (steps per iteration)", ylabel="compile time (s)",
              title="one compilation each")
    for ax in (left, right):
        plain_log(ax)
        ax.set_xticks(ks, [str(k) for k in ks])
    return fig


# Glue blocks of the page: numbers and verdict words for its prose, from the measured points.
def _per_step(sweep: dict[int, dict[str, dict[int, Any]]], threads: int, name: str,
              steps: int | None = None) -> Timing:
    """An isolated side's timing in µs per step (at the largest count by default)."""
    steps = steps or max(sweep[threads][name])
    return sweep[threads][name][steps].timing.scaled(1e6 / steps)


def glue_program_size(unrolled: dict[int, Any], scan: dict[int, Any]) -> None:
    """Section 1: program sizes, memory, and the run-time verdict of the unrolled loop."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    steps_u = sorted(unrolled)
    first, last, largest = unrolled[steps_u[0]], unrolled[steps_u[-1]], steps_u[-1]
    per_step = [unrolled[s].instructions / s for s in steps_u]
    glue_figure("fig_program_size", program_size_figure(unrolled, scan))
    glue_number("instr_per_step_first", per_step[0])
    glue_number("instr_per_step_last", per_step[-1])
    glue_number("eqns_per_step", last.eqns / largest)
    glue_number("scan_eqns", scan[max(scan)].eqns)
    glue_number("scan_instructions", scan[max(scan)].instructions)
    glue_number("unrolled_memory_last", last.memory_mib)
    glue_number("scan_memory_max", max(p.memory_mib for p in scan.values()))
    glue_number("unrolled_compile_last", last.compile_s)
    glue_number("unrolled_us_first", first.timing.median_s * 1e6)
    glue_number("unrolled_us_step_last", last.timing.median_s / largest * 1e6)
    glue_words("program_growth", program_growth_verdict(per_step[0], per_step[-1]))
    glue_words("unrolled_slowdown", unrolled_slowdown_verdict(
        first.timing.scaled(1 / steps_u[0]), last.timing.scaled(1 / largest),
        scan[largest].timing.scaled(1 / largest), largest))


def glue_rolled(sweep: dict[int, dict[str, dict[int, Any]]], identical: bool, rounds: int,
                notes: dict[str, Any], failed: dict[str, str], device: str, backend: str) -> None:
    """Section 2: the cross-library verdicts, each side from its own process."""
    from perfguide.glue import glue_number, glue_words

    settings = list(sweep)
    one, every = settings[0], settings[-1]
    steps_list = sorted(sweep[one]["scan"])
    t = _per_step(sweep, one, "scan")
    glue_words("torch_made", torch_compile_words(device))
    glue_words("pinning_words", "Here the work runs on the CPU, on the pinned cores." if backend == "cpu" else (
        f"On this {backend.upper()} the pinning limits only the host threads that launch the "
        "work, not the device."))
    glue_words("rounds_words", (
        f"Each setting ran in {rounds} rounds of processes, in alternation, and the bands pool "
        "their repeats, so they include the difference between processes." if rounds > 1 else
        "In this build each setting ran in one process: the bands show the spread within that "
        "process, not between processes."))
    glue_words("band_words", f"{t.spread} of {t.repeats} repeats"
               + (f" pooled over {rounds} processes" if rounds > 1 else ""))
    glue_words("same_program", same_program_verdict(identical, 10))
    glue_words("fori_vs_scan", fori_vs_scan_verdict(
        _per_step(sweep, one, "fori_loop"), t, identical))
    for key, n in (("one", one), ("all", every)):
        glue_words(f"rolled_{key}", rolled_vs_numpy_verdict(
            _per_step(sweep, n, "NumPy"), _per_step(sweep, n, "scan"), "`scan`"))
        glue_words(f"compiled_{key}", compiled_vs_compiled_verdict(
            _per_step(sweep, n, "torch.compile") if "torch.compile" in sweep[n] else None,
            _per_step(sweep, n, "jax.jit(step)"), "`jax.jit` of the step"))
        glue_words(f"inside_{key}", compare_timings(
            "`scan`", _per_step(sweep, n, "scan"), "`jax.jit(step)` in a Python loop",
            _per_step(sweep, n, "jax.jit(step)")))
    glue_words("threads_words", "; ".join(
        threads_verdict(LABELS[name], _per_step(sweep, one, name),
                        _per_step(sweep, every, name), every, backend=backend)
        for name in ("NumPy", "scan", "jax.jit(step)", "PyTorch eager", "torch.compile")
        if name in sweep[every]))
    glue_words("short_reason", short_loop_verdict(
        _per_step(sweep, one, "scan", steps_list[0]), t))
    glue_words("graph_breaks", graph_breaks_verdict(notes.get("graph_breaks")))
    compiled = sweep[one].get("torch.compile")
    glue_words("torch_compile_verdict", torch_compile_verdict(
        compiled[steps_list[-1]].compile_s if compiled else None, failed.get("torch.compile"),
        device))
    glue_number("max_steps", steps_list[-1])
    glue_number("min_steps", steps_list[0])
    glue_number("cores", every)


def glue_compile(compile_times: dict[tuple[str, int], Timing], unrolled: dict[int, Any],
                 sweep: dict[int, dict[str, dict[int, Any]]]) -> bool:
    """Section 3: compile times against the sweep; returns whether `scan`'s stayed flat."""
    import numpy as np

    from perfguide.glue import glue_figure, glue_number, glue_words
    from perfguide.threads import thread_label

    every = list(sweep)[-1]
    steps_r = sorted({s for _, s in compile_times})
    glue_figure("fig_compile", compile_figure(
        compile_times, unrolled, {s: sweep[every]["NumPy"][s].timing for s in steps_r},
        f"NumPy ({thread_label(every)})"))
    scan = [compile_times["scan", s] for s in steps_r]
    glue_number("compile_repeats", scan[0].repeats)
    glue_number("scan_compile_first_ms", scan[0].median_s * 1e3)
    glue_number("scan_compile_last_ms", scan[-1].median_s * 1e3)
    glue_words("compile_flat", "; ".join(
        compile_flat_verdict(name, [compile_times[name, s] for s in steps_r])
        for name in ("fori_loop", "scan")))
    numpy_step, scan_step = (_per_step(sweep, every, n).scaled(1e-6) for n in ("NumPy", "scan"))
    glue_number("scan_compile_in_numpy_steps", scan[-1].median_s / numpy_step.median_s)
    glue_words("breakeven", breakeven_verdict(scan[-1].median_s, numpy_step, scan_step))
    steps_u = sorted(unrolled)[-3:]
    for key, values in (("unrolled_power", [unrolled[s].compile_s for s in steps_u]),
                        ("hlo_power", [unrolled[s].instructions for s in steps_u])):
        glue_number(key, np.polyfit(np.log(steps_u), np.log(values), 1)[0])
    return compile_is_flat(scan)


def glue_fields(fields: dict[str, Any], final: Any, steps: int) -> None:
    """The problem: growth bounds, where the blob's peak moves, and the figure of the fields."""
    import numpy as np

    from workloads.advection import growth_bound
    from perfguide.glue import glue_figure, glue_number

    x, y, before, v = fields["x"], fields["y"], fields["density"], fields["velocity"]
    glue_number("growth_post", growth_bound(v, 10_000, dt=0.1))
    glue_number("growth_here", growth_bound(v, steps))
    for key, field in (("peak_x_start", before), ("peak_x_end", final)):
        glue_number(key, x[np.unravel_index(np.argmax(field), field.shape)[0]])
    glue_number("fields_steps", steps)
    glue_figure("fig_fields", fields_figure(x, y, before, final, steps))


def glue_unroll(ks: list[int], points: list[Any], steps: int,
                cost: dict[int, tuple[float, float]]) -> None:
    """Section 4: `unroll=k` timings (notebook process), compile times and XLA's cost per step."""
    import numpy as np

    from perfguide.glue import glue_figure, glue_number, glue_words

    per_step = [p.timing.scaled(1e6 / steps) for p in points]
    glue_figure("fig_unroll", unroll_figure(ks, per_step, [p.compile_s for p in points], steps))
    med = np.array([t.median_s for t in per_step])
    best = int(np.argmin(med))
    glue_number("unroll_gain", med[0] / med[best])
    glue_number("unroll16_ratio", med[-1] / med[0])
    glue_number("unroll16_compile_ratio", points[-1].compile_s / points[0].compile_s)
    glue_number("instr_unroll_1", points[0].instructions)
    glue_number("instr_unroll_16", points[-1].instructions)
    glue_words("unroll_body", unroll_body_verdict(cost[ks[-1]][0], cost[1][0], cost[ks[-1]][1],
                                                  cost[1][1], ks[-1]))
    glue_words("unroll_verdict", unroll_verdict(ks[best], per_step[best].high_s,
                                                per_step[0].low_s, per_step[0].spread))


def glue_post(unrolled: dict[int, Any], scan: dict[int, Any], numpy_10: Timing,
              scan_isolated_10: Timing, scan_flat: bool, post_steps: int = 100) -> None:
    """The post's table and ratios: the JAX scripts from one process, NumPy from its own."""
    from perfguide.glue import glue_number, glue_words

    post_u = post_steps if post_steps in unrolled else max(unrolled)
    post, u10, s10 = unrolled[post_u], unrolled[10], scan[10]
    rows = {"numpy": (numpy_10, None), "unrolled": (post.timing, post.compile_s),
            "unrolled10": (u10.timing, u10.compile_s), "scan": (s10.timing, s10.compile_s)}
    for key, (timing, compile_s) in rows.items():
        glue_number(f"post_{key}_first_ms", timing.first_call_s * 1e3)
        glue_number(f"post_{key}_call_ms", timing.median_s * 1e3)
        if compile_s is not None:
            glue_number(f"post_{key}_compile_ms", compile_s * 1e3)
    glue_number("post_unrolled_steps", post_u)
    glue_number("post_ratio_first", post.timing.first_call_s / s10.timing.first_call_s)
    glue_number("matched_compile_ratio", u10.compile_s / s10.compile_s)
    glue_words("matched_call", compare_timings("the unrolled loop", u10.timing, "`scan`",
                                               s10.timing))
    glue_words("matched_numpy", rolled_vs_numpy_verdict(numpy_10, scan_isolated_10, "`scan`"))
    share = post.compile_s / post.timing.first_call_s
    glue_number("post_compile_share", 100 * share)
    glue_words("post_reason", post_reason_verdict(share))
    glue_words("post_advice", post_advice_verdict(u10.compile_s, s10.compile_s, 10, scan_flat))


# Speed goals, read by `make bench` from the page's results file. Records: experiment "rolled"
# (variant, steps, threads: seconds per call of `steps` steps, each side in its own process) and
# "compile" (variant, steps: seconds per compilation, median of several).
def rolled_over_numpy(threads: str) -> Any:
    """NumPy's time over `scan`'s (which stands for the rolled loops) at the largest step count;
    'one' or 'all' threads."""

    def measure(results: Results) -> float:
        pick = (min if threads == "one" else max)
        counts = {r["threads"] for r in results.records if r["experiment"] == "rolled"}
        n = pick(counts)
        steps = max(results.sizes("rolled", "NumPy"))
        return (results.median("rolled", "NumPy", steps, threads=n)
                / results.median("rolled", "scan", steps, threads=n))

    return measure


def compile_spread(name: str) -> Any:
    """Largest over smallest median compile time of `name` across the step sweep."""

    def measure(results: Results) -> float:
        times = [results.median("compile", name, steps) for steps in results.sizes("compile", name)]
        return max(times) / min(times)

    return measure


GOALS: list[Goal] = [
    Goal("rolled loops ≥ NumPy per step at the largest step count, 1 thread each "
         "(NumPy time / scan time)", rolled_over_numpy("one"), at_least=1),
    Goal("rolled loops ≥ NumPy per step at the largest step count, all cores each "
         "(NumPy time / scan time)", rolled_over_numpy("all"), at_least=1),
    Goal("fori_loop compile time flat from 10 to 10,000 steps (largest / smallest median)",
         compile_spread("fori_loop"), at_most=1.5),
    Goal("scan compile time flat from 10 to 10,000 steps (largest / smallest median)",
         compile_spread("scan"), at_most=1.5),
]
