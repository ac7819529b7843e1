"""One module per notebook: the verdict functions that pick its outcome sentences, and its speed goals.

Each module has
- `VERDICT_FLIPS`: (function, kwargs giving one outcome, kwargs giving the opposite) for every
  verdict function the page uses; tests check that the words differ;
- `GOALS`: the speed goals that `make bench` reads from the page's results file (never shown on
  the page itself).
"""

import importlib
from types import ModuleType

PAGES = ("measuring", "nnx_overhead", "functional_loops", "scan_rollout", "fe_assembly", "fe_limits",
         "loops_under_jit", "rolled_loops", "array_programs", "autodiff", "optimisation",
         "classifier", "habits", "profiling", "memory", "sharding", "your_machine")


def page_module(page: str) -> ModuleType:
    """The verdicts-and-goals module of a notebook."""
    return importlib.import_module(f"chapters.{page}")
