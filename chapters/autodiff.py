"""Verdicts, figures and glue of the page notebooks/autodiff.md.

Every outcome sentence of the page is picked here from measured numbers;
the thresholds are the named constants below. The page's `Recorder` holds,
each with extra `threads` (each library in a process of its own):
- "scalar": way, size = points: seconds per derivative at every point;
- "scalar_floor": way, size = points: seconds per evaluation of f alone;
- "per_example": way, size = batch: seconds per batch of gradients;
- "jacobian": way, size = n (m fixed, extra `m`): seconds per Jacobian;
- "hvp": way, size = n: seconds per Hessian-vector product.
"""

import math
from typing import Any

import numpy as np

from perfguide.records import Recorder, Series
from perfguide.timing import Timing
from perfguide.verdicts import compare_timings, resolved

TIE = 0.10  # two times within 10% of each other are a tie
CROSSOVER_FACTOR = 2.0  # a measured crossover within 2x of n = m agrees
FLOPS_FACTOR = 10.0  # XLA counting 10x one pass's flops: all n² computed
FIXED_SHARE = 0.5  # a fixed per-call cost over half the time: call-bound
GOALS: list[Any] = []  # no speed goals: this page compares, it sets none

JAX, EAGER, COMPILED = "JAX", "PyTorch eager", "torch.compile"


def _x(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:,.0f}×"


def library_verdict(jax_name: str, jax: Timing, torch_name: str,
                    torch: Timing, tie: float = TIE) -> str:
    """The fastest JAX way against the fastest PyTorch way."""
    return compare_timings(jax_name, jax, torch_name, torch, tie)


def full_jacobian_verdict(direct: Timing, diagonal: Timing, whole: Timing,
                          n: int, diag_flops: float, direct_flops: float,
                          tie: float = TIE,
                          factor: float = FLOPS_FACTOR) -> str:
    """One pass against the n×n Jacobian: its diagonal taken inside the
    jitted function, and the whole matrix returned. What XLA computes is
    read from its flop counts; the timing clause is apart."""
    flops = diag_flops / direct_flops
    counted = (f"XLA counts {_x(flops)} the flops of one pass "
               f"(`jvp(f, ones)`) for the diagonal of `jacfwd(f)` taken "
               f"inside `jit`: it computes all {n:,}² entries, fused, to "
               "keep the diagonal"
               if flops >= factor else
               f"XLA counts {_x(flops)} the flops of one pass "
               f"(`jvp(f, ones)`) for the diagonal of `jacfwd(f)` taken "
               "inside `jit`, less than the "
               f"{factor:g}× that computing the n² entries would take")
    timed = ("timed, the two are not told apart (within "
             f"{tie:.0%}, or bands that overlap)"
             if not resolved(direct, diagonal, tie) else
             f"timed, the diagonal costs "
             f"{_x(diagonal.median_s / direct.median_s)} one pass")
    if resolved(direct, whole, tie) and whole.median_s > direct.median_s:
        rest = (f"returned whole, the {n:,}×{n:,} Jacobian costs "
                f"{_x(whole.median_s / direct.median_s)} one pass")
    else:
        rest = (f"even returned whole, the {n:,}×{n:,} Jacobian is not "
                "told apart from one pass")
    return f"at {n:,} points, {counted}; {timed}; {rest}"


def compiled_verdict(name: str, eager: Timing, compiled: Timing | None,
                     error: str | None = None, tie: float = TIE) -> str:
    """`torch.compile` against eager PyTorch for one way, or its failure."""
    if compiled is None:
        return (f"`torch.compile` of {name} failed here ({error}), so only "
                "eager PyTorch is measured")
    return compare_timings(f"`torch.compile` of {name}", compiled,
                           "eager", eager, tie)


def vmap_vs_loop_verdict(library: str, loop: Timing, vmapped: Timing,
                         batch: int, tie: float = TIE) -> str:
    """`vmap(grad)` against a Python loop over the examples."""
    if not resolved(loop, vmapped, tie):
        return (f"in {library}, `vmap(grad)` and a loop over {batch:,} "
                "examples are not told apart")
    ratio = loop.median_s / vmapped.median_s
    if ratio > 1:
        return (f"in {library}, `vmap(grad)` is {_x(ratio)} faster than a "
                f"Python loop over {batch:,} examples")
    return (f"in {library}, a Python loop over {batch:,} examples is "
            f"{_x(1 / ratio)} faster than `vmap(grad)`")


def layout_verdict(out_in: Timing, in_out: Timing, copied_in_out: float,
                   copied_out_in: float, params: int, batch: int,
                   backend: str, tie: float = TIE) -> str:
    """JAX's per-example gradients with weights (out, in) against the same
    weights stored (in, out), as Flax stores kernels; `copied_*`: elements
    per example the compiled program copies between layouts (counted in
    its text, not timed)."""
    where = f"with batch {batch:,}, 1 core, XLA:{backend.upper()}"
    copies = (f"XLA's (in, out) program copies {copied_in_out:,.0f} of the "
              f"{params:,} gradient elements per example from one layout "
              f"into another, the (out, in) one {copied_out_in:,.0f}")
    if not resolved(out_in, in_out, tie):
        return (f"{where}, the layout of the weights makes no resolved "
                f"difference; {copies}")
    ratio = in_out.median_s / out_in.median_s
    if ratio > 1:
        cause = (", a likely contributor (not timed)"
                 if copied_in_out > copied_out_in else "")
        return (f"{where}, storing the weights (in, out), as Flax's kernels "
                f"are, makes JAX's `vmap(grad)` {_x(ratio)} slower than "
                f"(out, in); {copies}{cause}")
    return (f"{where}, storing the weights (in, out) makes JAX's "
            f"`vmap(grad)` {_x(1 / ratio)} faster than (out, in); {copies}")


def crossover(ns: list[int], forward: list[Timing], reverse: list[Timing],
              tie: float = TIE) -> float | None:
    """n where forward's time over reverse's crosses 1, log-interpolated
    between neighbouring sizes at which the two modes are resolved
    (sizes where they are not told apart are skipped, so a tie is not a
    crossing); None when no such crossing is measured."""
    kept = [i for i in range(len(ns))
            if resolved(forward[i], reverse[i], tie)]
    ratio = {i: math.log(forward[i].median_s / reverse[i].median_s)
             for i in kept}
    for i, j in zip(kept, kept[1:]):
        if (ratio[i] < 0) != (ratio[j] < 0):
            t = ratio[i] / (ratio[i] - ratio[j])
            return float(math.exp(math.log(ns[i]) + t * math.log(
                ns[j] / ns[i])))
    return None


def wins(a: Timing, b: Timing, tie: float = TIE) -> bool:
    """`a` is resolved faster than `b`."""
    return resolved(a, b, tie) and a.median_s < b.median_s


def crossover_verdict(measured: float | None, m: int, forward_wins_low: bool,
                      reverse_wins_high: bool,
                      factor: float = CROSSOVER_FACTOR) -> str:
    """The measured crossover of `jacfwd` and `jacrev` (1 thread) against
    n = m: it agrees only when `jacfwd` wins at the smallest n, `jacrev`
    at the largest, and the resolved crossing is within `factor` of m."""
    ends = (f"`jacfwd` {'wins' if forward_wins_low else 'does not win'} "
            f"at the smallest n and `jacrev` "
            f"{'wins' if reverse_wins_high else 'does not win'} at the "
            "largest")
    if measured is None:
        return (f"with 1 thread, no crossing between resolved sizes was "
                f"measured ({ends}), where counting flops predicts one at "
                f"n = m = {m}")
    where = (f"with 1 thread, the times cross at n ≈ {measured:,.0f}, with "
             f"m = {m}, and {ends}")
    if forward_wins_low and reverse_wins_high and (
            1 / factor <= measured / m <= factor):
        return (f"{where}: as counting flops predicts (`jacfwd` for n < m, "
                f"`jacrev` for n > m, crossing within {factor:g}× of n = m)")
    return (f"{where}: not what counting flops predicts (`jacfwd` for "
            f"n < m, `jacrev` for n > m, crossing within {factor:g}× of "
            "n = m); the flop count is not the whole story here")


def dispatch_verdict(library: str, way: str, small: int, t_small: Timing,
                     large: int, t_large: Timing, floor: Timing | None,
                     share: float = FIXED_SHARE) -> str:
    """How much of the time at the smallest size is a fixed per-call cost
    (t = a + b·n through both sizes), and the largest size against the
    floor (f alone, same library and mode), where one was measured."""
    b = (t_large.median_s - t_small.median_s) / (large - small)
    fixed = max(t_small.median_s - b * small, 0.0) / t_small.median_s
    floor_words = ("" if floor is None else
                   f"; at {large:,} points it costs "
                   f"{_x(t_large.median_s / floor.median_s)} evaluating f "
                   "alone")
    fit = (f"in {library} ({way}), a line t = a + b·n through {small:,} "
           f"and {large:,} points puts {fixed:.0%} of the time at "
           f"{small:,} points in the fixed per-call part")
    if fixed > share:
        return (f"{fit}: call-bound at {small:,} points, not "
                f"compute-bound{floor_words}")
    return f"{fit}: the per-point work dominates already{floor_words}"


def compiled_settings_words(every_setting: bool) -> str:
    """Which processes ran `torch.compile` (the profile decides)."""
    if every_setting:
        return ("`torch.compile` runs in every PyTorch process, so the "
                "fastest PyTorch way is chosen among eager and compiled at "
                "both thread settings")
    return ("in this profile `torch.compile` runs only in the 1-thread "
            "process, and for the first two jobs only at their largest "
            "size (its compilations are most of the profile's time), so "
            "elsewhere the fastest PyTorch way is chosen among the eager "
            "ones")


def hvp_verdict(library: str, hvp: Timing, hessian: Timing, n: int,
                tie: float = TIE) -> str:
    """H v by forward-over-reverse against building H first."""
    if not resolved(hvp, hessian, tie):
        return (f"in {library} at n = {n:,}, the two ways to get H v are not "
                "told apart")
    ratio = hessian.median_s / hvp.median_s
    if ratio > 1:
        return (f"in {library} at n = {n:,}, `jvp` of `grad` is {_x(ratio)} "
                "faster than building the Hessian and multiplying")
    return (f"in {library} at n = {n:,}, building the Hessian and "
            f"multiplying is {_x(1 / ratio)} faster than `jvp` of `grad`")


def stored_verdict(bytes_accessed: float, matrix_bytes: float) -> str:
    """Does XLA's cost analysis of the jitted diagonal of `jacfwd` touch
    as many bytes as the n×n matrix would take?"""
    if bytes_accessed < matrix_bytes:
        return ("less than the matrix alone would take: the compiled "
                "program never stores the matrix")
    return ("at least as much as the matrix alone: the compiled program "
            "may store it")


def slope(sizes: list[float], times: list[float]) -> float:
    """Least-squares slope of log time against log size."""
    return float(np.polyfit(np.log(sizes), np.log(times), 1)[0])


def growth_verdict(hvp_slope: float, hessian_slope: float,
                   tie: float = 0.5) -> str:
    """How the two ways' times grow with n (log-log slopes)."""
    if hessian_slope - hvp_slope > tie:
        return (f"the Hessian's time grows like n^{hessian_slope:.1f} over "
                f"the sweep and the product's like n^{hvp_slope:.1f}: the gap "
                "widens with n")
    return (f"the Hessian's time grows like n^{hessian_slope:.1f} and the "
            f"product's like n^{hvp_slope:.1f}, within {tie} of each other: "
            "no widening gap is measured")


def _t(median_s: float) -> Timing:
    """A synthetic timing with a narrow band around `median_s`."""
    return Timing(median_s, tuple(median_s * f for f in
                                  (0.98, 0.99, 1.0, 1.01, 1.02)), 1)


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (library_verdict, dict(jax_name="a", jax=_t(1), torch_name="b",
                           torch=_t(3)),
     dict(jax_name="a", jax=_t(3), torch_name="b", torch=_t(1))),
    (full_jacobian_verdict, dict(direct=_t(1), diagonal=_t(1), whole=_t(9),
                                 n=1000, diag_flops=1e6, direct_flops=1e4),
     dict(direct=_t(1), diagonal=_t(5), whole=_t(9), n=1000,
          diag_flops=1e6, direct_flops=1e4)),
    (full_jacobian_verdict, dict(direct=_t(1), diagonal=_t(1), whole=_t(9),
                                 n=1000, diag_flops=1e6, direct_flops=1e4),
     dict(direct=_t(1), diagonal=_t(1), whole=_t(1), n=1000,
          diag_flops=1e6, direct_flops=1e4)),
    (full_jacobian_verdict, dict(direct=_t(1), diagonal=_t(1), whole=_t(9),
                                 n=1000, diag_flops=1e6, direct_flops=1e4),
     dict(direct=_t(1), diagonal=_t(1), whole=_t(9), n=1000,
          diag_flops=2e4, direct_flops=1e4)),
    (compiled_verdict, dict(name="x", eager=_t(3), compiled=_t(1)),
     dict(name="x", eager=_t(1), compiled=_t(3))),
    (compiled_verdict, dict(name="x", eager=_t(3), compiled=_t(1)),
     dict(name="x", eager=_t(3), compiled=None, error="E")),
    (vmap_vs_loop_verdict, dict(library="JAX", loop=_t(9), vmapped=_t(1),
                                batch=16),
     dict(library="JAX", loop=_t(1), vmapped=_t(9), batch=16)),
    (layout_verdict, dict(out_in=_t(1), in_out=_t(5), copied_in_out=9.0,
                          copied_out_in=0.0, params=10, batch=256,
                          backend="cpu"),
     dict(out_in=_t(1), in_out=_t(1), copied_in_out=9.0, copied_out_in=0.0,
          params=10, batch=256, backend="cpu")),
    (crossover_verdict, dict(measured=60.0, m=64, forward_wins_low=True,
                             reverse_wins_high=True),
     dict(measured=600.0, m=64, forward_wins_low=True,
          reverse_wins_high=True)),
    (crossover_verdict, dict(measured=60.0, m=64, forward_wins_low=True,
                             reverse_wins_high=True),
     dict(measured=60.0, m=64, forward_wins_low=False,
          reverse_wins_high=False)),  # crossing the other way round
    (crossover_verdict, dict(measured=None, m=64, forward_wins_low=True,
                             reverse_wins_high=False),
     dict(measured=None, m=64, forward_wins_low=False,
          reverse_wins_high=True)),
    (dispatch_verdict, dict(library="JAX", way="w", small=1000,
                            t_small=_t(10), large=100_000,
                            t_large=_t(20), floor=_t(10)),
     dict(library="JAX", way="w", small=1000, t_small=_t(10),
          large=100_000, t_large=_t(900), floor=_t(10))),
    (compiled_settings_words, dict(every_setting=True),
     dict(every_setting=False)),
    (hvp_verdict, dict(library="JAX", hvp=_t(1), hessian=_t(9), n=512),
     dict(library="JAX", hvp=_t(9), hessian=_t(1), n=512)),
    (stored_verdict, dict(bytes_accessed=1e3, matrix_bytes=1e6),
     dict(bytes_accessed=1e7, matrix_bytes=1e6)),
    (growth_verdict, dict(hvp_slope=1.0, hessian_slope=2.0),
     dict(hvp_slope=1.0, hessian_slope=1.2)),
]


# Reading the recorder, drawing, glueing ---------------------------------

def series(recorder: Recorder, experiment: str, way: str,
           threads: int) -> Series:
    """One way of one experiment at one thread setting, in size order."""
    return recorder.series(experiment, way, threads=threads)


def at(recorder: Recorder, experiment: str, way: str, threads: int,
       size: int | None = None) -> Timing | None:
    """A way's timing at `size` (default: its largest), or None."""
    s = series(recorder, experiment, way, threads)
    if not s.sizes or (size is not None and size not in s.sizes):
        return None
    return s.timings[-1 if size is None else s.sizes.index(size)]


def fastest_of(recorder: Recorder, experiment: str, prefixes: tuple[str, ...],
               threads: int, size: int) -> tuple[str, Timing]:
    """The fastest way whose name starts with one of `prefixes`."""
    found = {w: at(recorder, experiment, w, threads, size)
             for w in recorder.variants(experiment) if w.startswith(prefixes)}
    found = {w: t for w, t in found.items() if t is not None}
    best = min(found, key=lambda w: found[w].median_s)
    return best, found[best]


def headline(recorder: Recorder, settings: list[int]) -> dict[str, Timing]:
    """The figures the verdicts read most: largest size of each way."""
    out = {}
    for experiment in ("scalar", "per_example", "hvp"):
        for way in recorder.variants(experiment):
            t = at(recorder, experiment, way, settings[0])
            if t is not None:
                out[f"{experiment}: {way}, 1 core"] = t
    return out


def _style(way: str) -> dict[str, Any]:
    """Line style by library: JAX solid, eager dashed, compiled dotted."""
    ls = {JAX: "-", EAGER: "--", COMPILED: ":"}[way.split(":")[0]]
    return {"linestyle": ls, "marker": "o" if ls == "-" else "s"}


def per_example_figure(recorder: Recorder, settings: list[int]) -> Any:
    """Time per batch of per-example gradients against batch size."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log, timing_band
    from perfguide.threads import thread_label

    fig, axes = plt.subplots(1, len(settings), figsize=(9.6, 3.8),
                             layout="constrained", sharey=True)
    for ax, threads in zip(np.atleast_1d(axes), settings):
        for i, way in enumerate(recorder.variants("per_example")):
            s = series(recorder, "per_example", way, threads)
            if s.sizes:
                timing_band(ax, s.sizes, s.timings, unit="ms", label=way,
                            color=f"C{i}", **_style(way))
        ax.set(xlabel="batch size (examples)",
               ylabel="time per batch (ms), latency",
               title=f"{thread_label(threads)} each")
        plain_log(ax)
    np.atleast_1d(axes)[0].legend(fontsize=7, loc="upper left")
    return fig


def jacobian_figure(recorder: Recorder, settings: list[int], m: int) -> Any:
    """Full Jacobian time against n (m fixed), predicted crossover n = m."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log, timing_band
    from perfguide.threads import thread_label

    fig, axes = plt.subplots(1, len(settings), figsize=(9.6, 3.6),
                             layout="constrained", sharey=True)
    for ax, threads in zip(np.atleast_1d(axes), settings):
        for i, way in enumerate(recorder.variants("jacobian")):
            s = series(recorder, "jacobian", way, threads)
            timing_band(ax, s.sizes, s.timings, label=way,
                        color=f"C{i % 2}", **_style(way))
        ax.axvline(m, color="black", linestyle="-.", linewidth=1,
                   label=f"predicted crossover, n = m = {m}")
        ax.set(xlabel="inputs n (outputs m fixed)",
               ylabel="time per Jacobian (µs), latency",
               title=f"{thread_label(threads)} each")
        plain_log(ax)
    np.atleast_1d(axes)[0].legend(fontsize=7, loc="upper left")
    return fig


def hvp_figure(recorder: Recorder, settings: list[int],
               memory: dict[tuple[str, int], float]) -> Any:
    """H v time against n, both libraries; XLA's memory for JAX's two."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log, timing_band
    from perfguide.threads import thread_label

    fig, axes = plt.subplots(1, len(settings) + 1, figsize=(12, 3.8),
                             layout="constrained")
    ways = recorder.variants("hvp")
    for ax, threads in zip(axes, settings):
        for i, way in enumerate(ways):
            s = series(recorder, "hvp", way, threads)
            if s.sizes:
                timing_band(ax, s.sizes, s.timings, label=way,
                            color=f"C{i}", **_style(way))
        s = series(recorder, "hvp", ways[0], threads)  # guides through it
        grid = np.asarray(s.sizes, dtype=float)
        for power, ls in ((1, (0, (1, 3))), (2, (0, (5, 5)))):
            ax.plot(grid, s.medians_s[0] * 1e6 * (grid / grid[0]) ** power,
                    color="grey", linestyle=ls, linewidth=1,
                    label=f"guide: ∝ n{'²' if power == 2 else ''}")
        ax.set(xlabel="inputs n", ylabel="time per H v (µs), latency",
               title=f"{thread_label(threads)} each")
        plain_log(ax)
    axes[0].legend(fontsize=7, loc="upper left")
    ax = axes[-1]
    for i, name in enumerate(dict.fromkeys(k for k, _ in memory)):
        ns = sorted(n for k, n in memory if k == name)
        ax.plot(ns, [memory[name, n] / 1024 for n in ns], "o-",
                color=f"C{ways.index(f'{JAX}: {name}')}", label=name)
    ax.set(xlabel="inputs n", ylabel="XLA temporaries + output (KiB)",
           title="JAX: memory XLA plans")
    plain_log(ax)
    ax.legend(fontsize=7)
    return fig


def scalar_figure(recorder: Recorder, settings: list[int]) -> Any:
    """Time per derivative against the number of points, with each
    library's floor (f alone) in grey."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log, timing_band
    from perfguide.threads import thread_label

    fig, axes = plt.subplots(1, len(settings), figsize=(9.6, 4.0),
                             layout="constrained", sharey=True)
    for ax, threads in zip(np.atleast_1d(axes), settings):
        for i, way in enumerate(recorder.variants("scalar")):
            s = series(recorder, "scalar", way, threads)
            if len(s.sizes) > 1:  # the full Jacobians: one size, in the table
                timing_band(ax, s.sizes, s.timings, label=way,
                            color=f"C{i}", **_style(way))
        for way in recorder.variants("scalar_floor"):
            s = series(recorder, "scalar_floor", way, threads)
            timing_band(ax, s.sizes, s.timings, color="grey", linewidth=2,
                        label=f"floor: {way}", **_style(way))
        ax.set(xlabel="points n", ylabel="time per call (µs), latency",
               title=f"{thread_label(threads)} each")
        plain_log(ax)
    np.atleast_1d(axes)[0].legend(fontsize=6, loc="upper left")
    return fig


def scalar_table(recorder: Recorder, settings: list[int],
                 costs: dict[str, tuple[float, float]], n: int) -> str:
    """Markdown table: every way to the derivative at `n` points, both
    settings; compile seconds for compiled ways only (eager: blank)."""
    from perfguide.threads import thread_label

    head = ["way"] + [f"µs per call, {thread_label(t)} each"
                      for t in settings] + ["compile (s), 1 thread",
                                            "XLA: flops, bytes accessed"]
    rows = ["| " + " | ".join(head) + " |",
            "|" + "---|" * len(head)]
    for experiment in ("scalar", "scalar_floor"):
        for way in recorder.variants(experiment):
            cells = [f"`{way}`"]
            for threads in settings:
                t = at(recorder, experiment, way, threads, n)
                cells.append("—" if t is None else
                             f"{t.median_s * 1e6:,.1f} ({t.low_s * 1e6:,.1f}"
                             f"–{t.high_s * 1e6:,.1f})")
            r = [rec for size, rec in zip(*(lambda s: (s.sizes, s.records))(
                series(recorder, experiment, way, settings[0])))
                if size == n]
            cells.append(f"{r[0].compile_s:.2f}" if r and not
                         way.startswith(EAGER) else "")
            name = way.split(": ", 1)[1]
            cells.append(f"{costs[name][0]:,.0f}, {costs[name][1]:,.0f}"
                         if way.startswith(JAX) and name in costs else "")
            rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def compile_words(recorder: Recorder, threads: int,
                  ways: tuple[str, ...]) -> str:
    """Compile seconds at every size, per compiled way (a listing)."""
    parts = []
    for way in ways:
        s = series(recorder, "scalar", way, threads)
        if s.sizes:
            each = ", ".join(f"{r.compile_s:.2f} s at {n:,}"
                             for n, r in zip(s.sizes, s.records))
            parts.append(f"`{way}`: {each}")
    return "; ".join(parts) if parts else "no compiled way was measured"


def glue_scalar(recorder: Recorder, settings: list[int],
                costs: dict[str, tuple[float, float]],
                failed: dict[str, str], n: int) -> None:
    """Section 1: the figure, the table at `n` points and the verdicts."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    one = settings[0]
    sizes = series(recorder, "scalar", f"{JAX}: grad(sum f)", one).sizes
    small, large = sizes[0], sizes[-1]
    glue_figure("fig_scalar", scalar_figure(recorder, settings))
    glue_words("scalar_table", scalar_table(recorder, settings, costs, n))
    for key, threads, size in (("small", one, small), ("one", one, large),
                               ("all", settings[-1], large)):
        jn, jt = fastest_of(recorder, "scalar", (JAX,), threads, size)
        tn, tt = fastest_of(recorder, "scalar", (EAGER, COMPILED), threads,
                            size)
        glue_words(f"scalar_{key}", library_verdict(
            f"`{jn}`", jt, f"`{tn}`", tt))
    words = []
    for library, prefix, floor in ((JAX, JAX, f"{JAX}: f alone"),
                                   ("PyTorch eager", EAGER,
                                    f"{EAGER}: f alone"),
                                   ("`torch.compile`", COMPILED, None)):
        both = [w for w in recorder.variants("scalar") if w.startswith(
            prefix) and {small, large} <= set(series(
                recorder, "scalar", w, one).sizes)]
        if not both:  # e.g. compiled at the largest size only
            continue
        way = min(both, key=lambda w: at(recorder, "scalar", w, one,
                                         large).median_s)
        words.append(dispatch_verdict(
            library, f"`{way}`", small,
            at(recorder, "scalar", way, one, small), large,
            at(recorder, "scalar", way, one, large),
            None if floor is None else at(recorder, "scalar_floor", floor,
                                          one, large)))
    glue_words("dispatch_words", "; ".join(words))
    t = {w.split(": ", 1)[1]: at(recorder, "scalar", w, one, n)
         for w in recorder.variants("scalar") if w.startswith(JAX)}
    glue_words("full_jacobian", full_jacobian_verdict(
        t["jvp(f, ones)"], t["diag(jacfwd(f))"], t["jacfwd(f), whole"], n,
        costs["diag(jacfwd(f))"][0], costs["jvp(f, ones)"][0]))
    glue_number("direct_flops", costs["jvp(f, ones)"][0])
    glue_number("diag_flops", costs["diag(jacfwd(f))"][0])
    glue_number("diag_kib", costs["diag(jacfwd(f))"][1] / 1024)
    glue_number("matrix_mib", n * n * 4 / 2**20)
    glue_words("stored_words", stored_verdict(costs["diag(jacfwd(f))"][1],
                                              n * n * 4.0))
    glue_words("scalar_compiled", "; ".join(
        compiled_verdict(f"`{name}`",
                         at(recorder, "scalar", f"{EAGER}: {name}", one,
                            large),
                         at(recorder, "scalar", f"{COMPILED}: {name}", one,
                            large),
                         failed.get(f"{COMPILED}: {name}"))
        for name in ("autograd, sum", "func.vmap(grad)",
                     "func.jvp(f, ones)")))
    glue_words("compile_words", compile_words(
        recorder, one, (f"{JAX}: grad(sum f)",
                        f"{COMPILED}: autograd, sum")))
    glue_number("points", n)
    glue_number("points_large", large)


def glue_per_example(recorder: Recorder, settings: list[int],
                     copied: dict[int, dict[str, float]],
                     failed: dict[str, str], params: int,
                     backend: str) -> None:
    """Section 2: the figure and its verdicts."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    one = settings[0]
    glue_figure("fig_per_example", per_example_figure(recorder, settings))
    largest = series(recorder, "per_example", f"{JAX}: vmap(grad), jit",
                     one).sizes[-1]
    glue_number("largest_batch", largest)
    for key, threads in (("one", one), ("all", settings[-1])):
        jn, jt = fastest_of(recorder, "per_example", (JAX,), threads,
                            largest)
        tn, tt = fastest_of(recorder, "per_example", (EAGER, COMPILED),
                            threads, largest)
        glue_words(f"per_example_{key}", library_verdict(
            f"`{jn}`", jt, f"`{tn}`", tt))
    loops = {JAX: (f"{JAX}: loop of jit(grad)", f"{JAX}: vmap(grad), jit"),
             "PyTorch": (f"{EAGER}: loop of autograd",
                         f"{EAGER}: func.vmap(grad)")}
    words = []
    for library, (loop, vmapped) in loops.items():
        batch = series(recorder, "per_example", loop, one).sizes[-1]
        words.append(vmap_vs_loop_verdict(
            library, at(recorder, "per_example", loop, one, batch),
            at(recorder, "per_example", vmapped, one, batch), batch))
    glue_words("loop_words", "; ".join(words))
    glue_words("layout_words", layout_verdict(
        at(recorder, "per_example", f"{JAX}: vmap(grad), jit", one, largest),
        at(recorder, "per_example", f"{JAX}: same, (in, out) kernels", one,
           largest),
        copied[largest]["(in, out)"], copied[largest]["(out, in)"], params,
        largest, backend))
    name = "func.vmap(grad)"
    glue_words("per_example_compiled", compiled_verdict(
        f"`{name}`", at(recorder, "per_example", f"{EAGER}: {name}", one,
                        largest),
        at(recorder, "per_example", f"{COMPILED}: {name}", one, largest),
        failed.get(f"{COMPILED}: {name}")))
    glue_number("params", params)


def glue_modes(recorder: Recorder, settings: list[int], m: int,
               memory: dict[tuple[str, int], float],
               failed: dict[str, str]) -> None:
    """Section 3: forward against reverse, and H v with or without H."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    one = settings[0]
    glue_figure("fig_jacobian", jacobian_figure(recorder, settings, m))
    for key, prefix in (("jax", JAX), ("torch", EAGER)):
        fwd = series(recorder, "jacobian", f"{prefix}: jacfwd", one)
        rev = series(recorder, "jacobian", f"{prefix}: jacrev", one)
        glue_words(f"crossover_{key}", crossover_verdict(
            crossover(fwd.sizes, fwd.timings, rev.timings), m,
            wins(fwd.timings[0], rev.timings[0]),
            wins(rev.timings[-1], fwd.timings[-1])))
    glue_number("jac_m", m)
    glue_figure("fig_hvp", hvp_figure(recorder, settings, memory))
    hvp, hess = "jvp of grad", "hessian, then H @ v"
    words = []
    for library, prefix in ((JAX, JAX), ("PyTorch eager", EAGER),
                            ("`torch.compile`", COMPILED)):
        a = series(recorder, "hvp", f"{prefix}: {hvp}", one)
        b = series(recorder, "hvp", f"{prefix}: {hess}", one)
        common = sorted(set(a.sizes) & set(b.sizes))
        if common:
            n = common[-1]
            words.append(hvp_verdict(library, a.timings[a.sizes.index(n)],
                                     b.timings[b.sizes.index(n)], n))
        elif f"{prefix}: {hvp}" in failed or f"{prefix}: {hess}" in failed:
            error = failed.get(f"{prefix}: {hess}",
                               failed.get(f"{prefix}: {hvp}"))
            words.append(f"`torch.compile` failed here ({error})")
    glue_words("hvp_words", "; ".join(words))
    a = series(recorder, "hvp", f"{JAX}: {hvp}", one)
    b = series(recorder, "hvp", f"{JAX}: {hess}", one)
    glue_words("growth_words", growth_verdict(slope(a.sizes, a.medians_s),
                                              slope(b.sizes, b.medians_s)))
    n = a.sizes[-1]
    glue_number("hvp_n_max", n)
    glue_number("hvp_kib", memory[hvp, n] / 1024)
    glue_number("hessian_kib", memory[hess, n] / 1024)
    glue_number("hessian_matrix_kib", n * n * 4 / 1024)
    ns = sorted(k for name, k in memory if name == hess)
    glue_number("hessian_memory_slope", slope(ns, [memory[hess, k]
                                                   for k in ns]))
    both = sorted(set(a.sizes) & set(series(
        recorder, "hvp", f"{COMPILED}: {hvp}", one).sizes)) or a.sizes
    n = both[-1]  # the largest size both libraries' every way measured
    jn, jt = fastest_of(recorder, "hvp", (JAX,), one, n)
    tn, tt = fastest_of(recorder, "hvp", (EAGER, COMPILED), one, n)
    glue_words("hvp_library", f"at n = {n:,}, 1 thread, " + library_verdict(
        f"JAX's fastest (`{jn}`)", jt, f"PyTorch's fastest (`{tn}`)", tt))
