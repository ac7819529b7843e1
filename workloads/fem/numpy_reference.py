"""NumPy references: the per-element loop every method is checked against,
and the vectorised (einsum) versions, with a COO -> CSR rebuild or with
the precomputed slots of the pattern."""

import numpy as np
import scipy.sparse as sp

from workloads.fem.element import (GAUSS_WEIGHTS, inverse_and_det_3x3,
                                   reference_gradients, voigt_elasticity)
from workloads.fem.pattern import coo_to_csr


def b_matrix(dNdx: np.ndarray) -> np.ndarray:
    """6x24 strain-displacement matrix B of one point, Voigt order xx, yy,
    zz, yz, xz, xy."""
    B = np.zeros((6, 24))
    for i in range(3):
        B[i, i::3] = dNdx[:, i]
    B[3, 1::3], B[3, 2::3] = dNdx[:, 2], dNdx[:, 1]
    B[4, 0::3], B[4, 2::3] = dNdx[:, 2], dNdx[:, 0]
    B[5, 0::3], B[5, 1::3] = dNdx[:, 1], dNdx[:, 0]
    return B


def element_dofs(nodes: np.ndarray) -> np.ndarray:
    """The 24 global dofs of one element's nodes, node by node."""
    return (3 * nodes[:, None] + np.arange(3)).ravel()


def stiffness_numpy_loop(coords: np.ndarray, elements: np.ndarray,
                         E: float, nu: float) -> sp.csr_matrix:
    """Reference: element by element, Ke = sum_g w detJ B^T D B, then
    SciPy COO -> CSR."""
    D, G = voigt_elasticity(E, nu), reference_gradients()
    rows, cols, values = [], [], []
    for nodes in elements:
        X = coords[nodes]
        Ke = np.zeros((24, 24))
        for g in range(8):
            J = G[g].T @ X  # J[i, j] = dx_j / dxi_i
            B = b_matrix(G[g] @ np.linalg.inv(J).T)
            Ke += GAUSS_WEIGHTS[g] * np.linalg.det(J) * (B.T @ D @ B)
        dofs = element_dofs(nodes)
        rows.append(np.repeat(dofs, 24))
        cols.append(np.tile(dofs, 24))
        values.append(Ke.ravel())
    return coo_to_csr(np.concatenate(values), np.concatenate(rows),
                      np.concatenate(cols), 3 * len(coords))


def residual_numpy_loop(coords: np.ndarray, elements: np.ndarray,
                        u: np.ndarray, E: float, nu: float) -> np.ndarray:
    """Reference: element by element, f_e = sum_g w detJ B^T D B u_e,
    added into r."""
    D, G = voigt_elasticity(E, nu), reference_gradients()
    r = np.zeros(3 * len(coords))
    for nodes in elements:
        X = coords[nodes]
        dofs = element_dofs(nodes)
        fe = np.zeros(24)
        for g in range(8):
            J = G[g].T @ X
            B = b_matrix(G[g] @ np.linalg.inv(J).T)
            strain = B @ u[dofs]
            fe += GAUSS_WEIGHTS[g] * np.linalg.det(J) * (B.T @ (D @ strain))
        r[dofs] += fe
    return r


def gradients(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """dN/dx (e, g, a, 3) and w detJ (e, g) of all elements X (e, 8, 3)."""
    G = reference_gradients()
    J = np.einsum("gai,eaj->egij", G, X)
    inv, det = inverse_and_det_3x3(J, np)
    return np.einsum("gai,egji->egaj", G, inv), det * GAUSS_WEIGHTS


def element_matrices(coords: np.ndarray, elements: np.ndarray, lam: float,
                     mu: float) -> np.ndarray:
    """(e, 24, 24) stiffness matrices of all elements at once, rows and
    columns in dof order (a i), (b j):
    K[a i, b j] = sum_g w detJ (lam dNa_i dNb_j + mu dNa_j dNb_i
    + mu delta_ij dNa . dNb)."""
    dN, wdet = gradients(coords[elements])
    S = np.einsum("eg,egai,egbj->eaibj", wdet, dN, dN, optimize=True)
    trace = np.einsum("eakbk->eab", S)
    K = lam * S + mu * S.transpose(0, 1, 4, 3, 2)
    for i in range(3):  # + mu tr(S) delta_ij, in place: no identity multiply
        K[:, :, i, :, i] += mu * trace
    return K.reshape(-1, 24, 24)


def stiffness_numpy_vectorized(
    coords: np.ndarray, elements: np.ndarray, rows: np.ndarray,
    cols: np.ndarray, lam: float, mu: float,
) -> sp.csr_matrix:
    """All element matrices at once, then SciPy COO -> CSR, which rebuilds
    the pattern (sorting and summing duplicates) in every call."""
    K = element_matrices(coords, elements, lam, mu)
    return coo_to_csr(K.ravel(), rows, cols, 3 * len(coords))


def stiffness_numpy_slots(
    coords: np.ndarray, elements: np.ndarray, slots: np.ndarray,
    nnz: int, lam: float, mu: float,
) -> np.ndarray:
    """CSR values of K as the JAX methods make them: all element matrices
    at once, then one np.bincount into the precomputed CSR position of
    every entry (`CsrPattern.scalar_slots`)."""
    K = element_matrices(coords, elements, lam, mu)
    return np.bincount(slots, weights=K.ravel(), minlength=nnz)


def residual_numpy_slots(
    coords: np.ndarray, elements: np.ndarray, dofs: np.ndarray,
    u: np.ndarray, lam: float, mu: float,
) -> np.ndarray:
    """All element forces at once with np.einsum, then np.bincount into
    the global dof of every entry (`dofs`: `BoxMesh.element_dofs`, flat)."""
    dN, wdet = gradients(coords[elements])
    U = u.reshape(-1, 3)[elements]  # (e, a, 3)
    grad = np.einsum("eai,egaj->egij", U, dN)
    strain = 0.5 * (grad + grad.transpose(0, 1, 3, 2))
    trace = np.einsum("egii->eg", strain)
    stress = 2 * mu * strain + lam * trace[..., None, None] * np.eye(3)
    fe = np.einsum("eg,egij,egaj->eai", wdet, stress, dN)
    return np.bincount(dofs, weights=fe.ravel(), minlength=u.size)
