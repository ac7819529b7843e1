"""Verdicts, figures and glue of the page notebooks/autodiff.md.

Every outcome sentence of the page is picked here from measured numbers;
the thresholds are the named constants below. The page's `Recorder` holds,
each with extra `threads` (each library in a process of its own):
- "scalar": way, size = points: seconds per derivative at every point;
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
GOALS: list[Any] = []  # no speed goals: this page compares, it sets none

JAX, EAGER, COMPILED = "JAX", "PyTorch eager", "torch.compile"


def _x(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:,.0f}×"


def library_verdict(jax_name: str, jax: Timing, torch_name: str,
                    torch: Timing, tie: float = TIE) -> str:
    """The fastest JAX way against the fastest PyTorch way."""
    return compare_timings(jax_name, jax, torch_name, torch, tie)


def full_jacobian_verdict(direct: Timing, diagonal: Timing, whole: Timing,
                          n: int, tie: float = TIE) -> str:
    """One pass against the n×n Jacobian: its diagonal taken inside the
    jitted function, and the whole matrix returned."""
    inside = ("taking the diagonal of `jacfwd(f)` inside the jitted "
              "function and one pass (`jvp(f, ones)`) are not told apart "
              f"(within {tie:.0%}, or bands that overlap): XLA computes only "
              "the diagonal it keeps"
              if not resolved(direct, diagonal, tie) else
              f"the diagonal of `jacfwd(f)`, even inside `jit`, costs "
              f"{_x(diagonal.median_s / direct.median_s)} one pass "
              "(`jvp(f, ones)`)")
    if resolved(direct, whole, tie) and whole.median_s > direct.median_s:
        return (f"{inside}; returned whole, the {n:,}×{n:,} Jacobian "
                f"costs {_x(whole.median_s / direct.median_s)} one pass")
    return (f"{inside}; even returned whole, the {n:,}×{n:,} Jacobian is "
            "not told apart from one pass here")


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
                   copied_out_in: float, params: int,
                   tie: float = TIE) -> str:
    """JAX's per-example gradients with weights (out, in) against the same
    weights stored (in, out), as Flax stores kernels; `copied_*`: elements
    per example the compiled program copies between layouts."""
    copies = (f"the (in, out) program copies {copied_in_out:,.0f} of the "
              f"{params:,} gradient elements of each example from one "
              f"layout into another, the (out, in) one "
              f"{copied_out_in:,.0f}")
    if not resolved(out_in, in_out, tie):
        return (f"the layout of the weights makes no resolved difference; "
                f"{copies}")
    ratio = in_out.median_s / out_in.median_s
    if ratio > 1:
        return (f"storing the weights (in, out), as Flax's kernels are, "
                f"makes JAX's `vmap(grad)` {_x(ratio)} slower than (out, "
                f"in); {copies}")
    return (f"storing the weights (in, out) makes JAX's `vmap(grad)` "
            f"{_x(1 / ratio)} faster than (out, in); {copies}")


def crossover(ns: list[int], forward: list[float],
              reverse: list[float]) -> float | None:
    """n where forward's time over reverse's crosses 1 (log-interpolated),
    or None when one mode is faster over the whole sweep."""
    ratio = np.log(np.asarray(forward) / np.asarray(reverse))
    for i in range(len(ns) - 1):
        if ratio[i] <= 0 < ratio[i + 1] or ratio[i] >= 0 > ratio[i + 1]:
            t = ratio[i] / (ratio[i] - ratio[i + 1])
            return float(math.exp(math.log(ns[i]) + t * math.log(
                ns[i + 1] / ns[i])))
    return None


def crossover_verdict(measured: float | None, m: int, forward_wins_low: bool,
                      factor: float = CROSSOVER_FACTOR) -> str:
    """The measured crossover of `jacfwd` and `jacrev` against n = m."""
    if measured is None:
        mode = "`jacfwd`" if forward_wins_low else "`jacrev`"
        return (f"{mode} is faster over the whole sweep: no crossover was "
                f"measured, where the count of passes predicts one at "
                f"n = m = {m}")
    agree = 1 / factor <= measured / m <= factor
    where = f"the times cross at n ≈ {measured:,.0f}, with m = {m}"
    if agree:
        return (f"{where}: within {factor:g}× of the n = m that counting "
                "passes predicts (`jacfwd` for n < m, `jacrev` for n > m)")
    return (f"{where}: more than {factor:g}× from the n = m that counting "
            "passes predicts; the cost of a pass is not the whole story here")


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
                                 n=1000),
     dict(direct=_t(1), diagonal=_t(5), whole=_t(9), n=1000)),
    (full_jacobian_verdict, dict(direct=_t(1), diagonal=_t(1), whole=_t(9),
                                 n=1000),
     dict(direct=_t(1), diagonal=_t(1), whole=_t(1), n=1000)),
    (compiled_verdict, dict(name="x", eager=_t(3), compiled=_t(1)),
     dict(name="x", eager=_t(1), compiled=_t(3))),
    (compiled_verdict, dict(name="x", eager=_t(3), compiled=_t(1)),
     dict(name="x", eager=_t(3), compiled=None, error="E")),
    (vmap_vs_loop_verdict, dict(library="JAX", loop=_t(9), vmapped=_t(1),
                                batch=16),
     dict(library="JAX", loop=_t(1), vmapped=_t(9), batch=16)),
    (layout_verdict, dict(out_in=_t(1), in_out=_t(5), copied_in_out=9.0,
                          copied_out_in=0.0, params=10),
     dict(out_in=_t(1), in_out=_t(1), copied_in_out=9.0, copied_out_in=0.0,
          params=10)),
    (crossover_verdict, dict(measured=60.0, m=64, forward_wins_low=True),
     dict(measured=600.0, m=64, forward_wins_low=True)),
    (crossover_verdict, dict(measured=None, m=64, forward_wins_low=True),
     dict(measured=None, m=64, forward_wins_low=False)),
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


def scalar_table(recorder: Recorder, settings: list[int],
                 costs: dict[str, tuple[float, float]]) -> str:
    """Markdown table: every way to the derivative, both settings."""
    from perfguide.threads import thread_label

    head = ["way"] + [f"µs per call, {thread_label(t)} each"
                      for t in settings] + ["compile (s), 1 core",
                                            "XLA: flops, bytes accessed"]
    rows = ["| " + " | ".join(head) + " |",
            "|" + "---|" * len(head)]
    for way in recorder.variants("scalar"):
        cells = [f"`{way}`"]
        for threads in settings:
            t = at(recorder, "scalar", way, threads)
            cells.append("failed" if t is None else
                         f"{t.median_s * 1e6:,.1f} ({t.low_s * 1e6:,.1f}–"
                         f"{t.high_s * 1e6:,.1f})")
        r = series(recorder, "scalar", way, settings[0]).records
        cells.append(f"{r[-1].compile_s:.2f}" if r else "")
        name = way.split(": ", 1)[1]
        cells.append(f"{costs[name][0]:,.0f}, {costs[name][1]:,.0f}"
                     if way.startswith(JAX) else "")
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def glue_scalar(recorder: Recorder, settings: list[int],
                costs: dict[str, tuple[float, float]],
                failed: dict[str, str], n: int) -> None:
    """Section 1: the table and its verdicts."""
    from perfguide.glue import glue_number, glue_words

    one = settings[0]
    glue_words("scalar_table", scalar_table(recorder, settings, costs))
    for key, threads in (("one", one), ("all", settings[-1])):
        jn, jt = fastest_of(recorder, "scalar", (JAX,), threads, n)
        tn, tt = fastest_of(recorder, "scalar", (EAGER, COMPILED), threads,
                            n)
        glue_words(f"scalar_{key}", library_verdict(
            f"`{jn}`", jt, f"`{tn}`", tt))
    t = {w.split(": ", 1)[1]: at(recorder, "scalar", w, one)
         for w in recorder.variants("scalar") if w.startswith(JAX)}
    glue_words("full_jacobian", full_jacobian_verdict(
        t["jvp(f, ones)"], t["diag(jacfwd(f))"], t["jacfwd(f), whole"], n))
    glue_number("direct_flops", costs["jvp(f, ones)"][0])
    glue_number("diag_flops", costs["diag(jacfwd(f))"][0])
    glue_number("diag_kib", costs["diag(jacfwd(f))"][1] / 1024)
    glue_number("matrix_mib", n * n * 4 / 2**20)
    glue_words("stored_words", stored_verdict(costs["diag(jacfwd(f))"][1],
                                              n * n * 4.0))
    glue_words("scalar_compiled", "; ".join(
        compiled_verdict(f"`{name}`",
                         at(recorder, "scalar", f"{EAGER}: {name}", one),
                         at(recorder, "scalar", f"{COMPILED}: {name}", one),
                         failed.get(f"{COMPILED}: {name}"))
        for name in ("autograd, sum", "func.vmap(grad)")))
    glue_number("points", n)


def glue_per_example(recorder: Recorder, settings: list[int],
                     copied: dict[str, float], failed: dict[str, str],
                     params: int) -> None:
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
        at(recorder, "per_example", f"{JAX}: vmap(grad), jit", one),
        at(recorder, "per_example", f"{JAX}: same, (in, out) kernels", one),
        copied["(in, out)"], copied["(out, in)"], params))
    name = "func.vmap(grad)"
    glue_words("per_example_compiled", compiled_verdict(
        f"`{name}`", at(recorder, "per_example", f"{EAGER}: {name}", one),
        at(recorder, "per_example", f"{COMPILED}: {name}", one),
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
            crossover(fwd.sizes, fwd.medians_s, rev.medians_s), m,
            fwd.medians_s[0] < rev.medians_s[0]))
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
    compiled = series(recorder, "hvp", f"{COMPILED}: {hvp}", one)
    if compiled.sizes:
        n = compiled.sizes[-1]
        words = library_verdict(
            "JAX's `jvp` of `grad`", a.timings[a.sizes.index(n)],
            "`torch.compile`'s", compiled.timings[-1])
        glue_words("hvp_library", f"at n = {n:,}, {words}")
    else:
        glue_words("hvp_library", library_verdict(
            "JAX's `jvp` of `grad`", a.timings[-1],
            "PyTorch eager's", at(recorder, "hvp", f"{EAGER}: {hvp}", one)))
