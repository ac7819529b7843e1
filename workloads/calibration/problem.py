"""The calibration problem: y = a exp(-b t) + noise, two parameters fitted
by least squares, in float64 on every side; the objective in NumPy, JAX and
PyTorch, and how close two fits must be."""

from typing import Any

import jax.numpy as jnp
import numpy as np

TRUE = (2.0, 0.7)  # a, b of the data the single fit is run on
NOISE = 0.05  # standard deviation of the Gaussian noise
POINTS = 300  # data points of the single fit
T_END = 5.0  # t runs from 0 to T_END
START = (1.0, 0.5)  # every route starts here
GTOL = 1e-6  # stop when max |gradient| < GTOL (each library's own test)
MAX_ITERATIONS = 500  # accepted steps (iterations) at most
OBJECTIVE_RTOL = 1e-8  # fits agree: objectives within this relative gap
PARAMETER_ATOL = 3e-5  # fits agree: a and b within this absolute gap
BATCH_RTOL = 1e-7  # batched fits agree (the gradient test bounds the gap
# in the objective only through the curvature: a few problems need more)


def make_data(points: int = POINTS, seed: int = 0,
              true: tuple[float, float] = TRUE) -> tuple[np.ndarray, ...]:
    """Times t and noisy observations y (float64) from a fixed seed."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, T_END, points)
    y = true[0] * np.exp(-true[1] * t) + NOISE * rng.standard_normal(points)
    return t, y


def loss_numpy(p: np.ndarray, t: np.ndarray, y: np.ndarray) -> float:
    """Half the mean squared residual, in NumPy."""
    r = p[0] * np.exp(-p[1] * t) - y
    return 0.5 * float(np.mean(r * r))


def gradient_max(p: np.ndarray, t: np.ndarray, y: np.ndarray) -> float:
    """max |gradient| of the objective at p, in float64 NumPy: one
    yardstick for where every route stopped, whatever its own test."""
    p = np.asarray(p, dtype=np.float64)
    e = np.exp(-p[1] * t)
    r = p[0] * e - y
    grad = np.array([np.mean(r * e), np.mean(r * -p[0] * t * e)])
    return float(np.max(np.abs(grad)))


def loss_jax(p: Any, t: Any, y: Any) -> Any:
    """Half the mean squared residual, in JAX."""
    r = p[0] * jnp.exp(-p[1] * t) - y
    return 0.5 * jnp.mean(r * r)


def loss_masked(p: Any, t: Any, y: Any, mask: Any) -> Any:
    """The same objective over the points where `mask` is 1 (padding: 0)."""
    r = (p[0] * jnp.exp(-p[1] * t) - y) * mask
    return 0.5 * jnp.sum(r * r) / jnp.sum(mask)


def loss_torch(p: Any, t: Any, y: Any) -> Any:
    """Half the mean squared residual, in PyTorch."""
    import torch

    r = p[0] * torch.exp(-p[1] * t) - y
    return 0.5 * torch.mean(r * r)


def starts_grid() -> np.ndarray:
    """Twenty starting points (a, b) around and away from the answer."""
    a, b = np.meshgrid([0.5, 1.0, 2.0, 4.0], [0.1, 0.3, 1.0, 2.0, 4.0])
    return np.stack([a.ravel(), b.ravel()], axis=1)


def agree(objective: float, reference: float) -> bool:
    """Whether a fit's objective is within OBJECTIVE_RTOL of the best."""
    return abs(objective - reference) <= OBJECTIVE_RTOL * abs(reference)
