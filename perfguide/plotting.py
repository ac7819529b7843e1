"""One plot style for the guide, timing bars, and median-and-spread bands on log axes."""

from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from perfguide.glue import UNITS
from perfguide.timing import Timing

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


def unit_label(unit: str) -> str:
    """The unit as printed on an axis: µs for "us"."""
    return "µs" if unit == "us" else unit


def timing_band(
    ax: Axes,
    xs: Any,
    timings: list[Timing],
    *,
    unit: str = "us",
    per: Any = 1.0,
    bars: bool = False,
    **line: Any,
) -> Line2D:
    """Draw medians as a line through `xs` with their spread (IQR, or min-max) as a shaded band,
    or as error bars with `bars=True`; each timing is divided by `per` (a number or one per x)."""
    scale = UNITS[unit] / np.broadcast_to(np.asarray(per, dtype=float), (len(timings),))
    low, mid, high = (np.array([getattr(t, f) for t in timings]) * scale
                      for f in ("low_s", "median_s", "high_s"))
    line.setdefault("marker", "o")
    if bars:
        container = ax.errorbar(xs, mid, yerr=[mid - low, high - mid], capsize=3, **line)
        return container.lines[0]
    (drawn,) = ax.plot(xs, mid, **line)
    ax.fill_between(xs, low, high, color=drawn.get_color(), alpha=0.2, linewidth=0)
    return drawn
