"""JAX kernels for one element: shape-function gradients at a Gauss point,
the element's stiffness blocks, strain energy, internal force and the
diagonal of its stiffness. `vmap` maps them over elements (assembly.py)."""

import jax
import jax.numpy as jnp

from workloads.fem.element import inverse_and_det_3x3

Array = jax.Array


def point_gradients(X: Array, G_g: Array) -> tuple[Array, Array]:
    """One element X (8, 3) at one Gauss point: dN/dx (8, 3) and det J.

    G_g holds dN/dxi at the point; the 2x2x2 Gauss weights are all 1.
    """
    J = G_g.T @ X  # J[i, j] = dx_j / dxi_i
    inverse, det = inverse_and_det_3x3(J)
    return G_g @ inverse.T, det


def element_stiffness_blocks(X: Array, G: Array, lam: Array,
                             mu: Array) -> Array:
    """One element's stiffness as 8x8 blocks of 3x3: K[a, b, i, j].

    S[a, b, i, j] = sum_g det J_g dNa/dx_i dNb/dx_j, then block by block
    K = lam S + mu S^T + mu tr(S) I. The sum over the 8 Gauss points is
    written out: XLA:CPU fuses it into one pass over the elements.
    """
    point = jax.vmap(point_gradients, in_axes=(None, 0))
    dN, det = point(X, G)  # (8 points, 8 nodes, 3), (8 points,)
    S = sum(det[g] * dN[g][:, None, :, None] * dN[g][None, :, None, :]
            for g in range(8))
    trace = S[..., 0, 0] + S[..., 1, 1] + S[..., 2, 2]
    eye = jnp.eye(3, dtype=S.dtype)
    S_t = jnp.swapaxes(S, -1, -2)
    return lam * S + mu * S_t + mu * trace[..., None, None] * eye


def element_energy(X: Array, U: Array, G: Array, lam: Array,
                   mu: Array) -> Array:
    """One element's strain energy for nodal displacements U (8, 3):
    sum_g det J_g (lam/2 tr(eps)^2 + mu eps:eps)."""
    dN, det = jax.vmap(point_gradients, in_axes=(None, 0))(X, G)
    grad = jnp.einsum("ai,gaj->gij", U, dN)  # du_i/dx_j per point
    strain = 0.5 * (grad + jnp.swapaxes(grad, 1, 2))
    trace = jnp.trace(strain, axis1=1, axis2=2)
    squares = jnp.sum(strain * strain, axis=(1, 2))
    return jnp.sum(det * (0.5 * lam * trace**2 + mu * squares))


def element_force(X: Array, U: Array, G: Array, lam: Array,
                  mu: Array) -> Array:
    """One element's internal force (8, 3): sum_g det J_g dN sigma(u)."""
    eye = jnp.eye(3, dtype=X.dtype)

    def at_point(G_g: Array) -> Array:
        dN, det = point_gradients(X, G_g)
        grad = U.T @ dN  # du_i / dx_j
        strain = 0.5 * (grad + grad.T)
        stress = lam * jnp.trace(strain) * eye + 2 * mu * strain
        return det * dN @ stress

    return sum(at_point(G[g]) for g in range(8))


def element_diagonal(X: Array, G: Array, lam: Array, mu: Array) -> Array:
    """The diagonal of one element's stiffness, (8, 3):
    sum_g det J_g ((lam + mu) dNa_i^2 + mu |dNa|^2)."""
    dN, det = jax.vmap(point_gradients, in_axes=(None, 0))(X, G)
    squares = dN * dN  # (g, a, i)
    per_point = (lam + mu) * squares + mu * squares.sum(-1, keepdims=True)
    return jnp.einsum("g,gai->ai", det, per_point)
