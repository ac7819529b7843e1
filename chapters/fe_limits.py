"""Verdicts, figures and glue of the page notebooks/fe_limits.md."""

from typing import Any

import numpy as np

from perfguide.goals import Goal
from perfguide.threads import thread_label
from perfguide.timing import Timing
from perfguide.verdicts import compare_timings, resolved
from workloads.fem import LABELS, RESIDUAL_METHODS, STIFFNESS_METHODS, methods_of

TIE = 0.10  # two figures within 10% of each other are reported as the same
LIMITED = 0.70  # "limited by" a roof only at 70% of it or more; "at X% of" below
LARGER_PART = 0.5  # the element blocks are "the larger part" at half the pipeline's time or more
ROOF_RISE = 1.2  # a roof "rises" with all cores at 1.2x its one-core value or more
JAX_METHODS = {"jacobian": methods_of("jax", STIFFNESS_METHODS),
               "residual": methods_of("jax", RESIDUAL_METHODS)}
SOLVES = ("sparse direct (SuperLU)", "CG, assembled (SciPy)", "CG, matrix-free (JAX jvp)")


# ---------------------------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------------------------


def roofline_verdict(name: str, intensity: float, achieved: float, peak: float, bandwidth: float,
                     bandwidth_step: float, limited: float = LIMITED, tie: float = TIE) -> str:
    """Where a method sits against the measured roofs: the peak, a stream of at least 4x the
    last-level cache (`bandwidth`) and a stream of the step's own bytes (`bandwidth_step`).
    "Limited by" only at `limited` of a roof or more; XLA's bytes are an estimate."""
    of_peak = achieved / peak
    of_large = achieved / (bandwidth * intensity)
    of_step = achieved / (bandwidth_step * intensity)
    where = (f"{name} runs at {of_peak:.0%} of the peak, {of_large:.0%} of the large-stream "
             f"roof and {of_step:.0%} of the roof of a stream of its own size (intensity "
             f"{intensity:.2f} flop/byte from XLA's byte estimate)")
    if of_peak >= limited:
        return f"{where}: it is limited by arithmetic (at least {limited:.0%} of the peak)"
    if of_step >= limited:
        cache = ""
        if of_large > 1 + tie and bandwidth_step > (1 + tie) * bandwidth:
            cache = (f"; it exceeds the large-stream roof, as a stream of its size does "
                     f"({bandwidth_step / bandwidth:.1f} times the large one)")
        return (f"{where}: it is limited by memory bandwidth (at least {limited:.0%} of a stream "
                f"of its own size){cache}")
    return (f"{where}: below {limited:.0%} of every roof, so neither arithmetic nor bandwidth "
            "limits it; its time goes to work the roofline does not model")


def scatter_verdict(scalar: Timing, blocks: Timing, tie: float = TIE) -> str:
    """Entry-by-entry scatter into CSR order, against 3 × 3 blocks summed then gathered into
    CSR order: the same work, both ending with the CSR values."""
    ratio = scalar.median_s / blocks.median_s
    if not resolved(blocks, scalar, tie):
        return (f"adding the entries one at a time takes {ratio:.1f} times as long as adding "
                f"3 × 3 blocks and gathering them, a difference this run does not resolve "
                f"(within {tie:.0%}, or the {scalar.spread} bands overlap)")
    if ratio > 1:
        return (f"adding the entries one at a time (9 times as many updates) takes {ratio:.1f} "
                "times as long as adding 3 × 3 blocks and gathering them into CSR order")
    return (f"adding the entries one at a time (9 times as many updates) is {1 / ratio:.1f} "
            "times as fast as adding 3 × 3 blocks and gathering them into CSR order")


def stage_verdict(blocks: Timing, whole: Timing, tie: float = TIE, larger: float = LARGER_PART) -> str:
    """Whether the element-block prefix or what follows it takes most of the pipeline's time.
    Prefixes are compiled separately, so only the two ends are compared."""
    share = blocks.median_s / whole.median_s
    if not resolved(blocks, whole, tie):
        return (f"the element blocks alone take {share:.0%} of the whole pipeline's time, which "
                f"this run does not tell apart from all of it (within {tie:.0%}, or the "
                f"{whole.spread} bands overlap): computing the element matrices is most of it")
    if share >= larger:
        return (f"the element blocks alone take {share:.0%} of the whole pipeline's time (at least "
                f"{larger:.0%}): computing the element matrices is the larger part")
    return (f"the element blocks alone take {share:.0%} of the whole pipeline's time (under "
            f"{larger:.0%}): the sum, gather and wrap after them are the larger part")


def breakeven_verdict(t_assemble: float, t_spmv: float, t_jvp: float) -> str:
    """After how many products assembling once beats the matrix-free product."""
    if t_jvp <= t_spmv:
        return "never: the matrix-free product is the cheaper one here"
    breakeven = t_assemble / (t_jvp - t_spmv)
    count = f"{breakeven:.1f}" if breakeven < 10 else f"{breakeven:,.0f}"
    return f"after {count} products"


def _timing(seconds: float) -> Timing:
    """A synthetic timing with a 2% spread, for the flip tests."""
    return Timing(seconds, tuple(seconds * f for f in (0.98, 0.99, 1.0, 1.01, 1.02)), 1)


def roof_rise_verdict(name: str, one: float, every: float, cores: int,
                      rise: float = ROOF_RISE) -> str:
    """Does a roof rise from one core to all of them? Only what was measured; no cause guessed."""
    ratio = every / one
    if ratio >= rise:
        return f"the {name} rises {ratio:.2f}× from one core to {cores}"
    return (f"the {name} does not rise with {cores} cores ({ratio:.2f}× its one-core value, below "
            f"the {rise:.1f}× we count as a rise); this run cannot tell why (on a virtual machine, "
            "two cores may be hyper-threads of one physical core, sharing its arithmetic units and "
            "its path to memory)")


def solve_threads_verdict(solves: dict[str, tuple[Timing, Timing]], cores: int,
                          tie: float = TIE) -> str:
    """Did all cores speed up each solve? {label: (1 core, all cores)}: the ones told apart
    named with their ratio, the rest together as not told apart at `tie`."""
    apart = [compare_timings(f"{label} on {cores} cores", every, "on 1 core", one, tie)
             for label, (one, every) in solves.items() if resolved(one, every, tie)]
    alike = [label for label, (one, every) in solves.items() if not resolved(one, every, tie)]
    bands = f"(medians within {tie:.0%}, or their bands overlap)"
    if alike and len(alike) == len(solves) > 1:
        apart.append(f"for none of the {len(alike)} solves are 1 core and {cores} cores told "
                     f"apart {bands}")
    elif alike:
        names = " and ".join(f"“{label}”" for label in alike)
        apart.append(f"for {names}, 1 core and {cores} cores are not told apart {bands}")
    return "; ".join(apart)


_ROOF = {"name": "A", "intensity": 0.5, "achieved": 4e9, "peak": 1e11, "bandwidth": 1e10,
         "bandwidth_step": 1e10}
VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (roof_rise_verdict, dict(name="roof", one=1.0, every=1.9, cores=2),
     dict(name="roof", one=1.0, every=1.05, cores=2)),
    (roofline_verdict, _ROOF, {**_ROOF, "intensity": 50.0, "achieved": 8e10}),
    (roofline_verdict, _ROOF, {**_ROOF, "achieved": 1e9}),
    (roofline_verdict, {**_ROOF, "achieved": 1.5e10, "bandwidth_step": 2.5e10}, _ROOF),
    (stage_verdict, {"blocks": _timing(0.8), "whole": _timing(1.0)},
     {"blocks": _timing(0.2), "whole": _timing(1.0)}),
    (stage_verdict, {"blocks": _timing(1.0), "whole": _timing(1.02)},
     {"blocks": _timing(0.2), "whole": _timing(1.0)}),
    (scatter_verdict, {"scalar": _timing(3.0), "blocks": _timing(1.0)},
     {"scalar": _timing(1.0), "blocks": _timing(3.0)}),
    (scatter_verdict, {"scalar": _timing(3.0), "blocks": _timing(1.0)},
     {"scalar": _timing(1.05), "blocks": _timing(1.0)}),
    (solve_threads_verdict, {"solves": {"CG": (_timing(1.0), _timing(0.5))}, "cores": 2},
     {"solves": {"CG": (_timing(0.5), _timing(1.0))}, "cores": 2}),
    (solve_threads_verdict, {"solves": {"CG": (_timing(1.0), _timing(0.5))}, "cores": 2},
     {"solves": {"CG": (_timing(1.0), _timing(1.02))}, "cores": 2}),
    (breakeven_verdict, {"t_assemble": 1.0, "t_spmv": 0.1, "t_jvp": 0.2},
     {"t_assemble": 1.0, "t_spmv": 0.2, "t_jvp": 0.1}),
]
GOALS: list[Goal] = []  # the speed goals read the assembly page's sweep (chapters.fe_assembly)


# ---------------------------------------------------------------------------------------------
# The roofline
# ---------------------------------------------------------------------------------------------


def roofline_points(side: Any, experiment: str, n: int) -> dict[str, tuple[float, float]]:
    """{method: (arithmetic intensity in flop/byte, achieved flop/s)} of the JAX methods at n,
    from XLA's cost analysis of the compiled step and its measured median time."""
    points = {}
    for method in JAX_METHODS[experiment]:
        cost = side.cost[experiment, method, n]
        seconds = side.timings[experiment, method, n].median_s
        points[method] = (cost["flops"] / cost["bytes"], cost["flops"] / seconds)
    return points


def fastest(side: Any, experiment: str, n: int, methods: tuple[str, ...] | None = None) -> str:
    """The JAX method of an experiment with the lowest median time at n."""
    methods = methods or tuple(m for m in JAX_METHODS[experiment] if m != "jax_jvp")
    return min(methods, key=lambda m: side.timings[experiment, m, n].median_s)


def roofline_figure(sides: dict[int, Any], n: int) -> Any:
    """Roofline per thread setting (log-log): the measured compute roof (peak float64 FLOP/s of
    a matrix product) and bandwidth roof, with every JAX Jacobian (circles) and residual
    (squares) at n, and beside each the roof of a stream of that step's own bytes."""
    import matplotlib.pyplot as plt

    from chapters.fe_assembly import color

    settings = sorted(sides)
    fig, axes = plt.subplots(1, len(settings), figsize=(10.5, 4.2), sharey=True, squeeze=False)
    for ax, threads in zip(axes[0], settings):
        side = sides[threads]
        peak, bandwidth = side.roofs["peak_flops"], side.roofs["bandwidth"]
        ridge = peak / bandwidth
        intensity = np.geomspace(min(0.01, ridge / 100), max(100.0, ridge * 10), 200)
        ax.plot(intensity, np.minimum(peak, bandwidth * intensity), "k-",
                label=f"roofs: stream of {side.roofs['stream_mb']:.0f} MB (≥ 4x last-level cache)")
        ax.axvline(ridge, color="k", ls=":", lw=1, label="ridge: peak / bandwidth")
        ax.plot([], [], "k--", lw=1.2, label="a stream of each step's bytes (its colour)")
        ax.annotate(f"ridge {ridge:.1f} flop/byte\n{peak / 1e9:.1f} GFLOP/s, "
                    f"{bandwidth / 1e9:.1f} GB/s", (ridge, peak), xytext=(-6, -30),
                    textcoords="offset points", ha="right", fontsize=8)
        for marker, experiment in (("o", "jacobian"), ("s", "residual")):
            for method, (x, y) in roofline_points(side, experiment, n).items():
                ax.plot(x, y, marker, color=color(method), ms=8,
                        label=f"{experiment.capitalize()}: {LABELS[method]}")
                step_bw = side.streams[experiment, method][1]
                near = np.geomspace(x / 3, min(x * 3, peak / step_bw), 20)
                ax.plot(near, step_bw * near, ls="--" if marker == "o" else ":",
                        color=color(method), lw=1.2)
        ax.set(xscale="log", yscale="log", title=f"n = {n}, {thread_label(threads)}")
        ax.set_xlabel("arithmetic intensity (flop per byte, XLA's estimate)")
    axes[0][0].set_ylabel("floating-point operations per second")
    axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def glue_roofs(sides: dict[int, Any]) -> None:
    """Each setting's peak and bandwidth, as measured in its JAX process."""
    from perfguide.glue import glue_number, glue_words

    for key, threads in (("one", min(sides)), ("all", max(sides))):
        roofs = sides[threads].roofs
        glue_number(f"bandwidth_gbs_{key}", roofs["bandwidth"] / 1e9)
        glue_number(f"peak_gflops_{key}", roofs["peak_flops"] / 1e9)
        glue_number(f"xla_gflops_{key}", roofs["xla_peak_flops"] / 1e9)
        glue_number(f"blas_gflops_{key}", roofs["blas_peak_flops"] / 1e9)
    one, every = sides[min(sides)].roofs, sides[max(sides)].roofs
    glue_words("roofs_rise", "; ".join(roof_rise_verdict(
        name, one[key], every[key], max(sides)) for name, key in (
            ("bandwidth roof", "bandwidth"), ("compute roof", "peak_flops"))))
    glue_number("cores", max(sides))
    glue_number("stream_mb", sides[max(sides)].roofs["stream_mb"])


def glue_roofline(sides: dict[int, Any], n: int) -> None:
    """The roofline figure and, per experiment and setting, where its fastest method sits."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    glue_figure("fig_roofline", roofline_figure(sides, n))
    glue_number("roof_n", n)
    for key, experiment in (("K", "jacobian"), ("r", "residual")):
        for suffix, k in (("one", min(sides)), ("all", max(sides))):
            side = sides[k]
            best = fastest(side, experiment, n)
            intensity, achieved = roofline_points(side, experiment, n)[best]
            name = f"The {LABELS[best]} {dict(K='Jacobian', r='residual')[key]}"
            glue_words(f"roof_{key}_{suffix}", roofline_verdict(
                name, intensity, achieved, side.roofs["peak_flops"], side.roofs["bandwidth"],
                side.streams[experiment, best][1]))
    roofs = sides[max(sides)].roofs
    glue_number("ridge", roofs["peak_flops"] / roofs["bandwidth"])
    step_mb, step_bw = sides[max(sides)].streams["jacobian", "jax_vmap"]
    glue_number("step_mb", step_mb)  # bytes read and written
    glue_number("step_gbs", step_bw / 1e9)


# ---------------------------------------------------------------------------------------------
# Stages, memory, solves
# ---------------------------------------------------------------------------------------------


def glue_stages(stages: dict[str, Timing], n: int) -> None:
    """The prefixes of the `vmap` pipeline as bars, their times and what they say."""
    from perfguide.glue import glue_figure, glue_number, glue_words
    from perfguide.plotting import timing_bars

    fig = timing_bars(list(stages), list(stages.values()), unit="ms", log=False)
    fig.axes[0].set_title(f"JAX vmap stiffness pipeline, n = {n}")
    glue_figure("fig_stages", fig)
    prefixes = list(stages.values())[:4]
    for key, timing in zip(["elem", "scatter", "reorder", "scipy"], prefixes):
        glue_number(f"stage_{key}_ms", timing.median_s * 1e3)
    glue_words("limiter", stage_verdict(prefixes[0], prefixes[3]))
    glue_words("scalar_lesson", scatter_verdict(stages["blocks, then 576 scalar updates"],
                                                stages["+ gather into CSR order"]))


MEMORY_KINDS = {
    "XLA's buffer plan": "XLA's buffer plan of the compiled step without its arguments "
                         "(temporaries and output: what a call allocates, as `tracemalloc` "
                         "counts for NumPy), exact where resident memory is not",
    "device memory": "the device allocator's peak above what was in use",
}


def memory_figure(memory: dict[str, tuple[int, str, float]], csr_mib: dict[int, float]) -> Any:
    """Horizontal bars: each method's memory (n, kind, MiB) labelled with its size and what was
    measured; a black tick on each bar at the CSR matrix's size at that bar's n."""
    import matplotlib.pyplot as plt

    from chapters.fe_assembly import color

    fig, ax = plt.subplots(figsize=(7.0, 3.2))
    positions = np.arange(len(memory))[::-1]
    for i, (method, (n, kind, mib)) in enumerate(memory.items()):
        ax.barh(positions[i], mib, color=color(method))
        ax.plot([csr_mib[n]] * 2, [positions[i] - 0.4, positions[i] + 0.4], "k-", lw=2,
                label="the CSR matrix at the bar's n" if i == 0 else None)
    ax.set_yticks(positions, [f"{LABELS[m]} (n = {n}; {kind})" for m, (n, kind, _) in memory.items()])
    ax.set_xlabel("memory of one warm call (MiB)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="lower right")
    return fig


def csr_mib(n: int) -> float:
    """MiB of the assembled CSR matrix at n: float64 values, int32 indices and row pointers."""
    nnz = 9 * (3 * n + 1) ** 3  # 27-node stencil, 3 x 3 dofs per node pair
    return (12 * nnz + 4 * (3 * (n + 1) ** 3 + 1)) / 2**20


def glue_memory(memory: dict[str, tuple[int, str, float]], n: int) -> None:
    """The memory figure and its numbers at n, the largest mesh."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    sizes = {size: csr_mib(size) for size, _, _ in memory.values()}
    glue_figure("fig_memory", memory_figure(memory, sizes))
    glue_words("memory_kind", MEMORY_KINDS[memory["jax_vmap"][1]])
    glue_number("mem_n", n)
    glue_number("csr_mib", csr_mib(n))
    for key, method in (("vmap", "jax_vmap"), ("autodiff", "jax_autodiff"),
                        ("numpy", "numpy_slots")):
        glue_number(f"mem_{key}", memory[method][2])
    glue_number("mem_vmap_over_csr", memory["jax_vmap"][2] / csr_mib(n))
    glue_number("blocks_over_values", 576 * n**3 / (9 * (3 * n + 1) ** 3))


def solution_figure(mesh: Any, u: np.ndarray) -> Any:
    """The displacement on the surface of the deformed cube, at true scale, coloured by |u|."""
    import matplotlib.pyplot as plt

    n = mesh.n
    grid = mesh.coords.reshape(n + 1, n + 1, n + 1, 3)
    disp = u.reshape(grid.shape)
    magnitude = np.linalg.norm(disp, axis=-1)
    norm = plt.Normalize(0.0, magnitude.max())
    viridis = plt.colormaps["viridis"]
    fig = plt.figure(figsize=(7.0, 5.0))
    ax = fig.add_subplot(projection="3d")
    every = slice(None)
    faces = [(every, every, 0), (every, every, -1), (every, 0, every), (every, -1, every),
             (0, every, every), (-1, every, every)]
    for index in faces:  # grid axes are (z, y, x)
        xyz = grid[index] + disp[index]
        ax.plot_surface(xyz[..., 0], xyz[..., 1], xyz[..., 2],
                        facecolors=viridis(norm(magnitude[index])), shade=False,
                        linewidth=0.2, edgecolor="0.3")
    ax.set(xlabel="x (deformed)", ylabel="y (deformed)", zlabel="z (deformed)")
    ax.set_box_aspect((1.1, 1.1, 1.1))
    bar = fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap="viridis"), ax=ax, shrink=0.7,
                       pad=0.12)
    bar.set_label("|u|, displacement magnitude (length units)")
    return fig


def solve_table(sides: dict[int, Any], n: int) -> str:
    """Markdown: each solve's seconds at every thread setting, alone and with the assembly it
    needs (JAX's vmap method to a SciPy CSR matrix, measured at the same setting)."""
    settings = sorted(sides)
    heads = [f"{thread_label(k)}: solve / with assembly (s)" for k in settings]
    lines = ["| route | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(settings)]
    for label in SOLVES:
        cells = []
        for k in settings:
            solve = sides[k].timings["solve", label, n].median_s
            assemble = (0.0 if label == SOLVES[2] else
                        sides[k].timings["breakeven", "jax_vmap", n].median_s)
            cells.append(f"{solve:.3f} / {solve + assemble:.3f}" if assemble else
                         f"{solve:.3f} / no assembly")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def glue_solves(sides: dict[int, Any], mesh: Any, fixed: np.ndarray, n: int) -> None:
    """The three solves: times at every setting (alone and with assembly), the setting that
    was faster, iterations, agreement, figure and the break-even."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    every = max(sides)
    side = sides[every]
    glue_words("solve_table", solve_table(sides, n))
    one = min(sides)
    glue_words("solve_threads", solve_threads_verdict(
        {label: (sides[one].timings["solve", label, n], side.timings["solve", label, n])
         for label in SOLVES}, every) if every > one else
        "this run had one core, so there is no all-cores figure to compare")
    u_direct = side.solutions[SOLVES[0]]
    u_cg, it_cg = side.solutions[SOLVES[1]]
    u_free, it_free = side.solutions[SOLVES[2]]
    scale = np.abs(u_direct).max()
    glue_number("solve_n", n)
    glue_number("solve_dofs", int((~fixed).sum()))
    glue_number("it_cg", it_cg)
    glue_number("it_free", it_free)
    glue_number("cg_vs_direct", np.abs(u_cg - u_direct).max() / scale)
    glue_number("free_vs_direct", np.abs(u_free - u_direct).max() / scale)
    glue_figure("fig_solution", solution_figure(mesh, u_direct))
    # Assembling once (to a SciPy matrix, wrap included), then a cheap product per iteration,
    # against a dearer matrix-free product per iteration.
    t_assemble, t_spmv, t_jvp = (side.timings["breakeven", v, n].median_s
                                 for v in ("jax_vmap", "scipy_matvec", "jax_jvp"))
    glue_words("breakeven", breakeven_verdict(t_assemble, t_spmv, t_jvp))
    glue_number("jvp_over_spmv", t_jvp / t_spmv)


def summary_table(sides: dict[int, Any], n_roof: int, n_solve: int,
                  memory: dict[str, tuple[int, str, float]]) -> str:
    """Markdown: the page's answers, one row per question, one column per thread setting."""
    settings = sorted(sides)
    rows: dict[str, list[str]] = {}
    for experiment in ("jacobian", "residual"):
        for k in settings:
            side = sides[k]
            best = fastest(side, experiment, n_roof)
            x, y = roofline_points(side, experiment, n_roof)[best]
            own = side.streams[experiment, best][1] * x
            rows.setdefault(f"fastest JAX {experiment} at n = {n_roof}: share of peak / of the "
                            "roof of a stream of its bytes", []).append(
                f"{y / side.roofs['peak_flops']:.0%} / {y / own:.0%}")
    for k in settings:
        t = {v: sides[k].timings["breakeven", v, n_solve].median_s
             for v in ("jax_vmap", "scipy_matvec", "jax_jvp")}
        rows.setdefault(f"matrix-free product / CSR product at n = {n_solve}", []).append(
            f"{t['jax_jvp'] / t['scipy_matvec']:.1f}")
        rows.setdefault("assembling pays off", []).append(
            breakeven_verdict(t["jax_vmap"], t["scipy_matvec"], t["jax_jvp"]))
        rows.setdefault(f"solve at n = {n_solve}: direct / assembled CG / matrix-free CG (s)",
                        []).append(" / ".join(f"{sides[k].timings['solve', s, n_solve].median_s:.2f}"
                                              for s in SOLVES))
    n, _, mib = memory["jax_vmap"]  # measured in the all-cores process
    rows[f"JAX vmap memory at n = {n} / the CSR matrix"] = [
        f"{mib / csr_mib(n):.1f}" if k == max(settings) else "not measured" for k in settings]
    heads = [f"{thread_label(k)} each" for k in settings]
    lines = ["| | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(settings)]
    lines += [f"| {key} | " + " | ".join(cells) + " |" for key, cells in rows.items()]
    return "\n".join(lines)


def headline(sides: dict[int, Any], stages: dict[str, Timing], n_roof: int,
             n_solve: int) -> dict[str, Timing]:
    """The page's headline timings for the noise check."""
    out = {}
    for k, side in sides.items():
        label = thread_label(k)
        for experiment in ("jacobian", "residual"):
            best = fastest(side, experiment, n_roof)
            out[f"{experiment}, {LABELS[best]}, {label}"] = side.timings[experiment, best, n_roof]
        for (experiment, variant, n), timing in side.timings.items():
            if experiment in ("roofs", "solve", "breakeven"):
                out[f"{experiment}: {LABELS.get(variant, variant)}, {label}"] = timing
    for stage in ("+ segment sum of 3×3 blocks", "blocks, then 576 scalar updates"):
        out[f"stages: {stage}"] = stages[stage]
    return out
