"""Verdicts, tables and figures of the optimisation page: one calibration fitted by SciPy, JAX
(three libraries) and PyTorch; data of many lengths; many calibrations at once.

Every sentence that states an outcome is chosen here from measured numbers, with the thresholds
as named constants. The page has no speed goals (GOALS is empty)."""

import math
import statistics
from typing import Any

from perfguide.goals import Goal
from perfguide.timing import Timing
from perfguide.verdicts import TIE, change_words, compare_timings, ratio_words

IDLE_LARGE = 0.5  # share of a vmapped loop's problem-iterations spent on converged problems
PAYBACK_FITS = 1_000  # compilation repaid within this many fits: "soon", else "only for many"
THROUGHPUT_TIE = TIE  # problems per second within 10%: "about as many"


def ms(seconds: float) -> str:
    """Milliseconds with three significant digits, or seconds from one second on."""
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1e3:.3g} ms"


# --- verdicts -------------------------------------------------------------------------------------


def agreement_verdict(worst_gap: float, worst_route: str, rtol: float) -> str:
    """Whether every route's final objective is within `rtol` (relative) of the best one."""
    if worst_gap <= rtol:
        return (f"every route ends at the same minimum: the largest relative gap between final "
                f"objectives is {worst_gap:.1e} ({worst_route}), within the {rtol:.0e} allowed")
    return (f"{worst_route} ends {worst_gap:.1e} (relative) above the best objective, more than "
            f"the {rtol:.0e} allowed")


def robustness_verdict(converged: dict[str, int], total: int) -> str:
    """Which routes reached the minimum from every start of the grid, and which did not."""
    short = {name: n for name, n in converged.items() if n < total}
    if not short:
        return f"every route reached the minimum from all {total} starting points"
    listed = "; ".join(f"{name} from {n} of {total}" for name, n in short.items())
    return (f"not every route reached the minimum from all {total} starting points: {listed} "
            "(from the others each stopped at a higher objective, or reported a failure)")


def payback_verdict(name: str, compile_s: float, compiled_s: float, other_s: float,
                    other: str) -> str:
    """After how many fits `name`'s one-off compilation is repaid by faster fits than `other`'s."""
    if compiled_s >= other_s:
        return (f"the compiled {name} is not faster than {other}, so its compilation "
                f"({compile_s:.1f} s) is never repaid")
    fits = math.ceil(compile_s / (other_s - compiled_s))
    if fits <= PAYBACK_FITS:
        return (f"the compilation of {name} ({compile_s:.1f} s) is repaid after {fits:,} fits "
                f"against {other}, within {PAYBACK_FITS:,} fits")
    return (f"the compilation of {name} ({compile_s:.1f} s) is repaid only after {fits:,} fits "
            f"against {other}, more than {PAYBACK_FITS:,}")


def recompile_verdict(compilations: int, lengths: int) -> str:
    """Whether every new data length compiled a new program."""
    if compilations >= lengths:
        return (f"every new length is a new program: {compilations} compilations for "
                f"{lengths} lengths")
    return f"{compilations} compilations for {lengths} lengths: some programs were reused"


def padding_verdict(before: int, after: int, cold_before_s: float, cold_after_s: float,
                    buckets: int) -> str:
    """What padding to a few buckets did to the compilations and the first pass over the data."""
    change = (f"cuts the compilations from {before} to {after}" if after < before
              else f"leaves {after} compilations (from {before})")
    if cold_after_s * (1 + TIE) <= cold_before_s:
        return (f"padding to {buckets} bucket sizes {change} and the first pass over every "
                f"length from {cold_before_s:.1f} s to {cold_after_s:.1f} s")
    return (f"padding to {buckets} bucket sizes {change} but does not shorten the first pass "
            f"over every length ({cold_before_s:.1f} s unpadded, {cold_after_s:.1f} s padded)")


def batch_verdict(vmap_per_s: float, loop_per_s: float, loop: str, size: int) -> str:
    """Problems per second of the vmapped solver against a loop of single fits."""
    ratio = vmap_per_s / loop_per_s
    if ratio >= 1 + THROUGHPUT_TIE:
        return (f"at {size:,} problems the vmapped solver fits {ratio:,.0f}× as many problems "
                f"per second as {loop}")
    if ratio <= 1 / (1 + THROUGHPUT_TIE):
        return (f"at {size:,} problems the vmapped solver fits {1 / ratio:,.1f}× fewer problems "
                f"per second than {loop}")
    return f"at {size:,} problems the vmapped solver and {loop} are within {THROUGHPUT_TIE:.0%}"


def crossover_verdict(sizes: list[int], vmap_per_s: list[float], loop_per_s: float,
                      loop: str) -> str:
    """The smallest batch from which the vmapped solver fits more problems per second."""
    ahead = [n for n, rate in zip(sizes, vmap_per_s) if rate >= loop_per_s * (1 + THROUGHPUT_TIE)]
    if not ahead:
        return f"it does not overtake {loop} at any batch size measured"
    if ahead[0] == sizes[0]:
        return f"it is ahead of {loop} already at {sizes[0]:,} problem{'s' * (sizes[0] > 1)}"
    return f"it overtakes {loop} from {ahead[0]:,} problems on (measured sizes)"


def straggler_verdict(slowest: int, median: float, mean: float, problems: int) -> str:
    """What waiting for the slowest problem costs a vmapped while_loop, in iterations."""
    idle = 1 - mean / slowest
    head = (f"the slowest of the {problems:,} problems needed {slowest} iterations, the median "
            f"{median:.0f}: the vmapped loop runs {slowest} iterations for every problem, so "
            f"{idle:.0%} of the problem-iterations it computes are spent on problems already "
            "converged")
    if idle >= IDLE_LARGE:
        return head + f", at least the {IDLE_LARGE:.0%} this page calls a large waste"
    return head + f", less than the {IDLE_LARGE:.0%} this page calls a large waste"


def choice_verdict(times_s: dict[str, float], what: str) -> str:
    """Name the route with the smallest time and how it compares with the next one."""
    ranked = sorted(times_s, key=times_s.__getitem__)
    best, second = ranked[0], ranked[1]
    return (f"*{best}*, {ms(times_s[best])} {what}; "
            + ratio_words(times_s[second] / times_s[best], f"*{best}*", f"*{second}*"))


VERDICT_FLIPS = [
    (agreement_verdict, dict(worst_gap=1e-10, worst_route="A", rtol=1e-8),
     dict(worst_gap=1e-6, worst_route="A", rtol=1e-8)),
    (robustness_verdict, dict(converged={"A": 20, "B": 20}, total=20),
     dict(converged={"A": 20, "B": 14}, total=20)),
    (payback_verdict, dict(name="A", compile_s=1.0, compiled_s=1e-4, other_s=2e-3, other="B"),
     dict(name="A", compile_s=1.0, compiled_s=3e-3, other_s=2e-3, other="B")),
    (payback_verdict, dict(name="A", compile_s=1.0, compiled_s=1e-4, other_s=2e-3, other="B"),
     dict(name="A", compile_s=100.0, compiled_s=1e-4, other_s=2e-3, other="B")),
    (recompile_verdict, dict(compilations=10, lengths=10), dict(compilations=2, lengths=10)),
    (padding_verdict, dict(before=10, after=2, cold_before_s=20.0, cold_after_s=4.0, buckets=2),
     dict(before=10, after=2, cold_before_s=4.0, cold_after_s=4.1, buckets=2)),
    (batch_verdict, dict(vmap_per_s=1e5, loop_per_s=500.0, loop="L", size=1000),
     dict(vmap_per_s=400.0, loop_per_s=500.0, loop="L", size=1000)),
    (crossover_verdict, dict(sizes=[1, 10, 100], vmap_per_s=[100.0, 1e3, 1e4], loop_per_s=500.0,
                             loop="L"),
     dict(sizes=[1, 10, 100], vmap_per_s=[100.0, 200.0, 300.0], loop_per_s=500.0, loop="L")),
    (straggler_verdict, dict(slowest=30, median=10, mean=12, problems=100),
     dict(slowest=11, median=10, mean=10, problems=100)),
    (payback_verdict, dict(name="A", compile_s=1.0, compiled_s=1e-4, other_s=2e-3, other="B"),
     dict(name="A", compile_s=1.0, compiled_s=1.999e-3, other_s=2e-3, other="B")),
    (choice_verdict, dict(times_s={"A": 1e-3, "B": 5e-3}, what="per fit"),
     dict(times_s={"A": 9e-3, "B": 5e-3}, what="per fit")),
]
GOALS: list[Goal] = []  # no speed goals: the page compares, `make bench` has nothing to check


# --- reading the sides ----------------------------------------------------------------------------


def route_times(points: dict[int, dict[str, Any]], threads: int, first: bool = False
                ) -> dict[str, float]:
    """Median seconds per fit of every route at one thread setting (or its first fit)."""
    return {name: (p.timing.first_call_s if first else p.timing.median_s)
            for name, p in points[threads].items()}


def best_jax(points: dict[int, dict[str, Any]], threads: int, jax_routes: tuple[str, ...]) -> str:
    """The JAX route with the smallest median time per fit."""
    return min(jax_routes, key=lambda name: points[threads][name].timing.median_s)


def converged_counts(points: dict[int, dict[str, Any]], threads: int, reference: float,
                     rtol: float) -> dict[str, int]:
    """How many starts of the grid each route reached the minimum from."""
    return {name: sum(abs(v - reference) <= rtol * reference for v in p.from_starts)
            for name, p in points[threads].items()}


def throughput(timing: Timing, size: int) -> tuple[float, float, float]:
    """Problems per second: median, and the band from the timing's spread."""
    return size / timing.median_s, size / timing.high_s, size / timing.low_s


# --- tables and figures ---------------------------------------------------------------------------


def routes_table(points: dict[int, dict[str, Any]], settings: list[int], counted: int,
                 converged: dict[str, int], starts: int) -> str:
    """Markdown table: counts, objective, compile time and time per fit of every route."""
    from perfguide.threads import thread_label

    head = ["route", "iterations", "objective values", "gradients", "final objective",
            "compile (s)", *(f"per fit, {thread_label(t)}" for t in settings),
            f"first fit, {thread_label(counted)}", f"minimum reached from (of {starts})"]
    rows = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for name, p in points[counted].items():
        fit = p.fit
        cells = [name, f"{fit.iterations}", f"{fit.fevals}", f"{fit.gevals}",
                 f"{fit.objective:.10g}", f"{p.compile_s:.2f}" if p.compile_s else "none",
                 *(ms(points[t][name].timing.median_s) for t in settings),
                 ms(points[counted][name].timing.first_call_s), f"{converged[name]}"]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def routes_figure(points: dict[int, dict[str, Any]], settings: list[int]) -> Any:
    """Horizontal bars: median time per fit (steady) and the first fit, per route and setting."""
    import matplotlib.pyplot as plt
    import numpy as np

    from perfguide.threads import thread_label

    names = list(points[settings[0]])
    fig, axes = plt.subplots(1, len(settings), figsize=(8.8, 0.9 + 0.42 * len(names)),
                             sharex=True, sharey=True, layout="constrained", squeeze=False)
    pos = np.arange(len(names))[::-1]
    for ax, threads in zip(axes[0], settings):
        timings = [points[threads][n].timing for n in names]
        mid = np.array([t.median_s for t in timings]) * 1e3
        low = mid - np.array([t.low_s for t in timings]) * 1e3
        high = np.array([t.high_s for t in timings]) * 1e3 - mid
        ax.barh(pos, mid, color=[f"C{i}" for i in range(len(names))], alpha=0.85,
                label="per fit, compiled (median)")
        ax.errorbar(mid, pos, xerr=[low, high], fmt="none", ecolor="black", capsize=3)
        ax.plot([t.first_call_s * 1e3 for t in timings], pos, "kx", ms=7,
                label="first fit, compilation included")
        ax.set(xscale="log", xlabel="time to solution (ms), latency",
               title=f"{thread_label(threads)} each")
        ax.grid(axis="y", visible=False)
    axes[0, 0].set_yticks(pos, names)
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncols=2,
               fontsize=8)
    return fig


BATCH_STYLES = {"vmap": ("C0", "o", "-"), "loop_jax": ("C1", "s", "--"),
                "loop_fd": ("C2", "^", ":")}


def batch_figure(batched: dict[int, dict[str, dict[int, Any]]], settings: list[int],
                 names: dict[str, str]) -> Any:
    """Problems per second against the number of problems, log-log, one panel per setting."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log
    from perfguide.threads import thread_label

    fig, axes = plt.subplots(1, len(settings), figsize=(8.8, 4.1), sharex=True, sharey=True,
                             layout="constrained", squeeze=False)
    for ax, threads in zip(axes[0], settings):
        for key, name in names.items():
            color, marker, line = BATCH_STYLES[key]
            by_size = batched[threads][name]
            sizes = sorted(by_size)
            rates = [throughput(by_size[n].timing, n) for n in sizes]
            ax.plot(sizes, [r[0] for r in rates], color=color, marker=marker, linestyle=line,
                    label=name)
            ax.fill_between(sizes, [r[1] for r in rates], [r[2] for r in rates], color=color,
                            alpha=0.2, linewidth=0)
        ax.set(xlabel="problems solved together (batch size)",
               title=f"{thread_label(threads)} each")
        plain_log(ax)
    axes[0, 0].set_ylabel("problems solved per second")
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncols=3,
               fontsize=8)
    return fig


# --- glue -----------------------------------------------------------------------------------------


def glue_routes(points: dict[int, dict[str, Any]], settings: list[int], jax_routes: tuple[str, ...],
                names: dict[str, str], reference: float, rtol: float, starts: int) -> None:
    """Section 1: the table, the figure and the sentences about the single fit."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    one, every = settings[0], settings[-1]
    objectives = {name: p.fit.objective for name, p in points[one].items()}
    best = min(objectives.values())
    worst = max(objectives, key=lambda n: objectives[n] - best)
    glue_words("agreement", agreement_verdict((objectives[worst] - best) / best, worst, rtol))
    converged = converged_counts(points, one, reference, rtol)
    glue_words("robustness", robustness_verdict(converged, starts))
    glue_words("routes_table", routes_table(points, settings, one, converged, starts))
    glue_figure("fig_routes", routes_figure(points, settings))
    fd, exact, eager = names["fd"], names["exact"], names["torch_eager"]
    for key, n in (("one", one), ("all", every)):
        jax_name = best_jax(points, n, jax_routes)
        p = points[n]
        glue_words(f"best_jax_{key}", f"{jax_name}")
        glue_words(f"jax_vs_fd_{key}", compare_timings(
            f"the jitted {jax_name}", p[jax_name].timing, f"SciPy with finite differences",
            p[fd].timing))
        glue_words(f"jax_vs_torch_{key}", compare_timings(
            f"the jitted {jax_name}", p[jax_name].timing, "PyTorch's L-BFGS (eager)",
            p[eager].timing))
        glue_words(f"exact_vs_fd_{key}", compare_timings(
            "SciPy with JAX gradients", p[exact].timing, "SciPy with finite differences",
            p[fd].timing))
        glue_words(f"choice_{key}", choice_verdict(route_times(points, n), "per fit"))
        glue_words(f"choice_first_{key}", choice_verdict(route_times(points, n, first=True),
                                                         "for the first fit"))
        glue_words(f"payback_{key}", payback_verdict(
            jax_name, p[jax_name].compile_s, p[jax_name].timing.median_s, p[fd].timing.median_s,
            "SciPy with finite differences"))
    fastest = best_jax(points, one, jax_routes)
    for key, name in (("torch_threads", eager), ("jax_threads", fastest)):
        glue_words(key, change_words(f"{name}'s time per fit", 1e3 * points[one][name].timing.median_s,
                                     1e3 * points[every][name].timing.median_s, fmt="{:.3g} ms"))
    if names["torch_compiled"] in points[one]:
        glue_words("torch_compile", compare_timings(
            "L-BFGS on the `torch.compile`d objective", points[one][names["torch_compiled"]].timing,
            "on the eager objective", points[one][eager].timing) + " (1 core each)")
    else:
        glue_words("torch_compile", "`torch.compile` did not run here, so only the eager "
                   "objective is measured")
    glue_number("per_eval_exact_us", 1e6 * points[one][exact].timing.median_s
                / points[one][exact].fit.fevals)
    glue_number("per_eval_jax_us", 1e6 * points[one][fastest].timing.median_s
                / max(points[one][fastest].fit.fevals, 1))
    glue_number("fd_fevals", points[one][fd].fit.fevals)
    glue_number("exact_fevals", points[one][exact].fit.fevals)
    glue_number("fd_iterations", points[one][fd].fit.iterations)
    glue_number("exact_iterations", points[one][exact].fit.iterations)


def glue_shapes(shapes: dict[str, Any], lengths: list[int], buckets: tuple[int, ...]) -> None:
    """Section 2: compilations and first-pass time over the data lengths, before and after."""
    from perfguide.glue import glue_number, glue_words

    before, after = shapes["one program per length"], shapes["padded to buckets"]
    glue_words("recompile", recompile_verdict(before.compilations, len(lengths)))
    glue_words("padding", padding_verdict(before.compilations, after.compilations,
                                          before.timing.first_call_s, after.timing.first_call_s,
                                          len(buckets)))
    glue_words("padded_warm", compare_timings(
        "the padded fits", after.timing, "the unpadded ones", before.timing))
    for key, run in (("before", before), ("after", after)):
        glue_number(f"shapes_{key}_compilations", run.compilations)
        glue_number(f"shapes_{key}_compile_s", run.compile_s)
        glue_number(f"shapes_{key}_cold_s", run.timing.first_call_s)
        glue_number(f"shapes_{key}_warm_ms", run.timing.median_s * 1e3)
    glue_number("per_compile_s", before.compile_s / max(before.compilations, 1))
    glue_number("max_padding", 100 * max(1 - n / min(b for b in buckets if b >= n)
                                         for n in lengths))
    glue_number("lengths", len(lengths))
    glue_number("shortest", min(lengths))
    glue_number("longest", max(lengths))


def glue_batched(batched: dict[int, dict[str, dict[int, Any]]], settings: list[int],
                 names: dict[str, str]) -> None:
    """Section 3: throughput against batch size, the batched solver's advantage, stragglers."""
    import numpy as np

    from perfguide.glue import glue_figure, glue_number, glue_words

    glue_figure("fig_batch", batch_figure(batched, settings,
                                          {key: names[key] for key in BATCH_STYLES}))
    vmap, loop_jax, loop_fd = names["vmap"], names["loop_jax"], names["loop_fd"]
    phrases = {loop_jax: "a Python loop of SciPy fits with JAX gradients",
               loop_fd: "a Python loop of SciPy fits with finite differences"}
    for key, n in (("one", settings[0]), ("all", settings[-1])):
        by_size = batched[n][vmap]
        sizes = sorted(by_size)
        largest = sizes[-1]
        rates = [throughput(by_size[s].timing, s)[0] for s in sizes]
        for loop, short in ((loop_jax, "jax"), (loop_fd, "fd")):
            loop_points = batched[n][loop]
            loop_rate = statistics.median(throughput(p.timing, s)[0]
                                          for s, p in loop_points.items())
            glue_words(f"batch_{short}_{key}", batch_verdict(rates[-1], loop_rate, phrases[loop],
                                                             largest))
            glue_words(f"cross_{short}_{key}", crossover_verdict(sizes, rates, loop_rate,
                                                                 phrases[loop]))
            glue_number(f"loop_{short}_rate_{key}", loop_rate)
        glue_number(f"vmap_rate_{key}", rates[-1])
        peak = max(range(len(sizes)), key=rates.__getitem__)
        glue_number(f"vmap_peak_{key}", rates[peak])
        glue_number(f"vmap_peak_size_{key}", sizes[peak])
        glue_number(f"vmap_compile_{key}", by_size[largest].compile_s)
    largest = max(batched[settings[-1]][vmap])
    glue_words("vmap_threads", change_words(
        f"problems per second at {largest:,} problems, from 1 core to all cores,",
        throughput(batched[settings[0]][vmap][largest].timing, largest)[0],
        throughput(batched[settings[-1]][vmap][largest].timing, largest)[0], fmt="{:,.0f}"))
    iterations = batched[settings[-1]][vmap][largest].iterations
    glue_words("straggler", straggler_verdict(int(np.max(iterations)),
                                              float(np.median(iterations)),
                                              float(np.mean(iterations)), largest))
    glue_number("batch_largest", largest)
    compile_s = [batched[settings[-1]][vmap][s].compile_s for s in sorted(batched[settings[-1]][vmap])]
    glue_number("vmap_compile_min", min(compile_s))
    glue_number("vmap_compile_max", max(compile_s))
