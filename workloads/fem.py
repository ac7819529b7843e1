"""Hex8 linear elasticity on the unit cube: mesh, element kernels, global assembly and solves.

The problem of the Folax study `examples/performance_study/matrix_vector_perf.py`: an n x n x n
box of trilinear hexahedra, 2x2x2 Gauss points, isotropic linear elasticity. Nodes are numbered
x fastest, then y, then z; degree of freedom (dof) `3 * node + component`.

Every method computes the same stiffness matrix K (SciPy CSR, duplicates summed, indices sorted)
and the same internal-force residual r(u) = K u. `prepare_stiffness` and `prepare_residual` return
a `Prepared` step: `fn(*args)` is what a benchmark times; everything that depends only on the mesh
(sparsity pattern, device arrays, jitted functions) is built beforehand. JAX methods compute in
the dtype they are given; float64 needs `jax_enable_x64`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

STIFFNESS_METHODS = ("numpy_loop", "numpy_vectorized", "numpy_slots", "jax_vmap", "jax_autodiff", "scikit_fem")
RESIDUAL_METHODS = ("numpy_loop", "numpy_slots", "jax_vmap", "jax_autodiff", "jax_jvp", "scikit_fem")

# Reference hexahedron [-1, 1]^3: corners in the usual order (bottom face counter-clockwise, then
# the top face), and the 2x2x2 Gauss rule: points at +-1/sqrt(3), all weights 1.
CORNERS = np.array(
    [[-1, -1, -1], [1, -1, -1], [1, 1, -1], [-1, 1, -1], [-1, -1, 1], [1, -1, 1], [1, 1, 1], [-1, 1, 1]],
    dtype=np.float64,
)
GAUSS_POINTS = CORNERS / np.sqrt(3.0)
GAUSS_WEIGHTS = np.ones(8)


# ---------------------------------------------------------------------------------------------
# Mesh, material, reference element
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoxMesh:
    """Node coordinates (num_nodes, 3) and hex8 connectivity (num_elements, 8) of an n^3 box."""

    n: int
    coords: np.ndarray
    elements: np.ndarray

    @property
    def num_nodes(self) -> int:
        return len(self.coords)

    @property
    def num_elements(self) -> int:
        return len(self.elements)

    @property
    def num_dofs(self) -> int:
        return 3 * self.num_nodes

    @cached_property
    def element_dofs(self) -> np.ndarray:
        """(num_elements, 24) global dofs of each element, node by node: 3 * node + component."""
        return (3 * self.elements[:, :, None] + np.arange(3)).reshape(-1, 24).astype(np.int32)


def box_mesh(n: int, jitter: float = 0.0, seed: int = 0) -> BoxMesh:
    """Unit cube of n^3 hex8 elements; node (i, j, k) is numbered i + (n+1) * (j + (n+1) * k).

    `jitter` > 0 moves every interior node by up to `jitter` element sizes in each direction
    (below 0.25 the elements stay valid): distorted elements for patch tests.
    """
    if n < 1:
        raise ValueError(f"box_mesh needs at least one element per side, got n={n}")
    if not 0.0 <= jitter < 0.25:
        raise ValueError(f"jitter must be in [0, 0.25) element sizes to keep elements valid, got {jitter}")
    ticks = np.linspace(0.0, 1.0, n + 1)
    z, y, x = np.meshgrid(ticks, ticks, ticks, indexing="ij")  # C order: x varies fastest
    coords = np.stack([x.ravel(), y.ravel(), z.ravel()], axis=1)
    if jitter:
        interior = np.all((coords > 0) & (coords < 1), axis=1)
        rng = np.random.default_rng(seed)
        coords[interior] += rng.uniform(-jitter / n, jitter / n, (int(interior.sum()), 3))
    k, j, i = (a.ravel() for a in np.meshgrid(*3 * (np.arange(n),), indexing="ij"))  # x fastest
    corner = ((CORNERS + 1) // 2).astype(int)  # (8, 3) offsets 0/1 of each corner
    elements = (i[:, None] + corner[:, 0]) + (n + 1) * ((j[:, None] + corner[:, 1]) + (n + 1) * (k[:, None] + corner[:, 2]))
    return BoxMesh(n, coords, elements.astype(np.int32))


def lame_parameters(E: float, nu: float) -> tuple[float, float]:
    """Lame's (lambda, mu) from Young's modulus E and Poisson's ratio nu."""
    return E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))


def voigt_elasticity(E: float, nu: float) -> np.ndarray:
    """6x6 isotropic elasticity matrix D, Voigt order xx, yy, zz, yz, xz, xy (engineering shear)."""
    lam, mu = lame_parameters(E, nu)
    D = np.zeros((6, 6))
    D[:3, :3] = lam
    D[np.arange(3), np.arange(3)] += 2 * mu
    D[np.arange(3, 6), np.arange(3, 6)] = mu
    return D


def reference_gradients() -> np.ndarray:
    """(8 Gauss points, 8 nodes, 3): derivatives of the trilinear shape functions N_a(xi)."""
    s = CORNERS[None, :, :]  # (1, a, 3)
    factors = 1 + s * GAUSS_POINTS[:, None, :]  # (g, a, 3): 1 + s_i xi_i per direction
    grads = np.empty((8, 8, 3))
    for d in range(3):
        e, f = [k for k in range(3) if k != d]
        grads[:, :, d] = s[:, :, d] * factors[:, :, e] * factors[:, :, f] / 8
    return grads


def inverse_and_det_3x3(J: Any, xp: Any = jnp) -> tuple[Any, Any]:
    """Inverse and determinant of (..., 3, 3) matrices by cofactors (no LAPACK call per matrix)."""
    a, b, c = J[..., 0, 0], J[..., 0, 1], J[..., 0, 2]
    d, e, f = J[..., 1, 0], J[..., 1, 1], J[..., 1, 2]
    g, h, i = J[..., 2, 0], J[..., 2, 1], J[..., 2, 2]
    cof = [e * i - f * h, c * h - b * i, b * f - c * e,
           f * g - d * i, a * i - c * g, c * d - a * f,
           d * h - e * g, b * g - a * h, a * e - b * d]  # fmt: skip
    det = a * cof[0] + b * cof[3] + c * cof[6]
    adjugate = xp.stack(cof, axis=-1).reshape(*J.shape[:-2], 3, 3)
    return adjugate / det[..., None, None], det


# ---------------------------------------------------------------------------------------------
# Sparsity pattern: built once per mesh
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsrPattern:
    """CSR structure of K and where each element contribution goes.

    The global matrix is a grid of 3x3 blocks, one per pair of neighbouring nodes (BSR). Element
    e's block (a, b) is added into block `block_slots[e, a, b]`; `csr_from_bsr` then reorders the
    BSR values into CSR order (a gather). `scalar_slots` is the CSR position of every single entry.
    """

    indptr: np.ndarray
    indices: np.ndarray
    block_slots: np.ndarray  # (num_elements, 8, 8) int32
    csr_from_bsr: np.ndarray  # (nnz,) int32: CSR value k is BSR value csr_from_bsr[k]
    num_dofs: int

    @property
    def nnz(self) -> int:
        return len(self.indices)

    @property
    def num_blocks(self) -> int:
        return self.nnz // 9

    @cached_property
    def scalar_slots(self) -> np.ndarray:
        """(num_elements, 24, 24) int32: CSR position of each element-matrix entry (a i, b j)."""
        bsr_to_csr = np.empty(self.nnz, np.int64)
        bsr_to_csr[self.csr_from_bsr] = np.arange(self.nnz)
        flat = 9 * self.block_slots[:, :, None, :, None] + 3 * np.arange(3)[:, None, None] + np.arange(3)
        return bsr_to_csr[flat].reshape(-1, 24, 24).astype(np.int32)

    def matrix(self, data: Any) -> sp.csr_matrix:
        """SciPy CSR matrix with these values (copied to host memory, as float64)."""
        values = np.asarray(data, dtype=np.float64)
        return sp.csr_matrix((values, self.indices, self.indptr), shape=(self.num_dofs,) * 2)


def csr_pattern(mesh: BoxMesh) -> CsrPattern:
    """The CSR pattern of K: node adjacency first, then a 3x3 block per pair of neighbouring nodes."""
    rows = np.repeat(mesh.elements, 8, axis=1)  # (e, a*8+b) -> node of a
    cols = np.tile(mesh.elements, (1, 8))  # (e, a*8+b) -> node of b
    ones = np.ones(rows.size, np.int8)
    adjacency = sp.csr_matrix((ones, (rows.ravel(), cols.ravel())), shape=(mesh.num_nodes,) * 2)
    adjacency.sort_indices()
    ptr, neighbours = adjacency.indptr.astype(np.int64), adjacency.indices.astype(np.int64)
    degree = np.diff(ptr)
    # Block k = ptr[i] + p holds node pair (i, neighbours[k]); neighbours sorted in each row.
    keys = np.repeat(np.arange(mesh.num_nodes, dtype=np.int64), degree) * mesh.num_nodes + neighbours
    block_slots = np.searchsorted(keys, rows.astype(np.int64) * mesh.num_nodes + cols)
    # Dof row 3i+c starts at 9 ptr[i] + 3 deg[i] c; within it, block k's columns 3j..3j+2 start at 3p.
    row_of_block = np.repeat(np.arange(mesh.num_nodes), degree)
    p = np.arange(len(keys)) - ptr[row_of_block]
    c, d = np.arange(3)[:, None], np.arange(3)[None, :]
    start = 9 * ptr[row_of_block] + 3 * p
    csr_position = start[:, None, None] + 3 * degree[row_of_block][:, None, None] * c + d  # (blocks, 3, 3)
    csr_from_bsr = np.empty(9 * len(keys), np.int64)
    csr_from_bsr[csr_position.ravel()] = np.arange(9 * len(keys))
    indptr = np.append((9 * ptr[:-1, None] + 3 * degree[:, None] * np.arange(3)).ravel(), 9 * ptr[-1])
    columns = (3 * neighbours[:, None, None] + np.zeros((1, 3, 1), np.int64) + d).reshape(-1, 3, 3)
    indices = np.empty(9 * len(keys), np.int64)
    indices[csr_position.ravel()] = columns.ravel()
    return CsrPattern(
        indptr.astype(np.int32),
        indices.astype(np.int32),
        block_slots.reshape(-1, 8, 8).astype(np.int32),
        csr_from_bsr.astype(np.int32),
        mesh.num_dofs,
    )


# ---------------------------------------------------------------------------------------------
# NumPy: the per-element reference loop and the vectorised (einsum) version
# ---------------------------------------------------------------------------------------------


def _coo_to_csr(values: np.ndarray, rows: np.ndarray, cols: np.ndarray, size: int) -> sp.csr_matrix:
    """SciPy's COO -> CSR conversion, which sums duplicate entries, with sorted indices."""
    K = sp.coo_matrix((values, (rows, cols)), shape=(size, size)).tocsr()
    K.sort_indices()
    return K


def b_matrix(dNdx: np.ndarray) -> np.ndarray:
    """6x24 strain-displacement matrix B of one point, Voigt order xx, yy, zz, yz, xz, xy."""
    B = np.zeros((6, 24))
    for i in range(3):
        B[i, i::3] = dNdx[:, i]
    B[3, 1::3], B[3, 2::3] = dNdx[:, 2], dNdx[:, 1]
    B[4, 0::3], B[4, 2::3] = dNdx[:, 2], dNdx[:, 0]
    B[5, 0::3], B[5, 1::3] = dNdx[:, 1], dNdx[:, 0]
    return B


def stiffness_numpy_loop(coords: np.ndarray, elements: np.ndarray, E: float, nu: float) -> sp.csr_matrix:
    """Reference: element by element, Ke = sum_g w detJ B^T D B, then SciPy COO -> CSR."""
    D, G = voigt_elasticity(E, nu), reference_gradients()
    rows, cols, values = [], [], []
    for nodes in elements:
        X = coords[nodes]
        Ke = np.zeros((24, 24))
        for g in range(8):
            J = G[g].T @ X  # J[i, j] = dx_j / dxi_i
            B = b_matrix(G[g] @ np.linalg.inv(J).T)
            Ke += GAUSS_WEIGHTS[g] * np.linalg.det(J) * (B.T @ D @ B)
        dofs = (3 * nodes[:, None] + np.arange(3)).ravel()
        rows.append(np.repeat(dofs, 24))
        cols.append(np.tile(dofs, 24))
        values.append(Ke.ravel())
    size = 3 * len(coords)
    return _coo_to_csr(np.concatenate(values), np.concatenate(rows), np.concatenate(cols), size)


def residual_numpy_loop(coords: np.ndarray, elements: np.ndarray, u: np.ndarray, E: float, nu: float) -> np.ndarray:
    """Reference: element by element, f_e = sum_g w detJ B^T D B u_e, added into r."""
    D, G = voigt_elasticity(E, nu), reference_gradients()
    r = np.zeros(3 * len(coords))
    for nodes in elements:
        X = coords[nodes]
        dofs = (3 * nodes[:, None] + np.arange(3)).ravel()
        fe = np.zeros(24)
        for g in range(8):
            J = G[g].T @ X
            B = b_matrix(G[g] @ np.linalg.inv(J).T)
            fe += GAUSS_WEIGHTS[g] * np.linalg.det(J) * (B.T @ (D @ (B @ u[dofs])))
        r[dofs] += fe
    return r


def _numpy_gradients(X: np.ndarray, G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """dN/dx (e, g, a, 3) and w detJ (e, g) of all elements X (e, 8, 3) at once."""
    J = np.einsum("gai,eaj->egij", G, X)
    inv, det = inverse_and_det_3x3(J, np)
    return np.einsum("gai,egji->egaj", G, inv), det * GAUSS_WEIGHTS


def numpy_element_matrices(coords: np.ndarray, elements: np.ndarray, lam: float, mu: float) -> np.ndarray:
    """(e, 24, 24) element stiffness matrices of all elements at once with np.einsum, rows and
    columns in dof order (a i), (b j).

    K[a i, b j] = sum_g w detJ (lam dNa_i dNb_j + mu dNa_j dNb_i + mu delta_ij dNa . dNb).
    """
    dN, wdet = _numpy_gradients(coords[elements], reference_gradients())
    S = np.einsum("eg,egai,egbj->eaibj", wdet, dN, dN, optimize=True)
    trace = np.einsum("eakbk->eab", S)
    K = lam * S + mu * S.transpose(0, 1, 4, 3, 2)
    for i in range(3):  # + mu tr(S) delta_ij, in place: no identity multiply
        K[:, :, i, :, i] += mu * trace
    return K.reshape(-1, 24, 24)


def stiffness_numpy_vectorized(
    coords: np.ndarray, elements: np.ndarray, rows: np.ndarray, cols: np.ndarray, lam: float, mu: float
) -> sp.csr_matrix:
    """All element matrices at once, then SciPy COO -> CSR, which rebuilds the pattern (sorting
    and summing duplicates) in every call."""
    K = numpy_element_matrices(coords, elements, lam, mu)
    return _coo_to_csr(K.ravel(), rows, cols, 3 * len(coords))


def stiffness_numpy_slots(
    coords: np.ndarray, elements: np.ndarray, slots: np.ndarray, nnz: int, lam: float, mu: float
) -> np.ndarray:
    """CSR values of K as the JAX methods make them: all element matrices at once, then one
    np.bincount into the precomputed CSR position of every entry (`CsrPattern.scalar_slots`)."""
    K = numpy_element_matrices(coords, elements, lam, mu)
    return np.bincount(slots, weights=K.ravel(), minlength=nnz)


def residual_numpy_slots(
    coords: np.ndarray, elements: np.ndarray, dofs: np.ndarray, u: np.ndarray, lam: float, mu: float
) -> np.ndarray:
    """All element forces at once with np.einsum, then np.bincount into the precomputed global
    dof of every element entry (`dofs`, flat, as `BoxMesh.element_dofs`)."""
    dN, wdet = _numpy_gradients(coords[elements], reference_gradients())
    U = u.reshape(-1, 3)[elements]  # (e, a, 3)
    grad = np.einsum("eai,egaj->egij", U, dN)
    strain = 0.5 * (grad + grad.transpose(0, 1, 3, 2))
    trace = np.einsum("egii->eg", strain)
    stress = 2 * mu * strain + lam * trace[..., None, None] * np.eye(3)
    fe = np.einsum("eg,egij,egaj->eai", wdet, stress, dN)
    return np.bincount(dofs, weights=fe.ravel(), minlength=u.size)


# ---------------------------------------------------------------------------------------------
# JAX: kernels for one element (vmapped over elements and Gauss points), then a segment sum
# ---------------------------------------------------------------------------------------------


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

    def at_point(G_g):
        dN, det = point_gradients(X, G_g)
        grad = U.T @ dN  # du_i / dx_j
        strain = 0.5 * (grad + grad.T)
        stress = lam * jnp.trace(strain) * eye + 2 * mu * strain
        return det * dN @ stress

    return sum(at_point(G[g]) for g in range(8))


def element_blocks_vmap(coords, elements, G, lam, mu):
    """(elements, 8, 8, 3, 3) element stiffness blocks, vmapped."""
    kernel = jax.vmap(element_stiffness_blocks,
                      in_axes=(0, None, None, None))
    return kernel(coords[elements], G, lam, mu)


def element_blocks_autodiff(coords, elements, G, lam, mu):
    """(elements, 8, 8, 3, 3) element blocks: Hessians of the element
    energy by forward-over-reverse autodiff, vmapped over elements."""
    hessian = jax.hessian(element_energy, argnums=1)
    X = coords[elements]
    zero = jnp.zeros_like(X)  # the energy is quadratic: any u will do
    H = jax.vmap(hessian, in_axes=(0, 0, None, None, None))(
        X, zero, G, lam, mu)
    return H.transpose(0, 1, 3, 2, 4)  # (e, a, i, b, j) -> (e, a, b, i, j)


def sum_blocks(blocks, block_slots, num_blocks: int):
    """Add every element block into its global 3x3 block (the BSR
    values); blocks with the same slot are summed."""
    return jax.ops.segment_sum(blocks.reshape(-1, 3, 3),
                               block_slots.ravel(),
                               num_segments=num_blocks)


def scatter_blocks(blocks, block_slots, csr_from_bsr):
    """Sum element blocks into BSR values, then gather them into CSR
    order."""
    bsr = sum_blocks(blocks, block_slots, csr_from_bsr.shape[0] // 9)
    return bsr.ravel()[csr_from_bsr]


def scatter_scalars(blocks, scalar_slots, nnz: int):
    """The same sum entry by entry: 576 scalar updates per element, straight into CSR order."""
    entries = blocks.transpose(0, 1, 3, 2, 4).ravel()  # (e, a, i, b, j), as scalar_slots
    return jax.ops.segment_sum(entries, scalar_slots.ravel(), num_segments=nnz)


@jax.jit
def stiffness_vmap(coords, elements, block_slots, csr_from_bsr, G, lam, mu):
    """CSR values of K: element blocks by vmap, summed as 3x3 blocks,
    gathered into CSR order."""
    blocks = element_blocks_vmap(coords, elements, G, lam, mu)
    return scatter_blocks(blocks, block_slots, csr_from_bsr)


@jax.jit
def stiffness_autodiff(coords, elements, block_slots, csr_from_bsr, G, lam, mu):
    """CSR values of K with element matrices from jax.hessian of the element strain energy."""
    blocks = element_blocks_autodiff(coords, elements, G, lam, mu)
    return scatter_blocks(blocks, block_slots, csr_from_bsr)


@jax.jit
def residual_vmap(coords, elements, u, G, lam, mu):
    """r(u) = K u: element forces by vmap over elements, then a segment
    sum of 3-vectors into their nodes."""
    U = u.reshape(-1, 3)[elements]
    kernel = jax.vmap(element_force, in_axes=(0, 0, None, None, None))
    forces = kernel(coords[elements], U, G, lam, mu)  # (e, 8, 3)
    r = jax.ops.segment_sum(forces.reshape(-1, 3), elements.ravel(),
                            num_segments=coords.shape[0])
    return r.ravel()


@jax.jit
def residual_autodiff(coords, elements, u, G, lam, mu):
    """r(u) as the gradient of the total strain energy: reverse mode writes the scatter."""

    def total_energy(u):
        energy = jax.vmap(element_energy, in_axes=(0, 0, None, None, None))
        return energy(coords[elements], u.reshape(-1, 3)[elements], G, lam, mu).sum()

    return jax.grad(total_energy)(u)


@jax.jit
def jacobian_vector_product(coords, elements, u, v, G, lam, mu):
    """Matrix-free J(u) v, the derivative of r(u + t v) at t = 0, by
    forward-mode autodiff of the residual: no matrix is formed."""

    def residual(u):
        return residual_vmap(coords, elements, u, G, lam, mu)

    return jax.jvp(residual, (u,), (v,))[1]


@jax.jit
def diagonal_vmap(coords, elements, G, lam, mu):
    """diag(K) without K: each element's diagonal (lam + mu) dNa_i^2 + mu |dNa|^2, summed per dof."""

    def element_diagonal(X):
        dN, det = jax.vmap(point_gradients, in_axes=(None, 0))(X, G)  # (g, 8, 3)
        squares = dN * dN
        return jnp.einsum("g,gai->ai", det, (lam + mu) * squares + mu * squares.sum(-1, keepdims=True))

    diagonals = jax.vmap(element_diagonal)(coords[elements])
    return jax.ops.segment_sum(diagonals.reshape(-1, 3), elements.ravel(), num_segments=coords.shape[0]).ravel()


# ---------------------------------------------------------------------------------------------
# scikit-fem, on the same box, mapped to this module's numbering by node coordinates
# ---------------------------------------------------------------------------------------------


def skfem_basis(mesh: BoxMesh) -> tuple[Any, np.ndarray]:
    """scikit-fem's vector hex8 basis on the same box (intorder=2, i.e. 2x2x2 Gauss points), and
    `to_ours`: for each scikit-fem dof, the dof of this module with the same node and component."""
    from skfem import Basis, ElementHex1, ElementVector, MeshHex

    ticks = np.linspace(0.0, 1.0, mesh.n + 1)
    basis = Basis(MeshHex.init_tensor(ticks, ticks, ticks), ElementVector(ElementHex1()), intorder=2)
    ijk = np.rint(basis.mesh.p * mesh.n).astype(np.int64)  # (3, nodes): grid index of each node
    ours = ijk[0] + (mesh.n + 1) * (ijk[1] + (mesh.n + 1) * ijk[2])
    if not np.allclose(basis.mesh.p.T, mesh.coords[ours]):
        raise ValueError("scikit-fem's nodes do not match box_mesh's: compare on an undistorted mesh")
    to_ours = np.empty(basis.N, dtype=np.int64)
    for c in range(3):
        to_ours[basis.nodal_dofs[c]] = 3 * ours + c
    return basis, to_ours


def skfem_forms(E: float, nu: float) -> tuple[Any, Any]:
    """scikit-fem's bilinear form of linear elasticity and the matching residual linear form."""
    from skfem import LinearForm
    from skfem.helpers import ddot, sym_grad
    from skfem.models.elasticity import linear_elasticity, linear_stress

    lam, mu = lame_parameters(E, nu)
    stress = linear_stress(lam, mu)

    @LinearForm
    def internal_force(v, w):
        return ddot(stress(sym_grad(w["u"])), sym_grad(v))

    return linear_elasticity(lam, mu), internal_force


def _skfem_residual(basis: Any, form: Any, u_skfem: np.ndarray) -> np.ndarray:
    from skfem import asm

    return asm(form, basis, u=basis.interpolate(u_skfem))


def _skfem_matrix_to_ours(K: sp.spmatrix, to_ours: np.ndarray) -> sp.csr_matrix:
    K = K.tocoo()
    return _coo_to_csr(K.data, to_ours[K.row], to_ours[K.col], K.shape[0])


def _skfem_vector_to_ours(r: np.ndarray, to_ours: np.ndarray) -> np.ndarray:
    out = np.empty_like(r)
    out[to_ours] = r
    return out


# ---------------------------------------------------------------------------------------------
# One entry point per quantity
# ---------------------------------------------------------------------------------------------


@dataclass
class Prepared:
    """`fn(*args)` is the step to time; `to_result(fn(*args))` gives a SciPy CSR matrix
    (stiffness) or a NumPy float64 vector (residual) in this module's numbering."""

    method: str
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    to_result: Callable[[Any], Any]
    dtype: np.dtype

    def __call__(self) -> Any:
        return self.fn(*self.args)

    def result(self) -> Any:
        return self.to_result(self())


def as_mesh(mesh_or_n: "BoxMesh | int") -> BoxMesh:
    """A BoxMesh, built by box_mesh(n) when an int is given."""
    return mesh_or_n if isinstance(mesh_or_n, BoxMesh) else box_mesh(int(mesh_or_n))


def check_dtype(method: str, dtype: Any) -> np.dtype:
    """The dtype as np.dtype, or a clear error: NumPy and scikit-fem run in float64 only, and JAX
    in float64 only with 64-bit mode on."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    if not method.startswith("jax") and dtype != np.float64:
        raise ValueError(f"method {method!r} runs in float64 only, got dtype={dtype}")
    if method.startswith("jax") and dtype == np.float64 and not jax.config.jax_enable_x64:
        raise RuntimeError(
            f"method {method!r} in float64 needs JAX's 64-bit mode: call jax.config.update("
            "'jax_enable_x64', True) first (or use `with jax.enable_x64(True):`), or pass dtype=np.float32"
        )
    return dtype


def device_inputs(mesh: BoxMesh, E: float, nu: float, dtype: Any) -> tuple[jax.Array, ...]:
    """(coords, elements, G, lam, mu) as device arrays in `dtype`: passed as arguments, never
    closed over, so that XLA cannot fold the mesh into the compiled program as constants."""
    lam, mu = lame_parameters(E, nu)
    return (
        jax.device_put(mesh.coords.astype(dtype)),
        jax.device_put(mesh.elements),
        jax.device_put(reference_gradients().astype(dtype)),
        jnp.asarray(lam, dtype),
        jnp.asarray(mu, dtype),
    )


def prepare_stiffness(
    mesh: "BoxMesh | int",
    method: str,
    E: float = 1.0,
    nu: float = 0.3,
    dtype: Any = np.float64,
    pattern: CsrPattern | None = None,
) -> Prepared:
    """Set up `method` for this mesh; the Prepared step left to time is the assembly itself."""
    mesh = as_mesh(mesh)
    dtype = check_dtype(method, dtype)
    lam, mu = lame_parameters(E, nu)
    identity = lambda K: K  # noqa: E731
    if method == "numpy_loop":
        return Prepared(method, stiffness_numpy_loop, (mesh.coords, mesh.elements, E, nu), identity, dtype)
    if method == "numpy_vectorized":
        dofs = mesh.element_dofs
        rows, cols = np.repeat(dofs, 24, axis=1).ravel(), np.tile(dofs, (1, 24)).ravel()
        args = (mesh.coords, mesh.elements, rows, cols, lam, mu)
        return Prepared(method, stiffness_numpy_vectorized, args, identity, dtype)
    if method == "numpy_slots":
        pattern = csr_pattern(mesh) if pattern is None else pattern
        slots = pattern.scalar_slots.ravel().astype(np.intp)  # as np.bincount wants them
        args = (mesh.coords, mesh.elements, slots, pattern.nnz, lam, mu)
        return Prepared(method, stiffness_numpy_slots, args, pattern.matrix, dtype)
    if method in ("jax_vmap", "jax_autodiff"):
        pattern = csr_pattern(mesh) if pattern is None else pattern
        coords, elements, G, lam_, mu_ = device_inputs(mesh, E, nu, dtype)
        slots, reorder = jax.device_put(pattern.block_slots), jax.device_put(pattern.csr_from_bsr)
        fn = stiffness_vmap if method == "jax_vmap" else stiffness_autodiff
        return Prepared(method, fn, (coords, elements, slots, reorder, G, lam_, mu_), pattern.matrix, dtype)
    if method == "scikit_fem":
        from skfem import asm

        basis, to_ours = skfem_basis(mesh)
        form, _ = skfem_forms(E, nu)
        return Prepared(method, asm, (form, basis), lambda K: _skfem_matrix_to_ours(K, to_ours), dtype)
    raise ValueError(f"unknown stiffness method {method!r}; choose one of {STIFFNESS_METHODS}")


def prepare_residual(
    mesh: "BoxMesh | int",
    method: str,
    u: np.ndarray,
    E: float = 1.0,
    nu: float = 0.3,
    dtype: Any = np.float64,
    v: np.ndarray | None = None,
) -> Prepared:
    """Set up r(u) = K u by `method`; for 'jax_jvp' the step is the product J(u) v (v defaults to u,
    and J v equals r(v) for this linear problem)."""
    mesh = as_mesh(mesh)
    dtype = check_dtype(method, dtype)
    u = np.asarray(u, dtype=np.float64)
    if u.shape != (mesh.num_dofs,):
        raise ValueError(f"u must have shape ({mesh.num_dofs},) for n={mesh.n}, got {u.shape}")
    lam, mu = lame_parameters(E, nu)
    to_numpy = lambda r: np.asarray(r, dtype=np.float64)  # noqa: E731
    if method == "numpy_loop":
        return Prepared(method, residual_numpy_loop, (mesh.coords, mesh.elements, u, E, nu), to_numpy, dtype)
    if method == "numpy_slots":
        dofs = mesh.element_dofs.ravel().astype(np.intp)
        args = (mesh.coords, mesh.elements, dofs, u, lam, mu)
        return Prepared(method, residual_numpy_slots, args, to_numpy, dtype)
    if method in ("jax_vmap", "jax_autodiff", "jax_jvp"):
        coords, elements, G, lam_, mu_ = device_inputs(mesh, E, nu, dtype)
        u_ = jax.device_put(u.astype(dtype))
        if method == "jax_jvp":
            v_ = u_ if v is None else jax.device_put(np.asarray(v).astype(dtype))
            args = (coords, elements, u_, v_, G, lam_, mu_)
            return Prepared(method, jacobian_vector_product, args, to_numpy, dtype)
        fn = residual_vmap if method == "jax_vmap" else residual_autodiff
        return Prepared(method, fn, (coords, elements, u_, G, lam_, mu_), to_numpy, dtype)
    if method == "scikit_fem":
        basis, to_ours = skfem_basis(mesh)
        _, form = skfem_forms(E, nu)
        to_result = lambda r: _skfem_vector_to_ours(r, to_ours)  # noqa: E731
        return Prepared(method, _skfem_residual, (basis, form, u[to_ours]), to_result, dtype)
    raise ValueError(f"unknown residual method {method!r}; choose one of {RESIDUAL_METHODS}")


def assemble_stiffness(
    mesh: "BoxMesh | int",
    E: float = 1.0,
    nu: float = 0.3,
    method: str = "jax_vmap",
    dtype: Any = np.float64,
    pattern: CsrPattern | None = None,
) -> sp.csr_matrix:
    """The global stiffness matrix by `method`, as canonical SciPy CSR (duplicates summed, sorted).
    A `pattern` from csr_pattern(mesh) saves rebuilding it for the JAX methods."""
    return prepare_stiffness(mesh, method, E, nu, dtype, pattern).result()


def assemble_residual(
    mesh: "BoxMesh | int",
    u: np.ndarray,
    E: float = 1.0,
    nu: float = 0.3,
    method: str = "jax_vmap",
    dtype: Any = np.float64,
) -> np.ndarray:
    """The internal-force residual r(u) = K u by `method`, as a NumPy float64 vector."""
    return prepare_residual(mesh, method, u, E, nu, dtype).result()


def relative_difference(A: Any, B: Any) -> float:
    """max |A - B| / max |B| for two sparse matrices or two vectors."""
    if sp.issparse(A):
        return float(abs(A - B).max() / abs(B).max())
    return float(np.abs(np.asarray(A) - np.asarray(B)).max() / np.abs(np.asarray(B)).max())


# ---------------------------------------------------------------------------------------------
# Boundary conditions and solves
# ---------------------------------------------------------------------------------------------


def face_conditions(mesh: BoxMesh, displacement: tuple[float, float, float] = (0.1, 0.1, 0.1)) -> tuple[np.ndarray, np.ndarray]:
    """The study's Dirichlet conditions: u = 0 on the face x = 0 and u = `displacement` on x = 1.
    Returns (fixed: bool per dof, values: prescribed values, 0 on free dofs)."""
    x = mesh.coords[:, 0]
    values = np.zeros((mesh.num_nodes, 3))
    values[np.isclose(x, 1.0)] = displacement
    fixed = np.repeat(np.isclose(x, 0.0) | np.isclose(x, 1.0), 3)
    return fixed, values.ravel()


def boundary_conditions_from_field(mesh: BoxMesh, field: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fix every dof on the outer surface of the box to `field` (patch tests)."""
    on_surface = np.any(np.isclose(mesh.coords, 0.0) | np.isclose(mesh.coords, 1.0), axis=1)
    fixed = np.repeat(on_surface, 3)
    return fixed, np.where(fixed, field, 0.0)


def linear_field(mesh: BoxMesh, A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dof vector of the displacement u(x) = A x + b at the nodes."""
    return (mesh.coords @ np.asarray(A).T + np.asarray(b)).ravel()


def solve_direct(K: sp.spmatrix, fixed: np.ndarray, values: np.ndarray) -> np.ndarray:
    """u with u = values on fixed dofs and (K u)_free = 0: a sparse LU solve of K_ff u_f = -K_fc u_c."""
    free = ~fixed
    K = sp.csr_matrix(K)
    rhs = -(K[free][:, fixed] @ values[fixed])
    u = values.copy()
    u[free] = spla.splu(K[free][:, free].tocsc()).solve(rhs)
    return u


def solve_cg(K: sp.spmatrix, fixed: np.ndarray, values: np.ndarray, rtol: float = 1e-8) -> tuple[np.ndarray, int]:
    """The same solve by SciPy's conjugate gradients on the assembled K_ff, Jacobi-preconditioned.
    Returns (u, iterations)."""
    free = ~fixed
    K = sp.csr_matrix(K)
    K_ff = K[free][:, free]
    rhs = -(K[free][:, fixed] @ values[fixed])
    iterations = 0

    def count(_: np.ndarray) -> None:
        nonlocal iterations
        iterations += 1

    jacobi = sp.diags(1.0 / K_ff.diagonal())
    u_free, info = spla.cg(K_ff, rhs, rtol=rtol, atol=0.0, M=jacobi, maxiter=10 * len(rhs), callback=count)
    if info != 0:
        raise RuntimeError(f"SciPy CG did not converge to rtol={rtol} in {iterations} iterations")
    u = values.copy()
    u[free] = u_free
    return u, iterations


@jax.jit
def matrix_free_cg(coords, elements, fixed, values, G, lam, mu, rtol):
    """Solve r(u) = 0 on free dofs by Jacobi-preconditioned CG where K v is a Jacobian-vector
    product of the residual (no matrix) and diag(K) is assembled element by element.
    Returns (u, iterations)."""
    free = (~fixed).astype(values.dtype)

    def apply(v):  # K_ff v, with v zero on fixed dofs
        return free * jacobian_vector_product(coords, elements, values, free * v, G, lam, mu)

    b = -free * residual_vmap(coords, elements, values, G, lam, mu)
    inverse_diagonal = free / jnp.where(fixed, 1.0, diagonal_vmap(coords, elements, G, lam, mu))
    bound = (rtol * jnp.linalg.norm(b)) ** 2

    def body(state):
        x, r, z, p, rz, k = state
        Ap = apply(p)
        alpha = rz / jnp.vdot(p, Ap)
        x, r = x + alpha * p, r - alpha * Ap
        z = inverse_diagonal * r
        rz_new = jnp.vdot(r, z)
        return x, r, z, z + (rz_new / rz) * p, rz_new, k + 1

    def not_converged(state):
        r, k = state[1], state[5]
        return (jnp.vdot(r, r) > bound) & (k < 10 * b.size)

    z = inverse_diagonal * b
    state = (jnp.zeros_like(b), b, z, z, jnp.vdot(b, z), 0)
    x, *_, iterations = jax.lax.while_loop(not_converged, body, state)
    return values + x, iterations


# ---------------------------------------------------------------------------------------------
# Each library's side of the comparison, for perfguide.run_isolated: one call per side and thread
# setting measures the whole size sweep (a fresh process costs seconds to start)
# ---------------------------------------------------------------------------------------------

JAX_JACOBIAN = (("jax_vmap", "float64"), ("jax_autodiff", "float64"), ("jax_vmap", "float32"))
JAX_RESIDUAL = ("jax_vmap", "jax_autodiff", "jax_jvp")
SLOW_REPEATS = 5  # slow methods: one call per repeat, five repeats, so that an IQR means something


def sweep_displacement(mesh: BoxMesh) -> np.ndarray:
    """The random displacement every side uses for the residual at this mesh size."""
    return np.random.default_rng(mesh.n).standard_normal(mesh.num_dofs)


def variant_label(method: str, dtype: str = "float64") -> str:
    """Record name of a method, with ' float32' appended when it ran in float32."""
    return method if dtype == "float64" else f"{method} {dtype}"


@dataclass
class Side:
    """What one side measured in its process: timings by (experiment, variant, n), per-timing
    extras (compile seconds), XLA cost analyses, roofs, solve results, and the peak memory of one
    warm stiffness assembly by method: (n, what was measured, MiB, XLA's plan in MiB or None)."""

    timings: dict[tuple[str, str, int], Any] = field(default_factory=dict)
    extras: dict[tuple[str, str, int], dict[str, float]] = field(default_factory=dict)
    cost: dict[tuple[str, str, int], dict[str, float]] = field(default_factory=dict)
    roofs: dict[str, float] = field(default_factory=dict)
    solutions: dict[str, Any] = field(default_factory=dict)
    memory: dict[str, tuple[int, str, float, float | None]] = field(default_factory=dict)
    streams: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)


def _measure_memory(side: Side, methods: tuple[str, ...], n: int) -> None:
    """Memory of one warm stiffness assembly per method at n, first thing in a fresh process (a
    GPU's peak counter never goes down: methods in order of growing memory)."""
    mesh = box_mesh(n)
    pattern = csr_pattern(mesh)
    for method in methods:
        prepared = prepare_stiffness(mesh, method, pattern=pattern)
        kind, mib = assembly_memory_mib(prepared)
        plan = None
        if method.startswith("jax"):
            plan = xla_memory_mib(prepared)
        side.memory[method] = (n, kind, mib, plan)


def xla_memory_mib(prepared: "Prepared") -> float:
    """XLA's buffer plan of a jitted step in MiB: arguments, temporaries and output."""
    stats = prepared.fn.lower(*prepared.args).compile().memory_analysis()
    return (stats.argument_size_in_bytes + stats.temp_size_in_bytes + stats.output_size_in_bytes) / 2**20


def to_scipy_step(method: str, fn: Callable[..., Any], pattern: "CsrPattern") -> Callable[..., Any]:
    """The stiffness step timed to the same end point for every method: a SciPy CSR matrix.
    Methods that make CSR values (JAX, NumPy with slots) get the pattern's wrap, which a SciPy
    product needs; the others already end in a SciPy matrix."""
    if method in ("numpy_slots", "jax_vmap", "jax_autodiff"):
        return lambda *args: pattern.matrix(fn(*args))
    return fn


def last_level_cache_bytes() -> int:
    """The largest cache of cpu0, from /sys (0 where it cannot be read)."""
    import glob

    sizes = []
    for path in glob.glob("/sys/devices/system/cpu/cpu0/cache/index*/size"):
        text = open(path).read().strip().upper()
        scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1], 1)
        sizes.append(int(text.rstrip("KMG")) * scale)
    return max(sizes, default=0)


def numpy_stream_bandwidth(megabytes: float) -> float:
    """Bytes/s of a chained, in-place NumPy `x *= 2` over `megabytes` (reads and writes x once)."""
    from perfguide.timing import time_call

    x = np.ones(int(megabytes * 1e6) // 8)
    timing = time_call(np.multiply, x, 2.0, x, repeats=5, target_s=0.5)
    return 2 * x.nbytes / timing.median_s


def _time_slow(prepared: Prepared) -> Any:
    from perfguide.timing import time_call

    return time_call(prepared.fn, *prepared.args, repeats=SLOW_REPEATS, warmup=1, target_s=0.0)


def jax_side(sizes: list[int], n_cost: int, n_solve: int, matmul_n: int, stream_mb: float,
             memory_n: int | None = None) -> Side:
    """The JAX methods over the sweep (latency, compile time from JAX's events), XLA's cost
    analysis of each at n_cost, the roofs of this process (peak float64 FLOP/s of a matrix
    product, as perfguide.roofs.peak_flops; bandwidth of a streaming `2 * x`), and the
    matrix-free CG solve at n_solve. Each step is compiled ahead of time, once, and the compiled
    executable is what is timed. With `memory_n`, the peak memory of the `vmap` and autodiff
    assemblies at that size is measured first (their compile times at that size are then those
    of a cache hit: read compile times from a process run without `memory_n`)."""
    from perfguide.compilation import compile_log
    from perfguide.roofs import matmul_timing, stream_timing
    from perfguide.timing import time_call

    jax.config.update("jax_enable_x64", True)
    side = Side()
    if memory_n is not None:
        _measure_memory(side, ("jax_vmap", "jax_autodiff"), memory_n)

    def measure(experiment: str, label: str, n: int, prepared: Prepared, pattern: Any = None) -> None:
        with compile_log() as log:  # compiled ahead of time: once, and apart from the clock
            compiled = prepared.fn.lower(*prepared.args).compile()
        step = compiled if pattern is None else to_scipy_step(prepared.method, compiled, pattern)
        side.timings[experiment, label, n] = time_call(step, *prepared.args)
        side.extras[experiment, label, n] = {
            "jit_s": sum(log.seconds(p) for p in ("trace", "lower", "compile"))}
        if n == n_cost:
            analysis = compiled.cost_analysis()
            side.cost[experiment, label, n] = {
                "flops": float(analysis["flops"]), "bytes": float(analysis["bytes accessed"])}
            if pattern is not None:  # the compiled step alone (CSR values), for the roofline
                side.timings[experiment + " values", label, n] = time_call(compiled, *prepared.args)

    for n in sizes:
        mesh = box_mesh(n)
        pattern = csr_pattern(mesh)
        for method, dtype in JAX_JACOBIAN:
            prepared = prepare_stiffness(mesh, method, dtype=np.dtype(dtype), pattern=pattern)
            measure("jacobian", variant_label(method, dtype), n, prepared, pattern)
        u = sweep_displacement(mesh)
        for method in JAX_RESIDUAL:
            measure("residual", method, n, prepare_residual(mesh, method, u))
    matmul = matmul_timing(matmul_n, "float64")
    side.timings["roofs", "float64 matmul", matmul_n] = matmul
    large_mb = max(stream_mb, 4 * last_level_cache_bytes() / 1e6)  # >= 4x the last-level cache
    stream, stream_bytes = stream_timing(large_mb, "float64")
    side.timings["roofs", "stream, 4x last-level cache", int(large_mb)] = stream
    for experiment in ("jacobian", "residual"):  # a stream of each step's own bytes
        for method in ("jax_vmap", "jax_autodiff"):
            step_bytes = side.cost[experiment, method, n_cost]["bytes"]  # XLA's estimate
            small, small_bytes = stream_timing(step_bytes / 2e6, "float64")  # read and written
            side.streams[experiment, method] = (small_bytes / 1e6, small_bytes / small.median_s)
    side.roofs = {"peak_flops": 2 * matmul_n**3 / matmul.median_s,
                  "bandwidth": stream_bytes / stream.median_s, "stream_mb": stream_bytes / 2e6}
    side.extras["roofs", "float64 matmul", matmul_n] = dict(side.roofs)
    side.roofs["backend"] = jax.default_backend()
    mesh = box_mesh(n_solve)
    fixed, values = face_conditions(mesh)
    coords, elements, G, lam, mu = device_inputs(mesh, 1.0, 0.3, np.float64)
    args = (coords, elements, jnp.asarray(fixed), jnp.asarray(values), G, lam, mu, 1e-8)
    side.timings["solve", "CG, matrix-free (JAX jvp)", n_solve] = time_call(
        matrix_free_cg, *args, repeats=SLOW_REPEATS, warmup=1, target_s=0.0)
    u_free, iterations = matrix_free_cg(*args)
    side.solutions["CG, matrix-free (JAX jvp)"] = (np.asarray(u_free), int(iterations))
    return side


def numpy_side(sizes: list[int], largest_loop: int, n_solve: int, memory_n: int | None = None) -> Side:
    """NumPy and SciPy over the sweep: the per-element loop (meshes up to largest_loop), the
    vectorised assembly with a COO -> CSR rebuild and with precomputed slots, SciPy's CSR
    product K @ u, and the direct and CG solves at n_solve (and first, with `memory_n`, the peak
    memory of both vectorised assemblies)."""
    from perfguide.timing import time_call

    side = Side()
    if memory_n is not None:
        _measure_memory(side, ("numpy_vectorized", "numpy_slots"), memory_n)
    for n in sizes:
        mesh = box_mesh(n)
        pattern = csr_pattern(mesh)
        u = sweep_displacement(mesh)
        for method in ("numpy_loop", "numpy_vectorized", "numpy_slots"):
            if method == "numpy_loop" and n > largest_loop:
                continue
            prepared = prepare_stiffness(mesh, method, pattern=pattern)
            step = to_scipy_step(method, prepared.fn, pattern)
            side.timings["jacobian", method, n] = time_call(step, *prepared.args, repeats=SLOW_REPEATS,
                                                            warmup=1, target_s=0.0)
            if method != "numpy_vectorized":
                side.timings["residual", method, n] = _time_slow(prepare_residual(mesh, method, u))
        K = prepare_stiffness(mesh, "numpy_slots", pattern=pattern).result()
        side.timings["residual", "scipy_matvec", n] = time_call(K.dot, u)
    side.roofs["numpy_bandwidth"] = numpy_stream_bandwidth(max(64.0, 4 * last_level_cache_bytes() / 1e6))
    mesh = box_mesh(n_solve)
    K = prepare_stiffness(mesh, "numpy_slots").result()
    fixed, values = face_conditions(mesh)
    side.timings["solve", "sparse direct (SuperLU)", n_solve] = time_call(
        solve_direct, K, fixed, values, repeats=SLOW_REPEATS, warmup=1, target_s=0.0)
    side.timings["solve", "CG, assembled (SciPy)", n_solve] = time_call(
        solve_cg, K, fixed, values, 1e-8, repeats=SLOW_REPEATS, warmup=1, target_s=0.0)
    side.solutions["sparse direct (SuperLU)"] = solve_direct(K, fixed, values)
    side.solutions["CG, assembled (SciPy)"] = solve_cg(K, fixed, values, 1e-8)
    return side


def skfem_side(sizes: list[int], largest: int, memory_n: int | None = None) -> Side:
    """scikit-fem's assembly of K and of the residual over the sweep (meshes up to `largest`), and
    first, with `memory_n`, the peak memory of its assembly at min(memory_n, largest)."""
    side = Side()
    if memory_n is not None:
        _measure_memory(side, ("scikit_fem",), min(memory_n, largest))
    for n in sizes:
        if n > largest:
            continue
        mesh = box_mesh(n)
        side.timings["jacobian", "scikit_fem", n] = _time_slow(prepare_stiffness(mesh, "scikit_fem"))
        u = sweep_displacement(mesh)
        side.timings["residual", "scikit_fem", n] = _time_slow(prepare_residual(mesh, "scikit_fem", u))
    return side


def record_side(recorder: Any, side: Side, threads: int) -> None:
    """Add every timing of a side to the page's results, with its thread setting and extras."""
    for (experiment, variant, n), timing in side.timings.items():
        extras = side.extras.get((experiment, variant, n), {})
        recorder.add(experiment, variant, n, timing, threads=threads, **extras)


def merge_sides(*sides: Side) -> Side:
    """One Side holding every side's measurements (keys do not overlap)."""
    merged = Side()
    for side in sides:
        for name in ("timings", "extras", "cost", "roofs", "solutions", "memory", "streams"):
            getattr(merged, name).update(getattr(side, name))
    return merged


# ---------------------------------------------------------------------------------------------
# Peak memory of one warm assembly
# ---------------------------------------------------------------------------------------------


def assembly_memory_mib(prepared: Prepared, backend: str | None = None) -> tuple[str, float]:
    """(what was measured, MiB) for one call of a warm `prepared` step: it runs once first, so
    no compilation falls inside the measured window.

    NumPy and scikit-fem, anywhere: the peak of memory traced by `tracemalloc` during the call
    above the traced memory before it (NumPy reports its array allocations to tracemalloc). A JAX
    method on the CPU: XLA's buffer plan (arguments, temporaries, output), exact where resident
    memory is not. On a GPU: device memory, the allocator's peak above what was in use before
    the call (its peak counter never goes down: measure in a fresh process, methods in order of
    growing memory, as the sides do).
    """
    import tracemalloc

    from perfguide.devices import memory_kind
    from perfguide.memory import device_memory_stats
    from perfguide.timing import block

    block(prepared())  # warm: compile and first-touch costs fall outside the window
    if not prepared.method.startswith("jax"):
        tracemalloc.start()
        try:
            before, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            block(prepared())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return "tracemalloc", (peak - before) / 2**20
    if memory_kind(backend) == "host RSS":
        return "XLA's buffer plan", xla_memory_mib(prepared)
    before = device_memory_stats() or {}
    block(prepared())
    after = device_memory_stats() or {}
    return "device memory", (after.get("peak_bytes_in_use", 0) - before.get("bytes_in_use", 0)) / 2**20


# ---------------------------------------------------------------------------------------------
# Figures of the page: one panel per thread setting
# ---------------------------------------------------------------------------------------------


def rate_figure(
    measured: dict[int, Side],
    experiment: str,
    labels: dict[str, str],
    bound_bytes: dict[int, float],
    title: str,
) -> Any:
    """Elements per second against n, one panel per thread setting: median, and a band over the
    spread (IQR, or min-max for fewer than five repeats); dashed, the bandwidth bound of that
    setting (bytes to move over the bandwidth measured in the JAX process)."""
    import matplotlib.pyplot as plt

    from perfguide.threads import thread_label

    settings = sorted(measured)
    fig, axes = plt.subplots(1, len(settings), figsize=(10.5, 4.2), sharey=True, squeeze=False)
    for ax, threads in zip(axes[0], settings):
        side = measured[threads]
        sizes = sorted(bound_bytes)
        elements = {n: n**3 for n in sizes}
        for i, (variant, name) in enumerate(labels.items()):
            ns = [n for n in sizes if (experiment, variant, n) in side.timings]
            if not ns:
                continue
            timings = [side.timings[experiment, variant, n] for n in ns]
            rate = np.array([[elements[n] / t.high_s, elements[n] / t.median_s, elements[n] / t.low_s]
                             for n, t in zip(ns, timings)])
            ax.plot(ns, rate[:, 1], "o-", color=f"C{i}", label=name)
            ax.fill_between(ns, rate[:, 0], rate[:, 2], color=f"C{i}", alpha=0.25, lw=0)
        on_cpu = side.roofs.get("backend", "cpu") == "cpu"
        bandwidth = side.roofs["bandwidth"] if on_cpu else side.roofs["numpy_bandwidth"]
        ax.plot(sizes, [elements[n] * bandwidth / bound_bytes[n] for n in sizes], "k--",
                label="memory-bandwidth bound" + ("" if on_cpu else " (host, NumPy stream)"))
        where = "" if on_cpu else f" (JAX on {side.roofs['backend'].upper()})"
        ax.set(xscale="log", yscale="log", title=f"{title}, {thread_label(threads)} each{where}")
        ax.set_xticks(sizes, [str(n) for n in sizes])
        ax.minorticks_off()
        ax.set_xlabel("elements per side n (n³ hex8 elements)")
    axes[0][0].set_ylabel("elements per second (median)")
    axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def roofline_points(side: Side, experiment: str, n: int) -> dict[str, tuple[float, float]]:
    """{variant: (arithmetic intensity in flop/byte, achieved flop/s)} of the JAX methods at n, from
    XLA's cost analysis of the compiled step and its measured median time (float64 only: the
    compute roof is float64's)."""
    points = {}
    for (exp, variant, size), cost in side.cost.items():
        if exp == experiment and size == n and "float32" not in variant:
            timing = side.timings.get((exp + " values", variant, n), side.timings[exp, variant, n])
            points[variant] = (cost["flops"] / cost["bytes"], cost["flops"] / timing.median_s)
    return points


def roofline_figure(measured: dict[int, Side], n: int, labels: dict[str, str]) -> Any:
    """Roofline per thread setting (log-log): the measured compute roof (peak float64 FLOP/s of
    a matrix product) and bandwidth roof (bytes/s times flop/byte), with every JAX method of the
    Jacobian (circles) and the residual (squares) at n."""
    import matplotlib.pyplot as plt

    from perfguide.threads import thread_label

    settings = sorted(measured)
    fig, axes = plt.subplots(1, len(settings), figsize=(10.5, 4.2), sharey=True, squeeze=False)
    for ax, threads in zip(axes[0], settings):
        side = measured[threads]
        peak, bandwidth = side.roofs["peak_flops"], side.roofs["bandwidth"]
        ridge = peak / bandwidth
        intensity = np.geomspace(min(0.01, ridge / 100), max(100.0, ridge * 10), 200)
        ax.plot(intensity, np.minimum(peak, bandwidth * intensity), "k-",
                label=f"roofs: stream of {side.roofs['stream_mb']:.0f} MB (≥ 4x last-level cache)")
        ax.axvline(ridge, color="k", ls=":", lw=1, label="ridge: peak / bandwidth")
        ax.plot([], [], "k--", lw=1.2, label="a stream of each step's bytes (its colour)")
        ax.annotate(f"ridge {ridge:.1f} flop/byte\n{peak / 1e9:.1f} GFLOP/s, {bandwidth / 1e9:.1f} GB/s",
                    (ridge, peak), xytext=(-6, -30), textcoords="offset points", ha="right", fontsize=8)
        for marker, experiment in (("o", "jacobian"), ("s", "residual")):
            for i, (variant, (x, y)) in enumerate(roofline_points(side, experiment, n).items()):
                color = f"C{list(labels).index(variant) % 10}" if variant in labels else f"C{i}"
                ax.plot(x, y, marker, color=color, ms=8, label=f"{experiment.capitalize()}: {labels.get(variant, variant)}")
                if (experiment, variant) in side.streams:  # the roof of a stream of its own bytes
                    step_bw = side.streams[experiment, variant][1]
                    near = np.geomspace(x / 3, min(x * 3, peak / step_bw), 20)
                    ax.plot(near, step_bw * near, ls="--" if marker == "o" else ":", color=color, lw=1.2)
        ax.set(xscale="log", yscale="log", title=f"n = {n}, {thread_label(threads)}")
        ax.set_xlabel("arithmetic intensity (flop per byte, XLA's estimate)")
    axes[0][0].set_ylabel("floating-point operations per second")
    axes[0][-1].legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig
