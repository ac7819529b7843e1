"""Verdicts, figures and glue of the page notebooks/array_programs.md.

Every outcome sentence of the page is picked here from measured numbers; the thresholds are the
named constants below. The page's `Recorder` holds
- "sweep": variant (a `LABELS` key), size (elements of the input: m² for the stencil; n for
  `matmul`), extras `program`, `threads`, `error`, and `cpu_per_wall` at the largest size:
  seconds per call, each library in a process of its own;
- "floor": variant, size 1, extras `program`, `threads`: the same program on its smallest input;
- "roof": "<library>, <kind>" (kind: read and write, read only), size = elements, extra
  `threads`: `x = 2 x` in place, or the sum of x, at the sweep's sizes;
- "matmul rate": library, size n, extra `threads`: the n × n product the peak is taken from;
- "sine": way (see `workloads.arrays.sine`), size = elements, extra `threads`.
"""

from typing import Any

import numpy as np

from perfguide.records import Recorder, Series
from perfguide.timing import Timing
from perfguide.verdicts import compare_timings, resolved

TIE = 0.10  # two times within 10% of each other (or bands that overlap) are not told apart
FLOOR_SHARE = 2.0  # within 2x its floor (the program on one element): fixed cost dominates
ROOF_NEAR = 0.5  # at least half the speed of the memory roof at the same size: bytes bound it
PEAK_NEAR = 0.5  # at least half the best measured matmul rate: bound by arithmetic
MULTICORE = 1.3  # CPU seconds per wall second at or above this: more than one core worked

LABELS = {"NumPy": "NumPy (into `out=`)", "NumPy, allocating": "NumPy, allocating",
          "JAX op by op": "JAX op by op (eager)", "jax.jit": "`jax.jit`",
          "PyTorch eager": "PyTorch eager (into `out=`)", "torch.compile": "`torch.compile`",
          "Numba": "Numba `@njit`"}
STYLES = {"NumPy": ("k", "o", "--"), "NumPy, allocating": ("0.45", ".", ":"),
          "JAX op by op": ("C0", "x", ":"), "jax.jit": ("C0", "s", "-"),
          "PyTorch eager": ("C3", "^", ":"), "torch.compile": ("C3", "v", "-"),
          "Numba": ("C2", "D", "-")}
ELEMENTWISE = ("chain", "sum_of_squares", "laplacian")
TITLES = {"chain": "element-wise chain", "sum_of_squares": "sum of squares",
          "laplacian": "5-point Laplacian", "matmul": "matrix product"}
ROOF_KIND = {"chain": "read and write", "laplacian": "read and write",
             "sum_of_squares": "read only"}
ROOF_CODE = {"read and write": "`x = 2 x` in place", "read only": "the sum of x"}


def label(name: str, program: str = "") -> str:
    """A side's name on the page; Numba's product is BLAS's (`a @ b` calls it)."""
    if name == "Numba" and program == "matmul":
        return "Numba `@njit` (`a @ b` calls BLAS)"
    return LABELS.get(name, name)


def _pct(share: float) -> str:
    return f"{share:.0%}" if share >= 0.095 else f"{share:.1%}"


def _x(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:,.0f}×"


def _times(slow: Timing, fast: Timing) -> str:
    """'N×' of two timings, or words when the faster one's median is 0 (its call cost no more
    than waiting on its output, once the harness's cost is subtracted: no ratio exists)."""
    if fast.median_s <= 0:
        return "far"
    return _x(slow.median_s / fast.median_s)


def winner_verdict(timings: dict[str, Timing], tie: float = TIE, program: str = "") -> str:
    """The fastest side, and every side the run does not tell apart from it."""
    ranked = sorted(timings, key=lambda name: timings[name].median_s)
    best = ranked[0]
    level = [n for n in ranked[1:] if not resolved(timings[best], timings[n], tie)]
    rest = [n for n in ranked[1:] if n not in level]
    if level:
        names = ", ".join(label(n, program) for n in [best, *level])
        tail = (f"; next, {label(rest[0], program)}, "
                f"{_times(timings[rest[0]], timings[best])} behind" if rest else "")
        return f"{names} (not told apart){tail}"
    runner = ranked[1]
    zero = (" (its call cost no more than waiting on its output, once the harness's own "
            "cost is subtracted)" if timings[best].median_s <= 0 else "")
    return (f"{label(best, program)}, "
            f"{_times(timings[runner], timings[best])} "
            f"ahead of {label(runner, program)}{zero}")


def floor_verdict(name: str, small: Timing, floor: Timing, share: float = FLOOR_SHARE) -> str:
    """At the smallest size: is the call's time mostly the program's fixed cost per call?"""
    ratio = small.median_s / floor.median_s
    if ratio <= share:
        return (f"{label(name)} takes {_x(ratio)} its floor: within {share:g}×, the fixed cost "
                "of its calls dominates")
    return (f"{label(name)} takes {_x(ratio)} its floor, over {share:g}×: the work itself "
            "shows even here")


def dispatch_takeaway(ratios: dict[str, float], size: int, share: float = FLOOR_SHARE) -> str:
    """How many sides, at the smallest size, are within `share` of their floor."""
    bound = [label(n) for n, r in ratios.items() if r <= share]
    if len(bound) * 2 >= len(ratios):
        return (f"at {size:,} elements, {len(bound)} of {len(ratios)} sides take within "
                f"{share:g}× their floor ({', '.join(bound)}): there each side's fixed cost "
                "per call decides, so compare the floors")
    return (f"at {size:,} elements, only {len(bound)} of {len(ratios)} sides take within "
            f"{share:g}× their floor: the work already shows, so compare the kernels")


def fusion_verdict(eager: Timing, jit: Timing, eager_bytes: float, jit_bytes: float,
                   tie: float = TIE) -> str:
    """`jax.jit` against JAX op by op at the largest size, with the bytes each moves."""
    traffic = (f"op by op the kernels move {eager_bytes:.0f} bytes per element, the jitted "
               f"program {jit_bytes:.0f} (XLA's count)")
    return f"{compare_timings('`jax.jit`', jit, 'JAX op by op', eager, tie)}; {traffic}"


def roof_verdict(name: str, per_element_s: float, roof_per_element_s: float,
                 near: float = ROOF_NEAR, kind: str = "read and write") -> str:
    """The fastest side at the largest size against the memory roof measured at the same size."""
    share = roof_per_element_s / per_element_s
    where = f"the {kind} roof ({ROOF_CODE.get(kind, kind)}) at the same size"
    if share > 1 + TIE:
        return (f"{label(name)} runs at {_pct(share)} of the speed of {where}: faster than the "
                "roof, which therefore does not bound it")
    if share >= near:
        return (f"{label(name)} runs at {_pct(share)} of the speed of {where}, at least "
                f"{near:.0%}: moving its bytes limits it")
    return (f"{label(name)} runs at {_pct(share)} of the speed of {where}, under {near:.0%}: "
            "something other than moving its bytes limits it")


def fusion_takeaway(jit_per_element_s: float, roof_per_element_s: float, eager_bytes: float,
                    jit_bytes: float, near: float = ROOF_NEAR) -> str:
    """Whether the traffic fusion saves is what bounds the fused chain."""
    share = roof_per_element_s / jit_per_element_s
    saved = (f"fusion cuts the chain's traffic from {eager_bytes:.0f} to {jit_bytes:.0f} bytes "
             "per element (XLA's count)")
    if share >= near:
        return (f"{saved}, and the jitted chain runs at {_pct(share)} of the read-and-write "
                f"roof's speed (at least {near:.0%}): the saved traffic is what bounds it")
    return (f"{saved}, but the jitted chain runs at only {_pct(share)} of the read-and-write "
            f"roof's speed (under {near:.0%}): its time goes elsewhere than moving bytes")


def peak_verdict(name: str, flops_per_s: float, peak: float, near: float = PEAK_NEAR) -> str:
    """A matrix product's FLOP/s against the best measured matmul rate."""
    share = flops_per_s / peak
    if share >= near:
        return (f"{label(name, 'matmul')} reaches {_pct(share)} of the best measured matmul rate "
                f"(at least {near:.0%})")
    return (f"{label(name, 'matmul')} reaches {_pct(share)} of the best measured matmul rate, "
            f"under {near:.0%}")


def threads_verdict(loads: dict[str, float], multicore: float = MULTICORE) -> str:
    """Which sides used more than one core: CPU seconds per wall second of their largest call."""
    many = [f"{label(n)} ({v:.1f})" for n, v in loads.items() if v >= multicore]
    one = [f"{label(n)} ({v:.1f})" for n, v in loads.items() if v < multicore]
    words = (f"more than one core worked (CPU s per wall s at least {multicore:g}) for "
             f"{', '.join(many)}" if many else
             f"no side used more than one core (CPU s per wall s under {multicore:g})")
    return f"{words}; about one core: {', '.join(one)}" if many and one else (
        f"{words}: {', '.join(one)}" if one else words)


def numpy_kernel_verdict(dispatch: dict[str, Any]) -> str:
    """Which SIMD target NumPy's float32 and float64 sin run here (`opt_func_info`)."""
    words = []
    for dtype in ("float32", "float64"):
        info = dispatch[dtype]
        baseline = next((t for t in info["available"].split() if t.startswith("baseline")), "")
        if info["current"] and info["current"] not in baseline:
            words.append(f"its {dtype} `sin` runs the `{info['current']}` kernel (built: "
                         f"`{info['available']}`)")
        else:
            words.append(f"its {dtype} `sin` runs the baseline kernel (`{info['current']}`)")
    return "NumPy's dispatcher chose: " + "; ".join(words)


def sine_cause_verdict(report: dict[str, Any]) -> str:
    """What XLA made of a sine: a vector intrinsic split into scalar libm calls, or not."""
    if not report.get("files"):
        return ("XLA's dump was not found (no IR or object file was written to the folder): "
                "this run cannot say what XLA generated")
    intrinsics, symbols, calls = report["intrinsics"], report["symbols"], report["calls"]
    if intrinsics and symbols:
        width = report.get("width", 1)
        per = report.get("intrinsic_calls", 1) * width
        calls_words = (f"; the loop's body holds {per} elements and the kernel's disassembly "
                       f"{calls} `call` instructions" if calls > 0 else "")
        return (f"XLA vectorises the loop ({width} floats per vector, from the intrinsic's "
                f"name), but its sine is the LLVM intrinsic `{intrinsics[0]}`, and the object "
                f"file needs libm's scalar `{symbols[0]}` (`nm -u`){calls_words}: LLVM has no "
                "vector sine to lower it to, so each vector sine becomes one scalar libm call "
                "per element")
    if intrinsics:
        return (f"XLA's kernel calls `{intrinsics[0]}` but needs no libm sine (`nm -u`): "
                "LLVM lowered the intrinsic without a scalar library call")
    return ("XLA's kernel calls no sine intrinsic and needs no libm sine (`nm -u`): its sine is "
            "computed by the kernel's own arithmetic")


def fast_math_verdict(base: Timing, fast: Timing, tie: float = TIE) -> str:
    """jnp.sin with and without --xla_cpu_enable_fast_math=true, each in its own process."""
    if not resolved(base, fast, tie):
        return ("`--xla_cpu_enable_fast_math=true` changes nothing the run can tell apart "
                f"(medians within {tie:.0%}, or bands that overlap)")
    return compare_timings("with `--xla_cpu_enable_fast_math=true`", fast, "without", base, tie)


def sine_gap_verdict(numpy32: Timing, jax32: Timing, tie: float = TIE) -> str:
    """NumPy's np.sin against a jitted jnp.sin, both allocating their result, float32."""
    return compare_timings("NumPy's `np.sin`", numpy32, "a jitted `jnp.sin`", jax32, tie)


def precision_verdict(numpy32: Timing, numpy64: Timing, jax32: Timing, jax64: Timing,
                      tie: float = TIE) -> str:
    """How far JAX is behind NumPy in float32 and in float64 (no cause claimed)."""
    gap32, gap64 = jax32.median_s / numpy32.median_s, jax64.median_s / numpy64.median_s
    words = (f"jitted `jnp.sin` takes {_x(gap32)} NumPy's time in float32 and {_x(gap64)} in "
             "float64")
    if gap64 < gap32 / (1 + tie):
        return f"{words}: the gap is smaller in float64"
    if gap64 > gap32 * (1 + tie):
        return f"{words}: the gap is larger in float64"
    return f"{words}: the gap is about the same (within {tie:.0%})"


def remedy_verdict(name: str, remedy: Timing, jnp_sin: Timing, numpy_sin: Timing,
                   tie: float = TIE) -> str:
    """A way out for a JAX user, against jnp.sin and against NumPy."""
    return (f"{compare_timings(name, remedy, '`jnp.sin`', jnp_sin, tie)}; against NumPy's "
            f"`np.sin`: {compare_timings(name, remedy, '`np.sin`', numpy_sin, tie)}")


def poly_takeaway(poly: Timing, jnp_sin: Timing, tie: float = TIE) -> str:
    """Whether writing the sine in jax.numpy paid off here."""
    if resolved(poly, jnp_sin, tie) and poly.median_s < jnp_sin.median_s:
        return (f"here a sine written in `jax.numpy` (`sin_poly`) ran "
                f"{_x(jnp_sin.median_s / poly.median_s)} faster than `jnp.sin`: before "
                "trusting one operation in XLA:CPU, time it and read its kernel "
                "(`--xla_dump_to`)")
    return ("here a sine written in `jax.numpy` (`sin_poly`) was not faster than `jnp.sin`: "
            "the library's own sine is the one to use on this machine")


def _t(median_s: float) -> Timing:
    """A synthetic timing with a narrow band around `median_s`, for the flip tests."""
    return Timing(median_s, tuple(median_s * f for f in (0.98, 0.99, 1.0, 1.01, 1.02)), 1)


_DISPATCH = {"float32": {"current": "X86_V4", "available": "X86_V4 X86_V3 baseline(X86_V2)"},
             "float64": {"current": "X86_V4", "available": "X86_V4 X86_V3 baseline(X86_V2)"},
             "features": ["AVX2", "AVX512F", "FMA3"]}
_BASE = {"current": "X86_V2", "available": "baseline(X86_V2)"}
_REPORT = {"intrinsics": ["llvm.sin.v8f32"], "width": 8, "symbols": ["sinf"], "calls": 16,
           "intrinsic_calls": 2, "files": ["module.ll", "module.o"]}
VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (winner_verdict, dict(timings={"NumPy": _t(0.0), "jax.jit": _t(2.0)}),
     dict(timings={"NumPy": _t(2.0), "jax.jit": _t(0.0)})),
    (winner_verdict, dict(timings={"NumPy": _t(1.0), "jax.jit": _t(2.0)}),
     dict(timings={"NumPy": _t(2.0), "jax.jit": _t(1.0)})),
    (winner_verdict, dict(timings={"NumPy": _t(1.0), "jax.jit": _t(1.01), "Numba": _t(3.0)}),
     dict(timings={"NumPy": _t(1.0), "jax.jit": _t(2.0), "Numba": _t(3.0)})),
    (floor_verdict, dict(name="jax.jit", small=_t(1.5), floor=_t(1.0)),
     dict(name="jax.jit", small=_t(5.0), floor=_t(1.0))),
    (dispatch_takeaway, dict(ratios={"NumPy": 1.2, "jax.jit": 1.5}, size=1000),
     dict(ratios={"NumPy": 5.0, "jax.jit": 6.0}, size=1000)),
    (fusion_verdict, dict(eager=_t(3.0), jit=_t(1.0), eager_bytes=40, jit_bytes=8),
     dict(eager=_t(1.0), jit=_t(3.0), eager_bytes=40, jit_bytes=8)),
    (roof_verdict, dict(name="NumPy", per_element_s=1.0, roof_per_element_s=0.8),
     dict(name="NumPy", per_element_s=1.0, roof_per_element_s=0.1)),
    (roof_verdict, dict(name="NumPy", per_element_s=1.0, roof_per_element_s=2.0),
     dict(name="NumPy", per_element_s=1.0, roof_per_element_s=0.8)),
    (fusion_takeaway, dict(jit_per_element_s=1.0, roof_per_element_s=0.8, eager_bytes=40,
                           jit_bytes=8),
     dict(jit_per_element_s=1.0, roof_per_element_s=0.1, eager_bytes=40, jit_bytes=8)),
    (peak_verdict, dict(name="NumPy", flops_per_s=0.8, peak=1.0),
     dict(name="NumPy", flops_per_s=0.1, peak=1.0)),
    (threads_verdict, dict(loads={"NumPy": 1.0, "jax.jit": 1.9}),
     dict(loads={"NumPy": 1.0, "jax.jit": 1.0})),
    (numpy_kernel_verdict, dict(dispatch=_DISPATCH),
     dict(dispatch={**_DISPATCH, "float32": _BASE})),
    (sine_cause_verdict, dict(report=_REPORT),
     dict(report={**_REPORT, "intrinsics": [], "symbols": []})),
    (sine_cause_verdict, dict(report=_REPORT), dict(report={**_REPORT, "files": []})),
    (fast_math_verdict, dict(base=_t(1.0), fast=_t(1.01)), dict(base=_t(2.0), fast=_t(1.0))),
    (sine_gap_verdict, dict(numpy32=_t(1.0), jax32=_t(5.0)),
     dict(numpy32=_t(5.0), jax32=_t(1.0))),
    (precision_verdict, dict(numpy32=_t(1.0), numpy64=_t(10.0), jax32=_t(10.0), jax64=_t(12.0)),
     dict(numpy32=_t(1.0), numpy64=_t(1.0), jax32=_t(10.0), jax64=_t(10.0))),
    (remedy_verdict, dict(name="sin_poly", remedy=_t(1.0), jnp_sin=_t(10.0), numpy_sin=_t(1.0)),
     dict(name="sin_poly", remedy=_t(20.0), jnp_sin=_t(10.0), numpy_sin=_t(1.0))),
    (poly_takeaway, dict(poly=_t(1.0), jnp_sin=_t(5.0)), dict(poly=_t(5.0), jnp_sin=_t(5.0))),
]
GOALS: list[Any] = []


# Figures, tables and glue: plumbing, kept out of the notebook.
def record(recorder: Recorder, found: dict[tuple[int, str], Any],
           machine: dict[int, dict[str, Any]]) -> None:
    """Put every side's points and floors, and the roofs, into the page's recorder."""
    for (threads, _), run in found.items():
        for variant, programs in run.value.points.items():
            for program, points in programs.items():
                for size, p in points.items():
                    extra = {} if p.cpu_per_wall is None else {"cpu_per_wall": p.cpu_per_wall}
                    recorder.add("sweep", variant, size, p.timing, compile_s=p.compile_s,
                                 program=program, threads=threads, error=p.error, **extra)
        for variant, programs in run.value.floors.items():
            for program, floor in programs.items():
                recorder.add("floor", variant, 1, floor, program=program, threads=threads)
    for threads, roofs in machine.items():
        for kind, libraries in roofs["memory"].items():
            for lib, entry in libraries.items():
                for size, timing in zip(entry["sizes"], entry["timings"]):
                    extra = ({"cpu_per_wall": entry["cpu_per_wall"]}
                             if size == entry["sizes"][-1] else {})
                    recorder.add("roof", f"{lib}, {kind}", size, timing, threads=threads,
                                 **extra)
        for lib, entry in roofs["matmul"].items():
            recorder.add("matmul rate", lib, roofs["matmul_n"], entry["timing"],
                         threads=threads, cpu_per_wall=entry["cpu_per_wall"])


def sweep(recorder: Recorder, variant: str, program: str, threads: int) -> Series:
    """One side's points for one program at one thread setting."""
    return recorder.series("sweep", variant, program=program, threads=threads)


def at_size(recorder: Recorder, program: str, threads: int, index: int) -> dict[str, Timing]:
    """Every side's timing of `program` at the size `index` of its sweep (-1: the largest)."""
    found = {}
    for name in LABELS:
        series = sweep(recorder, name, program, threads)
        if series.sizes:
            found[name] = series.timings[index]
    return found


def floors(recorder: Recorder, program: str, threads: int) -> dict[str, Timing]:
    """Each side's floor for one program at one thread setting."""
    found = {}
    for name in LABELS:
        series = recorder.series("floor", name, program=program, threads=threads)
        if series.sizes:
            found[name] = series.timings[0]
    return found


def roof_curve(recorder: Recorder, kind: str, threads: int) -> tuple[list[int], list[float]]:
    """Sizes and seconds per element of a memory roof: the faster of XLA's and NumPy's."""
    curves = [recorder.series("roof", f"{lib}, {kind}", threads=threads)
              for lib in ("XLA", "NumPy")]
    curves = [c for c in curves if c.sizes]
    sizes = curves[0].sizes
    return sizes, [min(c.timings[i].median_s for c in curves) / size
                   for i, size in enumerate(sizes)]


def roof_at(recorder: Recorder, program: str, threads: int, elements: float) -> float:
    """Seconds per element of the program's memory roof at `elements` (log-log interpolation)."""
    sizes, per = roof_curve(recorder, ROOF_KIND[program], threads)
    return float(np.exp(np.interp(np.log(elements), np.log(sizes), np.log(per))))


def best_rate(recorder: Recorder, threads: int) -> tuple[str, float]:
    """The best measured matmul rate at one setting: (library, FLOP/s)."""
    rates = {}
    for lib in ("XLA", "NumPy"):
        series = recorder.series("matmul rate", lib, threads=threads)
        if series.sizes:
            rates[lib] = 2 * series.sizes[0] ** 3 / series.timings[0].median_s
    lib = max(rates, key=rates.__getitem__)
    return lib, rates[lib]


def headline(recorder: Recorder, settings: list[int]) -> dict[str, Timing]:
    """Every side at the largest size of every program, for the noise check."""
    from perfguide.threads import thread_label

    return {f"{name}, {program}, {thread_label(t)}": timing for t in settings
            for program in TITLES for name, timing in at_size(recorder, program, t, -1).items()}


def per_element_figure(recorder: Recorder, settings: list[int]) -> Any:
    """ns per element against elements, one row per program, one column per thread setting."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log, timing_band
    from perfguide.threads import thread_label

    fig, axes = plt.subplots(len(ELEMENTWISE), len(settings), figsize=(8.8, 10.4),
                             layout="constrained", squeeze=False)
    for row, program in zip(axes, ELEMENTWISE):
        for ax, threads in zip(row, settings):
            for name, (color, marker, line) in STYLES.items():
                series = sweep(recorder, name, program, threads)
                if series.sizes:
                    timing_band(ax, series.sizes, series.timings, unit="ns", per=series.sizes,
                                color=color, marker=marker, linestyle=line,
                                label=LABELS[name].replace("`", ""))
            sizes = np.array(sweep(recorder, "jax.jit", program, threads).sizes, float)
            floor = floors(recorder, program, threads).get("jax.jit")
            if floor is not None and sizes.size:
                ax.plot(sizes, floor.median_s * 1e9 / sizes, color="0.5", lw=1, ls="-.",
                        label="jax.jit floor (same program, 1 element) / elements")
            roof_sizes, per = roof_curve(recorder, ROOF_KIND[program], threads)
            ax.plot(roof_sizes, np.array(per) * 1e9, color="k", lw=1.6,
                    label="memory roof at each size (faster of XLA and NumPy)")
            ax.set(title=f"{TITLES[program]}, {thread_label(threads)} each\n"
                         f"roof: {ROOF_CODE[ROOF_KIND[program]].replace('`', '')}")
            plain_log(ax)
        row[0].set_ylabel("ns per element, latency")
    for ax in axes[-1]:
        ax.set_xlabel("elements of the input (m² for the stencil)")
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncols=3,
               fontsize=8)
    return fig


def matmul_figure(recorder: Recorder, settings: list[int]) -> Any:
    """GFLOP/s of the n × n product against n (spread as a band), with the best measured rate."""
    import matplotlib.pyplot as plt

    from perfguide.threads import thread_label

    fig, axes = plt.subplots(1, len(settings), figsize=(8.8, 4.0), sharey=True,
                             layout="constrained", squeeze=False)
    for ax, threads in zip(axes[0], settings):
        for name, (color, marker, line) in STYLES.items():
            series = sweep(recorder, name, "matmul", threads)
            if series.sizes:
                n = np.array(series.sizes, float)
                rate = {f: 2 * n**3 / np.array([getattr(t, f) for t in series.timings]) / 1e9
                        for f in ("median_s", "low_s", "high_s")}
                ax.plot(n, rate["median_s"], color=color, marker=marker, linestyle=line,
                        label=label(name, "matmul").replace("`", ""))
                ax.fill_between(n, rate["high_s"], rate["low_s"], color=color, alpha=0.2, lw=0)
        lib, peak = best_rate(recorder, threads)
        size = recorder.series("matmul rate", lib, threads=threads).sizes[0]
        ax.axhline(peak / 1e9, color="k", lw=1.2,
                   label=f"best measured matmul rate ({size}², XLA or NumPy)")
        ax.set(xscale="log", yscale="log", xlabel="n (n × n matrices)",
               title=f"{thread_label(threads)} each")
    axes[0, 0].set_ylabel("GFLOP/s (2n³ / time; band: spread)")
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncols=3,
               fontsize=8)
    return fig


def winners_table(recorder: Recorder, settings: list[int]) -> str:
    """Markdown: the fastest side per program at the smallest and largest size, per setting."""
    from perfguide.threads import thread_label

    rows = ["| program | size | " + " | ".join(f"{thread_label(t)} each" for t in settings)
            + " |", "|---" * (len(settings) + 2) + "|"]
    for program in TITLES:
        sizes = sweep(recorder, "NumPy", program, settings[0]).sizes
        for index in (0, -1):
            size = f"n = {sizes[index]:,}" if program == "matmul" else f"{sizes[index]:,}"
            cells = [winner_verdict(at_size(recorder, program, t, index), program=program)
                     for t in settings]
            rows.append(f"| {TITLES[program]} | {size} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def cost_table(costs: dict[str, dict[str, float]]) -> str:
    """Markdown: per element, the op-by-op kernels and bytes, and XLA's counts for the jit."""
    rows = ["| program | op-by-op kernels | op-by-op bytes / element | jitted: flops / element "
            "| jitted: bytes accessed / element | jitted: transcendentals / element "
            "| bytes it must move / element |", "|---|---|---|---|---|---|---|"]
    for program, c in costs.items():
        rows.append(f"| {TITLES[program]} | {c['kernels']:.0f} | {c['eager_bytes']:.1f} | "
                    f"{c['flops']:.1f} | {c['bytes accessed']:.1f} | {c['transcendentals']:.1f} "
                    f"| {c['must_move']:.0f} |")
    return "\n".join(rows)


def compile_table(recorder: Recorder, threads: int) -> str:
    """Markdown: each side's first-call cost at the first and largest size of each program."""
    rows = ["| side | " + " | ".join(TITLES.values()) + " |", "|---" * (len(TITLES) + 1) + "|"]
    for name in LABELS:
        cells = []
        for program in TITLES:
            series = sweep(recorder, name, program, threads)
            cells.append(" / ".join(f"{r.compile_s * 1e3:,.0f}" for r in
                                    (series.records[0], series.records[-1]))
                         if series.sizes else "—")
        rows.append(f"| {LABELS[name]} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def floor_table(recorder: Recorder, settings: list[int]) -> str:
    """Markdown: each side's floor per program (the program on one element), µs, per setting."""
    from perfguide.threads import thread_label

    heads = [f"{TITLES[p]}, {thread_label(t)}" for p in ELEMENTWISE for t in settings]
    rows = ["| side | " + " | ".join(heads) + " |", "|---" * (len(heads) + 1) + "|"]
    for name in LABELS:
        cells = [floors(recorder, p, t).get(name) for p in ELEMENTWISE for t in settings]
        rows.append(f"| {LABELS[name]} | " + " | ".join(
            f"{c.median_s * 1e6:.1f}" if c else "—" for c in cells) + " |")
    return "\n".join(rows)


def loads(recorder: Recorder, program: str, threads: int) -> dict[str, float]:
    """CPU seconds per wall second of each side's call at the program's largest size."""
    found = {}
    for name in LABELS:
        series = sweep(recorder, name, program, threads)
        if series.sizes and "cpu_per_wall" in series.records[-1].extra:
            found[name] = series.records[-1].extra["cpu_per_wall"]
    return found


def load_table(recorder: Recorder, threads: int) -> str:
    """Markdown: CPU s per wall s of each side at each program's largest size, one setting."""
    rows = ["| side | " + " | ".join(TITLES.values()) + " |", "|---" * (len(TITLES) + 1) + "|"]
    per = {p: loads(recorder, p, threads) for p in TITLES}
    for name in LABELS:
        rows.append(f"| {LABELS[name]} | " + " | ".join(
            f"{per[p][name]:.2f}" if name in per[p] else "—" for p in TITLES) + " |")
    return "\n".join(rows)


def roof_loads(recorder: Recorder, threads: int) -> dict[str, float]:
    """CPU s per wall s of each roof's largest call, and of each 2048² product."""
    found = {}
    for lib in ("XLA", "NumPy"):
        for kind in ROOF_CODE:
            records = recorder.series("roof", f"{lib}, {kind}", threads=threads).records
            if records:
                found[f"{lib} {ROOF_CODE[kind]}"] = records[-1].extra["cpu_per_wall"]
        records = recorder.series("matmul rate", lib, threads=threads).records
        if records:
            found[f"{lib} matmul"] = records[0].extra["cpu_per_wall"]
    return found


def glue_sweep(recorder: Recorder, settings: list[int],
               costs: dict[str, dict[str, float]]) -> None:
    """Section 1: the figures, tables and verdicts of the sweep."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    one, every = settings[0], settings[-1]
    glue_figure("fig_per_element", per_element_figure(recorder, settings))
    glue_figure("fig_matmul", matmul_figure(recorder, settings))
    glue_words("winners_table", winners_table(recorder, settings))
    glue_words("cost_table", cost_table(costs))
    glue_words("compile_table", compile_table(recorder, one))
    glue_words("floor_table", floor_table(recorder, settings))
    glue_words("load_table", load_table(recorder, every))
    for key, t in (("one", one), ("all", every)):
        lib, peak = best_rate(recorder, t)
        glue_number(f"peak_gflops_{key}", peak / 1e9)
        glue_words(f"peak_lib_{key}", lib)
        for kind, short in (("read and write", "write"), ("read only", "read")):
            sizes, per = roof_curve(recorder, kind, t)
            glue_number(f"roof_{short}_gbps_{key}",
                        (8 if short == "write" else 4) / per[-1] / 1e9)
        for program in TITLES:
            for index, end in ((0, "small"), (-1, "large")):
                glue_words(f"win_{program}_{end}_{key}",
                           winner_verdict(at_size(recorder, program, t, index), program=program))
        for program in ELEMENTWISE:
            large = at_size(recorder, program, t, -1)
            best = min(large, key=lambda n: large[n].median_s)
            size = sweep(recorder, best, program, t).sizes[-1]
            glue_words(f"roof_{program}_{key}", roof_verdict(
                best, large[best].median_s / size, roof_at(recorder, program, t, size),
                kind=ROOF_KIND[program]))
        n = sweep(recorder, "NumPy", "matmul", t).sizes[-1]
        glue_words(f"peak_{key}", "; ".join(
            peak_verdict(name, 2 * n**3 / timing.median_s, peak)
            for name, timing in at_size(recorder, "matmul", t, -1).items()))
        small = at_size(recorder, "chain", t, 0)
        chain_floors = floors(recorder, "chain", t)
        glue_words(f"floors_{key}", "; ".join(
            floor_verdict(name, small[name], floor) for name, floor in chain_floors.items()
            if name in small))
        size_min = sweep(recorder, "NumPy", "chain", t).sizes[0]
        glue_words(f"dispatch_{key}", dispatch_takeaway(
            {n: small[n].median_s / f.median_s for n, f in chain_floors.items() if n in small},
            size_min))
        chain = at_size(recorder, "chain", t, -1)
        size_max = sweep(recorder, "jax.jit", "chain", t).sizes[-1]
        glue_words(f"fusion_{key}", fusion_verdict(
            chain["JAX op by op"], chain["jax.jit"], costs["chain"]["eager_bytes"],
            costs["chain"]["bytes accessed"]))
        glue_words(f"fusion_roof_{key}", fusion_takeaway(
            chain["jax.jit"].median_s / size_max, roof_at(recorder, "chain", t, size_max),
            costs["chain"]["eager_bytes"], costs["chain"]["bytes accessed"]))
        glue_words(f"threads_{key}", threads_verdict(
            {**loads(recorder, "chain", t)}))
        glue_words(f"roof_threads_{key}", threads_verdict(roof_loads(recorder, t)))
    glue_number("n_max", sweep(recorder, "NumPy", "matmul", one).sizes[-1])
    glue_number("size_min", sweep(recorder, "NumPy", "chain", one).sizes[0])
    glue_number("size_max", sweep(recorder, "NumPy", "chain", one).sizes[-1])
    glue_number("grid_min", sweep(recorder, "NumPy", "laplacian", one).sizes[0])
    glue_number("grid_max", sweep(recorder, "NumPy", "laplacian", one).sizes[-1])
    glue_number("cores", every)


SINE_ORDER = ("NumPy float32", "NumPy float32, out=", "jnp.sin float32",
              "jnp.sin float32, fast math", "sin_poly float32", "pure_callback(np.sin) float32",
              "NumPy float64", "jnp.sin float64", "chain, jnp.sin and jnp.cos", "chain, sin_poly")


def sine_figure(recorder: Recorder, settings: list[int]) -> Any:
    """ns per element of each sine: dots with the spread as error bars, per thread setting."""
    import matplotlib.pyplot as plt

    from perfguide.threads import thread_label

    names = [n for n in SINE_ORDER if recorder.series("sine", n, threads=settings[0]).sizes]
    fig, ax = plt.subplots(figsize=(7.6, 0.8 + 0.42 * len(names)), layout="constrained")
    step = 0.3 / max(len(settings) - 1, 1)
    for k, threads in enumerate(settings):
        series = [recorder.series("sine", n, threads=threads) for n in names]
        mid, low, high = (np.array([getattr(s.timings[0], f) * 1e9 / s.sizes[0] for s in series])
                          for f in ("median_s", "low_s", "high_s"))
        y = np.arange(len(names))[::-1] + (k - (len(settings) - 1) / 2) * step
        ax.errorbar(mid, y, xerr=[mid - low, high - mid], fmt="o", color=f"C{k}", capsize=3,
                    label=thread_label(threads))
    ax.set_yticks(np.arange(len(names))[::-1], names)
    ax.set(xscale="log", xlabel="ns per element (dot: median latency; bars: spread)")
    ax.legend(loc="lower right")
    return fig


def glue_sine(recorder: Recorder, settings: list[int], dispatch: dict[str, Any],
              report: dict[str, dict[str, Any]], errors: dict[str, float]) -> None:
    """The sine section: its figure and verdicts, at each thread setting."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    glue_figure("fig_sine", sine_figure(recorder, settings))
    glue_words("numpy_kernel", numpy_kernel_verdict(dispatch))
    glue_words("sine_cause", sine_cause_verdict(report["jnp.sin"]))
    glue_words("poly_kernel", sine_cause_verdict(report["sin_poly"]))
    glue_number("sin_poly_error", errors["sin_poly float32"])
    glue_number("jnp_sin_error", errors["jnp.sin float32"])
    glue_number("fast_math_error", errors["jnp.sin float32, fast math"])
    size = recorder.series("sine", "NumPy float32", threads=settings[0]).sizes[0]
    glue_number("sine_size", size)
    for key, t in (("one", settings[0]), ("all", settings[-1])):
        s = {n: recorder.series("sine", n, threads=t).timings[0] for n in SINE_ORDER
             if recorder.series("sine", n, threads=t).sizes}
        glue_number(f"np_sin_ns_{key}", s["NumPy float32"].median_s * 1e9 / size)
        glue_number(f"jnp_sin_ns_{key}", s["jnp.sin float32"].median_s * 1e9 / size)
        glue_words(f"sine_gap_{key}", sine_gap_verdict(s["NumPy float32"], s["jnp.sin float32"]))
        glue_words(f"fast_math_{key}", fast_math_verdict(
            s["jnp.sin float32"], s["jnp.sin float32, fast math"]))
        glue_words(f"precision_{key}", precision_verdict(
            s["NumPy float32"], s["NumPy float64"], s["jnp.sin float32"], s["jnp.sin float64"]))
        glue_words(f"poly_{key}", remedy_verdict(
            "`sin_poly`", s["sin_poly float32"], s["jnp.sin float32"], s["NumPy float32"]))
        glue_words(f"poly_takeaway_{key}", poly_takeaway(s["sin_poly float32"],
                                                         s["jnp.sin float32"]))
        glue_words(f"callback_{key}", remedy_verdict(
            "`pure_callback(np.sin)`", s["pure_callback(np.sin) float32"], s["jnp.sin float32"],
            s["NumPy float32"]))
        glue_words(f"chain_poly_{key}", compare_timings(
            "the chain with `sin_poly`", s["chain, sin_poly"], "the chain with `jnp.sin`/`jnp.cos`",
            s["chain, jnp.sin and jnp.cos"]))
