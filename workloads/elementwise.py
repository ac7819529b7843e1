"""The element-wise benchmark of the measuring chapter, one library's side per function.

Each `*_precision` / `*_sweep` function measures a whole sweep of one library and returns its
`Timing`s, so the chapter can call it through `pg.run_isolated` in a fresh process with its own
thread limit: the NumPy side and the JAX side never share a process or compete for cores. Both
sides draw the same data from the same seed. Every figure is taken in `latency` mode (each call
waited on, the cost of waiting subtracted), so the curves and the reference lines compare.

Also here: a NumPy array whose data starts at a chosen offset from a 64-byte boundary (to show
when `jax.device_put` on the CPU backend aliases a NumPy buffer instead of copying it), and the
figures and tables of the chapter's NumPy-vs-JAX sections.
"""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from perfguide.threads import thread_label
from perfguide.timing import Timing, time_call

ALIGNMENT = 64  # bytes: the alignment XLA:CPU asks of a host buffer it may use in place
BYTES_MOVED = 8  # per float32 element of a + 1 or a copy: 4 read and 4 written


def f_numpy(x: np.ndarray) -> np.ndarray:
    """The benchmark function 0.2x + sin x + cos 2x, NumPy."""
    return 0.2 * x + np.sin(x) + np.cos(2 * x)


def f_numpy_out(x: np.ndarray, out: np.ndarray,
                tmp: np.ndarray) -> np.ndarray:
    """f into arrays the caller allocated once: no temporary is allocated."""
    np.multiply(x, 2, out=tmp)
    np.cos(tmp, out=tmp)
    np.sin(x, out=out)
    np.add(out, tmp, out=out)
    np.multiply(x, 0.2, out=tmp)
    return np.add(out, tmp, out=out)


def f_jax(x: Any) -> Any:
    """The same function with jax.numpy (jit it, or call it op by op)."""
    import jax.numpy as jnp

    return 0.2 * x + jnp.sin(x) + jnp.cos(2 * x)


def add_one(a: Any) -> Any:
    """`a + 1`: reads and writes each element once, into a fresh output."""
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
    """NumPy: float64 (its default) and float32."""
    x64 = sample(length, "float64", seed)
    return {
        "NumPy float64": time_call(f_numpy, x64),
        "NumPy float32": time_call(f_numpy, x64.astype(np.float32)),
    }


def jax_precision(length: int, seed: int = 1) -> dict[str, Timing]:
    """JAX, jitted: float32 (its default) and float64."""
    import jax

    f_jit = jax.jit(f_jax)
    x64 = sample(length, "float64", seed)
    x32 = jax.device_put(x64.astype(np.float32))
    timings = {"JAX float32": time_call(f_jit, x32)}
    with jax.enable_x64(True):  # 64-bit mode for this block only
        timings["JAX float64"] = time_call(f_jit, jax.device_put(x64))
    return timings


@dataclass(frozen=True)
class Sweep:
    """One library's side of the size sweep, one Timing per length in each list."""

    curves: dict[str, list[Timing]]  # the function f, each way this side computes it
    add_one: list[Timing]  # a + 1 over the same array, into a freshly allocated output
    memcpy: list[Timing] = field(default_factory=list)  # np.copyto, preallocated
    floor: Timing | None = None  # a minimal jitted call (JAX side)


def numpy_sweep(lengths: list[int], seed: int = 2) -> Sweep:
    """NumPy side of the size sweep: f with temporaries and with `out=`, a + 1, and memcpy."""
    curves: dict[str, list[Timing]] = {"NumPy, with temporaries": [], "NumPy, out= preallocated": []}
    refs: dict[str, list[Timing]] = {"a + 1": [], "memcpy": []}
    for length in lengths:
        x = sample(length, "float32", seed)
        out, tmp = np.empty_like(x), np.empty_like(x)
        curves["NumPy, with temporaries"].append(time_call(f_numpy, x))
        curves["NumPy, out= preallocated"].append(time_call(f_numpy_out, x, out, tmp))
        refs["a + 1"].append(time_call(add_one, x))
        refs["memcpy"].append(time_call(np.copyto, out, x))
    return Sweep(curves, refs["a + 1"], refs["memcpy"])


def jax_sweep(lengths: list[int], seed: int = 2) -> Sweep:
    """JAX side of the size sweep: op by op, jitted, a + 1, and a minimal jitted call."""
    import jax

    f_jit, add_one_jit = jax.jit(f_jax), jax.jit(add_one)
    curves: dict[str, list[Timing]] = {"JAX op by op": [], "JAX jitted": []}
    refs = []
    for length in lengths:
        x = jax.device_put(sample(length, "float32", seed))
        curves["JAX op by op"].append(time_call(f_jax, x))
        curves["JAX jitted"].append(time_call(f_jit, x))
        refs.append(time_call(add_one_jit, x))
    return Sweep(curves, refs, floor=refs[0])  # a + 1 on the smallest 1-D array


def gbps(length: int, timing: Timing) -> float:
    """GB/s of an a + 1 or a copy of `length` float32 values, counting bytes read and written."""
    return BYTES_MOVED * length / timing.median_s / 1e9


def setting_title(threads: int, backend: str = "cpu") -> str:
    """A panel title for one thread setting: '1 core each', or the devices on an accelerator."""
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
    rows: dict[str, list[float]] = {}
    for threads, jx in jax_runs.items():
        npy = numpy_runs[threads]
        floor, jit = jx.floor.median_s, jx.curves["JAX jitted"]
        values = {
            "minimal jitted call (µs)": floor * 1e6,
            f"jitted f, {small:,} elements (× minimal call)": jit[0].median_s / floor,
            f"op by op / jitted, {small:,} elements": jx.curves["JAX op by op"][0].median_s / jit[0].median_s,
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


def _plain_log_x(ax: Any) -> None:
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def precision_figure(runs: dict[int, dict[str, Timing]], title: str, backend: str = "cpu") -> Any:
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
        ax.set_title(setting_title(threads, backend), fontsize=10)
        ax.set_xlabel("time per call (ms)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def sweep_figure(lengths: list[int], numpy_runs: dict[int, Sweep], jax_runs: dict[int, Sweep],
                 reference_label: str, backend: str = "cpu") -> Any:
    """Time per element against length, one panel per thread setting, with the reference lines."""
    import matplotlib.pyplot as plt

    sizes = np.array(lengths, dtype=float)
    fig, axes = plt.subplots(1, len(numpy_runs), figsize=(9.0, 4.6), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, threads in zip(axes, numpy_runs):
        npy, jx = numpy_runs[threads], jax_runs[threads]
        lines = [*((name, t, "o-") for name, t in {**npy.curves, **jx.curves}.items()),
                 (f"NumPy a + 1 ({reference_label})", npy.add_one, ":"),
                 (f"jitted a + 1 ({reference_label})", jx.add_one, ":"),
                 ("memcpy (NumPy, preallocated)", npy.memcpy, "-.")]
        for i, (name, timings, style) in enumerate(lines):
            low, mid, high = (np.array([getattr(t, k) for t in timings]) * 1e9 / sizes
                              for k in ("low_s", "median_s", "high_s"))
            ax.plot(sizes, mid, style, color=f"C{i}", label=name)
            ax.fill_between(sizes, low, high, color=f"C{i}", alpha=0.25, linewidth=0)
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
