"""The reference hexahedron: corners, 2x2x2 Gauss rule, shape-function
gradients, isotropic elasticity and a 3x3 inverse by cofactors."""

from typing import Any

import jax.numpy as jnp
import numpy as np

# Reference hexahedron [-1, 1]^3: bottom face counter-clockwise, then
# the top face. The 2x2x2 Gauss rule: points at +-1/sqrt(3), weights 1.
CORNERS = np.array(
    [[-1, -1, -1], [1, -1, -1], [1, 1, -1], [-1, 1, -1],
     [-1, -1, 1], [1, -1, 1], [1, 1, 1], [-1, 1, 1]],
    dtype=np.float64,
)
GAUSS_POINTS = CORNERS / np.sqrt(3.0)
GAUSS_WEIGHTS = np.ones(8)


def reference_gradients() -> np.ndarray:
    """(8 Gauss points, 8 nodes, 3): derivatives of the trilinear shape
    functions N_a(xi) = prod_i (1 + s_ai xi_i) / 8."""
    s = CORNERS[None, :, :]  # (1, a, 3)
    factors = 1 + s * GAUSS_POINTS[:, None, :]  # (g, a, 3)
    grads = np.empty((8, 8, 3))
    for d in range(3):
        e, f = [k for k in range(3) if k != d]
        grads[:, :, d] = s[:, :, d] * factors[:, :, e] * factors[:, :, f] / 8
    return grads


def lame_parameters(E: float, nu: float) -> tuple[float, float]:
    """Lamé's (lambda, mu) from Young's modulus E and Poisson's ratio nu."""
    return E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))


def voigt_elasticity(E: float, nu: float) -> np.ndarray:
    """6x6 isotropic elasticity matrix D, Voigt order xx, yy, zz, yz, xz,
    xy (engineering shear)."""
    lam, mu = lame_parameters(E, nu)
    D = np.zeros((6, 6))
    D[:3, :3] = lam
    D[np.arange(3), np.arange(3)] += 2 * mu
    D[np.arange(3, 6), np.arange(3, 6)] = mu
    return D


def inverse_and_det_3x3(J: Any, xp: Any = jnp) -> tuple[Any, Any]:
    """Inverse and determinant of (..., 3, 3) matrices by cofactors (no
    LAPACK call per matrix); `xp` is jax.numpy or numpy."""
    a, b, c = J[..., 0, 0], J[..., 0, 1], J[..., 0, 2]
    d, e, f = J[..., 1, 0], J[..., 1, 1], J[..., 1, 2]
    g, h, i = J[..., 2, 0], J[..., 2, 1], J[..., 2, 2]
    cof = [e * i - f * h, c * h - b * i, b * f - c * e,
           f * g - d * i, a * i - c * g, c * d - a * f,
           d * h - e * g, b * g - a * h, a * e - b * d]  # fmt: skip
    det = a * cof[0] + b * cof[3] + c * cof[6]
    adjugate = xp.stack(cof, axis=-1).reshape(*J.shape[:-2], 3, 3)
    return adjugate / det[..., None, None], det
