"""Solving K u = 0 with prescribed displacements: sparse direct (SuperLU),
SciPy's conjugate gradients on the assembled matrix, and a matrix-free CG
in JAX whose products are Jacobian-vector products of the residual."""

import jax
import jax.numpy as jnp
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from workloads.fem.assembly import (diagonal_vmap, jacobian_vector_product,
                                    residual_vmap)
from workloads.fem.kernels import Array


def _split(K: sp.spmatrix, fixed: np.ndarray,
           values: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """K_ff and the right-hand side -K_fc u_c of the free dofs."""
    free = ~fixed
    K = sp.csr_matrix(K)[free]
    return K[:, free], -(K[:, fixed] @ values[fixed])


def solve_direct(K: sp.spmatrix, fixed: np.ndarray,
                 values: np.ndarray) -> np.ndarray:
    """u = values on fixed dofs and (K u)_free = 0, by sparse LU."""
    K_ff, rhs = _split(K, fixed, values)
    u = values.copy()
    u[~fixed] = spla.splu(K_ff.tocsc()).solve(rhs)
    return u


def solve_cg(K: sp.spmatrix, fixed: np.ndarray, values: np.ndarray,
             rtol: float = 1e-8) -> tuple[np.ndarray, int]:
    """The same solve by SciPy's Jacobi-preconditioned CG on K_ff.
    Returns (u, iterations)."""
    K_ff, rhs = _split(K, fixed, values)
    iterations = 0

    def count(_: np.ndarray) -> None:
        nonlocal iterations
        iterations += 1

    jacobi = sp.diags(1.0 / K_ff.diagonal())
    u_free, info = spla.cg(K_ff, rhs, rtol=rtol, atol=0.0, M=jacobi,
                           maxiter=10 * len(rhs), callback=count)
    if info != 0:
        raise RuntimeError(f"SciPy CG did not converge to rtol={rtol} in"
                           f" {iterations} iterations")
    u = values.copy()
    u[~fixed] = u_free
    return u, iterations


@jax.jit
def matrix_free_cg(coords: Array, elements: Array, fixed: Array,
                   values: Array, G: Array, lam: Array, mu: Array,
                   rtol: float) -> tuple[Array, Array]:
    """Solve r(u) = 0 on free dofs by Jacobi-preconditioned CG, where K v
    is a Jacobian-vector product of the residual (no matrix) and diag(K)
    is summed element by element. Returns (u, iterations)."""
    free = (~fixed).astype(values.dtype)

    def apply(v: Array) -> Array:  # K_ff v, with v zero on fixed dofs
        return free * jacobian_vector_product(
            coords, elements, values, free * v, G, lam, mu)

    b = -free * residual_vmap(coords, elements, values, G, lam, mu)
    diagonal = diagonal_vmap(coords, elements, G, lam, mu)
    inverse_diagonal = free / jnp.where(fixed, 1.0, diagonal)
    bound = (rtol * jnp.linalg.norm(b)) ** 2

    def body(state: tuple) -> tuple:
        x, r, z, p, rz, k = state
        Ap = apply(p)
        alpha = rz / jnp.vdot(p, Ap)
        x, r = x + alpha * p, r - alpha * Ap
        z = inverse_diagonal * r
        rz_new = jnp.vdot(r, z)
        return x, r, z, z + (rz_new / rz) * p, rz_new, k + 1

    def not_converged(state: tuple) -> Array:
        r, k = state[1], state[5]
        return (jnp.vdot(r, r) > bound) & (k < 10 * b.size)

    z = inverse_diagonal * b
    state = (jnp.zeros_like(b), b, z, z, jnp.vdot(b, z), 0)
    x, *_, iterations = jax.lax.while_loop(not_converged, body, state)
    return values + x, iterations
