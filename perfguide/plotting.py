"""One plot style for the guide, and glue helpers that only ever glue plain Python floats."""

from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from perfguide.timing import Timing

UNITS = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}
STYLE = {
    "figure.figsize": (7.0, 4.2),
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "axes.grid": True,
    "axes.grid.which": "both",
    "grid.alpha": 0.25,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "lines.linewidth": 1.8,
    "lines.markersize": 5,
}


def use_style() -> None:
    """Apply the guide's matplotlib style (inline PNG output, grids, no top/right spines)."""
    mpl.rcParams.update(STYLE)


def glue_number(name: str, value: Any) -> None:
    """Glue `value` as a plain Python float (never a JAX/NumPy scalar) for `{glue:text}`."""
    from myst_nb import glue

    glue(name, float(value), display=False)


def glue_timing(name: str, timing: Timing, unit: str = "us") -> None:
    """Glue a timing's median as `name` and its interquartile range as `name_iqr`, in `unit`."""
    glue_number(name, timing.median_s * UNITS[unit])
    glue_number(f"{name}_iqr", timing.iqr_s * UNITS[unit])


def glue_words(name: str, text: str) -> None:
    """Glue a phrase chosen from measured numbers (e.g. "faster"/"slower") for `{glue:md}`."""
    from IPython.display import Markdown
    from myst_nb import glue

    glue(name, Markdown(text), display=False)


def glue_figure(name: str, fig: Figure) -> None:
    """Glue a figure for a `{glue:figure}` directive and close it so it is not drawn twice."""
    from myst_nb import glue

    glue(name, fig, display=False)
    plt.close(fig)


def timing_bars(labels: list[str], timings: list[Timing], unit: str = "ms", log: bool = True) -> Figure:
    """Horizontal bars of median time per call with whiskers over the spread (IQR, or min-max), in `unit`."""
    scale = UNITS[unit]
    quartiles = np.array([(t.low_s, t.median_s, t.high_s) for t in timings]) * scale
    fig, ax = plt.subplots(figsize=(7.0, 0.5 + 0.45 * len(labels)))
    positions = np.arange(len(labels))[::-1]
    ax.barh(positions, quartiles[:, 1], color=[f"C{i}" for i in range(len(labels))], alpha=0.85)
    whiskers = [quartiles[:, 1] - quartiles[:, 0], quartiles[:, 2] - quartiles[:, 1]]
    ax.errorbar(quartiles[:, 1], positions, xerr=whiskers, fmt="none", ecolor="black", capsize=3)
    ax.set_yticks(positions, labels)
    spreads = " / ".join(sorted({t.spread for t in timings}))
    ax.set_xlabel(f"time per call ({'µs' if unit == 'us' else unit}), median and {spreads}")
    if log:
        ax.set_xscale("log")
    ax.grid(axis="y", visible=False)
    return fig


def plain_log(ax: Axes) -> None:
    """Log-log axes labelled with plain numbers (1, 2, 5, 10...), denser in narrow ranges."""
    ax.set(xscale="log", yscale="log")
    for axis, (low, high) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
        decades = np.log10(high / low)
        subs = (1, 2, 3, 5, 7) if decades < 1.2 else (1, 2, 5) if decades < 2.5 else (1,)
        axis.set_major_locator(LogLocator(subs=subs))
        axis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,g}"))
        axis.set_minor_formatter(NullFormatter())
