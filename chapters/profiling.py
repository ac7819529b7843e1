"""Verdicts, figures and glue of the page notebooks/profiling.md.

Every outcome sentence of the page is picked here from measured numbers; the thresholds are the
named constants below and each sentence states the one it used. The page's `Recorder` holds
- "clock": call name, size None, extras `rounds`, `fast_clock_us`, `fast_span_us`: latency of
  one call (`time_call`), pooled over the rounds, with the lower quartiles of the clocked calls
  and of the traced spans that the agreement check compares;
- "callbacks": variant, size = steps: latency of one scan of `steps` steps;
- "cache": program, size = round, extras cold/warm phases: compile seconds in fresh processes.
"""

import math
from typing import Any

from perfguide.timing import Timing
from perfguide.verdicts import compare_timings, resolved

AGREE = 0.25  # traced spans within 25% of the clocked calls (lower quartiles) agree
OPS_BOUND = 0.5  # XLA ops running for half a call or more: the program is most of the call
DOMINANT = 0.5  # one op with half of all op time or more: start there
TIE = 0.10  # two figures within 10% of each other are a tie


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _cap(text: str) -> str:
    """The sentence with its first letter capitalised, the rest untouched."""
    return text[:1].upper() + text[1:]


def _x(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:,.0f}×"


def agreement_verdict(span_us: float, clock_us: float, tolerance: float = AGREE) -> str:
    """The trace's span of a call against the clock's latency of the same call (lower
    quartiles of each)."""
    off = span_us / clock_us - 1
    if abs(off) <= tolerance:
        return (f"the trace's {span_us:,.0f} µs per call agree with the clock's {clock_us:,.0f} µs "
                f"(fastest quarter of each; off by {off:+.0%}, within the {tolerance:.0%} "
                "allowed)")
    return (f"the trace's {span_us:,.0f} µs per call differ from the clock's {clock_us:,.0f} µs "
            f"(fastest quarter of each) by {off:+.0%}, more than the {tolerance:.0%} allowed")


def tracer_cost_verdict(span_us: float, clock_us: float, events: float,
                        tolerance: float = AGREE) -> str:
    """Did recording the trace stretch the call? Its events per call are the likely cost."""
    ratio = span_us / clock_us
    if ratio > 1 + tolerance:
        each = (span_us - clock_us) / events
        return (f"tracing stretched each call {_x(ratio)} (over {tolerance:.0%}): the trace "
                f"holds {events:,.0f} events per call, about {each:.2f} µs of recording each, so "
                "read this call's op table for its shares, not its absolute times")
    return (f"the trace's {events:,.0f} events per call did not stretch the call by more than "
            f"{tolerance:.0%} ({_x(ratio)} the clock)")


def bound_verdict(busy_share: float, threshold: float = OPS_BOUND) -> str:
    """Share of a call during which at least one XLA op ran: program-bound or not."""
    if busy_share >= threshold:
        return (f"XLA's ops ran during {_pct(busy_share)} of the call (at least "
                f"{threshold:.0%}): the compiled program is most of it, and the op table says "
                "where inside it the time goes")
    return (f"XLA's ops ran during only {_pct(busy_share)} of the call (under {threshold:.0%}): "
            "the rest is Python and dispatch around the program, which the op table cannot show")


def top_op_verdict(op: str, share: float, threshold: float = DOMINANT) -> str:
    """Is there one op to start with?"""
    if share >= threshold:
        return f"one op, `{op}`, takes {_pct(share)} of all op time (at least {threshold:.0%}): start there"
    return (f"no op takes {threshold:.0%} of the op time (the largest, `{op}`, {_pct(share)}): "
            "the time is spread over many")


def python_tracer_verdict(with_us: float, without_us: float, tolerance: float = AGREE) -> str:
    """The Python tracer (`python_tracer_level=1`) against the trace without it."""
    ratio = with_us / without_us
    if ratio > 1 + tolerance:
        return (f"with JAX's Python tracer on, each traced step took {_x(ratio)} as long "
                f"({with_us:,.0f} µs against {without_us:,.0f} µs): it records every Python "
                "call, so keep it off when the times matter")
    return (f"JAX's Python tracer changed the traced step by less than {tolerance:.0%} "
            f"({with_us:,.0f} µs against {without_us:,.0f} µs)")


def cprofile_verdict(total_us: float, clock_us: float, largest: str, share: float,
                     tolerance: float = AGREE) -> str:
    """cProfile's cost, and its largest phase."""
    ratio = total_us / clock_us
    cost = (f"under cProfile a step took {_x(ratio)} the clock's time, more than {tolerance:.0%} "
            "over it: a deterministic profiler pays for every Python call it records, so read "
            "shares, not times" if ratio > 1 + tolerance else
            f"cProfile's own cost stayed within {tolerance:.0%} of the clock")
    return f"{cost}; the largest phase is {largest}, {_pct(share)} of the profiled step"


BREAKDOWN_PARTS = {  # cProfile phase -> nnx_overhead's breakdown part timed alone
    "graph flatten (split the objects)": "nnx.split",
    "graph unflatten (write back)": "nnx.update",
    "the compiled call and the rest": "compiled call (jax.jit)",
}


def breakdown_verdict(profile_shares: dict[str, float], parts_us: dict[str, float] | None) -> str:
    """cProfile's largest phase against the largest part of the nnx-overhead chapter's breakdown
    (each part timed on its own there); None when that chapter's results are not in this build."""
    if not parts_us:
        return ("the nnx-overhead chapter's results file is not in this build's results folder, "
                "so its breakdown cannot be set beside this one")
    ours = max(profile_shares, key=profile_shares.__getitem__)
    theirs = max(parts_us, key=parts_us.__getitem__)
    if BREAKDOWN_PARTS[ours] == theirs:
        return (f"both put the most time in the same part ({ours}; there `{theirs}`), although "
                "one profiles the whole step and the other times each part alone")
    return (f"they disagree on the largest part: cProfile says {ours}, the breakdown "
            f"`{theirs}`; timed alone, a part skips the work it shares with the others")


def roofline_verdict(name: str, intensity: float, ridge: float, attained: float,
                     roof: float) -> str:
    """Where a program sits on the measured roofline, and how close it gets to its roof."""
    if abs(intensity / ridge - 1) <= TIE:
        side = f"at the ridge (within {TIE:.0%}), where both roofs are about as low"
    elif intensity < ridge:
        side = "left of the ridge, so by XLA's own counts the memory roof bounds it"
    else:
        side = "right of the ridge, so by XLA's own counts the compute roof bounds it"
    return (f"{name}: {intensity:.2f} flops per byte, {side} ({ridge:.1f} flops per byte here); "
            f"it reaches {attained / roof:.0%} of that roof")


def fusion_verdict(op: str, counts: dict[str, int]) -> str:
    """What the largest op of a trace is in the optimised HLO: a fusion's body, counted."""
    if not counts:
        return f"`{op}` is not a fusion with a body in the optimised HLO"
    arithmetic = {k: v for k, v in counts.items()
                  if k in ("multiply", "add", "subtract", "divide", "dot", "exponential")}
    words = ", ".join(f"{v} {k}" for k, v in arithmetic.items()) or "no arithmetic"
    return (f"`{op}` is a fusion of {sum(counts.values())} instructions in the optimised HLO, "
            f"with {words} among them: its name comes from some of those instructions, not "
            "from what it computes")


def recompile_verdict(compilations: int, compile_s: float) -> str:
    """What the second call of one cause cost."""
    if compilations == 0:
        return "no recompilation: the second call reused the first program"
    return f"compiled again: {compilations} compilation(s), {compile_s * 1e3:,.0f} ms"


def cache_verdict(name: str, cold_s: float, warm_s: float, tie: float = TIE) -> str:
    """Cold against warm persistent cache: the saving per fresh process."""
    if cold_s >= warm_s * (1 + tie):
        return (f"{name}: the warm cache cuts tracing, lowering and compiling from "
                f"{cold_s:.2f} s to {warm_s:.2f} s, {cold_s - warm_s:.2f} s saved per restart")
    return (f"{name}: the warm cache saves no more than {tie:.0%} ({cold_s:.2f} s cold, "
            f"{warm_s:.2f} s warm)")


def callback_verdict(name: str, timing: Timing, plain: Timing, steps: int,
                     tie: float = TIE) -> str:
    """A scan that calls back to Python every step, against the plain scan."""
    if not resolved(timing, plain, tie) or timing.median_s <= plain.median_s:
        return f"{name} adds no cost that this run tells apart from the plain scan"
    extra_us = (timing.median_s - plain.median_s) / steps * 1e6
    return (f"{name} adds {extra_us:,.1f} µs per step, {_x(timing.median_s / plain.median_s)} the "
            "plain scan's time")


# Figures, tables and glue: plumbing, kept out of the notebook.
KIND_COLORS = {"fusion": "C0", "library call": "C1", "dot": "C2", "scatter/gather": "C3",
               "copy/layout": "C4", "loop/control": "C5", "other": "0.6"}


def median_call(traces: list[Any]) -> tuple[Any, Any]:
    """(trace, call) of the call whose span is the median one over all the traces' calls (the
    lower middle for an even count)."""
    ordered = sorted(((t, c) for t in traces for c in t.calls), key=lambda tc: tc[1].dur_us)
    return ordered[(len(ordered) - 1) // 2]


def _depths(events: list[Any]) -> list[int]:
    """Nesting depth of each event on one thread (events sorted by start)."""
    depths: list[int] = []
    stack: list[float] = []
    for e in events:
        while stack and stack[-1] <= e.start_us:
            stack.pop()
        depths.append(len(stack))
        stack.append(e.end_us)
    return depths


def timeline_figure(traces: dict[str, list[Any]], python_depth: int = 3) -> Any:
    """One traced call per panel: Python-thread events by nesting depth, XLA's ops by thread,
    coloured by kind; time in ms from the call's start."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from workloads.profiling.trace import lanes, op_kind

    fig, axes = plt.subplots(len(traces), 1, figsize=(8.8, 1.3 + 1.25 * len(traces)),
                             layout="constrained", squeeze=False)
    for ax, (name, each) in zip(axes[:, 0], traces.items()):
        trace, call = median_call(each)
        rows: list[tuple[str, list[tuple[float, float]], list[str]]] = []
        pool = 0
        for thread, events in lanes(trace, call).items():
            events = sorted(events, key=lambda e: (e.start_us, -e.dur_us))
            if thread == call.thread:
                depths = _depths(events)
                for depth in range(python_depth):
                    chosen = [e for e, k in zip(events, depths) if k == depth]
                    if chosen:
                        label = "Python: the call" if depth == 0 else f"Python, depth {depth}"
                        rows.append((label, [(e.start_us, e.dur_us) for e in chosen],
                                     ["0.35"] * len(chosen)))
            else:
                ops = [e for e in events if e.op is not None]
                if ops:
                    client = "Client" in thread
                    pool += not client
                    label = "XLA client thread" if client else f"XLA pool thread {pool}"
                    rows.append((label, [(e.start_us, e.dur_us) for e in ops],
                                 [KIND_COLORS[op_kind(e.op or "")] for e in ops]))
        for i, (label, spans, colors) in enumerate(rows):
            ax.broken_barh([((s - call.start_us) / 1e3, max(d / 1e3, 1e-4)) for s, d in spans],
                           (len(rows) - i - 0.4, 0.8), facecolors=colors, linewidth=0)
        ax.set_yticks([len(rows) - i for i in range(len(rows))], [r[0] for r in rows], fontsize=7)
        ax.set_xlim(0, call.dur_us / 1e3)
        ax.set_title(f"{name}: one call, {call.dur_us / 1e3:,.2f} ms", fontsize=9)
        ax.grid(axis="y", visible=False)
    axes[-1, 0].set_xlabel("time from the start of the call (ms)")
    handles = [Patch(color=c, label=k) for k, c in KIND_COLORS.items()]
    fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=8)
    return fig


def calls_table(rows: dict[str, dict[str, float]]) -> str:
    """Markdown: each traced call's clock, span (median and fastest quarter), rounds, events
    and busy share."""
    lines = ["| call | clock, median (µs) | trace, median (µs) | clock, fastest quarter (µs) "
             "| trace, fastest quarter (µs) | trace / clock | rounds | events per call "
             "| XLA ops busy |", "|---" * 9 + "|"]
    for name, r in rows.items():
        lines.append(f"| {name} | {r['clock_us']:,.0f} | {r['span_us']:,.0f} | "
                     f"{r['fast_clock_us']:,.0f} | {r['fast_span_us']:,.0f} | "
                     f"{r['fast_span_us'] / r['fast_clock_us']:.2f} | {r['rounds']:.0f} | "
                     f"{r['events']:,.0f} | {r['busy_us'] / r['span_us']:.0%} |")
    return "\n".join(lines)


def op_table(op_rows: dict[str, list[Any]], top: int) -> str:
    """Markdown: the `top` ops of each traced call by time per call."""
    lines = ["| call | op | kind | µs per call | runs per call | share of op time |",
             "|---|---|---|---|---|---|"]
    for name, rows in op_rows.items():
        for r in rows[:top]:
            lines.append(f"| {name} | `{r.op}` | {r.kind} | {r.us_per_call:,.1f} | "
                         f"{r.runs_per_call:,.0f} | {r.share:.0%} |")
    return "\n".join(lines)


def glue_traces(found: dict[str, dict[str, Any]], top: int) -> None:
    """Section 1: calls table, op table, timeline and the verdicts of every traced call.
    `found[name]` holds `clock` (Timing), `traces`, `rows` (op rows) and `key` (glue prefix)."""
    from perfguide.glue import glue_figure, glue_number, glue_words
    from workloads.profiling.trace import fast_quarter_us, median_of

    table = {}
    for name, f in found.items():
        traces, clock_us = f["traces"], f["clock"].median_s * 1e6
        span, busy = median_of(traces, "spans_us"), median_of(traces, "busy_us")
        events = median_of(traces, "events_per_call")
        fast_clock, fast_span = fast_quarter_us(f["clock"], traces)
        table[name] = dict(clock_us=clock_us, span_us=span, busy_us=busy, events=events,
                           fast_clock_us=fast_clock, fast_span_us=fast_span, rounds=len(traces))
        key = f["key"]
        glue_number(f"{key}_clock_us", clock_us)
        glue_number(f"{key}_span_us", span)
        glue_number(f"{key}_events", events)
        glue_words(f"{key}_agree", agreement_verdict(fast_span, fast_clock))
        glue_words(f"{key}_tracer", tracer_cost_verdict(fast_span, fast_clock, events))
        glue_words(f"{key}_bound", bound_verdict(busy / span))
        first = f["rows"][0]
        glue_words(f"{key}_top", top_op_verdict(first.op, first.share))
    glue_words("calls_table", calls_table(table))
    glue_words("op_table", op_table({n: f["rows"] for n, f in found.items()}, top))
    glue_figure("fig_timeline", timeline_figure({n: f["traces"] for n, f in found.items()}))
    glue_number("agree_pct", AGREE * 100)
    glue_number("ops_bound_pct", OPS_BOUND * 100)


def viewer_verdict(installed: dict[str, bool]) -> str:
    """Which local trace viewers this environment has (checked by import)."""
    have = [name for name, ok in installed.items() if ok]
    if have:
        return (f"{', '.join(have)} installed here, so `tensorboard --logdir` on the traces "
                "folder opens them")
    return (f"neither {' nor '.join(f'`{n}`' for n in installed)} is installed in this "
            "environment (checked by import), so this build shows the trace only as parsed here")


def installed_viewers() -> dict[str, bool]:
    """TensorBoard's profile plugin and xprof, found by import or not."""
    import importlib.util

    return {name: importlib.util.find_spec(name) is not None
            for name in ("tensorboard_plugin_profile", "xprof")}


def glue_python_tracer(with_python: Any, without: list[Any], traces_dir: Any, json_ops: int,
                       xplane_ops: int) -> None:
    """The Python tracer's cost, where the traces are, viewers, and the xplane cross-check."""
    from pathlib import Path

    from perfguide.glue import glue_number, glue_words
    from perfguide.records import REPOSITORY
    from workloads.profiling.trace import median_of

    glue_words("python_tracer", python_tracer_verdict(median_of([with_python], "spans_us"),
                                                      median_of(without, "spans_us")))
    folder = Path(traces_dir).resolve()  # from the repository's root where it lies inside
    shown = folder.relative_to(REPOSITORY) if folder.is_relative_to(REPOSITORY) else folder
    glue_words("traces_dir", f"`{shown}`")
    glue_words("viewer_installed", viewer_verdict(installed_viewers()))
    glue_number("json_ops", json_ops)
    glue_number("xplane_ops", xplane_ops)


def nnx_overhead_parts(results: Any) -> dict[str, float] | None:
    """µs of the nnx-overhead chapter's breakdown parts (each timed alone there), from its
    results file in `results`; None when that file is absent or has no breakdown."""
    import json
    from pathlib import Path

    path = Path(results) / "nnx_overhead.json"
    if not path.is_file():
        return None
    records = json.loads(path.read_text()).get("records", [])
    parts = {r["variant"]: r["median_s"] * 1e6 for r in records
             if r.get("experiment") == "breakdown" and r["variant"] in BREAKDOWN_PARTS.values()}
    return parts if len(parts) == len(BREAKDOWN_PARTS) else None


def profile_shares(python_side: Any) -> dict[str, float]:
    """cProfile's phases as shares of the profiled step: flatten, unflatten, the rest."""
    total = python_side.total_s
    flat, unflat = (python_side.phases_s[k] for k in list(BREAKDOWN_PARTS)[:2])
    return dict(zip(BREAKDOWN_PARTS, (flat / total, unflat / total, python_side.rest_s / total)))


def glue_python_side(python_side: Any, clock: Timing, parts: dict[str, float] | None,
                     calls: int) -> None:
    """Section 2: cProfile's phases, its cost, and the nnx-overhead breakdown beside it."""
    import importlib.metadata

    from perfguide.glue import glue_number, glue_words

    shares = profile_shares(python_side)
    total_us = python_side.total_s * 1e6
    lines = ["| phase | cProfile, µs per step | share | nnx_overhead, timed alone (µs) | share |",
             "|---|---|---|---|---|"]
    alone = sum(parts.values()) if parts else 0.0
    for phase, share in shares.items():
        part = BREAKDOWN_PARTS[phase]
        there = (f"`{part}`: {parts[part]:,.0f} | {parts[part] / alone:.0%}" if parts
                 else "not in this build | ")
        lines.append(f"| {phase} | {share * total_us:,.0f} | {share:.0%} | {there} |")
    glue_words("cprofile_table", "\n".join(lines))
    largest = max(shares, key=shares.__getitem__)
    glue_words("cprofile_words", _cap(cprofile_verdict(total_us, clock.median_s * 1e6, largest,
                                                  shares[largest])))
    glue_words("breakdown_words", breakdown_verdict(shares, parts))
    glue_words("flax_version", importlib.metadata.version("flax"))
    glue_number("profiled_calls", calls)


def roofline_figure(peak: float, bandwidth: float, points: dict[str, tuple[float, float]]) -> Any:
    """Measured roofs and each program's (intensity, flops/s), log-log."""
    import matplotlib.pyplot as plt
    import numpy as np

    from perfguide.plotting import plain_log

    fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    lows = [i for i, _ in points.values()]
    xs = np.geomspace(min(min(lows) / 3, 0.05), max(max(lows) * 3, 4 * peak / bandwidth), 200)
    ax.plot(xs, np.minimum(peak, bandwidth * xs) / 1e9, "k-", lw=2,
            label=f"roofs: {bandwidth / 1e9:,.1f} GB/s, {peak / 1e9:,.0f} GFLOP/s")
    ax.axvline(peak / bandwidth, color="0.6", ls=":", lw=1,
               label=f"ridge, {peak / bandwidth:.1f} flops per byte")
    for k, (name, (intensity, rate)) in enumerate(points.items()):
        ax.plot([intensity], [rate / 1e9], "os"[k % 2], color=f"C{k}", ms=8, label=name)
    ax.set(xlabel="arithmetic intensity (flops per byte, XLA's count)",
           ylabel="GFLOP/s reached (latency)")
    plain_log(ax)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def glue_programs(facts: dict[str, Any], runs_per_call: dict[str, int],
                  found: dict[str, dict[str, Any]], peak: float, bandwidth: float,
                  hlo_text: dict[str, str]) -> None:
    """Section 3: the program table, the roofline and a verdict per program; the FE
    Jacobian's largest traced op found in its HLO (`hlo_text` by program)."""
    from perfguide.glue import glue_figure, glue_number, glue_words
    from workloads.profiling.programs import fusion_ops

    top = found["FE Jacobian"]["rows"][0].op
    glue_words("fe_fusion", _cap(fusion_verdict(top, fusion_ops(hlo_text["FE Jacobian"], top))))

    ridge = peak / bandwidth
    points, lines = {}, ["| program | flops per call | bytes per call | flops per byte "
                         "| arguments (KiB) | outputs (KiB) | temporaries (KiB) "
                         "| HLO instructions | fusions |", "|---" * 9 + "|"]
    for name, f in facts.items():
        runs = runs_per_call[name]
        rate = f.flops * runs / found[name]["clock"].median_s
        points[name] = (f.intensity, rate)
        lines.append(f"| {name} | {f.flops * runs:,.0f} | {f.bytes_accessed * runs:,.0f} | "
                     f"{f.intensity:.2f} | {f.argument_bytes / 1024:,.0f} | "
                     f"{f.output_bytes / 1024:,.0f} | {f.temp_bytes / 1024:,.0f} | "
                     f"{f.instructions:,} | {f.fusions:,} |")
        roof = min(peak, bandwidth * f.intensity)
        key = found[name]["key"]
        glue_words(f"roof_{key}", roofline_verdict(
            f"The {name}", f.intensity, ridge, rate, roof))
    glue_words("program_table", "\n".join(lines))
    glue_figure("fig_roofline", roofline_figure(peak, bandwidth, points))
    glue_number("peak_gflops", peak / 1e9)
    glue_number("bandwidth_gbs", bandwidth / 1e9)


def _reason(explanation: str) -> str:
    """The line of a cache-miss explanation that says what changed, without its link."""
    import re

    lines = [line.strip() for line in explanation.splitlines() if line.strip().startswith("*")]
    if not lines:
        return "(no explanation)"
    reason = lines[0].lstrip("* ").split("https://")[0].split(", so the")[0]
    return re.sub(r"<class '[\w.]+'> with pytree metadata ", "", reason).strip()


def glue_recompile(again: dict[str, Any]) -> None:
    """Section 4: one row per cause: compilations, seconds and JAX's reason."""
    from perfguide.glue import glue_words

    lines = ["| second call differs by | what it cost | JAX's explanation of the miss |",
             "|---|---|---|"]
    for cause, seen in again.items():
        reason = _reason(seen.explanation).replace("|", "\\|").replace("<", "&lt;")
        lines.append(f"| {cause} | {recompile_verdict(seen.compilations, seen.compile_s)} "
                     f"| `{reason}` |")
    glue_words("recompile_table", "\n".join(lines))


def glue_cache(recorder: Any, compiles: list[tuple[int, str, dict[str, Any]]],
               programs: list[str], rounds: int) -> None:
    """Section 4: cold and warm compile seconds per program, pooled over rounds."""
    from perfguide.glue import glue_number, glue_words

    lines = ["| program | process | trace (s) | lower (s) | XLA compile (s) | total (s) |",
             "|---|---|---|---|---|---|"]
    totals: dict[tuple[str, str], list[float]] = {}
    for name in programs:
        for state in ("cold", "warm"):
            rows = [p[name] for _, st, p in compiles if st == state]
            seconds = [sum(r.values()) for r in rows]
            totals[name, state] = seconds
            recorder.add("cache", f"{name}, {state}", None,
                         Timing(seconds[0], tuple(seconds), 1), compile_s=min(seconds),
                         **{phase: min(r[phase] for r in rows) for phase in rows[0]})
            best = min(rows, key=lambda r: sum(r.values()))
            lines.append(f"| {name} | {state} | {best['trace']:.3f} | {best['lower']:.3f} | "
                         f"{best['compile']:.3f} | {sum(best.values()):.3f} |")
    glue_words("cache_table", "\n".join(lines))
    for name, key in zip(programs, ("fe", "scan")):
        glue_words(f"cache_{key}", _cap(cache_verdict(
            name, min(totals[name, "cold"]), min(totals[name, "warm"]))))
    glue_number("cache_rounds", rounds)


def glue_callbacks(recorder: Any, steps: int) -> None:
    """Section 5: time per step with each callback, and the verdicts."""
    from perfguide.glue import glue_figure, glue_number, glue_words
    from perfguide.plotting import timing_bars

    names = recorder.variants("callbacks")
    timings = {n: recorder.series("callbacks", n).timings[0] for n in names}
    per_step = [timings[n].scaled(1 / steps) for n in names]
    fig = timing_bars(names, per_step, unit="us")
    fig.axes[0].set_xlabel(fig.axes[0].get_xlabel().replace("per call", "per step"))
    glue_figure("fig_callbacks", fig)
    plain = timings["plain scan"]
    glue_number("cb_plain_us", plain.median_s / steps * 1e6)
    glue_number("cb_steps", steps)
    for name, key in (("jax.debug.print", "print"), ("jax.debug.callback", "callback"),
                      ("io_callback", "io")):
        glue_words(f"cb_{key}", callback_verdict(f"`{name}`", timings[name], plain, steps))


SLOW, FAST = (Timing(m, (0.99 * m, m, 1.01 * m), 1) for m in (2.0, 1.0))  # for the flip tests


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (agreement_verdict, dict(span_us=105.0, clock_us=100.0), dict(span_us=200.0, clock_us=100.0)),
    (tracer_cost_verdict, dict(span_us=300.0, clock_us=100.0, events=1000),
     dict(span_us=101.0, clock_us=100.0, events=1000)),
    (bound_verdict, dict(busy_share=0.9), dict(busy_share=0.1)),
    (top_op_verdict, dict(op="fusion", share=0.8), dict(op="fusion", share=0.2)),
    (python_tracer_verdict, dict(with_us=500.0, without_us=100.0),
     dict(with_us=101.0, without_us=100.0)),
    (cprofile_verdict, dict(total_us=300.0, clock_us=100.0, largest="a", share=0.5),
     dict(total_us=101.0, clock_us=100.0, largest="a", share=0.5)),
    (breakdown_verdict,
     dict(profile_shares={"graph flatten (split the objects)": 0.6,
                          "the compiled call and the rest": 0.4},
          parts_us={"nnx.split": 60.0, "compiled call (jax.jit)": 40.0}),
     dict(profile_shares={"graph flatten (split the objects)": 0.6,
                          "the compiled call and the rest": 0.4},
          parts_us={"nnx.split": 40.0, "compiled call (jax.jit)": 60.0})),
    (breakdown_verdict, dict(profile_shares={"graph flatten (split the objects)": 1.0},
                             parts_us={"nnx.split": 1.0}),
     dict(profile_shares={"graph flatten (split the objects)": 1.0}, parts_us=None)),
    (roofline_verdict, dict(name="p", intensity=0.5, ridge=10.0, attained=1e9, roof=2e9),
     dict(name="p", intensity=50.0, ridge=10.0, attained=1e9, roof=2e9)),
    (roofline_verdict, dict(name="p", intensity=10.5, ridge=10.0, attained=1e9, roof=2e9),
     dict(name="p", intensity=50.0, ridge=10.0, attained=1e9, roof=2e9)),
    (recompile_verdict, dict(compilations=0, compile_s=0.0), dict(compilations=1, compile_s=0.1)),
    (cache_verdict, dict(name="p", cold_s=2.0, warm_s=0.5), dict(name="p", cold_s=1.0, warm_s=1.0)),
    (callback_verdict, dict(name="print", timing=SLOW, plain=FAST, steps=10),
     dict(name="print", timing=FAST, plain=FAST, steps=10)),
    (viewer_verdict, dict(installed={"xprof": True}), dict(installed={"xprof": False})),
    (fusion_verdict, dict(op="f", counts={"multiply": 3}), dict(op="f", counts={})),
]

GOALS: list[Any] = []
