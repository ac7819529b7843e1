"""JAX assembly over all elements: the one-element kernels mapped by `vmap`,
their blocks summed into the pattern of K (a segment sum), residuals, the
matrix-free product and the diagonal. Every function here is jitted whole
in the steps below; the mesh arrays are arguments, never constants."""

from typing import Any

import jax
import jax.numpy as jnp

from workloads.fem.element import lame_parameters, reference_gradients
from workloads.fem.kernels import (Array, element_diagonal, element_energy,
                                   element_force, element_stiffness_blocks)
from workloads.fem.mesh import BoxMesh


def device_inputs(mesh: BoxMesh, E: float, nu: float,
                  dtype: Any) -> tuple[Array, ...]:
    """(coords, elements, G, lam, mu) as device arrays in `dtype`: passed
    as arguments, so XLA cannot fold the mesh into the program."""
    lam, mu = lame_parameters(E, nu)
    return (
        jax.device_put(mesh.coords.astype(dtype)),
        jax.device_put(mesh.elements),
        jax.device_put(reference_gradients().astype(dtype)),
        jnp.asarray(lam, dtype),
        jnp.asarray(mu, dtype),
    )


def element_blocks_vmap(coords: Array, elements: Array, G: Array,
                        lam: Array, mu: Array) -> Array:
    """(elements, 8, 8, 3, 3) element stiffness blocks, vmapped."""
    kernel = jax.vmap(element_stiffness_blocks,
                      in_axes=(0, None, None, None))
    return kernel(coords[elements], G, lam, mu)


def element_blocks_autodiff(coords: Array, elements: Array, G: Array,
                            lam: Array, mu: Array) -> Array:
    """(elements, 8, 8, 3, 3) element blocks: Hessians of the element
    energy by forward-over-reverse autodiff, vmapped over elements."""
    hessian = jax.hessian(element_energy, argnums=1)
    X = coords[elements]
    zero = jnp.zeros_like(X)  # the energy is quadratic: any u will do
    H = jax.vmap(hessian, in_axes=(0, 0, None, None, None))(
        X, zero, G, lam, mu)
    return H.transpose(0, 1, 3, 2, 4)  # (e, a, i, b, j) -> (e, a, b, i, j)


def sum_blocks(blocks: Array, block_slots: Array,
               num_blocks: int) -> Array:
    """Add every element block into its global 3x3 block (the BSR
    values); blocks with the same slot are summed."""
    return jax.ops.segment_sum(blocks.reshape(-1, 3, 3),
                               block_slots.ravel(),
                               num_segments=num_blocks)


def scatter_blocks(blocks: Array, block_slots: Array,
                   csr_from_bsr: Array) -> Array:
    """Sum element blocks into BSR values, then gather them into CSR
    order."""
    bsr = sum_blocks(blocks, block_slots, csr_from_bsr.shape[0] // 9)
    return bsr.ravel()[csr_from_bsr]


def scatter_scalars(blocks: Array, scalar_slots: Array, nnz: int) -> Array:
    """The same sum entry by entry: 576 scalar updates per element,
    straight into CSR order."""
    entries = blocks.transpose(0, 1, 3, 2, 4).ravel()  # as scalar_slots
    return jax.ops.segment_sum(entries, scalar_slots.ravel(),
                               num_segments=nnz)


@jax.jit
def stiffness_vmap(coords: Array, elements: Array, block_slots: Array,
                   csr_from_bsr: Array, G: Array, lam: Array,
                   mu: Array) -> Array:
    """CSR values of K: element blocks by vmap, summed as 3x3 blocks,
    gathered into CSR order."""
    blocks = element_blocks_vmap(coords, elements, G, lam, mu)
    return scatter_blocks(blocks, block_slots, csr_from_bsr)


@jax.jit
def stiffness_autodiff(coords: Array, elements: Array, block_slots: Array,
                       csr_from_bsr: Array, G: Array, lam: Array,
                       mu: Array) -> Array:
    """CSR values of K with element matrices from jax.hessian of the
    element strain energy."""
    blocks = element_blocks_autodiff(coords, elements, G, lam, mu)
    return scatter_blocks(blocks, block_slots, csr_from_bsr)


@jax.jit
def residual_vmap(coords: Array, elements: Array, u: Array, G: Array,
                  lam: Array, mu: Array) -> Array:
    """r(u) = K u: element forces by vmap over elements, then a segment
    sum of 3-vectors into their nodes."""
    U = u.reshape(-1, 3)[elements]
    kernel = jax.vmap(element_force, in_axes=(0, 0, None, None, None))
    forces = kernel(coords[elements], U, G, lam, mu)  # (e, 8, 3)
    r = jax.ops.segment_sum(forces.reshape(-1, 3), elements.ravel(),
                            num_segments=coords.shape[0])
    return r.ravel()


@jax.jit
def residual_autodiff(coords: Array, elements: Array, u: Array, G: Array,
                      lam: Array, mu: Array) -> Array:
    """r(u) as the gradient of the total strain energy: reverse mode
    writes the scatter."""
    energy = jax.vmap(element_energy, in_axes=(0, 0, None, None, None))

    def total_energy(u: Array) -> Array:
        U = u.reshape(-1, 3)[elements]
        return energy(coords[elements], U, G, lam, mu).sum()

    return jax.grad(total_energy)(u)


@jax.jit
def jacobian_vector_product(coords: Array, elements: Array, u: Array,
                            v: Array, G: Array, lam: Array,
                            mu: Array) -> Array:
    """Matrix-free J(u) v, the derivative of r(u + t v) at t = 0, by
    forward-mode autodiff of the residual: no matrix is formed."""

    def residual(u: Array) -> Array:
        return residual_vmap(coords, elements, u, G, lam, mu)

    return jax.jvp(residual, (u,), (v,))[1]


@jax.jit
def diagonal_vmap(coords: Array, elements: Array, G: Array, lam: Array,
                  mu: Array) -> Array:
    """diag(K) without K: each element's diagonal, summed per dof."""
    kernel = jax.vmap(element_diagonal, in_axes=(0, None, None, None))
    diagonals = kernel(coords[elements], G, lam, mu)  # (e, 8, 3)
    d = jax.ops.segment_sum(diagonals.reshape(-1, 3), elements.ravel(),
                            num_segments=coords.shape[0])
    return d.ravel()
