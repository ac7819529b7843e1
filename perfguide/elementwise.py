"""The element-wise benchmark of the measuring chapter, one library's side per function.

Each `*_precision` / `*_sweep` function measures a whole sweep of one library and returns its
`Timing`s, so the chapter can call it through `pg.run_isolated` in a fresh process with its own
thread limit: the NumPy side and the JAX side never share a process or compete for cores. Both
sides draw the same data from the same seed. Every figure is taken in `latency` mode (each call
waited on, the cost of waiting subtracted), so the curves and the reference lines compare.

Also here: a NumPy array whose data starts at a chosen offset from a 64-byte boundary (to show
when `jax.device_put` on the CPU backend aliases a NumPy buffer instead of copying it), and the
two figures of the chapter's NumPy-vs-JAX sections.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from perfguide.threads import thread_label
from perfguide.timing import Timing, time_call

ALIGNMENT = 64  # bytes: the alignment XLA:CPU asks of a host buffer it may use in place


def f_numpy(x: np.ndarray) -> np.ndarray:
    """The benchmark function 0.2x + sin x + cos 2x, NumPy."""
    return 0.2 * x + np.sin(x) + np.cos(2 * x)


def f_jax(x: Any) -> Any:
    """The same function with jax.numpy (jit it, or call it op by op)."""
    import jax.numpy as jnp

    return 0.2 * x + jnp.sin(x) + jnp.cos(2 * x)


def add_one(a: Any) -> Any:
    """`a + 1`: jitted on a scalar it is the dispatch floor, on the array the streaming reference."""
    return a + 1


def sample(length: int, dtype: str = "float32", seed: int = 0) -> np.ndarray:
    """`length` values uniform in [-10, 10), drawn in float64 and cast, the same on every side."""
    return np.random.default_rng(seed).uniform(-10, 10, length).astype(dtype)


def aligned_empty(length: int, dtype: Any = np.float32, offset: int = 0) -> np.ndarray:
    """An uninitialised array whose data starts `offset` bytes past a 64-byte boundary."""
    itemsize = np.dtype(dtype).itemsize
    raw = np.empty(length * itemsize + ALIGNMENT + offset, dtype=np.uint8)
    start = (-raw.ctypes.data) % ALIGNMENT + offset
    return raw[start : start + length * itemsize].view(dtype)


def shares_buffer(array: Any, host: np.ndarray) -> bool:
    """True when the JAX array's buffer is the NumPy array's memory (aliased, not copied)."""
    return bool(array.unsafe_buffer_pointer() == host.ctypes.data)


def numpy_precision(length: int, seed: int = 1) -> dict[str, Timing]:
    """NumPy side of the precision comparison: float64 (NumPy's default) and float32."""
    x64 = sample(length, "float64", seed)
    return {
        "NumPy float64": time_call(f_numpy, x64),
        "NumPy float32": time_call(f_numpy, x64.astype(np.float32)),
    }


def jax_precision(length: int, seed: int = 1) -> dict[str, Timing]:
    """JAX side of the precision comparison: jitted, float32 (JAX's default) and float64."""
    import jax

    f_jit = jax.jit(f_jax)
    x64 = sample(length, "float64", seed)
    timings = {"JAX float32": time_call(f_jit, jax.device_put(x64.astype(np.float32)))}
    with jax.enable_x64(True):  # 64-bit mode for this block only
        timings["JAX float64"] = time_call(f_jit, jax.device_put(x64))
    return timings


def numpy_sweep(lengths: list[int], seed: int = 2) -> list[Timing]:
    """NumPy side of the size sweep: f over float32 arrays of each length."""
    return [time_call(f_numpy, sample(length, "float32", seed)) for length in lengths]


@dataclass(frozen=True)
class JaxSweep:
    """JAX side of the size sweep: the dispatch floor and one Timing per length for each curve."""

    floor: Timing
    curves: dict[str, list[Timing]]


def jax_sweep(lengths: list[int], seed: int = 2) -> JaxSweep:
    """JAX side of the size sweep: op by op, jitted, the streaming reference, and the floor."""
    import jax
    import jax.numpy as jnp

    f_jit, add_one_jit = jax.jit(f_jax), jax.jit(add_one)
    floor = time_call(add_one_jit, jnp.float32(1))
    variants = {"JAX op by op": f_jax, "JAX jitted": f_jit, "streaming reference": add_one_jit}
    curves: dict[str, list[Timing]] = {name: [] for name in variants}
    for length in lengths:
        x = jax.device_put(sample(length, "float32", seed))
        for name, fn in variants.items():
            curves[name].append(time_call(fn, x))
    return JaxSweep(floor, curves)


def sweep_medians(numpy_side: list[Timing], jax_side: JaxSweep) -> dict[str, list[float]]:
    """Median seconds per call of every curve of one thread setting, NumPy first."""
    curves = {"NumPy": numpy_side, **jax_side.curves}
    return {name: [t.median_s for t in timings] for name, timings in curves.items()}


def sweep_rows(lengths: list[int], medians: dict[int, dict[str, list[float]]],
               floors: dict[int, float]) -> dict[str, list[float]]:
    """The sweep's key numbers, one list per row with one value per thread setting."""
    small, large = lengths[0], lengths[-1]
    rows: dict[str, list[float]] = {}
    for threads, m in medians.items():
        floor, jit = floors[threads], m["JAX jitted"]
        values = {
            "dispatch floor (µs per call)": floor * 1e6,
            f"jitted, {small:,} elements (× floor)": jit[0] / floor,
            f"op by op / jitted, {small:,} elements": m["JAX op by op"][0] / jit[0],
            f"NumPy, {small:,} elements (µs per call)": m["NumPy"][0] * 1e6,
            **{f"{name}, {large:,} elements (ns per element)": m[name][-1] * 1e9 / large for name in m},
            "streaming reference, effective GB/s (read + write)": 8 * large / m["streaming reference"][-1] / 1e9,
        }
        for key, value in values.items():
            rows.setdefault(key, []).append(value)
    return rows


def thread_table(rows: dict[str, list[float]], settings: list[int]) -> str:
    """A Markdown table with one column per thread setting ('1 thread each', ...)."""
    lines = ["| | " + " | ".join(f"{thread_label(t)} each" for t in settings) + " |",
             "|---|" + "---:|" * len(settings)]
    for key, values in rows.items():
        cells = [f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}" for v in values]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _plain_log_x(ax: Any) -> None:
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def precision_figure(runs: dict[int, dict[str, Timing]], title: str) -> Any:
    """Horizontal bars (ms, log axis) of the precision timings, one panel per thread setting."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(runs), figsize=(8.0, 2.8), sharex=True, sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (threads, timings) in zip(axes, runs.items()):
        labels = list(timings)
        low, mid, high = (np.array([getattr(t, k) for t in timings.values()]) * 1e3
                          for k in ("low_s", "median_s", "high_s"))
        positions = np.arange(len(labels))[::-1]
        ax.barh(positions, mid, color=[f"C{i}" for i in range(len(labels))], alpha=0.85)
        ax.errorbar(mid, positions, xerr=[mid - low, high - mid], fmt="none", ecolor="black", capsize=3)
        ax.set_yticks(positions, labels)
        _plain_log_x(ax)
        ax.grid(axis="y", visible=False)
        ax.set_title(f"{thread_label(threads)} each")
        ax.set_xlabel("time per call (ms)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def sweep_figure(lengths: list[int], numpy_runs: dict[int, list[Timing]], jax_runs: dict[int, JaxSweep]) -> Any:
    """Time per element against length, one panel per thread setting, with floor and streaming lines."""
    import matplotlib.pyplot as plt

    sizes = np.array(lengths, dtype=float)
    fig, axes = plt.subplots(1, len(numpy_runs), figsize=(9.0, 4.2), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, threads in zip(axes, numpy_runs):
        curves = {"NumPy": numpy_runs[threads], **jax_runs[threads].curves}
        for i, (name, timings) in enumerate(curves.items()):
            low, mid, high = (np.array([getattr(t, k) for t in timings]) * 1e9 / sizes
                              for k in ("low_s", "median_s", "high_s"))
            style = ":" if name == "streaming reference" else "o-"
            label = "streaming reference (jitted a + 1)" if name == "streaming reference" else name
            ax.plot(sizes, mid, style, color=f"C{i}", label=label)
            ax.fill_between(sizes, low, high, color=f"C{i}", alpha=0.25, linewidth=0)
        floor = jax_runs[threads].floor.median_s
        ax.plot(sizes, floor * 1e9 / sizes, "k--", label="dispatch floor of one jitted call")
        ax.set(xscale="log", yscale="log", title=f"{thread_label(threads)} each")
        ax.set_xlabel("array length (elements)")
    axes[0].set_ylabel("time per element (ns)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.suptitle("0.2x + sin x + cos 2x, float32, each library in its own process, latency")
    fig.legend(handles, labels, loc="lower center", ncols=3)
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    return fig
