"""Forward and reverse mode on a map R^n -> R^m, tanh(W2 tanh(W1 x)): its
full Jacobian both ways, and Hessian-vector products of a scalar energy
with or without the Hessian; exact float64 references by hand."""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

HIDDEN = 128  # width of the hidden layer of the map
Params = dict[str, Any]


def init_chain(n: int, m: int, hidden: int = HIDDEN,
               seed: int = 2) -> Params:
    """float32 W1 (hidden, n) and W2 (m, hidden), scaled 1/sqrt(fan-in)."""
    rng = np.random.default_rng(seed + 7919 * n + m)
    return {"w1": (rng.standard_normal((hidden, n)) / np.sqrt(n)
                   ).astype(np.float32),
            "w2": (rng.standard_normal((m, hidden)) / np.sqrt(hidden)
                   ).astype(np.float32)}


def vectors(n: int, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """A point x and a direction v in R^n, float32."""
    rng = np.random.default_rng(seed + n)
    x, v = rng.standard_normal((2, n)).astype(np.float32)
    return x, v


def chain(params: Params, x: jax.Array) -> jax.Array:
    """The map R^n -> R^m: tanh(W2 tanh(W1 x))."""
    return jnp.tanh(params["w2"] @ jnp.tanh(params["w1"] @ x))


def energy(params: Params, x: jax.Array) -> jax.Array:
    """A scalar of x whose Hessian is dense: half the squared norm."""
    return 0.5 * jnp.sum(chain(params, x) ** 2)


def jacobian_fwd(params: Params, x: jax.Array) -> jax.Array:
    """The m×n Jacobian by forward mode: one JVP per input (n)."""
    return jax.jacfwd(chain, argnums=1)(params, x)


def jacobian_rev(params: Params, x: jax.Array) -> jax.Array:
    """The m×n Jacobian by reverse mode: one VJP per output (m)."""
    return jax.jacrev(chain, argnums=1)(params, x)


def hvp(params: Params, x: jax.Array, v: jax.Array) -> jax.Array:
    """H v by forward-over-reverse: the JVP of the gradient along v."""
    return jax.jvp(lambda x: jax.grad(energy, argnums=1)(params, x),
                   (x,), (v,))[1]


def hessian_times(params: Params, x: jax.Array,
                  v: jax.Array) -> jax.Array:
    """H v by building the n×n Hessian first, then multiplying."""
    return jax.hessian(energy, argnums=1)(params, x) @ v


def exact_jacobian(params: Params, x: np.ndarray) -> np.ndarray:
    """diag(1-u²) W2 diag(1-z²) W1 in float64."""
    w1, w2 = (np.asarray(params[k], dtype=np.float64) for k in ("w1", "w2"))
    z = np.tanh(w1 @ x)
    u = np.tanh(w2 @ z)
    return (1 - u**2)[:, None] * (w2 * (1 - z**2)) @ w1


def exact_hvp(params: Params, x: np.ndarray, v: np.ndarray) -> np.ndarray:
    """H v of `energy` by forward-over-reverse written out, in float64."""
    w1, w2 = (np.asarray(params[k], dtype=np.float64) for k in ("w1", "w2"))
    x, v = np.asarray(x, dtype=np.float64), np.asarray(v, dtype=np.float64)
    z = np.tanh(w1 @ x)
    dz = (1 - z**2) * (w1 @ v)  # tangents of the forward pass
    u = np.tanh(w2 @ z)
    du = (1 - u**2) * (w2 @ dz)
    r_a, dr_a = (1 - u**2) * u, (1 - 3 * u**2) * du  # d/da of u²/2
    r_z, dr_z = w2.T @ r_a, w2.T @ dr_a
    dr_b = (1 - z**2) * dr_z - 2 * z * dz * r_z
    return w1.T @ dr_b


def chain_torch(params: Params, x: Any) -> Any:
    """The map in PyTorch."""
    import torch

    return torch.tanh(params["w2"] @ torch.tanh(params["w1"] @ x))


def energy_torch(params: Params, x: Any) -> Any:
    """The energy in PyTorch."""
    return 0.5 * (chain_torch(params, x) ** 2).sum()


def torch_jacobian_fwd(params: Params, x: Any) -> Any:
    """torch.func.jacfwd of the map."""
    from torch.func import jacfwd

    return jacfwd(chain_torch, argnums=1)(params, x)


def torch_jacobian_rev(params: Params, x: Any) -> Any:
    """torch.func.jacrev of the map."""
    from torch.func import jacrev

    return jacrev(chain_torch, argnums=1)(params, x)


def torch_hvp(params: Params, x: Any, v: Any) -> Any:
    """torch.func: the JVP of the gradient along v."""
    from torch.func import grad, jvp

    return jvp(lambda x: grad(energy_torch, argnums=1)(params, x),
               (x,), (v,))[1]


def torch_hessian_times(params: Params, x: Any, v: Any) -> Any:
    """torch.func.hessian, then a matrix-vector product."""
    from torch.func import hessian

    return hessian(energy_torch, argnums=1)(params, x) @ v


JAX_JACOBIANS = {"jacfwd": jacobian_fwd, "jacrev": jacobian_rev}
JAX_HVPS = {"jvp of grad": hvp, "hessian, then H @ v": hessian_times}
TORCH_JACOBIANS = {"jacfwd": torch_jacobian_fwd,
                   "jacrev": torch_jacobian_rev}
TORCH_HVPS = {"jvp of grad": torch_hvp,
              "hessian, then H @ v": torch_hessian_times}
