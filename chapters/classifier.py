"""Verdicts, tables and figures of the page notebooks/classifier.md.

Every time the verdicts read is seconds per training epoch, measured as
the epochs trained: the steps of an epoch issued back to back and its
last output waited on (throughput per epoch), each library in a process
of its own, the implementations of a process taking turns epoch by epoch.
The first epoch, which compiles, is kept apart.
"""

import math
from typing import Any

from perfguide.goals import Goal
from perfguide.threads import thread_label
from perfguide.timing import Timing
from perfguide.verdicts import TIE, compare_timings, resolved
from workloads.classifier.sides import (HOST, LOADER, PREFETCH, STAGED, Run,
                                        Side)
from workloads.registry import PYTHON_LOOPS, VARIANTS
from workloads.sides import TORCH_COMPILED, TORCH_EAGER

TARGET_ACCURACY = 0.95  # the fixed test accuracy timed to
ACCURACY_TOLERANCE = 0.02  # final accuracies within 2 points (7 of 360)
LOSS_RTOL = 1e-3  # first-epoch losses of every side against nnx.jit's
HELD_BACK = "the noise check flags this run (see the box above)"
ONE_SETTING = ("this run had one core only, so there is no all-core "
               "figure")
NNX_JIT, SCAN, FLAT = "nnx.jit", "nnx.scan", "jax.jit flat leaves"
CANDIDATES = tuple(n for n in PYTHON_LOOPS if n != NNX_JIT)
"""The Python loops that may be the fastest (the page measures some)."""
QUICK_LOOPS = (NNX_JIT, FLAT, "nnx.jit_partial", SCAN)
FULL_LOOPS = (NNX_JIT, *CANDIDATES, SCAN)
"""What the page measures in each profile: `nnx.jit`, candidates, scan."""
QUICK_EPOCHS, FULL_EPOCHS = 8, 15
MODELS = {"cnn": "CNN", "mlp": "MLP"}
FEED_MODEL = "mlp"  # the data-feeding section's model: the shortest step
TORCH = (TORCH_EAGER, TORCH_COMPILED)
COLORS = {TORCH_EAGER: "C8", TORCH_COMPILED: "C9"}

Runs = dict[str, dict[str, Run]]  # model kind -> implementation -> Run


def ms(seconds: float) -> str:
    """Seconds as milliseconds, two significant figures at least."""
    value = seconds * 1e3
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.3g} ms"


def merged(*sides: Side) -> Side:
    """The JAX and PyTorch sides of one thread setting as one."""
    runs: Runs = {}
    for side in sides:
        for kind, by_name in side.runs.items():
            runs.setdefault(kind, {}).update(by_name)
    feeding = {f"{lib} {name}": t for lib, side in zip(("JAX", "PyTorch"),
                                                      sides)
               for name, t in side.feeding.items()}
    failed = {k: v for side in sides for k, v in side.failed.items()}
    notes = {k: v for side in sides for k, v in side.notes.items()}
    return Side(runs, feeding, failed, notes)


def epochs_to(accuracy: tuple[float, ...], target: float = TARGET_ACCURACY
              ) -> int | None:
    """Epochs trained when the test accuracy first reaches `target`."""
    for epoch, value in enumerate(accuracy, start=1):
        if value >= target - 1e-9:
            return epoch
    return None


def time_to(run: Run, target: float = TARGET_ACCURACY) -> float | None:
    """Steady-state seconds of training to `target`: epochs needed times
    the median epoch (compilation apart)."""
    epochs = epochs_to(run.accuracy, target)
    return None if epochs is None else epochs * run.timing.median_s


def fastest_loop(found: dict[int, Side], candidates: tuple[str, ...]) -> str:
    """The candidate Python loop with the smallest product of medians over
    every model and thread setting (the geometric mean's order)."""
    def score(name: str) -> float:
        return math.prod(side.runs[kind][name].timing.median_s
                         for side in found.values() for kind in side.runs)
    return min(candidates, key=score)


def label(name: str, loop: str | None = None) -> str:
    """An implementation as tables and legends name it."""
    if name == NNX_JIT:
        return "Flax `nnx.jit` per step"
    if name == SCAN:
        return "Flax epoch in `nnx.scan`"
    if name in VARIANTS:
        mark = " (fastest loop)" if name == loop else ""
        return f"Flax `{name}`{mark}"
    return {TORCH_EAGER: "PyTorch eager",
            TORCH_COMPILED: "PyTorch `torch.compile`"}.get(name, name)


def color(name: str) -> str:
    """One colour per implementation on every figure."""
    return COLORS.get(name) or f"C{VARIANTS[name].number - 1}"


# ---- verdicts: each chooses its words from measured numbers ----


def loop_verdict(model: str, loop: str, loop_t: Timing, nnx_t: Timing,
                 steps: int) -> str:
    """The fastest Python loop against `nnx.jit`, with the difference per
    step; both run the same step, so the difference is Python's work
    around each call."""
    words = compare_timings(f"`{loop}`", loop_t, "`nnx.jit`", nnx_t, TIE)
    per_step_us = (nnx_t.median_s - loop_t.median_s) / steps * 1e6
    if resolved(loop_t, nnx_t, TIE) and per_step_us > 0:
        return (f"{model}: {words} per epoch, {per_step_us:,.0f} µs less "
                f"per step over its {steps} steps")
    return f"{model}: {words} per epoch"


def share_verdict(model: str, nnx_t: Timing, fastest: Timing,
                  fastest_name: str) -> str:
    """How much of `nnx.jit`'s epoch the fastest Flax way does not spend:
    arithmetic on two medians, spread-aware."""
    share = 1 - fastest.median_s / nnx_t.median_s
    if not resolved(fastest, nnx_t, TIE) or share <= 0:
        return (f"{model}: `nnx.jit` is not told apart from {fastest_name}, "
                "so its per-call work does not show here")
    return (f"{model}: {share:.0%} of `nnx.jit`'s epoch is time that "
            f"{fastest_name} does not spend")


def scan_verdict(model: str, scan_t: Timing, loop_t: Timing,
                 loop: str) -> str:
    """The scanned epoch against the fastest Python loop."""
    return (f"{model}: " + compare_timings(
        "the scanned epoch", scan_t, f"the `{loop}` loop", loop_t, TIE))


Count = tuple[int, int]  # (convolutions out of canonical order, all)


def hlo_verdict(scan_counts: Count, step_counts: Count,
                handed: tuple[Count, Count], scan_slower: bool) -> str:
    """What the programs show about the scanned CNN: how many of their
    convolutions are out of XLA's canonical order, as JAX hands them to
    XLA (`handed`: step, scan) and as compiled (a count, not a timing of
    each convolution)."""
    odd, total = scan_counts
    step_odd, step_total = step_counts
    given = (f"in both, JAX hands XLA {handed[0][0]} of {handed[0][1]} "
             "convolutions" if handed[0] == handed[1] else
             f"JAX hands XLA {handed[0][0]} of {handed[0][1]} convolutions "
             f"in the step and {handed[1][0]} of {handed[1][1]} in the "
             "scanned epoch")
    facts = (f"{given} out of the canonical NHWC order "
             f"(`b01f_01io->b01f`); compiled, the per-step program has "
             f"{step_odd} of {step_total} left, the scanned epoch {odd} "
             f"of {total}")
    if scan_slower and odd > step_odd:
        return (f"The compiled programs differ: {facts}. XLA rewrote the "
                "per-step program's convolutions into that order, and not "
                "those inside the loop body. JAX issue "
                "[jax#12868](https://github.com/jax-ml/jax/issues/12868) "
                "reports a channel-first convolution much slower inside a "
                "loop body than alone on XLA:CPU, and its channel-last twin "
                "not. This page counts the convolutions; it does not time "
                "them one by one, so it does not show that they are where "
                "the scanned epoch's time goes.")
    if scan_slower:
        return (f"The convolution layouts do not tell the programs apart: "
                f"{facts}. This page does not time the convolutions one by "
                "one.")
    return f"For the record, {facts}."


def library_verdict(setting: str, jax_name: str, jax_t: Timing,
                    torch_name: str, torch_t: Timing,
                    noisy: bool = False) -> str:
    """A Flax way against a PyTorch way at one setting; held back when
    the noise check flags the run, since each library ran in one process
    of its own and a slow spell can fall on one of them only."""
    if noisy and resolved(jax_t, torch_t, TIE):
        return (f"{setting}: {jax_name} {ms(jax_t.median_s)} and "
                f"{torch_name} {ms(torch_t.median_s)} per epoch, not "
                f"compared: {HELD_BACK}")
    return f"{setting}: " + compare_timings(jax_name, jax_t, torch_name,
                                            torch_t, TIE)


def compile_verdict(model: str, compile_s: float, eager_t: Timing,
                    compiled_t: Timing, epochs: int) -> str:
    """Whether `torch.compile` pays its compilation back within the run."""
    saved = eager_t.median_s - compiled_t.median_s
    head = (f"{model}: `torch.compile` spent {compile_s:.1f} s in its first "
            f"epoch beyond a steady one")
    if not resolved(compiled_t, eager_t, TIE) or saved <= 0:
        return (f"{head}; " + compare_timings(
            "its steady epoch", compiled_t, "eager's", eager_t, TIE)
            + "; no payback on this run")
    payback = compile_s / saved
    where = (f"within this run's {epochs} epochs" if payback <= epochs
             else f"beyond this run's {epochs} epochs")
    return (f"{head}; it saves {ms(saved)} per epoch, so it pays back after "
            f"{payback:,.0f} epochs, {where}")


def accuracy_verdict(finals: dict[str, float], reached: dict[str, int | None],
                     target: float, tolerance: float) -> str:
    """Every implementation's final accuracy and whether each reached the
    target, against the stated tolerance."""
    low, high = min(finals.values()), max(finals.values())
    missing = [name for name, epochs in reached.items() if epochs is None]
    within = "within" if high - low <= tolerance + 1e-12 else "not within"
    spread = (f"every run ends at {low:.1%} test accuracy" if high == low
              else f"final test accuracies from {low:.1%} to {high:.1%}, "
              f"{within} {tolerance * 100:.0f} percentage points of each "
              "other")
    if missing:
        return (f"{spread}; {', '.join(missing)} did not reach "
                f"{target:.0%} in this run's epochs")
    first = {epochs for epochs in reached.values() if epochs is not None}
    when = (f"after the same number of epochs ({first.pop()})"
            if len(first) == 1 else
            f"after {min(first)} to {max(first)} epochs")
    return f"{spread}; every implementation reaches {target:.0%} {when}"


def time_to_verdict(model: str, times: dict[str, float | None],
                    held_back: tuple[str, ...] = ()) -> str:
    """Which implementation trains to the target soonest (steady state),
    and by how much over the slowest that got there; the `held_back`
    ones (another library's, on a noisy run) are left out of the
    comparison."""
    done = {name: t for name, t in times.items()
            if t is not None and name not in held_back}
    if held_back:
        model = f"{model}, {' and '.join(held_back)} left out as {HELD_BACK}"
    if not done:
        return f"{model}: no implementation reached the target"
    best = min(done, key=done.__getitem__)
    worst = max(done, key=done.__getitem__)
    if done[worst] < done[best] * (1 + TIE):
        return (f"{model}: every implementation reaches it within "
                f"{TIE:.0%} of {ms(done[best])} of training")
    return (f"{model}: {best} reaches it first, after {ms(done[best])} of "
            f"training, {done[worst] / done[best]:.1f}× sooner than "
            f"{worst} ({ms(done[worst])})")


def feed_verdict(what: str, fed_t: Timing, staged_t: Timing,
                 steps: int) -> str:
    """One way of feeding against the data staged on the device, per step
    where resolved."""
    words = compare_timings(what, fed_t, "the staged epoch", staged_t, TIE)
    extra_us = (fed_t.median_s - staged_t.median_s) / steps * 1e6
    if resolved(fed_t, staged_t, TIE):
        sign = "more" if extra_us > 0 else "less"
        return f"{words} ({abs(extra_us):,.0f} µs {sign} per step)"
    return words


def prefetch_verdict(prefetched_t: Timing, host_t: Timing,
                     backend: str) -> str:
    """What a one-batch-ahead `device_put` changes, and why it can't help
    where the device is the host's memory."""
    words = compare_timings("Prefetching", prefetched_t,
                            "the plain host loader", host_t, TIE)
    if backend == "cpu" and (not resolved(prefetched_t, host_t, TIE)
                             or prefetched_t.median_s > host_t.median_s):
        return (f"{words}: on the CPU backend the device is the host's "
                "memory, so there is no transfer to overlap, only one more "
                "`device_put` call per batch")
    return words


def threads_verdict(name: str, one: Timing, every: Timing,
                    cores: int) -> str:
    """One implementation from one core to all cores."""
    return compare_timings(f"{name} on {cores} cores", every, "on 1 core",
                           one, TIE)


def _t(seconds: float, spread: float = 0.02) -> Timing:
    """A synthetic timing with a narrow band, for the flip tests."""
    return Timing(seconds, tuple(seconds * (1 + d) for d in
                                 (-spread, 0, 0, 0, spread)), 1,
                  "throughput")


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (loop_verdict,
     dict(model="MLP", loop="flat", loop_t=_t(0.01), nnx_t=_t(0.05),
          steps=44),
     dict(model="MLP", loop="flat", loop_t=_t(0.05), nnx_t=_t(0.051),
          steps=44)),
    (share_verdict,
     dict(model="MLP", nnx_t=_t(0.05), fastest=_t(0.005),
          fastest_name="scan"),
     dict(model="MLP", nnx_t=_t(0.05), fastest=_t(0.0495),
          fastest_name="scan")),
    (scan_verdict,
     dict(model="CNN", scan_t=_t(1.0), loop_t=_t(0.05), loop="flat"),
     dict(model="CNN", scan_t=_t(0.01), loop_t=_t(0.05), loop="flat")),
    (hlo_verdict,
     dict(scan_counts=(3, 5), step_counts=(0, 5), handed=((3, 5), (3, 5)),
          scan_slower=True),
     dict(scan_counts=(0, 5), step_counts=(0, 5), handed=((3, 5), (3, 5)),
          scan_slower=False)),
    (hlo_verdict,
     dict(scan_counts=(3, 5), step_counts=(0, 5), handed=((3, 5), (3, 5)),
          scan_slower=True),
     dict(scan_counts=(0, 5), step_counts=(0, 5), handed=((3, 5), (3, 5)),
          scan_slower=True)),
    (library_verdict,
     dict(setting="1 core", jax_name="JAX", jax_t=_t(0.01),
          torch_name="PyTorch", torch_t=_t(0.05)),
     dict(setting="1 core", jax_name="JAX", jax_t=_t(0.05),
          torch_name="PyTorch", torch_t=_t(0.01))),
    (library_verdict,
     dict(setting="1 core", jax_name="JAX", jax_t=_t(0.01),
          torch_name="PyTorch", torch_t=_t(0.05)),
     dict(setting="1 core", jax_name="JAX", jax_t=_t(0.01),
          torch_name="PyTorch", torch_t=_t(0.05), noisy=True)),
    (compile_verdict,
     dict(model="CNN", compile_s=10.0, eager_t=_t(0.1),
          compiled_t=_t(0.05), epochs=500),
     dict(model="CNN", compile_s=10.0, eager_t=_t(0.1),
          compiled_t=_t(0.12), epochs=500)),
    (compile_verdict,
     dict(model="CNN", compile_s=1.0, eager_t=_t(0.1),
          compiled_t=_t(0.05), epochs=50),
     dict(model="CNN", compile_s=10.0, eager_t=_t(0.1),
          compiled_t=_t(0.05), epochs=50)),
    (accuracy_verdict,
     dict(finals={"a": 0.95, "b": 0.96}, reached={"a": 5, "b": 5},
          target=0.95, tolerance=0.02),
     dict(finals={"a": 0.90, "b": 0.96}, reached={"a": None, "b": 5},
          target=0.95, tolerance=0.02)),
    (time_to_verdict,
     dict(model="MLP", times={"a": 0.1, "b": 1.0}),
     dict(model="MLP", times={"a": 1.0, "b": 1.01})),
    (time_to_verdict,
     dict(model="MLP", times={"a": 0.1, "b": 1.0, "c": 1.0}),
     dict(model="MLP", times={"a": 0.1, "b": 1.0, "c": 1.0},
          held_back=("a",))),
    (feed_verdict,
     dict(what="host", fed_t=_t(0.02), staged_t=_t(0.01), steps=44),
     dict(what="host", fed_t=_t(0.0101), staged_t=_t(0.01), steps=44)),
    (prefetch_verdict,
     dict(prefetched_t=_t(0.02), host_t=_t(0.01), backend="cpu"),
     dict(prefetched_t=_t(0.01), host_t=_t(0.02), backend="gpu")),
    (accuracy_verdict,
     dict(finals={"a": 0.95, "b": 0.95}, reached={"a": 5, "b": 5},
          target=0.95, tolerance=0.02),
     dict(finals={"a": 0.93, "b": 0.96}, reached={"a": 5, "b": 5},
          target=0.95, tolerance=0.02)),
    (threads_verdict,
     dict(name="PyTorch", one=_t(0.02), every=_t(0.01), cores=2),
     dict(name="PyTorch", one=_t(0.01), every=_t(0.02), cores=2)),
]

GOALS: list[Goal] = []


# ---- tables, figures and glue ----


def headline(found: dict[int, Side]) -> dict[str, Timing]:
    """Every implementation's time per epoch, for the noise check."""
    return {f"{MODELS[kind]} {name}, {thread_label(threads)}": run.timing
            for threads, side in found.items()
            for kind, runs in side.runs.items()
            for name, run in runs.items()}


def epochs_table(found: dict[int, Side], kind: str, loop: str) -> str:
    """Markdown: ms per epoch at each setting, first epoch beyond a
    steady one (1-core process), epochs and time to the target, final
    accuracy."""
    settings = sorted(found)
    one = found[settings[0]].runs[kind]
    head = ["implementation",
            *[f"ms per epoch, {thread_label(t)}" for t in settings],
            "first epoch − steady (s), 1 core",
            f"epochs to {TARGET_ACCURACY:.0%}",
            f"time to {TARGET_ACCURACY:.0%}, 1 core (s)",
            "final test accuracy"]
    rows = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for name, run in one.items():
        cells = [f"{found[t].runs[kind][name].timing.median_s * 1e3:,.1f}"
                 if name in found[t].runs[kind] else "—" for t in settings]
        reach, seconds = epochs_to(run.accuracy), time_to(run)
        cells += [f"{run.compile_s:.2f}", str(reach or "not reached"),
                  f"{seconds:.2f}" if seconds is not None else "—",
                  f"{run.accuracy[-1]:.1%}"]
        rows.append(f"| {label(name, loop)} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def feeding_table(found: dict[int, Side], steps: int) -> str:
    """Markdown: ms per epoch of every way of feeding, at each setting."""
    settings = sorted(found)
    names = list(found[settings[0]].feeding)
    rows = ["| library, feeding | " + " | ".join(
        f"ms per epoch, {thread_label(t)}" for t in settings)
        + " | µs per step, 1 core |", "|---" * (len(settings) + 2) + "|"]
    for name in names:
        times = [found[t].feeding[name] for t in settings]
        cells = [f"{t.median_s * 1e3:,.2f}" for t in times]
        rows.append(f"| {name} | " + " | ".join(cells)
                    + f" | {times[0].median_s / steps * 1e6:,.0f} |")
    return "\n".join(rows)


def epochs_figure(found: dict[int, Side], loop: str) -> Any:
    """Time per epoch of every implementation, one panel per model, a
    marker per thread setting, whiskers over the spread; log scale."""
    import matplotlib.pyplot as plt

    settings = sorted(found)
    kinds = list(found[settings[0]].runs)
    fig, axes = plt.subplots(1, len(kinds), figsize=(9.0, 3.8),
                             layout="constrained", squeeze=False)
    markers = dict(zip(settings, ("o", "s")))
    for ax, kind in zip(axes[0], kinds):
        names = list(found[settings[0]].runs[kind])
        for i, name in enumerate(names):
            for j, threads in enumerate(settings):
                run = found[threads].runs[kind].get(name)
                if run is None:
                    continue
                t = run.timing
                y = len(names) - 1 - i + (0.15 if j == 0 else -0.15)
                ax.errorbar([t.median_s * 1e3], [y], xerr=[
                    [(t.median_s - t.low_s) * 1e3],
                    [(t.high_s - t.median_s) * 1e3]], fmt=markers[threads],
                    color=color(name), capsize=3,
                    label=thread_label(threads) if i == 0 else None,
                    markerfacecolor="white" if j else color(name))
        ax.set_yticks(range(len(names))[::-1],
                      [label(n, loop).replace("`", "") for n in names],
                      fontsize=8)
        ax.set_xscale("log")
        ax.set(xlabel="ms per epoch (median, whiskers: spread)",
               title=MODELS[kind])
        ax.grid(axis="y", visible=False)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2,
               fontsize=8, title="each process")  # clear of the whiskers
    return fig


def curves_figure(found: dict[int, Side], threads: int, loop: str) -> Any:
    """Test accuracy against epochs (top) and against steady-state
    training time (bottom, log scale), one column per model."""
    import matplotlib.pyplot as plt

    runs = found[threads].runs
    fig, axes = plt.subplots(2, len(runs), figsize=(9.0, 6.4),
                             layout="constrained", squeeze=False)
    styles: list[Any] = ["-", "--", ":", "-.", (0, (5, 1)), (0, (1, 1)),
                         (0, (3, 1, 1, 1))]
    for col, (kind, by_name) in enumerate(runs.items()):
        top, bottom = axes[0, col], axes[1, col]
        for i, (name, run) in enumerate(by_name.items()):
            epochs = range(1, len(run.accuracy) + 1)
            style = dict(color=color(name), linestyle=styles[i % len(styles)],
                         marker="o", markersize=3,
                         label=label(name, loop).replace("`", ""))
            top.plot(epochs, [100 * a for a in run.accuracy], **style)
            bottom.plot([e * run.timing.median_s for e in epochs],
                        [100 * a for a in run.accuracy], **style)
        for ax in (top, bottom):
            ax.axhline(100 * TARGET_ACCURACY, color="black", lw=1,
                       linestyle="--")
            ax.set_ylabel("test accuracy (%)")
        top.set(xlabel="epochs", title=MODELS[kind])
        bottom.set(xlabel=f"training time (s, steady state, "
                          f"{thread_label(threads)} each)", xscale="log")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3,
               fontsize=8)
    return fig


def ways_table(loops: tuple[str, ...], optimizer: str = "fused") -> str:
    """Markdown: every implementation the page measures and what Python
    does around each step; `optimizer`: which Adam kernel PyTorch ran."""
    rows = ["| implementation | per step, from Python |", "|---|---|"]
    for name in loops:
        rows.append(f"| {label(name)} | {VARIANTS[name].per_call} |")
    rows.append(f"| {label(TORCH_EAGER)} | every operation of the step "
                f"dispatched from Python; {optimizer} Adam |")
    rows.append(f"| {label(TORCH_COMPILED)} | one compiled forward and "
                f"backward (Inductor), then the {optimizer} Adam step |")
    return "\n".join(rows)


def fastest_of(runs: dict[str, Run], names: tuple[str, ...]) -> str:
    """The named implementation with the smallest median epoch."""
    present = [n for n in names if n in runs]
    return min(present, key=lambda n: runs[n].timing.median_s)


def _spread_words(found: dict[int, Side]) -> str:
    """What the whiskers and bands are: the spread over timed epochs."""
    t = next(iter(next(iter(found.values())).runs.values()))
    first = next(iter(t.values())).timing
    return f"{first.spread} over {first.repeats} timed epochs"


def busy_words(found: dict[int, Side], kind: str, busy: bool) -> str:
    """A caveat when some implementation got slower on all cores while the
    machine's load exceeded its cores (`NoiseCheck.busy`)."""
    one, every = found[min(found)].runs[kind], found[max(found)].runs[kind]
    slower = any(resolved(one[n].timing, every[n].timing, TIE)
                 and every[n].timing.median_s > one[n].timing.median_s
                 for n in one if n in every)
    if slower and busy:
        return (". The machine's load exceeded its cores during this run "
                "(see the box above): threads that must meet at every step "
                "also waited for the scheduler, so the all-core figures say "
                "what all cores gave here, not on an idle machine")
    return ""


def glue_page(found: dict[int, Side], loop: str, steps: int,
              max_loss_rdiff: float, busy: bool = False,
              noisy: bool = False) -> None:
    """Glue every number, table, figure and verdict of the page; `noisy`
    (the noise check flags the run) holds the library verdicts back."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    settings = sorted(found)
    one, every = settings[0], settings[-1]
    flax = tuple(n for n in found[one].runs["cnn"] if n not in TORCH)
    epochs = len(next(iter(found[one].runs["cnn"].values())).accuracy)
    glue_words("loop", f"`{loop}`")
    glue_words("spread_words", _spread_words(found))
    glue_words("settings_words", "once pinned to one core and once on all "
               f"{every} cores" if every > one else "on the one core this run "
               "had, so there is no all-core figure")
    glue_words("runs_where", "both thread settings" if every > one
               else "one core")
    glue_number("steps", steps)
    glue_number("max_loss_rdiff", max_loss_rdiff)
    glue_words("ways_table", ways_table(flax, found[one].notes.get(
        "optimizer", "fused")))
    glue_figure("fig_epochs", epochs_figure(found, loop))
    glue_figure("fig_curves", curves_figure(found, one, loop))
    for kind, model in MODELS.items():
        runs = found[one].runs[kind]
        glue_words(f"table_{kind}", epochs_table(found, kind, loop))
        nnx_t, loop_t = runs[NNX_JIT].timing, runs[loop].timing
        glue_words(f"loop_{kind}", loop_verdict(model, loop, loop_t,
                                                nnx_t, steps))
        best = fastest_of(runs, flax)
        glue_words(f"share_{kind}", share_verdict(
            model, nnx_t, runs[best].timing, label(best)))
        glue_words(f"scan_{kind}", scan_verdict(model, runs[SCAN].timing,
                                                loop_t, loop))
        for key, threads in (("one", one), ("all", every)):
            setting = f"{model}, {thread_label(threads)} each"
            if key == "all" and every == one:
                for verdict in ("lib", "plain"):
                    glue_words(f"{verdict}_{kind}_all",
                               f"{model}, all cores: {ONE_SETTING}")
                continue
            at = found[threads].runs[kind]
            jax_best, torch_best = fastest_of(at, flax), fastest_of(at, TORCH)
            glue_words(f"lib_{kind}_{key}", library_verdict(
                setting, label(jax_best), at[jax_best].timing,
                label(torch_best), at[torch_best].timing, noisy))
            glue_words(f"plain_{kind}_{key}", library_verdict(
                setting, label(NNX_JIT), at[NNX_JIT].timing,
                label(TORCH_EAGER), at[TORCH_EAGER].timing, noisy))
        glue_words(f"threads_{kind}", f"{model}: {ONE_SETTING}"
                   if every == one else f"{model}: " + "; ".join(
            threads_verdict(label(name), found[one].runs[kind][name]
                            .timing, found[every].runs[kind][name].timing,
                            every)
            for name in (NNX_JIT, loop, SCAN, *TORCH)
            if name in found[every].runs[kind]) + busy_words(
                found, kind, busy))
        if TORCH_COMPILED in runs:
            glue_words(f"compile_{kind}", compile_verdict(
                model, runs[TORCH_COMPILED].compile_s,
                runs[TORCH_EAGER].timing, runs[TORCH_COMPILED].timing,
                epochs))
        else:
            glue_words(f"compile_{kind}", f"{model}: `torch.compile` did "
                       "not run here: " + found[one].failed.get(
                           TORCH_COMPILED, "no reason recorded"))
        every_run = [side.runs[kind][n] for side in found.values()
                     for n in side.runs[kind]]
        glue_words(f"accuracy_{kind}", accuracy_verdict(
            {f"{label(n, loop)} ({thread_label(t)})": r.accuracy[-1]
             for t, side in found.items() for n, r in side.runs[kind].items()},
            {f"{label(n, loop)} ({thread_label(t)})": epochs_to(r.accuracy)
             for t, side in found.items() for n, r in side.runs[kind].items()},
            TARGET_ACCURACY, ACCURACY_TOLERANCE))
        glue_number(f"runs_{kind}", len(every_run))
        glue_words(f"time_to_{kind}", time_to_verdict(
            model, {label(n): time_to(r) for n, r in runs.items()},
            tuple(label(n) for n in runs if n in TORCH) if noisy else ()))
    glue_feeding(found, steps)


def glue_hlo(found: dict[int, Side], loop: str,
             counts: dict[str, tuple[Count, Count]]) -> None:
    """The scanned CNN's convolution layouts against the per-step
    program's: `counts[name]` = (as handed to XLA, as compiled)."""
    from perfguide.glue import glue_words

    one = found[min(found)].runs["cnn"]
    scan_t, loop_t = one[SCAN].timing, one[loop].timing
    slower = (resolved(scan_t, loop_t, TIE)
              and scan_t.median_s > loop_t.median_s)
    glue_words("hlo_words", hlo_verdict(
        counts[SCAN][1], counts[FLAT][1], (counts[FLAT][0], counts[SCAN][0]),
        slower))


def glue_feeding(found: dict[int, Side], steps: int) -> None:
    """The data-feeding section's table and verdicts (1-core processes)."""
    from perfguide.glue import glue_words

    fed = found[min(found)].feeding
    backend = found[min(found)].notes.get("backend", "cpu")
    glue_words("feeding_table", feeding_table(found, steps))
    glue_words("feed_host", feed_verdict(
        "Feeding host NumPy batches", fed[f"JAX {HOST}"], fed[f"JAX {STAGED}"],
        steps))
    glue_words("feed_prefetch", prefetch_verdict(
        fed[f"JAX {PREFETCH}"], fed[f"JAX {HOST}"], backend))
    glue_words("feed_loader", feed_verdict(
        "Feeding the `DataLoader`'s batches", fed[f"PyTorch {LOADER}"],
        fed[f"PyTorch {STAGED}"], steps))
