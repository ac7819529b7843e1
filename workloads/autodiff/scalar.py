"""A smooth scalar function of one variable, its derivative at many points
taken every way JAX and PyTorch offer, and the exact derivative."""

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

POINTS = 1_000  # the size at which the full-Jacobian ways are also run
LOW, HIGH = -4.0, 4.0


def points(n: int = POINTS) -> np.ndarray:
    """`n` float32 points spread over [LOW, HIGH]."""
    return np.linspace(LOW, HIGH, n, dtype=np.float32)


def f(x: jax.Array) -> jax.Array:
    """sin(x) exp(-x²/10) + x³/30, elementwise."""
    return jnp.sin(x) * jnp.exp(-x**2 / 10) + x**3 / 30


def f_exact(x: np.ndarray) -> np.ndarray:
    """f itself in float64: the reference of the floor (f alone)."""
    x = np.asarray(x, dtype=np.float64)
    return np.sin(x) * np.exp(-x**2 / 10) + x**3 / 30


def df_exact(x: np.ndarray) -> np.ndarray:
    """f'(x) by hand, in float64: the reference every way is checked on."""
    x = np.asarray(x, dtype=np.float64)
    bump = np.exp(-x**2 / 10)
    return (np.cos(x) - x / 5 * np.sin(x)) * bump + x**2 / 10


def grad_vmap(x: jax.Array) -> jax.Array:
    """The derivative at one point, mapped over all points."""
    return jax.vmap(jax.grad(f))(x)


def grad_of_sum(x: jax.Array) -> jax.Array:
    """One reverse pass: d/dx_i of sum_j f(x_j) is f'(x_i)."""
    return jax.grad(lambda x: f(x).sum())(x)


def jvp_of_ones(x: jax.Array) -> jax.Array:
    """One forward pass: the Jacobian is diagonal, so J·1 is f'."""
    return jax.jvp(f, (x,), (jnp.ones_like(x),))[1]


def jacfwd_diagonal(x: jax.Array) -> jax.Array:
    """The full n×n Jacobian in forward mode, then its diagonal."""
    return jnp.diagonal(jax.jacfwd(f)(x))


def jacrev_diagonal(x: jax.Array) -> jax.Array:
    """The full n×n Jacobian in reverse mode, then its diagonal."""
    return jnp.diagonal(jax.jacrev(f)(x))


def jacfwd_whole(x: jax.Array) -> jax.Array:
    """The full n×n Jacobian in forward mode, returned whole."""
    return jax.jacfwd(f)(x)


JAX_WAYS: dict[str, Callable[[jax.Array], jax.Array]] = {
    "vmap(grad(f))": grad_vmap,
    "grad(sum f)": grad_of_sum,
    "jvp(f, ones)": jvp_of_ones,
    "diag(jacfwd(f))": jacfwd_diagonal,
    "diag(jacrev(f))": jacrev_diagonal,
    "jacfwd(f), whole": jacfwd_whole,
}
FULL_JACOBIAN = ("diag(jacfwd(f))", "diag(jacrev(f))", "jacfwd(f), whole",
                 "func.jacrev(f), whole")  # n² entries: run at POINTS only
FLOOR = "f alone"  # the forward function, no derivative: each side's floor


def derivative(result: np.ndarray) -> np.ndarray:
    """The derivative from a way's result: a whole Jacobian's diagonal."""
    result = np.asarray(result)
    return np.diagonal(result) if result.ndim == 2 else result


def f_torch(x: Any) -> Any:
    """f in PyTorch."""
    import torch

    return torch.sin(x) * torch.exp(-x**2 / 10) + x**3 / 30


def torch_backward_of_sum(x: Any) -> Any:
    """torch.autograd: one backward pass of the sum, as in training."""
    import torch

    x = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(f_torch(x).sum(), x)
    return g


def torch_vmap_grad(x: Any) -> Any:
    """torch.func: the derivative at one point, mapped over all points."""
    from torch.func import grad, vmap

    return vmap(grad(f_torch))(x)


def torch_jvp_of_ones(x: Any) -> Any:
    """torch.func: one forward pass along a vector of ones, as in JAX."""
    import torch
    from torch.func import jvp

    return jvp(f_torch, (x,), (torch.ones_like(x),))[1]


def torch_jacrev_whole(x: Any) -> Any:
    """torch.func: the full n×n Jacobian in reverse mode, returned whole."""
    from torch.func import jacrev

    return jacrev(f_torch)(x)


TORCH_WAYS: dict[str, Callable[[Any], Any]] = {
    "autograd, sum": torch_backward_of_sum,
    "func.vmap(grad)": torch_vmap_grad,
    "func.jvp(f, ones)": torch_jvp_of_ones,
    "func.jacrev(f), whole": torch_jacrev_whole,
}
TORCH_COMPILED = ("autograd, sum", "func.vmap(grad)", "func.jvp(f, ones)")
