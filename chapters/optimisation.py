"""Verdicts, tables and figures of the optimisation page: one calibration fitted by SciPy, JAX
(three libraries) and PyTorch; data of many lengths; many calibrations at once.

Every sentence that states an outcome is chosen here from measured numbers, with the thresholds
as named constants. The page has no speed goals (GOALS is empty)."""

import math
from typing import Any

from perfguide.goals import Goal
from perfguide.timing import Timing
from perfguide.verdicts import TIE, change_words, compare_timings, ratio_words, resolved

IDLE_LARGE = 0.5  # share of a vmapped loop's problem-iterations spent on converged problems
PAYBACK_FITS = 1_000  # compilation repaid within this many fits: "soon", else "only for many"
THROUGHPUT_TIE = TIE  # problems per second within 10%: "about as many"
CALL_SHARE = 0.5  # the jitted call alone is at least this share of an evaluation: "most of it"


def ms(seconds: float) -> str:
    """Milliseconds with three significant digits, or seconds from one second on."""
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1e3:.3g} ms"


def times(ratio: float) -> str:
    """A ratio with two significant digits below 10 (1.4×), whole numbers above (23×)."""
    return f"{ratio:.2g}×" if ratio < 10 else f"{ratio:,.0f}×"


def single(seconds: float) -> Timing:
    """One measured time as a Timing (no spread), for comparisons of first fits."""
    return Timing(seconds, (seconds,), 1)


# --- verdicts -------------------------------------------------------------------------------------


def agreement_verdict(worst_gap: float, worst_route: str, rtol: float) -> str:
    """Whether every route's final objective is within `rtol` (relative) of the best one."""
    if worst_gap <= rtol:
        return (f"every route ends at the same minimum: the largest relative gap between final "
                f"objectives is {worst_gap:.1e} ({worst_route}), within the {rtol:.0e} allowed")
    return (f"{worst_route} ends {worst_gap:.1e} (relative) above the best objective, more than "
            f"the {rtol:.0e} allowed")


def robustness_verdict(reached: dict[str, int], failed: dict[str, dict[str, int]],
                       total: int) -> str:
    """From the recorded statuses: which routes reached the minimum from how many of the starts,
    which reported failures (with the libraries' reasons), and which stopped short silently."""
    where = f"of these {total} starts, on this one data set"
    parts = []
    for name in reached:
        reasons = failed.get(name, {})
        k = sum(reasons.values())
        silent = total - reached[name] - k
        if k:
            why = "; ".join(f"{reason!r} {n}×" for reason, n in reasons.items())
            parts.append(f"{name} reported a failure from {k} {where} ({why})")
        if silent > 0:
            parts.append(f"{name} reported success but stopped above the minimum from {silent} "
                         f"{where}")
    if not parts:
        return (f"every route reached the minimum from all {total} of these starts, on this one "
                "data set, and none reported a failure")
    return "; ".join(parts)


def payback_verdict(name: str, compile_s: float, compiled: Timing, other: Timing,
                    other_name: str) -> str:
    """After how many fits `name`'s one-off compilation is repaid by faster fits than `other`'s."""
    if not resolved(compiled, other):
        return (f"the compiled {name} and {other_name} are not told apart by this run, so its "
                f"compilation ({compile_s:.1f} s) is not shown to be repaid")
    if compiled.median_s >= other.median_s:
        return (f"the compiled {name} is not faster than {other_name}, so its compilation "
                f"({compile_s:.1f} s) is never repaid")
    fits = math.ceil(compile_s / (other.median_s - compiled.median_s))
    if fits <= PAYBACK_FITS:
        return (f"the compilation of {name} ({compile_s:.1f} s) is repaid after {fits:,} fits "
                f"against {other_name}, within {PAYBACK_FITS:,} fits")
    return (f"the compilation of {name} ({compile_s:.1f} s) is repaid only after {fits:,} fits "
            f"against {other_name}, more than {PAYBACK_FITS:,}")


def recompile_verdict(compilations: int, lengths: int) -> str:
    """Whether every new data length compiled a new program of the solver."""
    if compilations >= lengths:
        return (f"every new length is a new program: {compilations} compilations of the solver "
                f"for {lengths} lengths")
    return (f"{compilations} compilations of the solver for {lengths} lengths: some programs "
            "were reused")


def padding_verdict(before: int, after: int, cold_before_s: float, cold_after_s: float,
                    buckets: int) -> str:
    """What padding to a few buckets did to the compilations and the first pass over the data
    (one cold pass each: no spread to resolve, so the 10% tie decides)."""
    change = (f"cuts the solver's compilations from {before} to {after}" if after < before
              else f"leaves {after} compilations of the solver (from {before})")
    if cold_after_s * (1 + TIE) <= cold_before_s:
        return (f"padding to {buckets} bucket sizes {change} and the first pass over every "
                f"length from {cold_before_s:.1f} s to {cold_after_s:.1f} s")
    return (f"padding to {buckets} bucket sizes {change} but does not shorten the first pass "
            f"over every length ({cold_before_s:.1f} s unpadded, {cold_after_s:.1f} s padded)")


def batch_verdict(vmap: Timing, loop: Timing, loop_name: str, size: int) -> str:
    """Time per problem of the vmapped solver at `size` problems against a loop of single fits."""
    if not resolved(vmap, loop, THROUGHPUT_TIE):
        return (f"at {size:,} problems the vmapped solver and {loop_name} are not told apart "
                f"by this run (within {THROUGHPUT_TIE:.0%}, or their spreads overlap)")
    ratio = loop.median_s / vmap.median_s
    if ratio > 1:
        return (f"at {size:,} problems the vmapped solver fits {times(ratio)} as many problems "
                f"per second as {loop_name}")
    return (f"at {size:,} problems the vmapped solver fits {times(1 / ratio)} fewer problems "
            f"per second than {loop_name}")


def crossover_verdict(sizes: list[int], vmap: list[Timing], loop: Timing, loop_name: str) -> str:
    """The smallest batch from which the vmapped solver's time per problem is resolved below the
    loop's."""
    ahead = [n for n, v in zip(sizes, vmap)
             if resolved(v, loop, THROUGHPUT_TIE) and v.median_s < loop.median_s]
    if not ahead:
        return f"it is not resolved ahead of {loop_name} at any batch size measured"
    if ahead[0] == sizes[0]:
        return f"it is ahead of {loop_name} already at {sizes[0]:,} problem{'s' * (sizes[0] > 1)}"
    return f"it is ahead of {loop_name} from {ahead[0]:,} problems on (measured sizes)"


def straggler_verdict(slowest: int, median: float, mean: float, problems: int) -> str:
    """What waiting for the slowest problem costs a vmapped while_loop, in iterations: a lower
    bound (only the outer loop is counted; inside the vmapped line search, both branches of
    every `cond` are computed for every problem)."""
    idle = 1 - mean / slowest
    head = (f"the slowest of the {problems:,} problems needed {slowest} iterations, the median "
            f"{median:.0f}: the vmapped loop runs {slowest} iterations for every problem, so "
            f"at least {idle:.0%} of the problem-iterations it computes are spent on problems "
            "already converged")
    if idle >= IDLE_LARGE:
        return head + f", at least the {IDLE_LARGE:.0%} this page calls a large waste"
    return head + f"; that lower bound is under the {IDLE_LARGE:.0%} this page calls large"


def choice_verdict(timings: dict[str, Timing], what: str) -> str:
    """Name the route with the smallest median time and how it compares with the next one."""
    ranked = sorted(timings, key=lambda name: timings[name].median_s)
    best, second = ranked[0], ranked[1]
    head = f"*{best}*, {ms(timings[best].median_s)} {what}; "
    if not resolved(timings[best], timings[second]):
        return head + f"not told apart from *{second}* by this run"
    return head + ratio_words(timings[second].median_s / timings[best].median_s, f"*{best}*",
                              f"*{second}*")


def threads_verdict(what: str, one: Timing, every: Timing, scale: float = 1e3,
                    fmt: str = "{:.3g} ms") -> str:
    """How a time changes from 1 core to all cores, or that this run does not tell them apart."""
    if not resolved(one, every):
        a, b = fmt.format(scale * one.median_s), fmt.format(scale * every.median_s)
        return f"{what} is not told apart between the settings by this run ({a} and {b})"
    return change_words(what, scale * one.median_s, scale * every.median_s, fmt=fmt)


def overhead_verdict(per_eval_s: float, call_s: float, compiled_eval_s: float) -> str:
    """Where SciPy-with-JAX's time per evaluation goes: the jitted call (timed alone) or SciPy's
    own Python between calls."""
    rest = per_eval_s - call_s
    figures = (f"of its {per_eval_s * 1e6:,.0f} µs per evaluation, the jitted value-and-gradient "
               f"call timed alone (dispatch and transfers included) takes {call_s * 1e6:,.0f} µs, "
               f"SciPy's own Python the remaining {max(rest, 0) * 1e6:,.0f} µs; inside the "
               f"compiled solve an evaluation costs about {compiled_eval_s * 1e6:,.1f} µs")
    if call_s >= CALL_SHARE * per_eval_s:
        return f"{figures}: most of it is the call into JAX, not SciPy's loop"
    return f"{figures}: most of it is SciPy's own Python, not the call into JAX"


VERDICT_FLIPS = [
    (agreement_verdict, dict(worst_gap=1e-10, worst_route="A", rtol=1e-8),
     dict(worst_gap=1e-6, worst_route="A", rtol=1e-8)),
    (robustness_verdict, dict(reached={"A": 20, "B": 20}, failed={}, total=20),
     dict(reached={"A": 20, "B": 14}, failed={"B": {"zoom failed": 6}}, total=20)),
    (robustness_verdict, dict(reached={"A": 20, "B": 14}, failed={"B": {"zoom failed": 6}},
                              total=20),
     dict(reached={"A": 20, "B": 14}, failed={}, total=20)),
    (payback_verdict, dict(name="A", compile_s=1.0, compiled=single(1e-4), other=single(2e-3),
                           other_name="B"),
     dict(name="A", compile_s=1.0, compiled=single(3e-3), other=single(2e-3), other_name="B")),
    (payback_verdict, dict(name="A", compile_s=1.0, compiled=single(1e-4), other=single(2e-3),
                           other_name="B"),
     dict(name="A", compile_s=100.0, compiled=single(1e-4), other=single(2e-3),
          other_name="B")),
    (payback_verdict, dict(name="A", compile_s=1.0, compiled=single(1e-4), other=single(2e-3),
                           other_name="B"),
     dict(name="A", compile_s=1.0, compiled=single(1.999e-3), other=single(2e-3),
          other_name="B")),
    (recompile_verdict, dict(compilations=10, lengths=10), dict(compilations=2, lengths=10)),
    (padding_verdict, dict(before=10, after=2, cold_before_s=20.0, cold_after_s=4.0, buckets=2),
     dict(before=10, after=2, cold_before_s=4.0, cold_after_s=4.1, buckets=2)),
    (batch_verdict, dict(vmap=single(1e-5), loop=single(2e-3), loop_name="L", size=1000),
     dict(vmap=single(2.5e-3), loop=single(2e-3), loop_name="L", size=1000)),
    (batch_verdict, dict(vmap=single(1e-5), loop=single(2e-3), loop_name="L", size=1000),
     dict(vmap=single(1.95e-3), loop=single(2e-3), loop_name="L", size=1000)),
    (crossover_verdict, dict(sizes=[1, 10, 100], vmap=[single(1e-2), single(1e-3), single(1e-4)],
                             loop=single(2e-3), loop_name="L"),
     dict(sizes=[1, 10, 100], vmap=[single(1e-2), single(5e-3), single(3e-3)],
          loop=single(2e-3), loop_name="L")),
    (straggler_verdict, dict(slowest=30, median=10, mean=12, problems=100),
     dict(slowest=11, median=10, mean=10, problems=100)),
    (choice_verdict, dict(timings={"A": single(1e-3), "B": single(5e-3)}, what="per fit"),
     dict(timings={"A": single(9e-3), "B": single(5e-3)}, what="per fit")),
    (choice_verdict, dict(timings={"A": single(1e-3), "B": single(5e-3)}, what="per fit"),
     dict(timings={"A": single(1e-3), "B": single(1.05e-3)}, what="per fit")),
    (threads_verdict, dict(what="T", one=single(2e-3), every=single(1e-3)),
     dict(what="T", one=single(2e-3), every=single(2.05e-3))),
    (overhead_verdict, dict(per_eval_s=50e-6, call_s=40e-6, compiled_eval_s=1e-6),
     dict(per_eval_s=50e-6, call_s=10e-6, compiled_eval_s=1e-6)),
]
GOALS: list[Goal] = []  # no speed goals: the page compares, `make bench` has nothing to check


# --- reading the sides ----------------------------------------------------------------------------


def best_jax(points: dict[int, dict[str, Any]], threads: int, jax_routes: tuple[str, ...]) -> str:
    """The JAX route with the smallest median time per fit."""
    return min(jax_routes, key=lambda name: points[threads][name].timing.median_s)


def fastest_of(points: dict[int, dict[str, Any]], threads: int, names: list[str]) -> str:
    """Of the routes `names` that ran, the one with the smallest median time per fit."""
    return min((n for n in names if n in points[threads]),
               key=lambda name: points[threads][name].timing.median_s)


def robustness(points: dict[int, dict[str, Any]], threads: int, reference: float, rtol: float
               ) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Per route: from how many starts it reached the minimum, and its reported failures by
    reason (the library's own status at each start)."""
    reached, failed = {}, {}
    for name, p in points[threads].items():
        reached[name] = sum(math.isfinite(f.objective) and abs(f.objective - reference)
                            <= rtol * reference for f in p.from_starts)
        reasons: dict[str, int] = {}
        for f in p.from_starts:
            if not f.success:
                reasons[f.status] = reasons.get(f.status, 0) + 1
        if reasons:
            failed[name] = reasons
    return reached, failed


def per_problem(timing: Timing, size: int) -> Timing:
    """Seconds per problem of a batch of `size` problems."""
    return timing.scaled(1 / size)


def throughput(timing: Timing, size: int) -> tuple[float, float, float]:
    """Problems per second: median, and the band from the timing's spread."""
    return size / timing.median_s, size / timing.high_s, size / timing.low_s


# --- tables and figures ---------------------------------------------------------------------------


def routes_table(points: dict[int, dict[str, Any]], settings: list[int], counted: int,
                 reached: dict[str, int], starts: int) -> str:
    """Markdown table: counts, objective, final gradient, status, compile time and time per fit."""
    from perfguide.threads import thread_label

    head = ["route", "iterations¹", "objective values", "gradients", "final objective",
            "max \\|∇f\\| at the end²", "stopped because", "compile (s)³",
            *(f"per fit, {thread_label(t)}" for t in settings),
            f"first fit, {thread_label(counted)}", f"minimum reached from (of {starts})"]
    rows = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for name, p in points[counted].items():
        fit = p.fit
        compiled = f"{p.compile_s:.2f} ({p.compile_how})" if p.compile_how else "none"
        cells = [name, f"{fit.iterations}", f"{fit.fevals}", f"{fit.gevals}",
                 f"{fit.objective:.10g}", f"{fit.gradient:.1e}",
                 fit.status.rstrip(".").replace("|", "\\|"),  # a pipe would end the cell
                 compiled, *(ms(points[t][name].timing.median_s) for t in settings),
                 ms(points[counted][name].timing.first_call_s), f"{reached[name]}"]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def routes_figure(points: dict[int, dict[str, Any]], settings: list[int]) -> Any:
    """Dots with whiskers: median time per fit (steady) and the first fit, per route and
    setting."""
    import matplotlib.pyplot as plt
    import numpy as np

    from perfguide.threads import thread_label

    names = list(points[settings[0]])
    fig, axes = plt.subplots(1, len(settings), figsize=(8.8, 0.9 + 0.42 * len(names)),
                             sharex=True, sharey=True, layout="constrained", squeeze=False)
    pos = np.arange(len(names))[::-1]
    for ax, threads in zip(axes[0], settings):
        timings = [points[threads][n].timing for n in names if n in points[threads]]
        at = [y for n, y in zip(names, pos) if n in points[threads]]
        mid = np.array([t.median_s for t in timings]) * 1e3
        low = mid - np.array([t.low_s for t in timings]) * 1e3
        high = np.array([t.high_s for t in timings]) * 1e3 - mid
        ax.errorbar(mid, at, xerr=[low, high], fmt="o", color="C0", ecolor="black",
                    capsize=3, label="per fit, compiled (median, whiskers: spread)")
        ax.plot([t.first_call_s * 1e3 for t in timings], at, "kx", ms=7,
                label="first fit, compilation included")
        ax.set(xscale="log", xlabel="time to solution (ms), latency",
               title=f"{thread_label(threads)} each")
        ax.grid(axis="y", visible=False)
    axes[0, 0].set_yticks(pos, names)
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncols=2,
               fontsize=8)
    return fig


BATCH_STYLES = {"vmap": ("C0", "o", "-"), "loop_jitted": ("C3", "D", "-."),
                "loop_jax": ("C1", "s", "--"), "loop_fd": ("C2", "^", ":")}


def batch_figure(batched: dict[int, dict[str, dict[int, Any]]], settings: list[int],
                 names: dict[str, str]) -> Any:
    """Problems per second against the number of problems, log-log, one panel per setting; hollow
    circles: the vmapped solver's first call of each size, compilation included."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log
    from perfguide.threads import thread_label

    fig, axes = plt.subplots(1, len(settings), figsize=(8.8, 4.3), sharex=True, sharey=True,
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
            if key == "vmap":
                ax.plot(sizes, [n / by_size[n].timing.first_call_s for n in sizes], "o",
                        mfc="none", color=color, label=f"{name}, compilation included")
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
    reached, failed = robustness(points, one, reference, rtol)
    glue_words("robustness", robustness_verdict(reached, failed, starts))
    glue_words("routes_table", routes_table(points, settings, one, reached, starts))
    glue_figure("fig_routes", routes_figure(points, settings))
    glue_words("spread", next(iter(points[one].values())).timing.spread)
    gradients = [p.fit.gradient for p in points[one].values()]
    glue_number("gradient_min", min(gradients))
    glue_number("gradient_max", max(gradients))
    fd, exact = names["fd"], names["exact"]
    torches = [names["torch_eager"], names["torch_compiled"]]
    not_whole = [fd, exact, *torches]  # routes that do not compile the whole solve
    for key, n in (("one", one), ("all", every)):
        jax_name = best_jax(points, n, jax_routes)
        p = points[n]
        torch_name = fastest_of(points, n, torches)
        baseline = fastest_of(points, n, not_whole)
        glue_words(f"best_jax_{key}", f"{jax_name}")
        glue_words(f"jax_vs_fd_{key}", compare_timings(
            f"the jitted {jax_name}", p[jax_name].timing, "SciPy with finite differences",
            p[fd].timing))
        glue_words(f"jax_vs_torch_{key}", compare_timings(
            f"the jitted {jax_name}", p[jax_name].timing,
            f"the faster PyTorch route ({torch_name})", p[torch_name].timing))
        glue_words(f"exact_vs_fd_{key}", compare_timings(
            "SciPy with JAX gradients", p[exact].timing, "SciPy with finite differences",
            p[fd].timing))
        glue_words(f"choice_{key}", choice_verdict({m: q.timing for m, q in p.items()},
                                                   "per fit"))
        glue_words(f"choice_first_{key}", choice_verdict(
            {m: single(q.timing.first_call_s) for m, q in p.items()}, "for the first fit"))
        glue_words(f"payback_{key}", payback_verdict(
            jax_name, p[jax_name].compile_s, p[jax_name].timing, p[baseline].timing,
            f"{baseline}, the fastest route that does not compile the whole solve"))
    fastest = best_jax(points, one, jax_routes)
    torch_one = fastest_of(points, one, torches)
    for key, name in (("torch_threads", torch_one), ("jax_threads", fastest)):
        glue_words(key, threads_verdict(f"{name}'s time per fit", points[one][name].timing,
                                        points[every][name].timing))
    if names["torch_compiled"] in points[one]:
        glue_words("torch_compile", compare_timings(
            "L-BFGS on the `torch.compile`d objective", points[one][names["torch_compiled"]].timing,
            "on the eager objective", points[one][names["torch_eager"]].timing) + " (1 core each)")
    else:
        glue_words("torch_compile", "`torch.compile` did not run here, so only the eager "
                   "objective is measured")

    def per_eval(name: str) -> float:
        q = points[one][name]
        return q.timing.median_s / max(q.fit.fevals or 1, 1)

    call = points[one][exact].call
    glue_words("overhead", overhead_verdict(per_eval(exact), call.median_s, per_eval(fastest)))
    glue_number("per_eval_fd_us", 1e6 * per_eval(fd))
    glue_number("per_eval_exact_us", 1e6 * per_eval(exact))
    glue_number("per_eval_jax_us", 1e6 * per_eval(fastest))
    glue_number("per_eval_torch_us", 1e6 * per_eval(torch_one))
    glue_words("torch_one", torch_one)
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
        "a warm pass over the padded data", after.timing, "one over the unpadded data",
        before.timing))
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
    vmap = names["vmap"]
    phrases = {"jitted": (names["loop_jitted"], "a Python loop of the jitted single-fit solver"),
               "jax": (names["loop_jax"], "a Python loop of SciPy fits with JAX gradients"),
               "fd": (names["loop_fd"], "a Python loop of SciPy fits with finite differences")}
    for key, n in (("one", settings[0]), ("all", settings[-1])):
        by_size = batched[n][vmap]
        sizes = sorted(by_size)
        largest = sizes[-1]
        vmapped = [per_problem(by_size[s].timing, s) for s in sizes]
        for short, (name, phrase) in phrases.items():
            loop_points = batched[n][name]
            size = max(loop_points)
            loop = per_problem(loop_points[size].timing, size)
            glue_words(f"batch_{short}_{key}", batch_verdict(vmapped[-1], loop, phrase, largest))
            glue_words(f"cross_{short}_{key}", crossover_verdict(sizes, vmapped, loop, phrase))
            glue_number(f"loop_{short}_rate_{key}", 1 / loop.median_s)
        rates = [1 / v.median_s for v in vmapped]
        glue_number(f"vmap_rate_{key}", rates[-1])
        peak = max(range(len(sizes)), key=rates.__getitem__)
        glue_number(f"vmap_peak_{key}", rates[peak])
        glue_number(f"vmap_peak_size_{key}", sizes[peak])
        glue_number(f"vmap_compile_{key}", by_size[largest].compile_s)
    largest = max(batched[settings[-1]][vmap])
    glue_words("vmap_threads", threads_verdict(
        f"the time per batch of {largest:,} problems", batched[settings[0]][vmap][largest].timing,
        batched[settings[-1]][vmap][largest].timing))
    iterations = batched[settings[-1]][vmap][largest].iterations
    glue_words("straggler", straggler_verdict(int(np.max(iterations)),
                                              float(np.median(iterations)),
                                              float(np.mean(iterations)), largest))
    glue_number("batch_largest", largest)
    compile_s = [batched[settings[-1]][vmap][s].compile_s
                 for s in sorted(batched[settings[-1]][vmap])]
    glue_number("vmap_compile_min", min(compile_s))
    glue_number("vmap_compile_max", max(compile_s))
