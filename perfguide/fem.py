"""Hex8 linear elasticity on the unit cube: mesh, element kernels and global assembly, by method.

The problem of the Folax study `examples/performance_study/matrix_vector_perf.py`: an n x n x n
box of trilinear hexahedra, 2x2x2 Gauss points, isotropic linear elasticity. Nodes are numbered
x fastest, then y, then z; degree of freedom `3 * node + component`.

Every method computes the same stiffness matrix (a SciPy CSR matrix with duplicates summed) and
the same internal-force residual r(u) = K u. `prepare_stiffness` / `prepare_residual` return
`(fn, args)`: the step a benchmark times, with everything that depends only on the mesh (sparsity
pattern, device arrays, jitted functions) built beforehand.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import scipy.sparse as sp

STIFFNESS_METHODS = ("numpy_loop", "numpy_vectorized", "jax_vmap", "jax_autodiff", "scikit_fem")
RESIDUAL_METHODS = ("numpy_loop", "numpy_vectorized", "jax_vmap", "jax_autodiff", "jax_jvp", "scikit_fem")
JAX_METHODS = ("jax_vmap", "jax_autodiff", "jax_jvp")

# Reference hexahedron [-1, 1]^3: corner signs in the usual order (bottom face counter-clockwise,
# then top face), and the 2x2x2 Gauss rule (points at +-1/sqrt(3), weights 1).
CORNERS = np.array(
    [[-1, -1, -1], [1, -1, -1], [1, 1, -1], [-1, 1, -1], [-1, -1, 1], [1, -1, 1], [1, 1, 1], [-1, 1, 1]],
    dtype=np.float64,
)
GAUSS_POINTS = CORNERS / np.sqrt(3.0)
GAUSS_WEIGHTS = np.ones(8)


# --------------------------------------------------------------------------------------------
# Mesh, material and reference element
# --------------------------------------------------------------------------------------------


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
        """(num_elements, 24) global dofs of each element, ordered node by node: 3 * node + c."""
        return (3 * self.elements[:, :, None] + np.arange(3)).reshape(-1, 24).astype(np.int32)


def box_mesh(n: int, jitter: float = 0.0, seed: int = 0) -> BoxMesh:
    """Unit-cube mesh of n^3 hex8 elements; node (i, j, k) is i + (n+1) * (j + (n+1) * k).

    `jitter` > 0 moves every interior node by up to `jitter` element sizes in each direction
    (below 0.25 the elements stay valid), for patch tests on distorted elements.
    """
    if n < 1:
        raise ValueError(f"box_mesh needs at least one element per side, got n={n}")
    if not 0.0 <= jitter < 0.25:
        raise ValueError(f"jitter must be in [0, 0.25) element sizes to keep elements valid, got {jitter}")
    ticks = np.linspace(0.0, 1.0, n + 1)
    z, y, x = np.meshgrid(ticks, ticks, ticks, indexing="ij")  # x varies fastest in C order
    coords = np.stack([x.ravel(), y.ravel(), z.ravel()], axis=1)
    if jitter:
        interior = np.all((coords > 0) & (coords < 1), axis=1)
        shift = np.random.default_rng(seed).uniform(-jitter / n, jitter / n, (interior.sum(), 3))
        coords[interior] += shift
    i, j, k = (a.ravel() for a in np.meshgrid(np.arange(n), np.arange(n), np.arange(n), indexing="ij"))
    node = lambda di, dj, dk: (i + di) + (n + 1) * ((j + dj) + (n + 1) * (k + dk))  # noqa: E731
    offsets = ((CORNERS + 1) // 2).astype(int)
    elements = np.stack([node(*o) for o in offsets], axis=1)
    order = np.lexsort((i, j, k))  # elements x fastest too, so neighbours share cache lines
    return BoxMesh(n, coords, elements[order].astype(np.int32))


def lame_parameters(E: float, nu: float) -> tuple[float, float]:
    """Lame's (lambda, mu) from Young's modulus and Poisson's ratio."""
    return E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))


def voigt_elasticity(E: float, nu: float) -> np.ndarray:
    """6x6 isotropic elasticity matrix in Voigt notation (xx, yy, zz, yz, xz, xy; engineering shear)."""
    lam, mu = lame_parameters(E, nu)
    D = np.zeros((6, 6))
    D[:3, :3] = lam
    D[np.arange(3), np.arange(3)] += 2 * mu
    D[np.arange(3, 6), np.arange(3, 6)] = mu
    return D


def reference_gradients() -> np.ndarray:
    """(8 Gauss points, 8 nodes, 3) derivatives of the trilinear shape functions in reference coordinates."""
    p = GAUSS_POINTS[:, None, :]  # (g, 1, 3)
    s = CORNERS[None, :, :]  # (1, a, 3)
    factors = 1 + s * p  # (g, a, 3): (1 + s_i xi_i) per direction
    grads = np.empty((8, 8, 3))
    for d in range(3):
        others = [e for e in range(3) if e != d]
        grads[:, :, d] = s[:, :, d] * factors[:, :, others[0]] * factors[:, :, others[1]] / 8
    return grads


# --------------------------------------------------------------------------------------------
# Element kernels, written once for NumPy and jax.numpy (the `xp` argument)
# --------------------------------------------------------------------------------------------


def inverse_and_det_3x3(J: Any, xp: Any = jnp) -> tuple[Any, Any]:
    """Inverse and determinant of (..., 3, 3) matrices by cofactors (no LAPACK call per element)."""
    a, b, c = J[..., 0, 0], J[..., 0, 1], J[..., 0, 2]
    d, e, f = J[..., 1, 0], J[..., 1, 1], J[..., 1, 2]
    g, h, i = J[..., 2, 0], J[..., 2, 1], J[..., 2, 2]
    cof = [e * i - f * h, c * h - b * i, b * f - c * e,
           f * g - d * i, a * i - c * g, c * d - a * f,
           d * h - e * g, b * g - a * h, a * e - b * d]  # fmt: skip
    det = a * cof[0] + b * cof[3] + c * cof[6]
    adj = xp.stack(cof, axis=-1).reshape(*J.shape[:-2], 3, 3)
    return adj / det[..., None, None], det


def physical_gradients(X: Any, G: Any, xp: Any = jnp) -> tuple[Any, Any]:
    """Shape-function gradients dN/dx (..., g, a, 3) and weights w*detJ (..., g) of elements X (..., 8, 3)."""
    J = xp.einsum("gai,...aj->...gij", G, X)  # J[i, j] = dx_j / dxi_i
    inv, det = inverse_and_det_3x3(J, xp)
    dNdx = xp.einsum("gai,...gji->...gaj", G, inv)  # dN/dx = dN/dxi J^-T
    return dNdx, det * GAUSS_WEIGHTS.astype(det.dtype)


def element_stiffness(X: Any, G: Any, lam: float, mu: float, xp: Any = jnp) -> Any:
    """(..., 24, 24) element stiffness matrices, using the isotropic structure of B^T D B.

    K[a i, b j] = sum_g w detJ (lam dNa/dx_i dNb/dx_j + mu dNa/dx_j dNb/dx_i + mu delta_ij dNa . dNb).
    """
    dNdx, wdet = physical_gradients(X, G, xp)
    S = xp.einsum("...g,...gai,...gbj->...aibj", wdet, dNdx, dNdx)
    trace = xp.einsum("...akbk->...ab", S)
    eye = xp.eye(3, dtype=S.dtype)
    K = lam * S + mu * xp.swapaxes(S, -3, -1) + mu * trace[..., :, None, :, None] * eye[:, None, :]
    return K.reshape(*K.shape[:-4], 24, 24)


def element_internal_force(X: Any, U: Any, G: Any, lam: float, mu: float, xp: Any = jnp) -> Any:
    """(..., 8, 3) element internal forces sum_g w detJ B^T sigma(u) for displacements U (..., 8, 3)."""
    dNdx, wdet = physical_gradients(X, G, xp)
    grad_u = xp.einsum("...ai,...gaj->...gij", U, dNdx)
    strain = 0.5 * (grad_u + xp.swapaxes(grad_u, -1, -2))
    trace = strain[..., 0, 0] + strain[..., 1, 1] + strain[..., 2, 2]
    eye = xp.eye(3, dtype=strain.dtype)
    stress = lam * trace[..., None, None] * eye + 2 * mu * strain
    return xp.einsum("...g,...gij,...gaj->...ai", wdet, stress, dNdx)


def element_energy(X: Any, U: Any, G: Any, lam: float, mu: float) -> Any:
    """Strain energy of one element, 1/2 sum_g w detJ (lam tr(eps)^2 + 2 mu eps:eps) (JAX, one element)."""
    dNdx, wdet = physical_gradients(X, G, jnp)
    grad_u = jnp.einsum("ai,gaj->gij", U, dNdx)
    strain = 0.5 * (grad_u + jnp.swapaxes(grad_u, -1, -2))
    trace = jnp.trace(strain, axis1=-2, axis2=-1)
    density = 0.5 * lam * trace**2 + mu * jnp.sum(strain * strain, axis=(-2, -1))
    return jnp.sum(wdet * density)


# --------------------------------------------------------------------------------------------
# Sparsity pattern
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsrPattern:
    """The CSR structure of the global matrix and, for every element entry, its slot in `data`."""

    indptr: np.ndarray
    indices: np.ndarray
    slots: np.ndarray  # (num_elements, 24, 24) int32: position of each element entry in CSR data
    num_dofs: int

    @property
    def nnz(self) -> int:
        return len(self.indices)

    def matrix(self, data: Any) -> sp.csr_matrix:
        """A SciPy CSR matrix on this pattern (data copied to the host if it lives on a device)."""
        return sp.csr_matrix((np.asarray(data), self.indices, self.indptr), shape=(self.num_dofs,) * 2)


def csr_pattern(mesh: BoxMesh) -> CsrPattern:
    """Build the CSR pattern once per mesh: node adjacency first, then a 3x3 block per node pair."""
    ne = mesh.num_elements
    rows = np.repeat(mesh.elements, 8, axis=1).ravel()  # node a of entry (e, a, b)
    cols = np.tile(mesh.elements, (1, 8)).ravel()  # node b of entry (e, a, b)
    ones = np.ones(len(rows), np.int8)
    adjacency = sp.csr_matrix((ones, (rows, cols)), shape=(mesh.num_nodes,) * 2)
    adjacency.sort_indices()
    node_ptr = adjacency.indptr.astype(np.int64)
    node_cols = adjacency.indices.astype(np.int64)
    degree = np.diff(node_ptr)
    # Dof row 3i+c starts at 9 ptr[i] + 3 deg[i] c and holds, for each neighbour j of node i
    # (sorted), the columns 3j, 3j+1, 3j+2: entry (3i+c, 3j+d) sits at row start + 3 pos(j) + d.
    row_start = (9 * node_ptr[:-1, None] + 3 * degree[:, None] * np.arange(3)).ravel()
    indptr = np.append(row_start, 9 * node_ptr[-1])
    pos = _position_in_row(node_ptr, node_cols, rows, cols)
    c, d = np.arange(3)[:, None], np.arange(3)[None, :]
    slots = (9 * node_ptr[rows] + 3 * pos)[:, None, None] + 3 * degree[rows][:, None, None] * c + d
    slots = slots.reshape(ne, 8, 8, 3, 3).transpose(0, 1, 3, 2, 4).reshape(ne, 24, 24)
    indices = _dof_columns(node_ptr, node_cols)
    return CsrPattern(indptr.astype(np.int32), indices, slots.astype(np.int32), mesh.num_dofs)


def _dof_columns(node_ptr: np.ndarray, node_cols: np.ndarray) -> np.ndarray:
    """CSR column indices: rows 3i, 3i+1, 3i+2 each hold the dofs 3j, 3j+1, 3j+2 of node i's neighbours."""
    blocks = (3 * node_cols[:, None] + np.arange(3)).ravel()  # node i's 3 deg(i) columns, row by row
    starts = np.repeat(3 * node_ptr[:-1], 3)
    lengths = np.repeat(3 * np.diff(node_ptr), 3)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return blocks[np.repeat(starts, lengths) + offsets].astype(np.int32)


def _position_in_row(node_ptr: np.ndarray, node_cols: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Index of column `cols[k]` within CSR row `rows[k]` (columns sorted within each row)."""
    num = len(node_ptr) - 1
    keys = np.repeat(np.arange(num, dtype=np.int64), np.diff(node_ptr)) * num + node_cols
    return np.searchsorted(keys, rows.astype(np.int64) * num + cols) - node_ptr[rows]


# --------------------------------------------------------------------------------------------
# Methods: each returns a Prepared step (what a benchmark times) and how to read its result
# --------------------------------------------------------------------------------------------


@dataclass
class Prepared:
    """`fn(*args)` is the step to time; `to_result(output)` turns its output into a SciPy CSR
    matrix (stiffness) or a NumPy vector (residual) in this module's dof numbering."""

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
    """A BoxMesh, built from n if an int is given."""
    return mesh_or_n if isinstance(mesh_or_n, BoxMesh) else box_mesh(int(mesh_or_n))


def _check_dtype(method: str, dtype: Any) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    if method.startswith("jax") and dtype == np.float64 and not jax.config.jax_enable_x64:
        raise RuntimeError(
            f"method {method!r} in float64 needs JAX's 64-bit mode: call "
            "jax.config.update('jax_enable_x64', True) before using JAX, or pass dtype=np.float32"
        )
    if not method.startswith("jax") and dtype != np.float64:
        raise ValueError(f"method {method!r} runs in float64 only, got dtype={dtype}")
    return dtype


def _coo_to_csr(values: np.ndarray, rows: np.ndarray, cols: np.ndarray, size: int) -> sp.csr_matrix:
    """SciPy's COO -> CSR conversion, which sums duplicate entries; indices sorted (canonical CSR)."""
    K = sp.coo_matrix((values, (rows, cols)), shape=(size, size)).tocsr()
    K.sort_indices()
    return K


def _b_matrix(dNdx: np.ndarray) -> np.ndarray:
    """6x24 strain-displacement matrix (Voigt: xx, yy, zz, yz, xz, xy) of one Gauss point."""
    B = np.zeros((6, 24))
    for i in range(3):
        B[i, i::3] = dNdx[:, i]
    B[3, 1::3], B[3, 2::3] = dNdx[:, 2], dNdx[:, 1]
    B[4, 0::3], B[4, 2::3] = dNdx[:, 2], dNdx[:, 0]
    B[5, 0::3], B[5, 1::3] = dNdx[:, 1], dNdx[:, 0]
    return B


def stiffness_numpy_loop(coords: np.ndarray, elements: np.ndarray, E: float, nu: float) -> sp.csr_matrix:
    """Reference: one element at a time, Ke = sum_g w detJ B^T D B, then SciPy COO -> CSR."""
    D, G = voigt_elasticity(E, nu), reference_gradients()
    size = 3 * len(coords)
    rows, cols, values = [], [], []
    for nodes in elements:
        X = coords[nodes]
        Ke = np.zeros((24, 24))
        for g in range(8):
            J = G[g].T @ X
            B = _b_matrix(G[g] @ np.linalg.inv(J).T)
            Ke += GAUSS_WEIGHTS[g] * np.linalg.det(J) * (B.T @ D @ B)
        dofs = (3 * nodes[:, None] + np.arange(3)).ravel()
        rows.append(np.repeat(dofs, 24))
        cols.append(np.tile(dofs, 24))
        values.append(Ke.ravel())
    return _coo_to_csr(np.concatenate(values), np.concatenate(rows), np.concatenate(cols), size)


def residual_numpy_loop(coords: np.ndarray, elements: np.ndarray, u: np.ndarray, E: float, nu: float) -> np.ndarray:
    """Reference: one element at a time, f_e = sum_g w detJ B^T D B u_e, added into the global vector."""
    D, G = voigt_elasticity(E, nu), reference_gradients()
    r = np.zeros(3 * len(coords))
    for nodes in elements:
        X = coords[nodes]
        dofs = (3 * nodes[:, None] + np.arange(3)).ravel()
        fe = np.zeros(24)
        for g in range(8):
            J = G[g].T @ X
            B = _b_matrix(G[g] @ np.linalg.inv(J).T)
            fe += GAUSS_WEIGHTS[g] * np.linalg.det(J) * (B.T @ (D @ (B @ u[dofs])))
        r[dofs] += fe
    return r


def stiffness_numpy_vectorized(
    coords: np.ndarray, elements: np.ndarray, rows: np.ndarray, cols: np.ndarray, lam: float, mu: float
) -> sp.csr_matrix:
    """All elements at once with np.einsum, then SciPy COO -> CSR (which sums duplicates)."""
    Ke = element_stiffness(coords[elements], reference_gradients(), lam, mu, np)
    return _coo_to_csr(Ke.ravel(), rows, cols, 3 * len(coords))


def residual_numpy_vectorized(
    coords: np.ndarray, elements: np.ndarray, u: np.ndarray, lam: float, mu: float
) -> np.ndarray:
    """All elements at once with np.einsum, then np.bincount to add element forces into dofs."""
    U = u.reshape(-1, 3)[elements]
    fe = element_internal_force(coords[elements], U, reference_gradients(), lam, mu, np)
    dofs = (3 * elements[:, :, None] + np.arange(3)).ravel()
    return np.bincount(dofs, weights=fe.ravel(), minlength=u.size)


def _gauss_point_stiffness(X: jax.Array, G_g: jax.Array, lam: float, mu: float) -> jax.Array:
    """One element, one Gauss point: w detJ (lam dN_i dN_j + mu dN_j dN_i + mu delta_ij dN . dN)."""
    J = G_g.T @ X
    inv, det = inverse_and_det_3x3(J)
    dNdx = G_g @ inv.T  # (8, 3)
    outer = dNdx[:, :, None, None] * dNdx[None, None, :, :]  # (a, i, b, j)
    dots = (dNdx @ dNdx.T)[:, None, :, None] * jnp.eye(3, dtype=X.dtype)[None, :, None, :]
    Kg = lam * outer + mu * jnp.swapaxes(outer, 1, 3) + mu * dots
    return det * Kg.reshape(24, 24)  # the 2x2x2 Gauss weights are all 1


def make_stiffness_vmap(num_slots: int) -> Callable[..., jax.Array]:
    """Jitted CSR data of K: element matrices by vmap over elements and Gauss points, then a
    segment sum of every element entry into its precomputed CSR slot (duplicates summed)."""

    @jax.jit
    def stiffness_data(coords, elements, slots, G, lam, mu):
        X = coords[elements]  # (elements, 8, 3)
        per_point = jax.vmap(_gauss_point_stiffness, in_axes=(None, 0, None, None))
        per_element = jax.vmap(lambda X: per_point(X, G, lam, mu).sum(axis=0))
        Ke = per_element(X)  # (elements, 24, 24)
        return jax.ops.segment_sum(Ke.ravel(), slots.ravel(), num_segments=num_slots)

    return stiffness_data


def make_stiffness_autodiff(num_slots: int) -> Callable[..., jax.Array]:
    """Jitted CSR data of K: element matrices as the Hessian of the element strain energy
    (forward over reverse mode), vmapped over elements, then the same segment sum."""

    @jax.jit
    def stiffness_data(coords, elements, slots, G, lam, mu):
        X = coords[elements]
        hessian = jax.hessian(element_energy, argnums=1)
        Ke = jax.vmap(hessian, in_axes=(0, 0, None, None, None))(X, jnp.zeros_like(X), G, lam, mu)
        return jax.ops.segment_sum(Ke.reshape(-1), slots.ravel(), num_segments=num_slots)

    return stiffness_data


def _element_force(X: jax.Array, U: jax.Array, G: jax.Array, lam: float, mu: float) -> jax.Array:
    return element_internal_force(X, U, G, lam, mu, jnp)


@jax.jit
def residual_vmap(coords, elements, u, G, lam, mu):
    """Jitted r(u) = K u: element forces by vmap over elements, then a segment sum into dofs."""
    U = u.reshape(-1, 3)[elements]  # (elements, 8, 3)
    fe = jax.vmap(_element_force, in_axes=(0, 0, None, None, None))(coords[elements], U, G, lam, mu)
    dofs = (3 * elements[:, :, None] + jnp.arange(3)).ravel()
    return jax.ops.segment_sum(fe.ravel(), dofs, num_segments=u.size)


@jax.jit
def residual_autodiff(coords, elements, u, G, lam, mu):
    """Jitted r(u) as the gradient of the total strain energy (reverse mode does the scatter)."""

    def total_energy(u):
        U = u.reshape(-1, 3)[elements]
        energies = jax.vmap(element_energy, in_axes=(0, 0, None, None, None))
        return energies(coords[elements], U, G, lam, mu).sum()

    return jax.grad(total_energy)(u)


@jax.jit
def jacobian_vector_product(coords, elements, u, v, G, lam, mu):
    """Matrix-free J(u) v = d/dt r(u + t v): forward-mode autodiff of the residual, no matrix."""
    residual = lambda u: residual_vmap(coords, elements, u, G, lam, mu)  # noqa: E731
    return jax.jvp(residual, (u,), (v,))[1]


def _skfem_basis(mesh: BoxMesh) -> tuple[Any, np.ndarray]:
    """scikit-fem's basis on the same box (intorder=2: 2x2x2 Gauss), and its dof -> our dof map."""
    from skfem import Basis, ElementHex1, ElementVector, MeshHex

    ticks = np.linspace(0.0, 1.0, mesh.n + 1)
    basis = Basis(MeshHex.init_tensor(ticks, ticks, ticks), ElementVector(ElementHex1()), intorder=2)
    ijk = np.rint(basis.mesh.p * mesh.n).astype(np.int64)  # (3, nodes) integer grid coordinates
    ours = ijk[0] + (mesh.n + 1) * (ijk[1] + (mesh.n + 1) * ijk[2])
    if not np.allclose(basis.mesh.p.T, mesh.coords[ours]):
        raise ValueError("scikit-fem's nodes do not match box_mesh's (is the mesh distorted?)")
    to_ours = np.empty(basis.N, dtype=np.int64)
    for c in range(3):
        to_ours[basis.nodal_dofs[c]] = 3 * ours + c
    return basis, to_ours


def _skfem_permute_matrix(K: sp.spmatrix, to_ours: np.ndarray) -> sp.csr_matrix:
    K = K.tocoo()
    return _coo_to_csr(K.data, to_ours[K.row], to_ours[K.col], K.shape[0])


def _skfem_permute_vector(r: np.ndarray, to_ours: np.ndarray) -> np.ndarray:
    out = np.empty_like(r)
    out[to_ours] = r
    return out


def _skfem_residual(basis: Any, form: Any, u_skfem: np.ndarray) -> np.ndarray:
    from skfem import asm

    return asm(form, basis, u=basis.interpolate(u_skfem))


def _skfem_forms(E: float, nu: float) -> tuple[Any, Any]:
    from skfem import LinearForm
    from skfem.helpers import ddot, sym_grad
    from skfem.models.elasticity import linear_elasticity, linear_stress

    lam, mu = lame_parameters(E, nu)
    stress = linear_stress(lam, mu)

    @LinearForm
    def internal_force(v, w):
        return ddot(stress(sym_grad(w["u"])), sym_grad(v))

    return linear_elasticity(lam, mu), internal_force


def _device_inputs(mesh: BoxMesh, E: float, nu: float, dtype: np.dtype) -> tuple[Any, ...]:
    lam, mu = lame_parameters(E, nu)
    return (
        jax.device_put(mesh.coords.astype(dtype)),
        jax.device_put(mesh.elements),
        jax.device_put(reference_gradients().astype(dtype)),
        jnp.asarray(lam, dtype),
        jnp.asarray(mu, dtype),
    )


def prepare_stiffness(
    mesh: "BoxMesh | int", method: str, E: float = 1.0, nu: float = 0.3, dtype: Any = np.float64,
    pattern: CsrPattern | None = None,
) -> Prepared:
    """Everything `method` needs that depends only on the mesh; the step left is the assembly."""
    mesh = as_mesh(mesh)
    dtype = _check_dtype(method, dtype)
    lam, mu = lame_parameters(E, nu)
    coords, elements = mesh.coords, mesh.elements
    if method == "numpy_loop":
        return Prepared(method, stiffness_numpy_loop, (coords, elements, E, nu), lambda K: K, dtype)
    if method == "numpy_vectorized":
        dofs = mesh.element_dofs
        rows, cols = np.repeat(dofs, 24, axis=1).ravel(), np.tile(dofs, (1, 24)).ravel()
        args = (coords, elements, rows, cols, lam, mu)
        return Prepared(method, stiffness_numpy_vectorized, args, lambda K: K, dtype)
    if method in ("jax_vmap", "jax_autodiff"):
        pattern = csr_pattern(mesh) if pattern is None else pattern
        make = make_stiffness_vmap if method == "jax_vmap" else make_stiffness_autodiff
        x, e, G, lam_, mu_ = _device_inputs(mesh, E, nu, dtype)
        args = (x, e, jax.device_put(pattern.slots), G, lam_, mu_)
        return Prepared(method, make(pattern.nnz), args, pattern.matrix, dtype)
    if method == "scikit_fem":
        from skfem import asm

        basis, to_ours = _skfem_basis(mesh)
        form, _ = _skfem_forms(E, nu)
        return Prepared(method, asm, (form, basis), lambda K: _skfem_permute_matrix(K, to_ours), dtype)
    raise ValueError(f"unknown stiffness method {method!r}; choose one of {STIFFNESS_METHODS}")


def prepare_residual(
    mesh: "BoxMesh | int", method: str, u: np.ndarray, E: float = 1.0, nu: float = 0.3,
    dtype: Any = np.float64, v: np.ndarray | None = None,
) -> Prepared:
    """The residual r(u) = K u by `method` (for 'jax_jvp': the product J(u) v, v defaulting to u)."""
    mesh = as_mesh(mesh)
    dtype = _check_dtype(method, dtype)
    lam, mu = lame_parameters(E, nu)
    coords, elements = mesh.coords, mesh.elements
    u = np.asarray(u, dtype=np.float64)
    if u.shape != (mesh.num_dofs,):
        raise ValueError(f"u must have shape ({mesh.num_dofs},) for n={mesh.n}, got {u.shape}")
    to_numpy = lambda r: np.asarray(r, dtype=np.float64)  # noqa: E731
    if method == "numpy_loop":
        return Prepared(method, residual_numpy_loop, (coords, elements, u, E, nu), to_numpy, dtype)
    if method == "numpy_vectorized":
        return Prepared(method, residual_numpy_vectorized, (coords, elements, u, lam, mu), to_numpy, dtype)
    if method in JAX_METHODS:
        x, e, G, lam_, mu_ = _device_inputs(mesh, E, nu, dtype)
        u_ = jax.device_put(u.astype(dtype))
        if method == "jax_jvp":
            v_ = u_ if v is None else jax.device_put(np.asarray(v).astype(dtype))
            return Prepared(method, jacobian_vector_product, (x, e, u_, v_, G, lam_, mu_), to_numpy, dtype)
        fn = residual_vmap if method == "jax_vmap" else residual_autodiff
        return Prepared(method, fn, (x, e, u_, G, lam_, mu_), to_numpy, dtype)
    if method == "scikit_fem":
        basis, to_ours = _skfem_basis(mesh)
        _, form = _skfem_forms(E, nu)
        args = (basis, form, u[to_ours])
        return Prepared(method, _skfem_residual, args, lambda r: _skfem_permute_vector(r, to_ours), dtype)
    raise ValueError(f"unknown residual method {method!r}; choose one of {RESIDUAL_METHODS}")


def assemble_stiffness(
    mesh: "BoxMesh | int", E: float = 1.0, nu: float = 0.3, method: str = "jax_vmap", dtype: Any = np.float64
) -> sp.csr_matrix:
    """The global stiffness matrix by `method`, as canonical SciPy CSR (duplicates summed, sorted)."""
    return prepare_stiffness(mesh, method, E, nu, dtype).result()


def assemble_residual(
    mesh: "BoxMesh | int", u: np.ndarray, E: float = 1.0, nu: float = 0.3, method: str = "jax_vmap",
    dtype: Any = np.float64,
) -> np.ndarray:
    """The internal-force residual r(u) = K u by `method`, as a NumPy float64 vector."""
    return prepare_residual(mesh, method, u, E, nu, dtype).result()
