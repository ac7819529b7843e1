"""The unit cube cut into n^3 hex8 elements, and the displacements
prescribed on it: the study's two faces, or a field on the whole surface.

Nodes are numbered x fastest, then y, then z; component c of node k is
degree of freedom (dof) 3 k + c.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from workloads.fem.element import CORNERS


@dataclass(frozen=True)
class BoxMesh:
    """Node coordinates (nodes, 3) and hex8 connectivity (elements, 8)."""

    n: int
    coords: np.ndarray
    elements: np.ndarray

    @property
    def num_nodes(self) -> int:
        """(n + 1)^3 nodes."""
        return len(self.coords)

    @property
    def num_elements(self) -> int:
        """n^3 elements."""
        return len(self.elements)

    @property
    def num_dofs(self) -> int:
        """Three displacement components per node."""
        return 3 * self.num_nodes

    @cached_property
    def element_dofs(self) -> np.ndarray:
        """(elements, 24) global dofs of each element, node by node."""
        dofs = 3 * self.elements[:, :, None] + np.arange(3)
        return dofs.reshape(-1, 24).astype(np.int32)


def box_mesh(n: int, jitter: float = 0.0, seed: int = 0) -> BoxMesh:
    """Unit cube of n^3 hex8 elements; node (i, j, k) is numbered
    i + (n+1) (j + (n+1) k).

    `jitter` > 0 moves every interior node by up to `jitter` element sizes
    in each direction (below 0.25 the elements stay valid): distorted
    elements for patch tests.
    """
    if n < 1:
        raise ValueError(f"box_mesh needs n >= 1 elements per side, got {n}")
    if not 0.0 <= jitter < 0.25:
        raise ValueError("jitter must be in [0, 0.25) element sizes to keep"
                         f" elements valid, got {jitter}")
    ticks = np.linspace(0.0, 1.0, n + 1)
    z, y, x = np.meshgrid(ticks, ticks, ticks, indexing="ij")  # x fastest
    coords = np.stack([x.ravel(), y.ravel(), z.ravel()], axis=1)
    if jitter:
        interior = np.all((coords > 0) & (coords < 1), axis=1)
        shift = np.random.default_rng(seed).uniform(
            -jitter / n, jitter / n, (int(interior.sum()), 3))
        coords[interior] += shift
    k, j, i = (a.ravel()[:, None]
               for a in np.meshgrid(*3 * (np.arange(n),), indexing="ij"))
    corner = ((CORNERS + 1) // 2).astype(int)  # (8, 3) offsets 0 or 1
    x_, y_, z_ = i + corner[:, 0], j + corner[:, 1], k + corner[:, 2]
    elements = x_ + (n + 1) * (y_ + (n + 1) * z_)
    return BoxMesh(n, coords, elements.astype(np.int32))


def as_mesh(mesh_or_n: "BoxMesh | int") -> BoxMesh:
    """A BoxMesh, built by box_mesh(n) when an int is given."""
    if isinstance(mesh_or_n, BoxMesh):
        return mesh_or_n
    return box_mesh(int(mesh_or_n))


def face_conditions(
    mesh: BoxMesh, displacement: tuple[float, float, float] = (0.1, 0.1, 0.1)
) -> tuple[np.ndarray, np.ndarray]:
    """The study's conditions: u = 0 on the face x = 0, u = `displacement`
    on x = 1. Returns (fixed: bool per dof, values: 0 on free dofs)."""
    x = mesh.coords[:, 0]
    values = np.zeros((mesh.num_nodes, 3))
    values[np.isclose(x, 1.0)] = displacement
    fixed = np.repeat(np.isclose(x, 0.0) | np.isclose(x, 1.0), 3)
    return fixed, values.ravel()


def boundary_conditions_from_field(
    mesh: BoxMesh, field: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Fix every dof on the outer surface of the box to `field`."""
    on_face = np.isclose(mesh.coords, 0.0) | np.isclose(mesh.coords, 1.0)
    fixed = np.repeat(np.any(on_face, axis=1), 3)
    return fixed, np.where(fixed, field, 0.0)


def linear_field(mesh: BoxMesh, A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Dof vector of the displacement u(x) = A x + b at the nodes."""
    return (mesh.coords @ np.asarray(A).T + np.asarray(b)).ravel()
