"""Verdicts, figures and glue of the page notebooks/memory.md (where the memory goes).

Every outcome sentence of the page is picked here from measured numbers; the thresholds are the
named constants below. Two kinds of memory figure appear, never on one axis:
- XLA's plan: `compiled.memory_analysis()` of a compiled program (arguments, outputs,
  temporaries, and outputs aliased to donated arguments), read before anything runs;
- the measured peak: one call's peak above the memory in use just before it, in a fresh process:
  the kernel's high-water mark of resident memory on the CPU (reset just before the call), the
  device allocator's peak on a GPU.
The page's `Recorder` holds
- "donation": "donated" / "not donated", size = float32 values: seconds per update, extras
  `plan_*_mib`, `peak_mib`, `faults_per_update`;
- "rollout": a `SCHEMES` key, size = steps: seconds per gradient, compile time, extras
  `temp_mib` (plan), `peak_mib` (measured), `k`, `faults` (minor page faults per gradient);
- "keepalive": "<optimizer>, keeps <what>", size = steps: compile seconds, extras the plan (MiB).
"""

from typing import Any

import numpy as np

from perfguide.records import Recorder, Series
from perfguide.timing import Timing
from perfguide.verdicts import compare_timings

TIE = 0.10  # two times within 10% of each other are a tie
ALIAS_SHARE = 0.99  # aliased bytes at least 99% of the array: the output is written in place
PEAK_SHARE = 0.5  # a measured saving under half an array is not called a saving
FAULT_SHARE = 0.5  # minor page faults per update over half the array's 4 KiB pages: fresh memory
MEMORY_TIE = 0.05  # two planned sizes within 5% are the same
PLAN_TOL = 0.10  # a measured peak within 10% of XLA's plan (or within PLAN_FLOOR_MIB) agrees
PLAN_FLOOR_MIB = 4.0  # below this, differences are the process's own small allocations
LINEAR_SLOPE = 0.8  # log-log slope of memory against steps at or above 0.8: grows like n
SQRT_SLOPE = (0.3, 0.7)  # a slope in this band: grows like sqrt(n)
FLAT_SLOPE = 0.15  # a slope below this: flat
KEEP_TOL_MIB = 0.01  # new outputs within 0.01 MiB of what the steps stack: exactly that
PAGE_BYTES = 4096  # the kernel's page size, for the fault count an array needs


def _x(ratio: float) -> str:
    return f"{ratio:.2f}×" if ratio < 10 else f"{ratio:,.0f}×"


# Section 1: donation
def alias_verdict(aliased_mib: float, array_mib: float, share: float = ALIAS_SHARE) -> str:
    """XLA's plan for the donated update: is its output written into the donated buffer?"""
    if aliased_mib >= share * array_mib:
        return (f"XLA's plan aliases {aliased_mib:,.1f} MiB of the donated program's output to its "
                f"input, the whole {array_mib:,.1f} MiB array: the update is written in place")
    return (f"XLA's plan aliases only {aliased_mib:,.1f} MiB of the {array_mib:,.1f} MiB output "
            f"(under {share:.0%}): the donation was not used, and the update gets a new buffer")


def donation_peak_verdict(donated_mib: float, copied_mib: float, array_mib: float,
                          share: float = PEAK_SHARE) -> str:
    """The measured peaks of the two chained loops, in arrays: did donation save memory?"""
    saved = copied_mib - donated_mib
    arrays = f"{copied_mib / array_mib:.1f} and {donated_mib / array_mib:.1f} arrays"
    if saved >= share * array_mib:
        return (f"donation lowers the measured peak by {saved:,.0f} MiB: {arrays} above the "
                "baseline without and with it")
    return (f"donation makes no measured difference to the peak ({arrays} above the baseline "
            f"without and with it; a saving needs over {share:.0%} of an array)")


def faults_verdict(donated: float, copied: float, array_mib: float,
                   share: float = FAULT_SHARE, backend: str = "cpu") -> str:
    """Minor page faults per update: does the copy get fresh pages from the OS every call?"""
    if backend != "cpu":
        return (f"not read here: page faults count the host's memory, and the arrays live on "
                f"the {backend}")
    pages = array_mib * 2**20 / PAGE_BYTES
    if copied >= share * pages > donated:
        return (f"each update without donation takes {copied:,.0f} minor page faults, "
                f"{copied / pages:.2f} per 4 KiB page of the array: its output is fresh memory "
                f"that the kernel maps page by page; with donation {donated:,.0f}")
    return (f"the page faults per update do not single out the copy ({copied:,.0f} without "
            f"donation, {donated:,.0f} with it, against {pages:,.0f} pages in the array): its "
            "output buffer is reused memory here")


def donation_time_verdict(donated: Timing, copied: Timing, tie: float = TIE) -> str:
    """Time per update, donated against not donated, in the same kind of process."""
    return compare_timings("the donated update", donated, "the update without donation",
                           copied, tie)


# Section 2: the rollout
def linear_step_verdict(temps_mib: list[float], steps: list[int], tie: float = MEMORY_TIE) -> str:
    """The gradient w.r.t. the initial field alone: does its planned memory grow with steps?"""
    low, high = temps_mib[0], temps_mib[-1]
    if high <= low * (1 + tie):
        return (f"XLA plans {low:,.2f} MiB of temporaries at {steps[0]:,} steps and "
                f"{high:,.2f} MiB at {steps[-1]:,}: nothing is kept per step, since the step is "
                "linear in the density and its backward pass needs nothing from the forward one")
    return (f"XLA plans {low:,.2f} MiB of temporaries at {steps[0]:,} steps and {high:,.2f} MiB at "
            f"{steps[-1]:,}: something is kept per step even for this linear step")


def slope(steps: list[int], mib: list[float]) -> float:
    """The least-squares slope of log(memory) against log(steps)."""
    return float(np.polyfit(np.log(steps), np.log(mib), 1)[0])


def scaling_verdict(name: str, fitted: float, linear: float = LINEAR_SLOPE,
                    band: tuple[float, float] = SQRT_SLOPE, flat: float = FLAT_SLOPE) -> str:
    """How a scheme's planned memory grows with the steps, from its log-log slope."""
    if fitted >= linear:
        return f"{name}: grows like n (log-log slope {fitted:.2f}, at least {linear:g})"
    if band[0] <= fitted <= band[1]:
        return (f"{name}: grows like √n (slope {fitted:.2f}, between {band[0]:g} and "
                f"{band[1]:g})")
    if fitted < flat:
        return f"{name}: flat (slope {fitted:.2f}, under {flat:g})"
    return f"{name}: grows with slope {fitted:.2f}, neither like n nor like √n"


def step_checkpoint_verdict(plain_mib: float, step_mib: float, plain_per_step: float,
                            step_per_step: float, tie: float = MEMORY_TIE) -> str:
    """`jax.checkpoint` on the step against the plain scan, planned memory at the largest n."""
    kept = (f"XLA's plan keeps {plain_per_step:.2f} fields per step for the plain scan and "
            f"{step_per_step:.2f} with the checkpointed step")
    if step_mib * (1 + tie) <= plain_mib:
        return (f"`jax.checkpoint` on the step cuts the planned memory {_x(plain_mib / step_mib)} "
                f"({kept}): the step stores more for its way back than its input")
    return (f"`jax.checkpoint` on the step saves nothing here ({plain_mib:,.0f} against "
            f"{step_mib:,.0f} MiB; {kept}): what the step needs on its way back, one field, is "
            "no larger than its input, one field, which the checkpoint keeps instead; the number "
            "of fields kept still grows with n")


def nested_verdict(plain_mib: float, nested_mib: float, steps: int,
                   tie: float = MEMORY_TIE) -> str:
    """The nested scheme against the plain scan, planned memory at the largest n."""
    if nested_mib * (1 + tie) <= plain_mib:
        return (f"at {steps:,} steps the nested scheme plans {_x(plain_mib / nested_mib)} less "
                f"memory than the plain scan ({nested_mib:,.1f} against {plain_mib:,.1f} MiB)")
    return (f"at {steps:,} steps the nested scheme plans no less memory than the plain scan "
            f"({nested_mib:,.1f} against {plain_mib:,.1f} MiB)")


def plan_match_verdict(worst: str, planned_mib: float, measured_mib: float, how: str,
                       tol: float = PLAN_TOL, floor_mib: float = PLAN_FLOOR_MIB) -> str:
    """Does the measured peak follow XLA's plan? Judged on the point where they differ most."""
    gap = measured_mib - planned_mib
    if abs(gap) <= max(tol * planned_mib, floor_mib):
        return (f"the measured peak ({how}) follows XLA's plan at every point: the largest gap, "
                f"{gap:+,.1f} MiB ({worst}), is within {tol:.0%} or {floor_mib:g} MiB")
    return (f"the measured peak ({how}) departs from XLA's plan: {measured_mib:,.1f} against "
            f"{planned_mib:,.1f} MiB ({worst}), beyond {tol:.0%} and {floor_mib:g} MiB")


def recompute_time_verdict(name: str, scheme: Timing, plain: Timing, steps: int,
                           tie: float = TIE) -> str:
    """Time per gradient of a checkpointing scheme against the plain scan at the largest n."""
    return f"at {steps:,} steps, " + compare_timings(name, scheme, "the plain scan", plain, tie)


def gradient_faults_verdict(plain_faults: float, nested_faults: float, plain_temp_mib: float,
                            plain_s: float, fault_s: float, share: float = FAULT_SHARE,
                            backend: str = "cpu") -> str:
    """Minor page faults per gradient at the largest n: are the plain scan's stored fields fresh
    memory every call? `fault_s`: section 1's cost per fault (<= 0: no estimate)."""
    if backend != "cpu":
        return (f"page faults are not read here: they count the host's memory, and the fields "
                f"live on the {backend}")
    pages = plain_temp_mib * 2**20 / PAGE_BYTES
    counts = (f"the plain scan takes {plain_faults:,.0f} minor page faults per gradient, "
              f"{plain_faults / pages:.2f} per 4 KiB page of its planned temporaries, the nested "
              f"scheme {nested_faults:,.0f}")
    if plain_faults < share * pages:
        return (f"{counts}: fewer than {share:.0%} of a fault per page, so the plain scan's "
                "stored fields are reused memory here, and page faults do not explain its time")
    cost = ""
    if fault_s > 0:
        cost = (f"; at section 1's cost per fault ({fault_s * 1e6:.1f} µs: the copied update's "
                f"extra time over its extra faults, an estimate), they come to about "
                f"{plain_faults * fault_s:.2f} s of the plain scan's {plain_s:.2f} s per gradient")
    return (f"{counts}: the stored fields are fresh memory on every call, which the kernel maps "
            f"page by page like the copied update's output in section 1{cost}")


# Section 3: what a training loop keeps alive
def stacked_verdict(outputs_mib: float, aliased_mib: float, stacked_mib: float, kept: str,
                    tol_mib: float = KEEP_TOL_MIB) -> str:
    """The compiled loop's new outputs (outputs not written into donated inputs) against what its
    steps stack, predicted from the shapes."""
    new = outputs_mib - aliased_mib
    if abs(new - stacked_mib) <= tol_mib:
        return (f"keeping {kept}, the program's new outputs are {new:,.3f} MiB, what the steps "
                f"stack to the MiB's hundredth ({stacked_mib:,.3f} MiB predicted from shapes)")
    return (f"keeping {kept}, the program's new outputs are {new:,.3f} MiB against "
            f"{stacked_mib:,.3f} MiB stacked by the steps: the carried state is not all aliased")


def optimizer_state_verdict(state_mib: float, params_mib: float, aliased_mib: float,
                            share: float = ALIAS_SHARE) -> str:
    """The optimizer state carried through the loop: its size, and whether it is aliased."""
    size = f"Adam's state is {state_mib / params_mib:.2f}× the parameters ({state_mib:,.2f} MiB)"
    carried = state_mib + params_mib
    if aliased_mib >= share * carried:
        return (f"{size}; with the carry donated, XLA aliases all {aliased_mib:,.2f} MiB of "
                "parameters and state: both are updated in place, no second copy")
    return (f"{size}; only {aliased_mib:,.2f} MiB of the {carried:,.2f} MiB carried are aliased: "
            "the rest gets a second buffer")


def temporaries_verdict(short_mib: float, long_mib: float, short_steps: int, long_steps: int,
                        tie: float = MEMORY_TIE) -> str:
    """The loop's temporaries at two step counts: one step's working memory, or growing?"""
    sizes = (f"{short_mib:,.2f} MiB of temporaries at {short_steps:,} steps and "
             f"{long_mib:,.2f} MiB at {long_steps:,}")
    if long_mib <= short_mib * (1 + tie):
        return (f"XLA plans {sizes}: the same, within {tie:.0%}, so they are one step's working "
                "memory (activations, gradients), reused by every step")
    return f"XLA plans {sizes}: they grow with the steps, so some are kept from step to step"


def measured_words(how: str) -> str:
    """What the page's measured memory is, for captions and axes."""
    if how == "device allocator":
        return ("the device allocator's peak during the measured calls, minus the bytes in use "
                "just before them, in a fresh process")
    if how == "sampled RSS":
        return ("the process's peak resident memory sampled every 10 ms during the measured "
                "calls, minus its resident memory just before them, in a fresh process")
    return ("the process's peak resident memory during the measured calls (the kernel's "
            "high-water mark, reset just before them), minus its resident memory just before "
            "them, in a fresh process")


def _t(median_s: float) -> Timing:
    """A synthetic timing with a narrow band around `median_s`, for the flip tests."""
    return Timing(median_s, tuple(median_s * f for f in (0.98, 0.99, 1.0, 1.01, 1.02)), 1)


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (alias_verdict, dict(aliased_mib=64.0, array_mib=64.0), dict(aliased_mib=0.0, array_mib=64.0)),
    (donation_peak_verdict, dict(donated_mib=0.0, copied_mib=128.0, array_mib=64.0),
     dict(donated_mib=64.0, copied_mib=64.0, array_mib=64.0)),
    (faults_verdict, dict(donated=1.0, copied=16384.0, array_mib=64.0),
     dict(donated=1.0, copied=2.0, array_mib=64.0)),
    (faults_verdict, dict(donated=1.0, copied=16384.0, array_mib=64.0),
     dict(donated=1.0, copied=16384.0, array_mib=64.0, backend="gpu")),
    (donation_time_verdict, dict(donated=_t(1.0), copied=_t(3.0)),
     dict(donated=_t(3.0), copied=_t(1.0))),
    (linear_step_verdict, dict(temps_mib=[0.5, 0.5], steps=[100, 1000]),
     dict(temps_mib=[0.5, 25.0], steps=[100, 1000])),
    (scaling_verdict, dict(name="plain", fitted=1.0), dict(name="plain", fitted=0.5)),
    (scaling_verdict, dict(name="plain", fitted=0.0), dict(name="plain", fitted=0.75)),
    (step_checkpoint_verdict, dict(plain_mib=100.0, step_mib=100.0, plain_per_step=1.0,
                                   step_per_step=1.0),
     dict(plain_mib=300.0, step_mib=100.0, plain_per_step=3.0, step_per_step=1.0)),
    (nested_verdict, dict(plain_mib=250.0, nested_mib=17.0, steps=1000),
     dict(plain_mib=250.0, nested_mib=250.0, steps=1000)),
    (plan_match_verdict, dict(worst="a", planned_mib=100.0, measured_mib=101.0, how="RSS"),
     dict(worst="a", planned_mib=100.0, measured_mib=150.0, how="RSS")),
    (recompute_time_verdict, dict(name="nested", scheme=_t(1.0), plain=_t(2.0), steps=10),
     dict(name="nested", scheme=_t(2.0), plain=_t(1.0), steps=10)),
    (gradient_faults_verdict, dict(plain_faults=64e3, nested_faults=4e3, plain_temp_mib=250.0,
                                   plain_s=0.25, fault_s=2e-6),
     dict(plain_faults=10.0, nested_faults=4e3, plain_temp_mib=250.0, plain_s=0.25,
          fault_s=2e-6)),
    (gradient_faults_verdict, dict(plain_faults=64e3, nested_faults=4e3, plain_temp_mib=250.0,
                                   plain_s=0.25, fault_s=2e-6),
     dict(plain_faults=64e3, nested_faults=4e3, plain_temp_mib=250.0, plain_s=0.25,
          fault_s=2e-6, backend="gpu")),
    (stacked_verdict, dict(outputs_mib=1.0, aliased_mib=1.0, stacked_mib=0.0, kept="the loss"),
     dict(outputs_mib=2.0, aliased_mib=0.0, stacked_mib=0.0, kept="the loss")),
    (optimizer_state_verdict, dict(state_mib=2.0, params_mib=1.0, aliased_mib=3.0),
     dict(state_mib=2.0, params_mib=1.0, aliased_mib=0.0)),
    (temporaries_verdict, dict(short_mib=2.0, long_mib=2.0, short_steps=20, long_steps=200),
     dict(short_mib=2.0, long_mib=20.0, short_steps=20, long_steps=200)),
    (measured_words, dict(how="kernel high-water mark"), dict(how="device allocator")),
    (measured_words, dict(how="kernel high-water mark"), dict(how="sampled RSS")),
]
GOALS: list[Any] = []  # speed goals belong in `make bench`; this page has none


# Figures, tables and glue: plumbing, kept out of the notebook.
STYLES = {"plain scan": ("C0", "o", "-"), "checkpointed step": ("C1", "s", "--"),
          "nested, every k steps": ("C2", "^", "-")}


def rollout(recorder: Recorder, scheme: str) -> Series:
    """One scheme's sweep over the steps."""
    return recorder.series("rollout", scheme)


def headline(recorder: Recorder) -> dict[str, Timing]:
    """The timings the verdicts read: both updates, every scheme at the largest n."""
    found = {f"update, {name}": recorder.series("donation", name).timings[-1]
             for name in recorder.variants("donation")}
    for scheme in recorder.variants("rollout"):
        series = rollout(recorder, scheme)
        found[f"gradient, {scheme}, {series.sizes[-1]:,.0f} steps"] = series.timings[-1]
    return found


def _extra(series: Series, key: str) -> list[float]:
    return [float(r.extra[key]) for r in series.records]


def memory_figure(recorder: Recorder, field_mib: float, how: str) -> Any:
    """Planned temporaries (left) and measured peaks (right) against steps, with predictions."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log
    from workloads.remat.rollout import predicted_fields

    fig, axes = plt.subplots(1, 2, figsize=(9.0, 4.1), sharex=True, sharey=True,
                             layout="constrained")
    steps = rollout(recorder, "plain scan").sizes
    dense = np.array(steps, dtype=float)
    for ax, key, title in ((axes[0], "temp_mib", "XLA's plan: temporaries"),
                           (axes[1], "peak_mib", "measured: peak above baseline")):
        ax.plot(dense, dense * field_mib, color="k", ls=":", lw=1.2,
                label="n fields (one per step)")
        ax.plot(dense, [predicted_fields("nested, every k steps", int(n)) * field_mib
                        for n in steps], color="0.5", ls="--", lw=1.2,
                label="n/k + k fields, k ≈ √n")
        for scheme in recorder.variants("rollout"):
            series = rollout(recorder, scheme)
            color, marker, ls = STYLES[scheme]
            ax.plot(series.sizes, _extra(series, key), color=color, marker=marker, ls=ls,
                    label=scheme)
        ax.set(title=title, xlabel="steps n in the rollout")
        plain_log(ax)
    axes[0].set_ylabel("MiB")
    axes[1].set_ylabel("MiB (" + ("device allocator" if how == "device allocator"
                                  else "resident memory") + ")")
    axes[0].legend(loc="upper left")
    return fig


def tradeoff_figure(recorder: Recorder) -> Any:
    """Time per gradient against steps (left) and planned memory against time (right)."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log, timing_band

    fig, axes = plt.subplots(1, 2, figsize=(9.0, 4.1), layout="constrained")
    for scheme in recorder.variants("rollout"):
        series = rollout(recorder, scheme)
        color, marker, ls = STYLES[scheme]
        timing_band(axes[0], series.sizes, series.timings, unit="s", color=color, marker=marker,
                    ls=ls, label=scheme)
        times = [t.median_s for t in series.timings]
        temps = _extra(series, "temp_mib")
        axes[1].plot(times, temps, color=color, marker=marker, ls=ls, label=scheme)
        below = scheme == "checkpointed step"  # it shares the plain scan's memory
        for n, t, m in zip(series.sizes, times, temps):
            axes[1].annotate(f"{n:,.0f}", (t, m), textcoords="offset points",
                             xytext=(4, -10 if below else 3), fontsize=7, color=color)
    axes[0].set(xlabel="steps n in the rollout", ylabel="s per gradient (latency)")
    axes[1].set(xlabel="s per gradient (median)", ylabel="MiB of temporaries (XLA's plan)")
    for ax in axes:
        plain_log(ax)
    axes[0].legend(loc="upper left")
    return fig


def rollout_table(recorder: Recorder) -> str:
    """Markdown table at the largest n: plan, measured peak, compile and time per gradient."""
    rows = ["| scheme | k | XLA's plan: temporaries (MiB) | measured peak above baseline (MiB) "
            "| page faults per gradient | compile (s) | s per gradient, median |",
            "|---|---|---|---|---|---|---|"]
    for scheme in recorder.variants("rollout"):
        series = rollout(recorder, scheme)
        r, t = series.records[-1], series.timings[-1]
        k = f"{r.extra['k']:.0f}" if scheme == "nested, every k steps" else "–"
        rows.append(f"| {scheme} | {k} | {r.extra['temp_mib']:,.1f} | {r.extra['peak_mib']:,.1f} "
                    f"| {r.extra['faults']:,.0f} | {r.compile_s:.2f} | {t.median_s:.3f} |")
    return "\n".join(rows)


def donation_table(recorder: Recorder) -> str:
    """Markdown table: the two updates' plans, measured peaks, page faults and times."""
    rows = ["| update | XLA's plan: aliased (MiB) | XLA's plan: outputs (MiB) "
            "| measured peak above baseline (MiB) | page faults per update | ms per update |",
            "|---|---|---|---|---|---|"]
    for name in recorder.variants("donation"):
        r = recorder.series("donation", name).records[-1]
        t = recorder.series("donation", name).timings[-1]
        rows.append(f"| {name} | {r.extra['plan_aliased_mib']:,.1f} | "
                    f"{r.extra['plan_outputs_mib']:,.1f} | {r.extra['peak_mib']:,.1f} | "
                    f"{r.extra['faults_per_update']:,.0f} | {t.median_s * 1e3:.2f} |")
    return "\n".join(rows)


def keepalive_table(plans: dict[tuple[str, str], Any]) -> str:
    """Markdown table: each loop's plan, beside what the shapes predict."""
    rows = ["| optimizer | each step keeps | arguments | outputs | of them aliased | temporaries "
            "| predicted: parameters + state | predicted: stacked |",
            "|---|---|---|---|---|---|---|---|"]
    for (optimizer, kept), p in plans.items():
        rows.append(f"| {optimizer} | {kept} | {p.arguments:,.2f} | {p.outputs:,.2f} | "
                    f"{p.aliased:,.2f} | {p.temporaries:,.2f} | {p.params + p.opt_state:,.2f} | "
                    f"{p.stacked:,.3f} |")
    return "\n".join(rows)


def glue_donation(recorder: Recorder, array_mib: float) -> None:
    """Section 1: the donation table and its verdicts."""
    import jax

    from perfguide.glue import glue_number, glue_words

    rec = {name: recorder.series("donation", name).records[-1]
           for name in ("donated", "not donated")}
    tim = {name: recorder.series("donation", name).timings[-1] for name in rec}
    glue_number("donate_mib", array_mib)
    glue_words("donation_table", donation_table(recorder))
    glue_words("alias_verdict", alias_verdict(rec["donated"].extra["plan_aliased_mib"],
                                              array_mib))
    glue_words("donation_peak", donation_peak_verdict(
        rec["donated"].extra["peak_mib"], rec["not donated"].extra["peak_mib"], array_mib))
    glue_words("donation_faults", faults_verdict(
        rec["donated"].extra["faults_per_update"], rec["not donated"].extra["faults_per_update"],
        array_mib, backend=jax.default_backend()))
    glue_words("donation_time", donation_time_verdict(tim["donated"], tim["not donated"]))


def fault_cost_s(recorder: Recorder) -> float:
    """Section 1's cost per page fault: the copied update's extra time over its extra faults
    (0 where the copy faults no more, or is no slower)."""
    rec = {name: recorder.series("donation", name) for name in ("donated", "not donated")}
    faults = (rec["not donated"].records[-1].extra["faults_per_update"]
              - rec["donated"].records[-1].extra["faults_per_update"])
    extra_s = rec["not donated"].timings[-1].median_s - rec["donated"].timings[-1].median_s
    return extra_s / faults if faults > 0 and extra_s > 0 else 0.0


def glue_rollout(recorder: Recorder, field_mib: float, how: str) -> None:
    """Section 2: the rollout's figures, table and verdicts."""
    import jax

    from perfguide.glue import glue_figure, glue_number, glue_words

    plain, step, nest = (rollout(recorder, s) for s in
                         ("plain scan", "checkpointed step", "nested, every k steps"))
    n = plain.sizes[-1]
    glue_figure("fig_rollout_memory", memory_figure(recorder, field_mib, how))
    glue_figure("fig_tradeoff", tradeoff_figure(recorder))
    glue_words("rollout_table", rollout_table(recorder))
    glue_words("measured_words", measured_words(how))
    glue_number("field_mib", field_mib)
    glue_number("min_steps", plain.sizes[0])
    glue_number("max_steps", n)
    glue_number("k_max", nest.records[-1].extra["k"])
    glue_words("scaling", "; ".join(
        scaling_verdict(s, slope(series.sizes, _extra(series, "temp_mib")))
        for s, series in (("plain scan", plain), ("checkpointed step", step),
                          ("nested, every k steps", nest))))
    temp = {s: series.records[-1].extra["temp_mib"] for s, series in
            (("plain", plain), ("step", step), ("nested", nest))}
    glue_words("step_checkpoint", step_checkpoint_verdict(
        temp["plain"], temp["step"], temp["plain"] / field_mib / n, temp["step"] / field_mib / n))
    glue_words("nested_memory", nested_verdict(temp["plain"], temp["nested"], n))
    glue_words("step_time", recompute_time_verdict(
        "the checkpointed step", step.timings[-1], plain.timings[-1], n))
    glue_words("nested_time", recompute_time_verdict(
        "the nested scheme", nest.timings[-1], plain.timings[-1], n))
    glue_words("gradient_faults", gradient_faults_verdict(
        plain.records[-1].extra["faults"], nest.records[-1].extra["faults"], temp["plain"],
        plain.timings[-1].median_s, fault_cost_s(recorder), backend=jax.default_backend()))
    gaps = [(abs(m - p) - max(PLAN_TOL * p, PLAN_FLOOR_MIB), f"{s}, {size:,.0f} steps", p, m)
            for s in recorder.variants("rollout") for size, p, m in
            zip(rollout(recorder, s).sizes, _extra(rollout(recorder, s), "temp_mib"),
                _extra(rollout(recorder, s), "peak_mib"))]
    _, worst, planned, measured = max(gaps)
    glue_words("plan_match", plan_match_verdict(worst, planned, measured, how))
    glue_number("compile_max_s", max(r.compile_s for s in recorder.variants("rollout")
                                     for r in rollout(recorder, s).records))


def glue_keepalive(plans: dict[tuple[str, str], Any], steps: int, short: Any,
                   short_steps: int) -> None:
    """Section 3: what the training loops keep alive; `short`: Adam keeping the loss, fewer
    steps."""
    from perfguide.glue import glue_number, glue_words

    glue_words("keepalive_table", keepalive_table(plans))
    glue_words("keep_temporaries", temporaries_verdict(
        short.temporaries, plans["Adam", "the loss"].temporaries, short_steps, steps))
    glue_number("keep_steps", steps)
    adam = plans["Adam", "the loss"]
    glue_words("optimizer_state", optimizer_state_verdict(adam.opt_state, adam.params,
                                                          adam.aliased))
    glue_words("stacked_loss", stacked_verdict(adam.outputs, adam.aliased, adam.stacked,
                                               "the loss"))
    stacked = plans["Adam", "the parameters"]
    glue_words("stacked_params", stacked_verdict(stacked.outputs, stacked.aliased,
                                                 stacked.stacked, "the parameters"))
    glue_number("stacked_params_mib", stacked.stacked)
    glue_number("stacked_over_carry", stacked.stacked / (stacked.params + stacked.opt_state))
    glue_number("keep_params_mib", adam.params)
    glue_number("keep_data_mib", adam.data)
