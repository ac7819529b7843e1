"""Verdicts, figures and glue of the page notebooks/loops_under_jit.md: the Python loop under `jit`.

Every outcome sentence of the page is picked here from measured numbers; the thresholds are the
named constants below and each sentence states the one it used. The page records the loops it
measures in its `Recorder` (experiment "program", variants `PYTHON_FOR` and `SCAN`, size = steps,
extras from `workloads.advection.Program.fields`); the figures and glue read them back as series.
"""

from typing import Any

from perfguide.goals import Goal
from perfguide.records import Recorder, Series
from perfguide.timing import Timing
from perfguide.verdicts import compare_timings, resolved

TIE = 0.10  # two times within 10% of each other are a tie
WORK_FACTOR = 1.5  # over 1.5x a lone step's flops per step (XLA's cost analysis): XLA added work

EXPERIMENT, PYTHON_FOR, SCAN = "program", "Python for", "scan"


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


def sweep_stop_words(stopped: tuple[float, float] | None, spent_s: float, largest: int) -> str:
    """Where the budgeted sweep of the unrolled loop stopped, and why."""
    if stopped is None:
        return f"ran every candidate up to {largest:,} steps within the budget"
    return (f"stopped before {stopped[0]:,.0f} steps, whose extrapolated cost was {stopped[1]:.0f} s, "
            f"with {spent_s:.0f} s already spent")


def _t(median_s: float) -> Timing:
    """A synthetic timing with a narrow band around `median_s`, for the flip tests."""
    return Timing(median_s, tuple(median_s * f for f in (0.98, 0.99, 1.0, 1.01, 1.02)), 1)


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (program_growth_verdict, dict(per_step_first=20, per_step_last=60),
     dict(per_step_first=20, per_step_last=20)),
    (unrolled_slowdown_verdict, dict(lone=_t(1.0), per_step=_t(3.0), scan=_t(1.0), steps=50),
     dict(lone=_t(1.0), per_step=_t(1.0), scan=_t(1.0), steps=50)),
    (unrolled_work_verdict, dict(flops_lone=1.0, flops_per_step=10.0, steps=50),
     dict(flops_lone=1.0, flops_per_step=1.0, steps=50)),
    (sweep_stop_words, dict(stopped=(200, 120.0), spent_s=60.0, largest=100),
     dict(stopped=None, spent_s=60.0, largest=1000)),
]

# No speed goal reads this page: what it measures grows by design. The rolled loops' goals are
# in chapters/rolled_loops.py.
GOALS: list[Goal] = []


# Figures and glue. `Series` sizes are step counts; its records carry the Program fields.
def _extra(series: Series, key: str) -> list[float]:
    """One field of every record in a series (`compile_s` or an extra such as `hlo_instructions`)."""
    return [r.compile_s if key == "compile_s" else r.extra[key] for r in series.records]


def fields_figure(x: Any, y: Any, before: Any, after: Any, steps: int) -> Any:
    """The density before and after `steps` steps."""
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


def program_figure(unrolled: Series, scan: Series) -> Any:
    """Program size, compile time and RSS growth against the steps, both loops."""
    import matplotlib.pyplot as plt
    import numpy as np

    from perfguide.plotting import plain_log

    fig, axes = plt.subplots(1, 3, figsize=(10.0, 3.6), layout="constrained")
    for series, color in ((unrolled, "C3"), (scan, "C1")):
        name = PYTHON_FOR if series is unrolled else SCAN
        axes[0].plot(series.sizes, _extra(series, "jaxpr_eqns"), "o-", color=color,
                     label=f"{name}: jaxpr equations")
        axes[0].plot(series.sizes, _extra(series, "hlo_instructions"), "s--", color=color,
                     label=f"{name}: HLO instructions")
        axes[1].plot(series.sizes, _extra(series, "compile_s"), "o-", color=color, label=name)
        axes[2].plot(series.sizes, np.maximum(_extra(series, "rss_increase_mib"), 0.1), "o-",
                     color=color, label=name)
    steps = np.array(unrolled.sizes, dtype=float)
    for ax, key in ((axes[0], "jaxpr_eqns"), (axes[1], "compile_s")):
        first = _extra(unrolled, key)[0]
        ax.plot(steps, first / steps[0] * steps, ":", color="0.4", label="proportional to steps")
    titles = ("program size (count)", "compile time (s), one compilation",
              "peak RSS increase (MiB)")
    for ax, title in zip(axes, titles):
        ax.set(xlabel="steps in the loop", title=title)
        plain_log(ax)
    axes[0].legend(fontsize=7)
    axes[1].legend(fontsize=8)
    return fig


def run_time_figure(unrolled: Series, scan: Series) -> Any:
    """Time per step (µs, latency) against the steps in one call, both loops in this process."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log, timing_band

    fig, ax = plt.subplots(figsize=(6.4, 3.8), layout="constrained")
    for series, color, marker in ((unrolled, "C3", "D"), (scan, "C1", "s")):
        timing_band(ax, series.sizes, series.timings, per=series.sizes, bars=True,
                    color=color, marker=marker,
                    label=f"{PYTHON_FOR if series is unrolled else SCAN}, median and "
                          f"{series.timings[0].spread} of {series.timings[0].repeats}")
    ax.set(xlabel="steps in one call", ylabel="time per step (µs), latency")
    plain_log(ax)
    ax.legend()
    return fig


def glue_fields(fields: dict[str, Any], final: Any, steps: int) -> None:
    """The problem: growth bounds, where the blob's peak moves, and the figure of the fields."""
    import numpy as np

    from perfguide.glue import glue_figure, glue_number
    from workloads.advection import growth_bound

    x, y, before, v = fields["x"], fields["y"], fields["density"], fields["velocity"]
    glue_number("growth_post", growth_bound(v, 10_000, dt=0.1))
    glue_number("growth_here", growth_bound(v, steps))
    for key, field in (("peak_x_start", before), ("peak_x_end", final)):
        glue_number(key, x[np.unravel_index(np.argmax(field), field.shape)[0]])
    glue_number("fields_steps", steps)
    glue_figure("fig_fields", fields_figure(x, y, before, final, steps))


def glue_program(recorder: Recorder, sweep: Any) -> None:
    """Section 1: the budgeted sweep, program sizes, compile times and memory of both loops."""
    import numpy as np

    from perfguide.glue import glue_figure, glue_number, glue_words

    unrolled, scan = (recorder.series(EXPERIMENT, name) for name in (PYTHON_FOR, SCAN))
    largest = int(sweep.largest)
    glue_figure("fig_program", program_figure(unrolled, scan))
    glue_number("unrolled_largest", largest)
    glue_number("unrolled_budget", sweep.budget_s)
    glue_words("unrolled_stop", sweep_stop_words(sweep.stopped, sweep.spent_s, largest))
    instructions = _extra(unrolled, "hlo_instructions")
    per_step = [n / s for n, s in zip(instructions, unrolled.sizes)]
    glue_number("instr_per_step_first", per_step[0])
    glue_number("instr_per_step_last", per_step[-1])
    glue_words("program_growth", program_growth_verdict(per_step[0], per_step[-1]))
    glue_number("eqns_per_step", _extra(unrolled, "jaxpr_eqns")[-1] / largest)
    scan_at = scan.sizes.index(largest)
    for key, name in (("eqns", "jaxpr_eqns"), ("instructions", "hlo_instructions"),
                      ("compile", "compile_s"), ("memory", "rss_increase_mib")):
        glue_number(f"unrolled_{key}_last", _extra(unrolled, name)[-1])
        glue_number(f"scan_{key}_last", _extra(scan, name)[scan_at])
    glue_number("scan_memory_max", max(_extra(scan, "rss_increase_mib")))
    glue_number("scan_compile_max", max(_extra(scan, "compile_s")))
    last3 = np.log(unrolled.sizes[-3:])
    for key, values in (("unrolled_power", _extra(unrolled, "compile_s")[-3:]),
                        ("hlo_power", instructions[-3:])):
        glue_number(key, np.polyfit(last3, np.log(values), 1)[0])


def headline(recorder: Recorder) -> dict[str, Timing]:
    """The timings the run-time verdict reads, for the noise check."""
    unrolled, scan = (recorder.series(EXPERIMENT, name) for name in (PYTHON_FOR, SCAN))
    largest = unrolled.sizes[-1]
    return {f"{PYTHON_FOR}, 1 step": unrolled.timings[0],
            f"{PYTHON_FOR}, {largest} steps": unrolled.timings[-1],
            f"{SCAN}, {largest} steps": scan.timings[scan.sizes.index(largest)]}


def glue_run_time(recorder: Recorder) -> None:
    """Section 3: time per step of both loops and the unrolled loop's run-time verdict."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    unrolled, scan = (recorder.series(EXPERIMENT, name) for name in (PYTHON_FOR, SCAN))
    glue_figure("fig_run_time", run_time_figure(unrolled, scan))
    largest = unrolled.sizes[-1]
    lone = unrolled.timings[0].scaled(1 / unrolled.sizes[0])
    last = unrolled.timings[-1].scaled(1 / largest)
    at_scan = scan.timings[scan.sizes.index(largest)].scaled(1 / largest)
    glue_number("unrolled_us_first", lone.median_s * 1e6)
    glue_number("unrolled_us_step_last", last.median_s * 1e6)
    glue_number("scan_us_step_last", at_scan.median_s * 1e6)
    glue_words("unrolled_slowdown", unrolled_slowdown_verdict(lone, last, at_scan, largest))
