"""Many independent calibrations: one vmapped, jitted solve for all of them,
or single fits in a Python loop, one problem after another."""

from collections.abc import Callable, Sequence
from typing import Any

import jax
import numpy as np

from workloads.calibration.fit import Fit
from workloads.calibration.jax_routes import solve_optax
from workloads.calibration.problem import NOISE, POINTS, T_END


def make_problems(count: int, seed: int = 1, points: int = POINTS
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """t, `count` data sets y (count, points), each with its own true a, b;
    the first k problems are the same whatever the count."""
    u = np.random.default_rng([seed, 0]).uniform(size=(count, 2))
    true = np.array([1.0, 0.3]) + u * np.array([2.0, 1.2])  # a, b
    noise = np.random.default_rng([seed, 1]).standard_normal((count, points))
    t = np.linspace(0.0, T_END, points)
    y = true[:, :1] * np.exp(-true[:, 1:] * t)
    return t, y + NOISE * noise, true


def batched_solver(route: Callable[..., tuple] = solve_optax
                   ) -> Callable[..., tuple]:
    """One jitted solve of many problems: vmap over the data sets y."""
    return jax.jit(jax.vmap(route, in_axes=(None, None, 0)))


def solve_each(solve: Callable[..., Any], x0: Any, t: Any,
               ys: Sequence[Any], *args: Any) -> list[Any]:
    """One solve per data set, in a Python loop."""
    return [solve(x0, t, y, *args) for y in ys]


def fits_of(fits: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Final objectives and iterations of a loop's fits (Fit or tuple)."""
    if fits and isinstance(fits[0], Fit):
        return (np.array([f.objective for f in fits]),
                np.array([f.iterations for f in fits]))
    return (np.array([float(f[1]) for f in fits]),
            np.array([int(f[2]) for f in fits]))
