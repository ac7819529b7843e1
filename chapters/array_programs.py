"""Verdicts, figures and glue of the page notebooks/array_programs.md.

Every outcome sentence of the page is picked here from measured numbers; the thresholds are the
named constants below. The page's `Recorder` holds
- "sweep": variant (a `LABELS` key), size (elements, or n for `matmul`), extras `program`,
  `threads`, `error`: seconds per call, each library in a process of its own;
- "floor": variant, size 1, extra `threads`: x + 1 on one element, the cheapest call;
- "sine": way (see `workloads.arrays.sine`), size = elements, extra `threads`.
"""

from typing import Any

from perfguide.records import Recorder, Series
from perfguide.timing import Timing
from perfguide.verdicts import compare_timings, resolved

TIE = 0.10  # two times within 10% of each other (or bands that overlap) are not told apart
FLOOR_SHARE = 2.0  # a call within 2x its side's floor (x + 1 on one element) is dispatch-bound
ROOF_NEAR = 0.5  # at least half the memory roof's speed: bound by memory bandwidth
PEAK_NEAR = 0.5  # at least half the measured peak FLOP/s: bound by arithmetic

LABELS = {"NumPy": "NumPy", "JAX op by op": "JAX op by op (eager)", "jax.jit": "`jax.jit`",
          "PyTorch eager": "PyTorch eager", "torch.compile": "`torch.compile`",
          "Numba": "Numba `@njit`"}
STYLES = {"NumPy": ("k", "o", "--"), "JAX op by op": ("C0", "x", ":"),
          "jax.jit": ("C0", "s", "-"), "PyTorch eager": ("C3", "^", ":"),
          "torch.compile": ("C3", "v", "-"), "Numba": ("C2", "D", "-")}
ELEMENTWISE = ("chain", "sum_of_squares", "laplacian")
TITLES = {"chain": "element-wise chain", "sum_of_squares": "sum of squares",
          "laplacian": "5-point Laplacian", "matmul": "matrix product"}


def _x(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:,.0f}×"


def winner_verdict(timings: dict[str, Timing], tie: float = TIE) -> str:
    """The fastest side, and every side the run does not tell apart from it."""
    ranked = sorted(timings, key=lambda name: timings[name].median_s)
    best = ranked[0]
    level = [n for n in ranked[1:] if not resolved(timings[best], timings[n], tie)]
    rest = [n for n in ranked[1:] if n not in level]
    if level:
        names = ", ".join(LABELS.get(n, n) for n in [best, *level])
        tail = (f"; next, {LABELS.get(rest[0], rest[0])} at "
                f"{_x(timings[rest[0]].median_s / timings[best].median_s)}" if rest else "")
        return f"{names} (not told apart){tail}"
    runner = ranked[1]
    return (f"{LABELS.get(best, best)}, {_x(timings[runner].median_s / timings[best].median_s)} "
            f"ahead of {LABELS.get(runner, runner)}")


def floor_verdict(name: str, small: Timing, floor: Timing, share: float = FLOOR_SHARE) -> str:
    """At the smallest size: is the call's time mostly the side's fixed cost per call?"""
    ratio = small.median_s / floor.median_s
    if ratio <= share:
        return (f"{LABELS.get(name, name)} takes {_x(ratio)} its floor: within {share:g}×, the "
                "fixed cost of a call dominates")
    return (f"{LABELS.get(name, name)} takes {_x(ratio)} its floor, over {share:g}×: the work "
            "itself shows even here")


def fusion_verdict(eager: Timing, jit: Timing, eager_bytes: float, jit_bytes: float,
                   tie: float = TIE) -> str:
    """`jax.jit` against JAX op by op at the largest size, with the bytes each moves."""
    traffic = (f"op by op the kernels move {eager_bytes:.0f} bytes per element, the jitted "
               f"program {jit_bytes:.0f} (XLA's count)")
    return f"{compare_timings('`jax.jit`', jit, 'JAX op by op', eager, tie)}; {traffic}"


def roof_verdict(name: str, per_element_s: float, roof_per_element_s: float,
                 near: float = ROOF_NEAR) -> str:
    """The fastest side at the largest size against the memory roof (DRAM stream bandwidth)."""
    share = roof_per_element_s / per_element_s
    label = LABELS.get(name, name)
    if share > 1:
        return (f"{label} beats the memory roof ({share:.0%} of its speed): its data is served "
                "from cache, not from memory")
    if share >= near:
        return (f"{label} runs at {share:.0%} of the memory roof's speed, at least {near:.0%}: "
                "memory bandwidth limits it")
    return (f"{label} runs at {share:.0%} of the memory roof's speed, under {near:.0%}: "
            "arithmetic or the code, not memory bandwidth, limits it")


def peak_verdict(name: str, flops_per_s: float, peak: float, near: float = PEAK_NEAR) -> str:
    """A matrix product's FLOP/s against the measured peak."""
    share = flops_per_s / peak
    label = LABELS.get(name, name)
    if share >= near:
        return f"{label} reaches {share:.0%} of the measured peak (at least {near:.0%})"
    return f"{label} reaches {share:.0%} of the measured peak, under {near:.0%}"


def numpy_kernel_verdict(dispatch: dict[str, Any]) -> str:
    """Which SIMD target NumPy's float32 sin runs here (`numpy.lib.introspect.opt_func_info`)."""
    f32 = dispatch["float32"]
    baseline = next((t for t in f32["available"].split() if t.startswith("baseline")), "")
    if f32["current"] and f32["current"] not in baseline:
        return (f"NumPy's float32 `sin` runs its `{f32['current']}` kernel, the best of those "
                f"it was built with (`{f32['available']}`); the CPU has "
                f"{', '.join(f for f in dispatch['features'] if f in ('AVX2', 'AVX512F', 'FMA3'))}")
    return (f"NumPy's float32 `sin` runs its baseline kernel (`{f32['current']}`): no SIMD "
            "target above the baseline was found")


def sine_cause_verdict(report: dict[str, Any]) -> str:
    """What XLA made of jnp.sin: a vector intrinsic split into scalar libm calls, or not."""
    intrinsics, symbols, calls = report["intrinsics"], report["symbols"], report["calls"]
    widths = ", ".join(f"`<{v}>`" for v in report["vector_types"]) or "no vectors"
    if intrinsics and symbols:
        width = int(report["vector_types"][0].split()[0]) if report["vector_types"] else 1
        per = report.get("intrinsic_calls", 1) * width
        calls_words = (f"; the loop's body holds {per} elements and the kernel's disassembly "
                       f"{calls} `call` instructions" if calls > 0 else "")
        return (f"XLA vectorises the loop ({widths}), but its sine is the LLVM intrinsic "
                f"`{intrinsics[0]}`, and the object file needs libm's scalar `{symbols[0]}`"
                f"{calls_words}: with no vector math library, LLVM splits each vector sine into "
                "one scalar libm call per element")
    return (f"XLA's kernel ({widths}) calls no scalar libm sine (intrinsics: "
            f"{intrinsics or 'none'}, libm symbols: {symbols or 'none'}): its sine is inlined")


def fast_math_verdict(base: Timing, fast: Timing, tie: float = TIE) -> str:
    """jnp.sin with and without --xla_cpu_enable_fast_math=true, each in its own process."""
    if not resolved(base, fast, tie):
        return ("`--xla_cpu_enable_fast_math=true` changes nothing the run can tell apart "
                f"(medians within {tie:.0%}, or bands that overlap)")
    return compare_timings("with `--xla_cpu_enable_fast_math=true`", fast, "without", base, tie)


def precision_verdict(numpy32: Timing, numpy64: Timing, jax32: Timing, jax64: Timing) -> str:
    """How far JAX is behind NumPy in float32 and in float64."""
    gap32, gap64 = jax32.median_s / numpy32.median_s, jax64.median_s / numpy64.median_s
    words = (f"jitted `jnp.sin` takes {_x(gap32)} NumPy's time in float32 and {_x(gap64)} in "
             "float64")
    if gap64 < gap32 / (1 + TIE):
        return f"{words}: the gap is a float32 matter, where NumPy has a SIMD kernel"
    return f"{words}: the gap does not shrink in float64"


def remedy_verdict(name: str, remedy: Timing, jnp_sin: Timing, numpy_sin: Timing,
                   tie: float = TIE) -> str:
    """A way out for a JAX user, against jnp.sin and against NumPy."""
    return (f"{compare_timings(name, remedy, '`jnp.sin`', jnp_sin, tie)}; against NumPy's "
            f"`np.sin`: {compare_timings(name, remedy, '`np.sin`', numpy_sin, tie)}")


def _t(median_s: float) -> Timing:
    """A synthetic timing with a narrow band around `median_s`, for the flip tests."""
    return Timing(median_s, tuple(median_s * f for f in (0.98, 0.99, 1.0, 1.01, 1.02)), 1)


_DISPATCH = {"float32": {"current": "X86_V4", "available": "X86_V4 X86_V3 baseline(X86_V2)"},
             "features": ["AVX2", "AVX512F", "FMA3"]}
_REPORT = {"intrinsics": ["llvm.sin.v8f32"], "vector_types": ["8 x float"], "symbols": ["sinf"],
           "calls": 16}
VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (winner_verdict, dict(timings={"NumPy": _t(1.0), "jax.jit": _t(2.0)}),
     dict(timings={"NumPy": _t(2.0), "jax.jit": _t(1.0)})),
    (winner_verdict, dict(timings={"NumPy": _t(1.0), "jax.jit": _t(1.01), "Numba": _t(3.0)}),
     dict(timings={"NumPy": _t(1.0), "jax.jit": _t(2.0), "Numba": _t(3.0)})),
    (floor_verdict, dict(name="jax.jit", small=_t(1.5), floor=_t(1.0)),
     dict(name="jax.jit", small=_t(5.0), floor=_t(1.0))),
    (fusion_verdict, dict(eager=_t(3.0), jit=_t(1.0), eager_bytes=40, jit_bytes=8),
     dict(eager=_t(1.0), jit=_t(3.0), eager_bytes=40, jit_bytes=8)),
    (roof_verdict, dict(name="NumPy", per_element_s=1.0, roof_per_element_s=0.8),
     dict(name="NumPy", per_element_s=1.0, roof_per_element_s=0.1)),
    (roof_verdict, dict(name="NumPy", per_element_s=1.0, roof_per_element_s=2.0),
     dict(name="NumPy", per_element_s=1.0, roof_per_element_s=0.8)),
    (peak_verdict, dict(name="NumPy", flops_per_s=0.8, peak=1.0),
     dict(name="NumPy", flops_per_s=0.1, peak=1.0)),
    (numpy_kernel_verdict, dict(dispatch=_DISPATCH),
     dict(dispatch={**_DISPATCH, "float32": {"current": "X86_V2",
                                             "available": "baseline(X86_V2)"}})),
    (sine_cause_verdict, dict(report=_REPORT),
     dict(report={**_REPORT, "intrinsics": [], "symbols": []})),
    (fast_math_verdict, dict(base=_t(1.0), fast=_t(1.01)), dict(base=_t(2.0), fast=_t(1.0))),
    (precision_verdict, dict(numpy32=_t(1.0), numpy64=_t(10.0), jax32=_t(10.0), jax64=_t(12.0)),
     dict(numpy32=_t(1.0), numpy64=_t(1.0), jax32=_t(10.0), jax64=_t(10.0))),
    (remedy_verdict, dict(name="sin_poly", remedy=_t(1.0), jnp_sin=_t(10.0), numpy_sin=_t(1.0)),
     dict(name="sin_poly", remedy=_t(20.0), jnp_sin=_t(10.0), numpy_sin=_t(1.0))),
]
GOALS: list[Any] = []


# Figures, tables and glue: plumbing, kept out of the notebook.
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


def floors(recorder: Recorder, threads: int) -> dict[str, Timing]:
    """Each side's floor at one thread setting."""
    return {name: recorder.series("floor", name, threads=threads).timings[0]
            for name in LABELS if recorder.series("floor", name, threads=threads).sizes}


def headline(recorder: Recorder, settings: list[int]) -> dict[str, Timing]:
    """Every side at the largest size of every program, for the noise check."""
    from perfguide.threads import thread_label

    return {f"{name}, {program}, {thread_label(t)}": timing for t in settings
            for program in TITLES for name, timing in at_size(recorder, program, t, -1).items()}


def per_element_figure(recorder: Recorder, settings: list[int],
                       roofs: dict[int, dict[str, float]], bytes_per: dict[str, float]) -> Any:
    """ns per element against elements, one row per program, one column per thread setting."""
    import matplotlib.pyplot as plt
    import numpy as np

    from perfguide.plotting import plain_log, timing_band
    from perfguide.threads import thread_label

    fig, axes = plt.subplots(len(ELEMENTWISE), len(settings), figsize=(8.8, 9.6), sharex=True,
                             layout="constrained", squeeze=False)
    for row, program in zip(axes, ELEMENTWISE):
        for ax, threads in zip(row, settings):
            for name, (color, marker, line) in STYLES.items():
                series = sweep(recorder, name, program, threads)
                if series.sizes:
                    timing_band(ax, series.sizes, series.timings, unit="ns", per=series.sizes,
                                color=color, marker=marker, linestyle=line,
                                label=LABELS[name].replace("`", ""))
            sizes = np.array(sweep(recorder, "NumPy", program, threads).sizes, float)
            floor = floors(recorder, threads).get("jax.jit")
            if floor is not None:
                ax.plot(sizes, floor.median_s * 1e9 / sizes, color="0.5", lw=1, ls="-.",
                        label="jax.jit floor / elements")
            roof = bytes_per[program] / roofs[threads]["stream_bytes_per_s"] * 1e9
            ax.axhline(roof, color="k", lw=1.2, label="memory roof (bytes / stream bandwidth)")
            ax.set(title=f"{TITLES[program]}, {thread_label(threads)} each")
            plain_log(ax)
        row[0].set_ylabel("ns per element, latency")
    for ax in axes[-1]:
        ax.set_xlabel("elements")
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncols=4,
               fontsize=8)
    return fig


def matmul_figure(recorder: Recorder, settings: list[int],
                  roofs: dict[int, dict[str, float]]) -> Any:
    """GFLOP/s of the n × n product against n, with the measured peak."""
    import matplotlib.pyplot as plt
    import numpy as np

    from perfguide.threads import thread_label

    fig, axes = plt.subplots(1, len(settings), figsize=(8.8, 3.8), sharey=True,
                             layout="constrained", squeeze=False)
    for ax, threads in zip(axes[0], settings):
        for name, (color, marker, line) in STYLES.items():
            series = sweep(recorder, name, "matmul", threads)
            if series.sizes:
                n = np.array(series.sizes, float)
                ax.plot(n, 2 * n**3 / np.array(series.medians_s) / 1e9, color=color,
                        marker=marker, linestyle=line, label=LABELS[name].replace("`", ""))
        ax.axhline(roofs[threads]["peak_flops"] / 1e9, color="k", lw=1.2,
                   label="measured peak (XLA, 2048² product)")
        ax.set(xscale="log", yscale="log", xlabel="n (n × n matrices)",
               title=f"{thread_label(threads)} each")
    axes[0, 0].set_ylabel("GFLOP/s (2n³ / median time)")
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncols=4,
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
            cells = [winner_verdict(at_size(recorder, program, t, index)) for t in settings]
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
                         if series.sizes else "failed")
        rows.append(f"| {LABELS[name]} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def glue_sweep(recorder: Recorder, settings: list[int], roofs: dict[int, dict[str, float]],
               costs: dict[str, dict[str, float]], bytes_per: dict[str, float]) -> None:
    """Section 1: the figures, tables and verdicts of the sweep."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    one, every = settings[0], settings[-1]
    glue_figure("fig_per_element", per_element_figure(recorder, settings, roofs, bytes_per))
    glue_figure("fig_matmul", matmul_figure(recorder, settings, roofs))
    glue_words("winners_table", winners_table(recorder, settings))
    glue_words("cost_table", cost_table(costs))
    glue_words("compile_table", compile_table(recorder, one))
    for key, t in (("one", one), ("all", every)):
        glue_number(f"peak_gflops_{key}", roofs[t]["peak_flops"] / 1e9)
        glue_number(f"stream_gbps_{key}", roofs[t]["stream_bytes_per_s"] / 1e9)
        for program in TITLES:
            for index, end in ((0, "small"), (-1, "large")):
                glue_words(f"win_{program}_{end}_{key}",
                           winner_verdict(at_size(recorder, program, t, index)))
        for program in ELEMENTWISE:
            large = at_size(recorder, program, t, -1)
            best = min(large, key=lambda n: large[n].median_s)
            size = sweep(recorder, best, program, t).sizes[-1]
            roof = bytes_per[program] / roofs[t]["stream_bytes_per_s"]
            glue_words(f"roof_{program}_{key}",
                       roof_verdict(best, large[best].median_s / size, roof))
        n = sweep(recorder, "NumPy", "matmul", t).sizes[-1]
        glue_words(f"peak_{key}", "; ".join(
            peak_verdict(name, 2 * n**3 / timing.median_s, roofs[t]["peak_flops"])
            for name, timing in at_size(recorder, "matmul", t, -1).items()))
        small = {p: at_size(recorder, p, t, 0) for p in ELEMENTWISE}
        glue_words(f"floors_{key}", "; ".join(
            floor_verdict(name, small["chain"][name], floor)
            for name, floor in floors(recorder, t).items() if name in small["chain"]))
        chain = at_size(recorder, "chain", t, -1)
        glue_words(f"fusion_{key}", fusion_verdict(
            chain["JAX op by op"], chain["jax.jit"], costs["chain"]["eager_bytes"],
            costs["chain"]["bytes accessed"]))
    glue_number("n_max", sweep(recorder, "NumPy", "matmul", one).sizes[-1])
    glue_number("size_min", sweep(recorder, "NumPy", "chain", one).sizes[0])
    glue_number("size_max", sweep(recorder, "NumPy", "chain", one).sizes[-1])
    glue_number("cores", every)
    glue_words("floor_table", floor_table(recorder, settings))


def floor_table(recorder: Recorder, settings: list[int]) -> str:
    """Markdown: each side's floor (x + 1 on one element), µs, per setting."""
    from perfguide.threads import thread_label

    rows = ["| side | " + " | ".join(f"µs, {thread_label(t)}" for t in settings) + " |",
            "|---" * (len(settings) + 1) + "|"]
    for name in LABELS:
        cells = [floors(recorder, t).get(name) for t in settings]
        if all(cells):
            rows.append(f"| {LABELS[name]} | " + " | ".join(
                f"{c.median_s * 1e6:.1f}" for c in cells) + " |")
    return "\n".join(rows)


SINE_ORDER = ("NumPy float32", "jnp.sin float32", "jnp.sin float32, fast math",
              "sin_poly float32", "pure_callback(np.sin) float32", "NumPy float64",
              "jnp.sin float64", "chain, jnp.sin and jnp.cos", "chain, sin_poly")


def sine_figure(recorder: Recorder, settings: list[int]) -> Any:
    """ns per element of each sine, one bar group per thread setting."""
    import matplotlib.pyplot as plt
    import numpy as np

    from perfguide.threads import thread_label

    names = [n for n in SINE_ORDER if recorder.series("sine", n, threads=settings[0]).sizes]
    fig, ax = plt.subplots(figsize=(7.6, 0.6 + 0.42 * len(names)), layout="constrained")
    height = 0.8 / len(settings)
    for k, threads in enumerate(settings):
        series = [recorder.series("sine", n, threads=threads) for n in names]
        mid = np.array([s.timings[0].median_s * 1e9 / s.sizes[0] for s in series])
        low = np.array([s.timings[0].low_s * 1e9 / s.sizes[0] for s in series])
        high = np.array([s.timings[0].high_s * 1e9 / s.sizes[0] for s in series])
        y = np.arange(len(names))[::-1] + (k - (len(settings) - 1) / 2) * height
        ax.barh(y, mid, height, color=f"C{k}", label=f"{thread_label(threads)}")
        ax.errorbar(mid, y, xerr=[mid - low, high - mid], fmt="none", ecolor="k", capsize=2)
    ax.set_yticks(np.arange(len(names))[::-1], names)
    ax.set(xscale="log", xlabel="ns per element (median, latency; bars: spread)")
    ax.grid(axis="y", visible=False)
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
    size = recorder.series("sine", "NumPy float32", threads=settings[0]).sizes[0]
    glue_number("sine_size", size)
    for key, t in (("one", settings[0]), ("all", settings[-1])):
        s = {n: recorder.series("sine", n, threads=t).timings[0] for n in SINE_ORDER
             if recorder.series("sine", n, threads=t).sizes}
        glue_number(f"np_sin_ns_{key}", s["NumPy float32"].median_s * 1e9 / size)
        glue_number(f"jnp_sin_ns_{key}", s["jnp.sin float32"].median_s * 1e9 / size)
        glue_words(f"fast_math_{key}", fast_math_verdict(
            s["jnp.sin float32"], s["jnp.sin float32, fast math"]))
        glue_words(f"precision_{key}", precision_verdict(
            s["NumPy float32"], s["NumPy float64"], s["jnp.sin float32"], s["jnp.sin float64"]))
        glue_words(f"poly_{key}", remedy_verdict(
            "`sin_poly`", s["sin_poly float32"], s["jnp.sin float32"], s["NumPy float32"]))
        glue_words(f"callback_{key}", remedy_verdict(
            "`pure_callback(np.sin)`", s["pure_callback(np.sin) float32"], s["jnp.sin float32"],
            s["NumPy float32"]))
        glue_words(f"chain_poly_{key}", compare_timings(
            "the chain with `sin_poly`", s["chain, sin_poly"], "the chain with `jnp.sin`/`jnp.cos`",
            s["chain, jnp.sin and jnp.cos"]))
