"""Glue for MyST-NB pages: only plain Python floats, chosen words and closed figures."""

import os
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from perfguide.timing import Timing

UNITS = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}


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


def interactive() -> bool:
    """True in a notebook opened from a Jupyter server (JupyterLab, Notebook), which names the
    kernel's session in JPY_SESSION_NAME; a book build runs kernels without it.
    PERFGUIDE_SHOW_FIGURES=1 or 0 overrides."""
    forced = os.environ.get("PERFGUIDE_SHOW_FIGURES")
    if forced in ("0", "1"):
        return forced == "1"
    return "JPY_SESSION_NAME" in os.environ


def glue_figure(name: str, fig: Figure) -> None:
    """Glue a figure for a `{glue:figure}` directive and close it so it is not drawn twice;
    in an interactive session, also show it in place (the book places it from the glue)."""
    from IPython.display import display
    from myst_nb import glue

    glue(name, fig, display=False)
    if interactive():
        display(fig)
    plt.close(fig)
