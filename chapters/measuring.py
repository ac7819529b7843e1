"""Verdicts, glue and speed goals of the page notebooks/measuring.md.

Every outcome sentence of the page is chosen here from measured numbers; the thresholds are the
module constants below, and each sentence says the threshold it used. Differences between two
timings go through `compare_timings`/`resolved`: inside the run's spread they are "not told
apart". The `glue_*` functions and the figures hold the page's plumbing, so its cells stay
short. `median_time` is the page's copyable timing recipe, shown whole on the page.
"""

from typing import Any

import numpy as np

from perfguide.goals import Goal
from perfguide.records import Recorder
from perfguide.threads import thread_label
from perfguide.timing import Timing
from perfguide.verdicts import TIE, compare_timings, resolved
from workloads import elementwise
from workloads.elementwise import Sweep

DISPATCH_GAP = 2.0  # a repeat under half the blocked latency returned before the work was done
NEAR_FLOOR = 2.0  # a jitted call within 2x the minimal jitted call is "at the floor"
COMPUTE_BOUND = 2.0  # f more than 2x its streaming a + 1: memory traffic alone does not explain it
STREAM_FACTOR = 2.0  # a + 1 counts as streaming only within 2x of the memcpy rate (GB/s)
AGREE = TIE  # the recipe and time_call agree when their medians are within 10%


def median_time(fn, *args, repeats: int = 30) -> tuple[float, float, float]:
    """First call, then median and IQR of `repeats` calls, in seconds."""
    import time

    import jax
    import numpy as np

    start = time.perf_counter()
    jax.block_until_ready(fn(*args))  # first call: traces, compiles, runs
    first_s = time.perf_counter() - start
    jax.block_until_ready(fn(*args))  # one more warm-up call, not timed
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn(*args))  # wait on every output
        times.append(time.perf_counter() - start)
    q25, median, q75 = np.percentile(times, [25, 50, 75])
    return first_s, float(median), float(q75 - q25)


def _times(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio < 9.95 else f"{ratio:,.0f}×"


def early_share(unblocked: Timing, blocked: Timing) -> float:
    """Share of unblocked repeats that stopped the clock DISPATCH_GAP or more before the work."""
    early = [t for t in unblocked.per_call_s if t * DISPATCH_GAP <= blocked.median_s]
    return len(early) / unblocked.repeats


def dispatch_verdict(share_early: float, repeats: int) -> str:
    """What the unblocked reading measured, from the share of its repeats that returned early."""
    early = round(share_early * repeats)
    gap = f"at least {DISPATCH_GAP:g}× before the work was done"
    if early == repeats:
        return (f"all {repeats} unblocked repeats stopped the clock {gap}: the unblocked reading "
                "measured dispatch, not the matrix product")
    if early == 0:
        return (f"none of the {repeats} unblocked repeats stopped the clock {gap}: here the calls "
                "did not return before their work (on CPU a call may run inline), so the unblocked "
                "reading happened to include the work; on a backend that queues work it will not")
    return (f"{early} of {repeats} unblocked repeats stopped the clock {gap}, the others waited for "
            "the work (on CPU some calls may run inline): the unblocked reading is a mixture of "
            "dispatch and work, hence its wide spread")


def recipe_verdict(recipe_s: float, perfguide_s: float) -> str:
    """Whether the copyable recipe's median agrees with `time_call`'s within AGREE."""
    ratio = recipe_s / perfguide_s
    said = f"recipe / `time_call` = {ratio:.2f}"
    if 1 / (1 + AGREE) < ratio < 1 + AGREE:
        return (f"the two medians are within {AGREE:.0%} of each other ({said}): for a call "
                "this long the ten lines measure what `time_call` measures")
    return (f"the two medians are more than {AGREE:.0%} apart ({said}): on this run the two "
            "figures are not interchangeable; read the spreads and the noise check at the end of "
            "the page before trusting either")


def harness_verdict(one_leaf_s: float, many_leaves_s: float, leaves: int) -> str:
    """How much more waiting on a many-leaf output costs than waiting on one array (ties within TIE)."""
    ratio = many_leaves_s / one_leaf_s
    if ratio >= 1 + TIE:
        return f"waiting on {leaves} arrays costs {_times(ratio)} as much as waiting on one"
    if ratio <= 1 / (1 + TIE):
        return f"waiting on {leaves} arrays costs less than waiting on one ({_times(ratio)})"
    return f"waiting on {leaves} arrays costs the same as waiting on one, within {TIE:.0%}"


def alias_verdict(aligned_aliased: bool, misaligned_aliased: bool, platform: str) -> str:
    """What `jax.device_put` did with the two NumPy arrays, read from their buffer addresses."""
    if aligned_aliased and not misaligned_aliased:
        return ("`device_put` of the aligned array returned a `jax.Array` that *uses the NumPy "
                "buffer itself* (zero-copy), while the misaligned array was copied. An aliased array "
                "changes if you later write to the NumPy array, so do not")
    if aligned_aliased and misaligned_aliased:
        return ("`device_put` aliased both arrays here: neither was copied, so no bytes moved")
    where = "device memory" if platform != "cpu" else "memory that XLA owns"
    return f"`device_put` copied both arrays into {where}: no alias, whatever the alignment"


def copy_rate_verdict(platform: str) -> str:
    """What the bytes-per-second of a device_put copy is: a memory copy on CPU, a transfer on an accelerator."""
    if platform == "cpu":
        return ("a memory-copy rate within host memory (the CPU backend's device is the host), not a "
                "transfer rate: nothing crosses a bus")
    return f"a host-to-{platform.upper()} transfer rate: the bytes cross the link to the device"


def _winner(numpy: Timing, jax: Timing) -> str:
    if not resolved(numpy, jax):
        return "neither"
    return "JAX" if jax.median_s < numpy.median_s else "NumPy"


def precision_verdict(numpy64: Timing, numpy32: Timing, jax32: Timing, jax64: Timing,
                      jax: str = "JAX", numpy: str = "NumPy") -> str:
    """What the mixed-precision comparison says against the matched ones (spread-aware, TIE)."""
    mixed = compare_timings(jax, jax32, numpy, numpy64)
    f64 = compare_timings(jax, jax64, numpy, numpy64)
    f32 = compare_timings(jax, jax32, numpy, numpy32)
    mixed_winner, f32_winner = _winner(numpy64, jax32), _winner(numpy32, jax32)
    gap = numpy64.median_s / numpy32.median_s
    if mixed_winner != f32_winner:
        lesson = "the mixed comparison does not name the float32 one's winner"
    elif abs(gap - 1) > TIE:
        lesson = f"the mixed comparison gets the size of the gap wrong by {_times(max(gap, 1 / gap))}"
    else:
        lesson = f"the mixed comparison happens to agree with the float32 one within {TIE:.0%}"
    return (f"the defaults against each other (NumPy float64, JAX float32): {mixed}; at matched "
            f"precision, float64: {f64}; float32: {f32}. So {lesson}")


def threads_verdict(name: str, one_thread: Timing, all_cores: Timing, cores: int) -> str:
    """Whether a side gains from all cores over 1 core (spread-aware, by more than TIE)."""
    if cores == 1:
        return f"{name}: this machine offers one core, so there is no second setting to compare"
    many = thread_label(cores)
    if not resolved(one_thread, all_cores):
        return f"{name} is not told apart between 1 core and {many} (within {TIE:.0%} or the spread)"
    ratio = one_thread.median_s / all_cores.median_s
    if ratio > 1:
        return f"{name} is {ratio:.1f}× faster with {many} than with 1 core"
    return f"{name} is {1 / ratio:.1f}× slower with {many} than with 1 core"


def floor_verdict(lengths: list[int], jit_s: list[float], floor_s: float) -> str:
    """Up to which length the jitted call stays within NEAR_FLOOR of the minimal jitted call."""
    near = 0
    while near < len(lengths) and jit_s[near] <= NEAR_FLOOR * floor_s:
        near += 1
    if near == 0:
        return (f"above {NEAR_FLOOR:g}× the minimal call at every length of this sweep, so "
                "even the smallest arrays here measure some computing")
    if near == 1:
        return (f"within {NEAR_FLOOR:g}× the minimal call only at {lengths[0]:,} elements: "
                "the sweep shows no stretch where calling alone sets the time")
    return (f"within {NEAR_FLOOR:g}× the minimal call from {lengths[0]:,} up to "
            f"{lengths[near - 1]:,} elements: there the time per element falls as $1/n$, along "
            "the dashed line, whatever the function computes")


def floor_bound_verdict(floor: Timing, lowest_s: float, lowest: str) -> str:
    """Whether any jitted call of the sweep went below the minimal call less its spread."""
    margin = floor.median_s - (floor.high_s - floor.low_s)
    if lowest_s >= margin:
        return ("no jitted call of this sweep went below it (less its spread), so it acts as the "
                "floor below which no jitted call here went")
    return (f"{lowest} went below it by more than its spread, so it is a reference here, "
            "not a bound")


def is_streaming(ref_gbps: float, memcpy_gbps: float) -> bool:
    """An a + 1 may serve as a memory bound only within STREAM_FACTOR of the memcpy rate."""
    return ref_gbps * STREAM_FACTOR >= memcpy_gbps


def bound_verdict(name: str, f_s: float, ref_s: float, ref_gbps: float,
                  memcpy_gbps: float | None) -> str:
    """f against its side's a + 1, read as a memory bound only if a + 1 streams (STREAM_FACTOR).

    `memcpy_gbps` is None where no memcpy was measured on that side's device (JAX on a GPU)."""
    if memcpy_gbps is None:
        return (f"{name}: no memcpy was measured on its device, so its a + 1 is an allocate + "
                "read + write reference, not a memory bound, and no bound is read")
    rates = f"its a + 1 moved {ref_gbps:.1f} GB/s, memcpy {memcpy_gbps:.1f} GB/s"
    if not is_streaming(ref_gbps, memcpy_gbps):
        return (f"{name}: {rates}, more than {STREAM_FACTOR:g}× apart, so that a + 1 is an "
                "allocate + read + write reference, not a memory bound, and no bound is read")
    ratio = f_s / ref_s
    if ratio > COMPUTE_BOUND:
        return (f"{name} takes {_times(ratio)} its streaming a + 1 ({rates}), more than "
                f"{COMPUTE_BOUND:g}×: memory traffic alone does not explain its time")
    return f"{name} is within {COMPUTE_BOUND:g}× of its streaming a + 1 ({rates})"


def _numpy_variant(numpy_name: str, curve: str) -> str:
    """'NumPy (out= preallocated)' from the curve name 'NumPy, out= preallocated'."""
    return f"{numpy_name} ({curve.split(', ', 1)[1]})"


def subjects(backend: str) -> tuple[str, str]:
    """How the two libraries are named in verdicts: with their devices on an accelerator."""
    if backend == "cpu":
        return "jitted JAX", "NumPy"
    return f"jitted JAX on {backend.upper()}", "NumPy on CPU"


def large_verdicts(lengths: list[int], numpy_runs: dict[int, Any], jax_runs: dict[int, Any],
                   large: list[int], backend: str = "cpu") -> str:
    """Markdown bullets: at each large length, per setting and across settings."""
    jax_name, numpy_name = subjects(backend)
    op_by_op = "JAX op by op" + ("" if backend == "cpu" else f" on {backend.upper()}")
    device_memcpy = backend == "cpu"  # on an accelerator no memcpy is measured on its device
    settings = list(jax_runs)
    bullets = []
    for n in large:
        i = lengths.index(n)
        for t in settings:
            npy, jx = numpy_runs[t].curves, jax_runs[t].curves
            jit, opbyop = jx["JAX jitted"][i], jx["JAX op by op"][i]
            best = min(npy, key=lambda k: npy[k][i].median_s)
            memcpy = elementwise.gbps(n, numpy_runs[t].memcpy[i])
            jax_ref, numpy_ref = jax_runs[t].add_one[i], numpy_runs[t].add_one[i]
            clauses = [
                compare_timings(jax_name, jit, op_by_op, opbyop),
                compare_timings(jax_name, jit, _numpy_variant(numpy_name, best), npy[best][i]),
                bound_verdict(jax_name, jit.median_s, jax_ref.median_s,
                              elementwise.gbps(n, jax_ref), memcpy if device_memcpy else None),
                bound_verdict(_numpy_variant(numpy_name, best), npy[best][i].median_s,
                              numpy_ref.median_s,
                              elementwise.gbps(n, numpy_ref), memcpy),
            ]
            head = setting_title(t, backend)
            bullets.append(f"- **{n:,} elements, {head}:** " + "; ".join(clauses) + ".")
        if len(settings) > 1:
            one, many = settings[0], settings[-1]
            clauses = [threads_verdict(jax_name, jax_runs[one].curves["JAX jitted"][i],
                                       jax_runs[many].curves["JAX jitted"][i], many)]
            for name, timings in numpy_runs[one].curves.items():
                clauses.append(threads_verdict(_numpy_variant(numpy_name, name), timings[i],
                                               numpy_runs[many].curves[name][i], many))
            bullets.append(f"- **{n:,} elements, across settings:** " + "; ".join(clauses) + ".")
    return "\n".join(bullets)


def large_lengths(lengths: list[int]) -> list[int]:
    """The lengths the 'large arrays' verdicts read: the one nearest 10^6, and the largest."""
    near_million = min(lengths, key=lambda n: abs(np.log10(n) - 6))
    return sorted({near_million, lengths[-1]})



# ---- the page's plumbing: glue numbers, words and figures from its measurements ----


def _suffixes(settings: list[int]) -> list[tuple[str, int]]:
    """Glue-key suffixes for the two settings; on a 1-core machine both name the one setting."""
    return [("1", settings[0]), ("all", settings[-1])]


def glue_recipe(recipe: tuple[float, float, float], timing: Timing) -> None:
    """The recipe's first call, median and IQR beside `time_call`'s, and whether they agree."""
    from perfguide.glue import glue_number, glue_timing, glue_words

    first_s, median_s, iqr_s = recipe
    glue_number("recipe_first_ms", first_s * 1e3)
    glue_number("recipe_us", median_s * 1e6)
    glue_number("recipe_iqr_us", iqr_s * 1e6)
    glue_timing("time_call_us", timing, unit="us")
    glue_words("recipe_words", recipe_verdict(median_s, timing.median_s))


def glue_harness(harness: dict[tuple[str, str], Timing], leaves: int = 27) -> None:
    """Harness cost for one array and for `leaves` arrays, raw and corrected latency."""
    from perfguide.glue import glue_number, glue_words

    one, many = harness["1 array", "latency"], harness[f"{leaves} arrays", "latency"]
    glue_number("harness_one_us", one.harness_s * 1e6)
    glue_number("harness_many_us", many.harness_s * 1e6)
    glue_number("many_raw_us", many.raw_median_s * 1e6)
    glue_number("many_corrected_us", many.median_s * 1e6)
    glue_words("harness_words", harness_verdict(one.harness_s, many.harness_s, leaves))


def glue_async(modes: dict[str, Timing], n: int) -> None:
    """Section 1: the matrix product in three modes, its words and its figure."""
    from perfguide.glue import glue_figure, glue_number, glue_timing, glue_words
    from perfguide.plotting import timing_bars

    unblocked, blocked, piped = modes["unblocked"], modes["latency"], modes["throughput"]
    flops = 2 * n**3
    glue_number("async_unblocked_min_us", unblocked.min_s * 1e6)
    glue_number("async_unblocked_max_ms", unblocked.max_s * 1e3)
    glue_timing("async_blocked_ms", blocked, unit="ms")
    glue_timing("async_pipelined_ms", piped, unit="ms")
    glue_number("async_blocked_gflops", flops / blocked.median_s / 1e9)
    glue_number("async_fastest_tflops", flops / unblocked.min_s / 1e12)
    share = early_share(unblocked, blocked)
    glue_words("dispatch_words", dispatch_verdict(share, unblocked.repeats))
    glue_words("pipeline_words", compare_timings(
        "the throughput figure", piped, "the latency figure", blocked))
    labels = ["unblocked (nothing waited on)", "latency (each call waited on)",
              "throughput (pipelined, last call waited on)"]
    fig = timing_bars(labels, [unblocked, blocked, piped], unit="ms")
    fig.axes[0].set_title(f"{n}×{n} float32 matrix product, jitted")
    glue_figure("fig_async", fig)


def glue_first_call(recorder: Recorder, logs: dict[int, Any], again: Any, features: int) -> None:
    """Section 2: first call against steady state per new shape, split into compile phases."""
    import matplotlib.pyplot as plt

    from perfguide.glue import glue_figure, glue_number

    series = recorder.series("first_call", "loss_jit")
    lengths, timings = series.sizes, series.timings
    first_ms = np.array([t.first_call_s for t in timings]) * 1e3
    steady_ms = np.array(series.medians_s) * 1e3
    phases = {phase: np.array([logs[n].seconds(phase) for n in lengths]) * 1e3
              for phase in ("trace", "lower", "compile")}
    glue_number("first_call_mean_ms", first_ms.mean())
    glue_number("steady_mean_us", steady_ms.mean() * 1e3)
    glue_number("first_over_steady", (first_ms / steady_ms).mean())
    glue_number("xla_compile_share", 100 * (phases["compile"] / first_ms).mean())
    glue_number("recompilations", sum(logs[n].compilations for n in lengths))
    glue_number("cached_compilations", again.compilations)

    fig, ax = plt.subplots()
    x_pos = np.arange(len(lengths))
    bottom = np.zeros(len(lengths))
    for i, (phase, ms) in enumerate(phases.items()):
        ax.bar(x_pos - 0.2, ms, width=0.4, bottom=bottom, color=f"C{i}", label=f"first call: {phase}")
        bottom += ms
    ax.bar(x_pos - 0.2, first_ms - bottom, width=0.4, bottom=bottom, color="0.7",
           label="first call: dispatch and run")
    ax.bar(x_pos + 0.2, steady_ms, width=0.4, color="C3", label="steady-state call (median)")
    ax.set_yscale("log")
    ax.set_xticks(x_pos, [f"{int(length):,} × {features}" for length in lengths])
    ax.set_xlabel("input shape (each one new to the jitted function)")
    ax.set_ylabel("time (ms)")
    ax.legend(loc="upper right", ncols=2)
    ax.set_ylim(top=ax.get_ylim()[1] * 20)
    glue_figure("fig_first_call", fig)


def glue_transfer(transfer: dict[str, Timing], aliased: dict[str, bool], nbytes: int,
                  length: int, platform: str) -> None:
    """Section 3: the ways into a jitted call, their words and their figure."""
    from perfguide.glue import glue_figure, glue_number, glue_timing, glue_words
    from perfguide.plotting import timing_bars

    put_aligned, put_copy, memcpy, jit_aligned, jit_copy, jit_device = transfer.values()
    glue_number("transfer_mb", nbytes / 1e6)
    glue_number("put_copy_gbps", nbytes / put_copy.median_s / 1e9)
    glue_number("memcpy_gbps", nbytes / memcpy.median_s / 1e9)
    keys = ["put_aligned_ms", "put_copy_ms", "memcpy_ms", "jit_aligned_ms", "jit_copy_ms", "jit_device_ms"]
    for key, t in zip(keys, transfer.values()):
        glue_timing(key, t, unit="ms")
    share = max(jit_copy.median_s - jit_device.median_s, 0.0) / jit_copy.median_s
    glue_number("transfer_share", 100 * share)
    glue_words("alias_words", alias_verdict(aliased["aligned"], aliased["misaligned"], platform))
    glue_words("rate_words", copy_rate_verdict(platform))
    glue_words("put_vs_memcpy", compare_timings("NumPy's copy", memcpy, "`device_put`'s", put_copy))
    status = {label: "aliased" if same else "copied" for label, same in aliased.items()}
    labels = [f"device_put, aligned ({status['aligned']})",
              f"device_put, misaligned ({status['misaligned']})", *list(transfer)[2:]]
    fig = timing_bars(labels, list(transfer.values()), unit="ms")
    fig.axes[0].set_title(f"{length:,} float32 values ({nbytes / 1e6:.0f} MB), latency")
    glue_figure("fig_transfer", fig)


PRECISION_RATIOS = {
    "NumPy float64 / JAX float32 (the defaults)": ("NumPy float64", "JAX float32"),
    "NumPy float64 / JAX float64": ("NumPy float64", "JAX float64"),
    "NumPy float32 / JAX float32": ("NumPy float32", "JAX float32"),
}


def glue_precision(precision: dict[int, dict[str, Timing]], length: int, backend: str) -> None:
    """Section 4: the ratio table, the verdict per setting and the figure."""
    from perfguide.glue import glue_figure, glue_words

    settings = list(precision)
    jax_name, numpy_name = subjects(backend)
    glue_words("all_cores", setting_title(settings[-1], backend))
    rows = {name: [precision[t][a].median_s / precision[t][b].median_s for t in settings]
            for name, (a, b) in PRECISION_RATIOS.items()}
    glue_words("precision_table", thread_table(rows, settings, backend))
    for suffix, t in _suffixes(settings):
        p = precision[t]
        glue_words(f"precision_words_{suffix}", precision_verdict(
            p["NumPy float64"], p["NumPy float32"], p["JAX float32"], p["JAX float64"],
            jax=jax_name.removeprefix("jitted "), numpy=numpy_name))
    title = f"0.2x + sin x + cos 2x over {length:,} values, latency"
    glue_figure("fig_precision", precision_figure(precision, title, backend))


def glue_sweep(lengths: list[int], numpy_runs: dict[int, Any], jax_runs: dict[int, Any],
               backend: str) -> None:
    """Section 5: the table, the figure, small-size words and the large-size bullets."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    settings = list(jax_runs)
    large = large_lengths(lengths)
    jax_name, numpy_name = subjects(backend)
    streaming = backend == "cpu" and all(
        is_streaming(elementwise.gbps(n, run.add_one[lengths.index(n)]),
                     elementwise.gbps(n, numpy_runs[t].memcpy[lengths.index(n)]))
        for n in large for t in settings for run in (jax_runs[t], numpy_runs[t]))
    label = "streaming reference" if streaming else "allocate + read + write reference"
    glue_number("stream_factor", STREAM_FACTOR)
    fig = sweep_figure(lengths, numpy_runs, jax_runs, label, backend)
    glue_figure("fig_elementwise", fig)
    glue_number("smallest_n", lengths[0])
    rows = sweep_rows(lengths, numpy_runs, jax_runs, large)
    glue_words("sweep_table", thread_table(rows, settings, backend))
    for suffix, t in _suffixes(settings):
        jx, npy = jax_runs[t], numpy_runs[t]
        jit = jx.curves["JAX jitted"]
        glue_number(f"floor_us_{suffix}", jx.floor.median_s * 1e6)
        glue_words(f"floor_words_{suffix}", floor_verdict(
            lengths, [x.median_s for x in jit], jx.floor.median_s))
        others = {**jx.curves, "jitted a + 1": jx.add_one}  # a + 1 at lengths[0] is the floor
        jitted = {f"{name} at {n:,} elements": x for name, ts in others.items()
                  for k, (n, x) in enumerate(zip(lengths, ts)) if (name, k) != ("jitted a + 1", 0)}
        lowest = min(jitted, key=lambda k: jitted[k].median_s)
        glue_words(f"floor_bound_{suffix}", floor_bound_verdict(
            jx.floor, jitted[lowest].median_s, lowest))
        best = min(npy.curves, key=lambda k: npy.curves[k][0].median_s)
        glue_words(f"small_words_{suffix}", compare_timings(
            _numpy_variant(numpy_name, best), npy.curves[best][0], jax_name, jit[0]))
    glue_words("large_words", large_verdicts(lengths, numpy_runs, jax_runs, large, backend))


def setting_title(threads: int, backend: str = "cpu") -> str:
    """A label for one thread setting: '1 core each', or the devices on an accelerator."""
    if backend == "cpu":
        return f"{thread_label(threads)} each"
    return f"NumPy on CPU ({thread_label(threads)}), JAX on {backend.upper()}"


def thread_table(rows: dict[str, list[float]], settings: list[int], backend: str = "cpu") -> str:
    """A Markdown table with one column per thread setting ('1 core each', ...)."""
    heads = [setting_title(t, backend) for t in settings]
    lines = ["| | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(settings)]
    for key, values in rows.items():
        cells = [f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}" for v in values]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def sweep_rows(lengths: list[int], numpy_runs: dict[int, Sweep], jax_runs: dict[int, Sweep],
               large: list[int]) -> dict[str, list[float]]:
    """The sweep's key numbers, one list per row with one value per thread setting."""
    small = lengths[0]
    gbps = elementwise.gbps
    rows: dict[str, list[float]] = {}
    for threads, jx in jax_runs.items():
        npy = numpy_runs[threads]
        floor, jit = jx.floor.median_s, jx.curves["JAX jitted"]
        op_by_op = jx.curves["JAX op by op"][0].median_s
        values = {
            "minimal jitted call (µs)": floor * 1e6,
            f"jitted f, {small:,} elements (× minimal call)": jit[0].median_s / floor,
            f"op by op / jitted, {small:,} elements": op_by_op / jit[0].median_s,
        }
        for n in large:
            i = lengths.index(n)
            for name, timings in {**npy.curves, **jx.curves}.items():
                values[f"{name}, {n:,} elements (ns per element)"] = timings[i].median_s * 1e9 / n
            values[f"memcpy (NumPy, preallocated), {n:,} elements (GB/s)"] = gbps(n, npy.memcpy[i])
            values[f"NumPy a + 1, {n:,} elements (GB/s)"] = gbps(n, npy.add_one[i])
            values[f"jitted a + 1, {n:,} elements (GB/s)"] = gbps(n, jx.add_one[i])
        for key, value in values.items():
            rows.setdefault(key, []).append(value)
    return rows


def precision_figure(runs: dict[int, dict[str, Timing]], title: str, backend: str = "cpu") -> Any:
    """Median and spread (error bars, ms, log axis) of each variant at each thread setting."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import timing_band

    settings = list(runs)
    xs = np.arange(len(settings))
    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    for i, variant in enumerate(runs[settings[0]]):
        style = "-" if variant.startswith("NumPy") else "--"
        timing_band(ax, xs + 0.04 * (i - 1.5), [runs[t][variant] for t in settings], unit="ms",
                    bars=True, linestyle=style, color=f"C{i}", label=variant)
    ax.set_xticks(xs, [setting_title(t, backend) for t in settings])
    ax.set_xlim(-0.5, len(settings) - 0.5)
    ax.set_yscale("log")
    ax.set_ylabel("time per call (ms)")
    ax.grid(axis="x", visible=False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def sweep_figure(lengths: list[int], numpy_runs: dict[int, Sweep], jax_runs: dict[int, Sweep],
                 reference_label: str, backend: str = "cpu") -> Any:
    """Time per element against length, one panel per thread setting, with the reference lines."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import timing_band

    sizes = np.array(lengths, dtype=float)
    fig, axes = plt.subplots(1, len(numpy_runs), figsize=(9.0, 4.6), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, threads in zip(axes, numpy_runs):
        npy, jx = numpy_runs[threads], jax_runs[threads]
        lines = [*((name, t, "-", "o") for name, t in {**npy.curves, **jx.curves}.items()),
                 (f"NumPy a + 1 ({reference_label})", npy.add_one, ":", ""),
                 (f"jitted a + 1 ({reference_label})", jx.add_one, ":", ""),
                 ("memcpy (NumPy, preallocated)", npy.memcpy, "-.", "")]
        for i, (name, timings, style, marker) in enumerate(lines):
            timing_band(ax, sizes, timings, unit="ns", per=sizes, linestyle=style,
                        marker=marker, color=f"C{i}", label=name)
        ax.plot(sizes, jx.floor.median_s * 1e9 / sizes, "k--",
                label=f"minimal jitted call (a + 1 on {lengths[0]:,} elements)")
        ax.set(xscale="log", yscale="log")
        ax.set_title(setting_title(threads, backend), fontsize=10)
        ax.set_xlabel("array length (elements)")
    axes[0].set_ylabel("time per element (ns)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.suptitle("0.2x + sin x + cos 2x, float32, each library in its own process, latency")
    fig.legend(handles, labels, loc="lower center", ncols=2)
    fig.tight_layout(rect=(0, 0.2, 1, 1))
    return fig


def record_sweep(recorder: Any, lengths: list[int], threads: int, numpy_side: Any,
                 jax_side: Any) -> Timing:
    """Add one setting's sweep to the results file; return its minimal jitted call."""
    curves = {**numpy_side.curves, **jax_side.curves, "NumPy a + 1": numpy_side.add_one,
              "jitted a + 1": jax_side.add_one, "memcpy": numpy_side.memcpy}
    for name, timings in curves.items():
        for length, t in zip(lengths, timings):
            recorder.add("elementwise", name, length, t, threads=threads)
    return recorder.add("elementwise", "minimal jitted call", lengths[0], jax_side.floor,
                        threads=threads)


def headline(modes: dict[str, Timing], transfer: dict[str, Timing],
             precision: dict[int, dict[str, Timing]], numpy_runs: dict[int, Sweep],
             jax_runs: dict[int, Sweep]) -> dict[str, Timing]:
    """The page's headline timings for the noise check: each section's key figures."""
    out = {"matmul, latency": modes["latency"],
           "device_put, misaligned": transfer["device_put, misaligned"],
           "jit on device array": transfer["jit on device array"]}
    for t, p in precision.items():
        label = thread_label(t)
        out[f"JAX float32, {label}"] = p["JAX float32"]
        out[f"NumPy float32, {label}"] = p["NumPy float32"]
        out[f"minimal jitted call, {label}"] = jax_runs[t].floor
        out[f"JAX jitted, largest, {label}"] = jax_runs[t].curves["JAX jitted"][-1]
        for name, curve in numpy_runs[t].curves.items():
            out[f"{name}, largest, {label}"] = curve[-1]
    return out


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (recipe_verdict, {"recipe_s": 1.05e-3, "perfguide_s": 1e-3},
     {"recipe_s": 1.5e-3, "perfguide_s": 1e-3}),
    (dispatch_verdict, {"share_early": 1.0, "repeats": 7}, {"share_early": 0.0, "repeats": 7}),
    (harness_verdict, {"one_leaf_s": 1e-6, "many_leaves_s": 5e-6, "leaves": 27},
     {"one_leaf_s": 1e-6, "many_leaves_s": 1e-6, "leaves": 27}),
    (alias_verdict, {"aligned_aliased": True, "misaligned_aliased": False, "platform": "cpu"},
     {"aligned_aliased": False, "misaligned_aliased": False, "platform": "cpu"}),
    (copy_rate_verdict, {"platform": "cpu"}, {"platform": "gpu"}),
    (precision_verdict,
     {"numpy64": Timing(3, (3.0,) * 5, 1), "numpy32": Timing(1, (0.8,) * 5, 1),
      "jax32": Timing(1, (1.0,) * 5, 1), "jax64": Timing(2, (2.0,) * 5, 1)},
     {"numpy64": Timing(3, (3.0,) * 5, 1), "numpy32": Timing(2, (2.0,) * 5, 1),
      "jax32": Timing(1, (1.0,) * 5, 1), "jax64": Timing(2, (2.0,) * 5, 1)}),
    (threads_verdict, {"name": "JAX", "one_thread": Timing(2, (2.0,) * 5, 1),
                       "all_cores": Timing(1, (1.0,) * 5, 1), "cores": 2},
     {"name": "JAX", "one_thread": Timing(1, (1.0,) * 5, 1),
      "all_cores": Timing(1, (0.5, 1.0, 1.5, 2.0, 2.5), 1), "cores": 2}),
    (floor_verdict, {"lengths": [100, 1000], "jit_s": [1e-5, 1e-5], "floor_s": 1e-5},
     {"lengths": [100, 1000], "jit_s": [1e-4, 1e-3], "floor_s": 1e-5}),
    (floor_bound_verdict, {"floor": Timing(1, (1.0,) * 5, 1), "lowest_s": 1.0, "lowest": "x"},
     {"floor": Timing(1, (1.0,) * 5, 1), "lowest_s": 0.5, "lowest": "x"}),
    (bound_verdict, {"name": "f", "f_s": 5.0, "ref_s": 1.0, "ref_gbps": 10.0, "memcpy_gbps": None},
     {"name": "f", "f_s": 5.0, "ref_s": 1.0, "ref_gbps": 10.0, "memcpy_gbps": 12.0}),
    (bound_verdict, {"name": "f", "f_s": 5.0, "ref_s": 1.0, "ref_gbps": 10.0, "memcpy_gbps": 12.0},
     {"name": "f", "f_s": 1.2, "ref_s": 1.0, "ref_gbps": 10.0, "memcpy_gbps": 12.0}),
]
GOALS: list[Goal] = []
