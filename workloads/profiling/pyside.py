"""The Python side of a call, by `cProfile` (the standard library's
deterministic profiler): what share of its time each phase takes.

A phase is a function picked by its file and name (of several with that
name, the outermost); its cumulative time includes everything it calls.
What no phase covers (the caller's own code, the wait for the result, and
the compiled program that C++ runs without calling Python) is the rest.
"""

import cProfile
import pstats
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from perfguide.timing import block

# graph-mode `nnx.jit` (Flax 0.12): the object graph flattened into a
# graph definition and state on the way in, unflattened on the way out.
NNX_JIT_PHASES = {
    "graph flatten (split the objects)": ("flax/nnx/graphlib.py", "flatten"),
    "graph unflatten (write back)": ("flax/nnx/graphlib.py", "unflatten"),
}


@dataclass(frozen=True)
class PythonProfile:
    """Seconds per call under cProfile: the whole call and each phase."""

    total_s: float
    phases_s: dict[str, float]
    top: list[tuple[str, float]]  # (function, own seconds per call)

    @property
    def rest_s(self) -> float:
        """Time per call that no phase covers."""
        return max(self.total_s - sum(self.phases_s.values()), 0.0)


def _name(key: tuple[str, int, str]) -> str:
    """'graphlib.py:882 _graph_flatten' for a pstats key."""
    path, line, function = key
    return f"{path.rsplit('/', 1)[-1]}:{line} {function}"


def profile_calls(fn: Callable[..., Any], *args: Any, calls: int,
                  phases: dict[str, tuple[str, str]],
                  top: int = 8) -> PythonProfile:
    """Run `fn(*args)` (waited on) `calls` times under cProfile, after one
    call outside it; return the time per call of the whole and of each
    phase, and the `top` functions by their own time."""
    block(fn(*args))
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(calls):
        block(fn(*args))
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    found = {label: 0.0 for label in phases}
    for key, (_, _, _, cumulative, _) in stats.items():
        for label, (suffix, function) in phases.items():
            if key[0].endswith(suffix) and key[2] == function:
                # nested functions of one name: the outermost holds all
                found[label] = max(found[label], cumulative / calls)
    total = sum(own for _, _, own, _, _ in stats.values()) / calls
    own = sorted(((_name(k), v[2] / calls) for k, v in stats.items()),
                 key=lambda kv: -kv[1])
    return PythonProfile(total, found, own[:top])
