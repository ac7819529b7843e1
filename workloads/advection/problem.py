"""The loops chapter's problem: a density field carried along axis 0 by a jet,
one explicit step in NumPy, JAX and PyTorch, and how far two results may
differ."""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

SHAPE = (512, 128)
DT = 0.01  # grid units; see growth_bound for why not the post's 0.1


def initial_fields(shape: tuple[int, int] = SHAPE) -> dict[str, np.ndarray]:
    """Coordinates x, y; float32 density (a blob) and velocity (a jet)."""
    x = np.linspace(-32, 32, shape[0])
    y = np.linspace(-16, 16, shape[1])
    xm, ym = np.meshgrid(x, y, indexing="ij")
    density = np.exp(-0.05 * (xm + 12) ** 2 - 0.01 * (ym - 2) ** 2)
    velocity = np.exp(-0.02 * ym**2)
    return {
        "x": x,
        "y": y,
        "density": density.astype(np.float32),
        "velocity": velocity.astype(np.float32),
    }


def step_numpy(d: np.ndarray, v: np.ndarray, dt: float = DT) -> np.ndarray:
    """One explicit step of dd/dt = -v dd/dx in NumPy."""
    return d + dt * (-v * np.gradient(d, axis=0))


def run_numpy(d: np.ndarray, v: np.ndarray, steps: int,
              dt: float = DT) -> np.ndarray:
    """`steps` steps in a NumPy loop."""
    for _ in range(steps):
        d = step_numpy(d, v, dt)
    return d


def step_jax(d: jax.Array, v: jax.Array, dt: float = DT) -> jax.Array:
    """One explicit step of dd/dt = -v dd/dx in JAX."""
    return d + dt * (-v * jnp.gradient(d, axis=0))


def step_torch(d: Any, v: Any, dt: float = DT) -> Any:
    """One explicit step of dd/dt = -v dd/dx in PyTorch."""
    import torch

    return d + dt * (-v * torch.gradient(d, dim=0)[0])


def growth_bound(velocity: np.ndarray, steps: int, dt: float = DT) -> float:
    """Worst growth of a grid mode in `steps` steps: (1 + (v dt)^2)^(n/2)."""
    courant = float(np.max(np.abs(velocity))) * dt
    return float((1 + courant**2) ** (steps / 2))


def tolerance(velocity: np.ndarray, steps: int, dt: float = DT) -> float:
    """Allowed float32 difference: 16 eps sqrt(steps) x growth bound."""
    eps = float(np.finfo(np.float32).eps)
    growth = growth_bound(velocity, steps, dt)
    return 16 * eps * float(np.sqrt(max(steps, 1))) * growth
