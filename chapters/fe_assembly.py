"""Verdicts, speed goals, figures and glue of the page notebooks/fe_assembly.md."""

from typing import Any

from perfguide.goals import Goal, Results
from perfguide.threads import thread_label
from perfguide.timing import Timing
from perfguide.verdicts import compare_timings, resolved
from workloads.fem import LABELS, RESIDUAL_METHODS, STIFFNESS_METHODS, methods_of

TIE = 0.10  # two figures within 10% of each other are reported as the same
COMPILE_FLAT = 1.5  # compile time within 1.5x from the smallest to the largest mesh: flat
GOAL_N = 20  # the goals read the largest measured n ≤ 20: 16 in the full profile, 12 in quick
JAX_JACOBIAN = methods_of("jax", STIFFNESS_METHODS)  # float64; the fastest one counts
JAX_RESIDUAL = tuple(m for m in methods_of("jax", RESIDUAL_METHODS) if m != "jax_jvp")
COMPARED = {  # each experiment's methods set against the fastest JAX one, in table order
    "jacobian": ("scikit_fem", "numpy_slots", "numpy_vectorized"),
    "residual": ("numpy_slots", "scikit_fem", "jax_jvp", "scipy_matvec"),
}


# ---------------------------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------------------------


def ratio_band(slow: Timing, fast: Timing) -> tuple[float, float]:
    """The range a time ratio slow / fast spans over both timings' spread bands."""
    return slow.low_s / fast.high_s, slow.high_s / fast.low_s


def threads_verdict(ratio_one: float, ratio_all: float, other: str, band_one: tuple[float, float] | None = None,
                    band_all: tuple[float, float] | None = None, tie: float = TIE) -> str:
    """How `other`'s time over JAX's changes from 1 thread each to all cores each; a change
    inside the ratios' spread bands (`ratio_band`) is not called a change."""
    numbers = f"the ratio is {ratio_one:.1f} at 1 thread each and {ratio_all:.1f} at all cores each"
    change = ratio_all / ratio_one
    overlap = band_one and band_all and band_one[0] <= band_all[1] and band_all[0] <= band_one[1]
    if abs(change - 1) < tie or overlap:
        why = f"within {tie:.0%}" if abs(change - 1) < tie else "their spread bands overlap"
        return f"{numbers} ({why}): this run does not show the thread setting changing it"
    if change > 1:
        return f"{numbers}: JAX gains more from the extra cores than {other} does"
    return f"{numbers}: {other} gains more from the extra cores than JAX does"


def compile_growth_verdict(growth: float, flat: float = COMPILE_FLAT) -> str:
    """Compile time of one function from the smallest to the largest mesh."""
    if growth <= flat:
        return f"changes by a factor {growth:.1f} (within {flat:g}): flat in the mesh size"
    return f"grows by a factor {growth:.1f} (more than {flat:g}) with the mesh size"


def both_settings(name_a: str, a: dict[int, Timing], name_b: str, b: dict[int, Timing],
                  tie: float = TIE) -> str:
    """compare_timings at 1 thread and at all cores, saying when the two settings disagree."""
    one, every = min(a), max(a)
    words = {k: compare_timings(name_a, a[k], name_b, b[k], tie) for k in (one, every)}
    winner = {k: (None if not resolved(a[k], b[k], tie) else a[k].median_s < b[k].median_s)
              for k in (one, every)}
    if words[one] == words[every] or winner[one] == winner[every]:
        agree = "the two settings agree" if winner[one] == winner[every] else ""
        text = f"at 1 thread each, {words[one]}; at all cores each, {words[every]}"
        return f"{text} ({agree})" if agree else text
    return (f"at 1 thread each, {words[one]}; at all cores each, {words[every]}: the two "
            "settings disagree")


def _timing(seconds: float) -> Timing:
    """A synthetic timing with a 2% spread, for the flip tests."""
    return Timing(seconds, tuple(seconds * f for f in (0.98, 0.99, 1.0, 1.01, 1.02)), 1)


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (threads_verdict, {"ratio_one": 10.0, "ratio_all": 20.0, "other": "NumPy"},
     {"ratio_one": 20.0, "ratio_all": 10.0, "other": "NumPy"}),
    (threads_verdict, {"ratio_one": 10.0, "ratio_all": 10.5, "other": "NumPy"},
     {"ratio_one": 10.0, "ratio_all": 20.0, "other": "NumPy"}),
    (threads_verdict, {"ratio_one": 10.0, "ratio_all": 20.0, "other": "NumPy",
                       "band_one": (8.0, 12.0), "band_all": (18.0, 22.0)},
     {"ratio_one": 10.0, "ratio_all": 20.0, "other": "NumPy",
      "band_one": (8.0, 19.0), "band_all": (18.0, 22.0)}),
    (both_settings, {"name_a": "A", "a": {1: _timing(1.0), 2: _timing(1.0)},
                     "name_b": "B", "b": {1: _timing(2.0), 2: _timing(2.0)}},
     {"name_a": "A", "a": {1: _timing(1.0), 2: _timing(2.0)},
      "name_b": "B", "b": {1: _timing(2.0), 2: _timing(1.0)}}),
    (compile_growth_verdict, {"growth": 1.1}, {"growth": 3.0}),
]


# ---------------------------------------------------------------------------------------------
# Speed goals, read from the page's results file by `make bench`
# ---------------------------------------------------------------------------------------------


def _threads(results: Results, setting: str) -> int:
    """The thread count of a setting: 1, or all cores (the most threads any record ran with)."""
    counts = {r["threads"] for r in results.records if r.get("threads") is not None}
    if not counts:
        raise KeyError("no record says how many threads it ran with")
    return 1 if setting == "1 thread" else max(counts)


def _goal_n(results: Results, experiment: str, variant: str, threads: int) -> float:
    """The largest n ≤ GOAL_N measured for `variant`."""
    sizes = [r["size"] for r in results.records if r["experiment"] == experiment
             and r["variant"] == variant and r.get("threads") == threads and r["size"] <= GOAL_N]
    if not sizes:
        raise KeyError(f"{experiment} / {variant} at {threads} threads, n ≤ {GOAL_N}")
    return max(sizes)


def speedup(results: Results, experiment: str, baseline: str, jax_methods: tuple[str, ...], setting: str) -> float:
    """`baseline`'s median time over the fastest JAX method's, at n = GOAL_N and one thread setting."""
    threads = _threads(results, setting)
    n = _goal_n(results, experiment, baseline, threads)
    fastest = min(results.median(experiment, m, n, threads=threads) for m in jax_methods)
    return results.median(experiment, baseline, n, threads=threads) / fastest


GOALS: list[Goal] = [
    Goal(f"FE Jacobian at the largest measured n ≤ {GOAL_N}, {setting} each: scikit-fem time / fastest JAX method",
         lambda r, s=setting: speedup(r, "jacobian", "scikit_fem", JAX_JACOBIAN, s), at_least=50)
    for setting in ("1 thread", "all cores")
] + [
    Goal(f"FE residual at the largest measured n ≤ {GOAL_N}, {setting} each: NumPy with precomputed slots / fastest JAX",
         lambda r, s=setting: speedup(r, "residual", "numpy_slots", JAX_RESIDUAL, s), at_least=10)
    for setting in ("1 thread", "all cores")
]


# ---------------------------------------------------------------------------------------------
# Reading the page's records
# ---------------------------------------------------------------------------------------------


def timing(recorder: Any, experiment: str, variant: str, threads: int, n: int) -> Timing:
    """The timing of one variant at one thread setting and mesh size."""
    series = recorder.series(experiment, variant, threads=threads)
    if n not in series.sizes:
        raise KeyError(f"no {experiment} / {variant} at {thread_label(threads)}, n = {n}")
    return series.timings[series.sizes.index(n)]


def fastest_jax(recorder: Any, experiment: str, settings: list[int], n: int) -> dict[int, str]:
    """The fastest float64 JAX method of an experiment at n, per thread setting."""
    methods = JAX_JACOBIAN if experiment == "jacobian" else JAX_RESIDUAL
    return {k: min(methods, key=lambda m: timing(recorder, experiment, m, k, n).median_s)
            for k in settings}


def ratio_table(recorder: Any, experiment: str, fastest: dict[int, str], n: int) -> str:
    """Markdown: each compared method's time over the fastest JAX method's, per setting."""
    settings = list(fastest)
    lines = ["| time at n = {n} over the fastest JAX method's | ".format(n=n)
             + " | ".join(f"{thread_label(k)} each" for k in settings) + " |",
             "|---|" + "---:|" * len(settings)]
    for variant in COMPARED[experiment]:
        cells = [timing(recorder, experiment, variant, k, n).median_s
                 / timing(recorder, experiment, fastest[k], k, n).median_s for k in settings]
        lines.append(f"| {LABELS[variant]} | " + " | ".join(f"{c:,.1f}" for c in cells) + " |")
    return "\n".join(lines)


def threads_words(recorder: Any, experiment: str, variant: str, fastest: dict[int, str], n: int,
                  other: str, on_cpu: bool) -> str:
    """How `variant`'s ratio to the fastest JAX method moves between the settings."""
    if not on_cpu:
        return "(JAX ran on the accelerator at both settings: no thread comparison)"
    one, every = min(fastest), max(fastest)
    slow = {k: timing(recorder, experiment, variant, k, n) for k in fastest}
    fast = {k: timing(recorder, experiment, fastest[k], k, n) for k in fastest}
    ratio = {k: slow[k].median_s / fast[k].median_s for k in fastest}
    band = {k: ratio_band(slow[k], fast[k]) for k in fastest}
    return threads_verdict(ratio[one], ratio[every], other, band[one], band[every])


def both(recorder: Any, experiment: str, settings: list[int], n: int, name_a: str, a: str,
         name_b: str, b: str) -> str:
    """`both_settings` for two recorded variants at n."""
    return both_settings(name_a, {k: timing(recorder, experiment, a, k, n) for k in settings},
                         name_b, {k: timing(recorder, experiment, b, k, n) for k in settings})


# ---------------------------------------------------------------------------------------------
# Figures and glue
# ---------------------------------------------------------------------------------------------


def color(variant: str) -> str:
    """One colour per method or variant, the same in every figure of both FE pages."""
    return f"C{list(LABELS).index(variant) % 10}"


def time_figure(recorder: Any, experiment: str, bound_bytes: dict[int, float], roofs: dict[int, dict],
                title: str) -> Any:
    """Time per element against n, one panel per thread setting: each variant's median and
    spread band; dashed, the time to move `bound_bytes` once at that setting's bandwidth."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import timing_band

    settings = sorted(roofs)
    sizes = sorted(bound_bytes)
    fig, axes = plt.subplots(1, len(settings), figsize=(10.5, 4.2), sharey=True, squeeze=False)
    for ax, threads in zip(axes[0], settings):
        for variant in recorder.variants(experiment):
            series = recorder.series(experiment, variant, threads=threads)
            if series.sizes:
                timing_band(ax, series.sizes, series.timings, unit="us",
                            per=[n**3 for n in series.sizes], color=color(variant),
                            label=LABELS[variant])
        on_cpu = roofs[threads].get("backend", "cpu") == "cpu"
        bandwidth = roofs[threads]["bandwidth" if on_cpu else "numpy_bandwidth"]
        ax.plot(sizes, [bound_bytes[n] / bandwidth / n**3 * 1e6 for n in sizes], "k--",
                label="memory-bandwidth bound" + ("" if on_cpu else " (host, NumPy stream)"))
        where = "" if on_cpu else f" (JAX on {roofs[threads]['backend'].upper()})"
        ax.set(xscale="log", yscale="log", title=f"{title}, {thread_label(threads)} each{where}")
        ax.set_xticks(sizes, [str(n) for n in sizes])
        ax.minorticks_off()
        ax.set_xlabel("elements per side n (n³ hex8 elements)")
    axes[0][0].set_ylabel("time per element (µs), median")
    axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def glue_roofs(roofs: dict[int, dict]) -> None:
    """The bandwidth each JAX process streamed, for the bound lines."""
    from perfguide.glue import glue_number

    for key, threads in (("one", min(roofs)), ("all", max(roofs))):
        glue_number(f"bandwidth_gbs_{key}", roofs[threads]["bandwidth"] / 1e9)
    glue_number("cores", max(roofs))
    glue_number("stream_mb", roofs[max(roofs)]["stream_mb"])


RATES = {  # experiment -> (glue key, figure title, (glue name, method, library) compared in words)
    "jacobian": ("K", "Jacobian", (("skfem", "scikit_fem", "scikit-fem"),
                                   ("slots", "numpy_slots", "NumPy"))),
    "residual": ("r", "Residual r(u) = K u", (("slots", "numpy_slots", "NumPy"),
                                              ("skfem", "scikit_fem", "scikit-fem"))),
}


def glue_rates(recorder: Any, sides: dict[int, Any], experiment: str, bound_bytes: dict[int, float],
               n: int) -> dict[int, str]:
    """An experiment's figure, ratio table, fastest JAX method and ratios at n, per setting;
    returns the fastest JAX method per setting."""
    from perfguide.glue import glue_figure, glue_number, glue_timing, glue_words

    key, title, others = RATES[experiment]
    roofs = {k: side.roofs for k, side in sides.items()}
    settings = sorted(sides)
    on_cpu = roofs[max(settings)]["backend"] == "cpu"
    glue_figure(f"fig_{experiment}", time_figure(recorder, experiment, bound_bytes, roofs, title))
    fastest = fastest_jax(recorder, experiment, settings, n)
    glue_words(f"table_{key}", ratio_table(recorder, experiment, fastest, n))
    glue_words(f"fastest_{key}", LABELS[fastest[max(settings)]])
    glue_timing(f"fastest_{key}_ms", timing(recorder, experiment, fastest[max(settings)],
                                            max(settings), n), unit="ms")
    for name, variant, library in others:
        for suffix, k in (("one", min(settings)), ("all", max(settings))):
            ratio = (timing(recorder, experiment, variant, k, n).median_s
                     / timing(recorder, experiment, fastest[k], k, n).median_s)
            glue_number(f"{name}_ratio_{key}_{suffix}", ratio)
        glue_words(f"{name}_threads_{key}", threads_words(recorder, experiment, variant, fastest,
                                                          n, library, on_cpu))
    return fastest


def glue_jacobian(recorder: Any, sides: dict[int, Any], bound_bytes: dict[int, float], n: int) -> dict[int, str]:
    """The Jacobian section at n; returns the fastest JAX method per setting."""
    from perfguide.glue import glue_number, glue_timing, glue_words

    fastest = glue_rates(recorder, sides, "jacobian", bound_bytes, n)
    settings = sorted(sides)
    glue_number("target_n", n)
    glue_timing("skfem_K_ms", timing(recorder, "jacobian", "scikit_fem", max(settings), n), unit="ms")
    glue_words("coo_vs_slots", both(recorder, "jacobian", settings, n, "NumPy with precomputed slots",
                                    "numpy_slots", "the COO → CSR version", "numpy_vectorized"))
    glue_words("autodiff_vs_vmap", both(recorder, "jacobian", settings, n, "JAX autodiff",
                                        "jax_autodiff", "the hand-written `vmap` kernel", "jax_vmap"))
    cost = sides[min(settings)].cost  # XLA's cost analysis of each compiled step
    glue_number("autodiff_flops", cost["jacobian", "jax_autodiff", n]["flops"]
                / cost["jacobian", "jax_vmap", n]["flops"])
    glue_words("jax_where", f" (JAX on the {sides[max(settings)].roofs['backend'].upper()})")
    return fastest


def glue_residual(recorder: Any, sides: dict[int, Any], bound_bytes: dict[int, float], n: int) -> dict[int, str]:
    """The residual section at n; returns the fastest JAX method per setting."""
    from perfguide.glue import glue_timing, glue_words

    fastest = glue_rates(recorder, sides, "residual", bound_bytes, n)
    settings = sorted(sides)
    glue_timing("numpy_r_ms", timing(recorder, "residual", "numpy_slots", max(settings), n), unit="ms")
    glue_words("jvp_vs_r", both(recorder, "residual", settings, n, "the matrix-free product",
                                "jax_jvp", "the `vmap` residual it differentiates", "jax_vmap"))
    glue_words("matvec_vs_r", both_settings(
        "multiplying by the assembled matrix",
        {k: timing(recorder, "residual", "scipy_matvec", k, n) for k in settings},
        "the fastest JAX residual",
        {k: timing(recorder, "residual", fastest[k], k, n) for k in settings}))
    return fastest


def glue_precision(recorder: Any, sides: dict[int, Any], n: int) -> None:
    """float32 against float64 for the `vmap` Jacobian: time and XLA's bytes."""
    from perfguide.glue import glue_number, glue_words

    settings = sorted(sides)
    every = max(settings)
    f32 = timing(recorder, "jacobian", "jax_vmap float32", every, n).median_s
    glue_number("f32_ratio", f32 / timing(recorder, "jacobian", "jax_vmap", every, n).median_s)
    cost = sides[min(settings)].cost
    glue_number("f32_bytes", cost["jacobian", "jax_vmap float32", n]["bytes"]
                / cost["jacobian", "jax_vmap", n]["bytes"])
    glue_words("f32_verdict", both(recorder, "jacobian", settings, n, "float32",
                                   "jax_vmap float32", "float64", "jax_vmap"))


def compile_times(recorder: Any, threads: int) -> dict[str, list[float]]:
    """Seconds to trace, lower and compile each JAX step, per size, at one setting."""
    rows = {}
    for experiment in ("jacobian", "residual"):
        for variant in recorder.variants(experiment):
            if variant.startswith("jax"):
                series = recorder.series(experiment, variant, threads=threads)
                rows[f"{experiment}, {LABELS[variant]}"] = [r.compile_s for r in series.records]
    return rows


def glue_compile(recorder: Any, threads: int, pattern: Timing, largest_n: int) -> None:
    """Compile times against the call they precede, and the pattern's one-off cost."""
    from perfguide.glue import glue_number, glue_words

    rows = compile_times(recorder, threads)
    every_size = [s for seconds in rows.values() for s in seconds]
    glue_number("compile_min_s", min(every_size))
    glue_number("compile_max_s", max(every_size))
    glue_number("pattern_s", pattern.median_s)
    glue_number("largest_n", largest_n)
    vmap = rows[f"jacobian, {LABELS['jax_vmap']}"]
    glue_words("compile_growth", compile_growth_verdict(vmap[-1] / vmap[0]))
    call = timing(recorder, "jacobian", "jax_vmap", threads, largest_n).median_s
    glue_number("compile_over_call", vmap[-1] / call)


def headline(recorder: Any, settings: list[int], n: int, fastest_K: dict[int, str],
             fastest_r: dict[int, str]) -> dict[str, Timing]:
    """The page's headline timings at n for the noise check."""
    out = {}
    for k in settings:
        for experiment, variants in (("jacobian", [fastest_K[k], "scikit_fem", "numpy_slots"]),
                                     ("residual", [fastest_r[k], "numpy_slots"])):
            for v in variants:
                out[f"{experiment}, {LABELS[v]}, {thread_label(k)}"] = timing(
                    recorder, experiment, v, k, n)
        for variant in recorder.variants("roofs"):
            series = recorder.series("roofs", variant, threads=k)
            out[f"roof: {variant}, {thread_label(k)}"] = series.timings[0]
    return out


def blocks_over_values(num_elements: int, nnz: int) -> float:
    """How many values a matrix keeping every element entry stores per value of the summed one."""
    return 576 * num_elements / nnz
