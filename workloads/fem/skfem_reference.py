"""scikit-fem, an independent finite-element library, on the same box:
its basis and forms, and the map from its dofs to this package's."""

from typing import Any

import numpy as np
import scipy.sparse as sp

from workloads.fem.element import lame_parameters
from workloads.fem.mesh import BoxMesh
from workloads.fem.pattern import coo_to_csr


def skfem_basis(mesh: BoxMesh) -> tuple[Any, np.ndarray]:
    """scikit-fem's vector hex8 basis on the same box (intorder=2: 2x2x2
    Gauss points) and `to_ours`: for each of its dofs, the dof of this
    package with the same node and component."""
    from skfem import Basis, ElementHex1, ElementVector, MeshHex

    ticks = np.linspace(0.0, 1.0, mesh.n + 1)
    box = MeshHex.init_tensor(ticks, ticks, ticks)
    basis = Basis(box, ElementVector(ElementHex1()), intorder=2)
    ijk = np.rint(basis.mesh.p * mesh.n).astype(np.int64)  # grid indices
    ours = ijk[0] + (mesh.n + 1) * (ijk[1] + (mesh.n + 1) * ijk[2])
    if not np.allclose(basis.mesh.p.T, mesh.coords[ours]):
        raise ValueError("scikit-fem's nodes do not match box_mesh's:"
                         " compare on an undistorted mesh")
    to_ours = np.empty(basis.N, dtype=np.int64)
    for c in range(3):
        to_ours[basis.nodal_dofs[c]] = 3 * ours + c
    return basis, to_ours


def skfem_forms(E: float, nu: float) -> tuple[Any, Any]:
    """scikit-fem's bilinear form of linear elasticity and the matching
    internal-force linear form."""
    from skfem import LinearForm
    from skfem.helpers import ddot, sym_grad
    from skfem.models.elasticity import linear_elasticity, linear_stress

    lam, mu = lame_parameters(E, nu)
    stress = linear_stress(lam, mu)

    @LinearForm
    def internal_force(v: Any, w: Any) -> Any:
        return ddot(stress(sym_grad(w["u"])), sym_grad(v))

    return linear_elasticity(lam, mu), internal_force


def skfem_residual(basis: Any, form: Any, u_skfem: np.ndarray) -> np.ndarray:
    """The residual by scikit-fem's assembly, in its own dof order."""
    from skfem import asm

    return asm(form, basis, u=basis.interpolate(u_skfem))


def matrix_to_ours(K: sp.spmatrix, to_ours: np.ndarray) -> sp.csr_matrix:
    """scikit-fem's matrix renumbered to this package's dofs."""
    K = K.tocoo()
    return coo_to_csr(K.data, to_ours[K.row], to_ours[K.col], K.shape[0])


def vector_to_ours(r: np.ndarray, to_ours: np.ndarray) -> np.ndarray:
    """scikit-fem's vector renumbered to this package's dofs."""
    out = np.empty_like(r)
    out[to_ours] = r
    return out
