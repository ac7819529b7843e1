"""The FE residual r(u) = K u partitioned by elements over devices with
`jax.shard_map`: each device runs the fe_assembly page's own assembly
(`workloads.fem.residual_vmap`) on its share of the elements into a
full-size residual, and `psum` adds the devices' partial residuals.

Elements are numbered x fastest, then y, then z, so a contiguous share
is a slab of the cube along z: a domain decomposition. Each device's
element matrices are its block of the Jacobian (unassembled: the local
matrix is the sum of its elements, and K is the sum of the local
matrices), which is how a distributed solver would take it (PETSc's
MATIS, FETI/BDDC); `local_nnz` counts each device's entries.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import numpy as np
from jax.sharding import AxisType, Mesh, NamedSharding, PartitionSpec as P

from workloads.fem import (BoxMesh, as_mesh, device_inputs,
                           element_blocks_vmap, residual_vmap)

AXIS = "elements"
E, NU = 1.0, 0.3  # the fe_assembly page's material
# float32 sums in another order: the partitioned residual agrees with the
# one-device one to a few float32 roundings of max |r| (seen: ~1e-7).
RTOL = 1e-5

Array = jax.Array
Residual = Callable[..., Array]


def element_mesh(devices: int | None = None) -> Mesh:
    """A 1-D device mesh named "elements" over the first `devices`
    devices (all by default)."""
    found = jax.devices()
    chosen = found if devices is None else found[:devices]
    return jax.make_mesh((len(chosen),), (AXIS,), (AxisType.Auto,),
                         devices=chosen)


def check_divides(num_elements: int, devices: int) -> None:
    """Each device gets the same number of elements, or say why not."""
    if num_elements % devices:
        raise ValueError(f"{num_elements} elements do not split evenly over "
                         f"{devices} devices: use a mesh with n^3 divisible "
                         "by the device count (any even n for 1, 2, 4, 8)")


def partial_residual(coords: Array, elements: Array, u: Array, G: Array,
                     lam: Array, mu: Array) -> Array:
    """One device's work: its elements' forces summed into a full-size
    residual (the one-device assembly), then summed over devices."""
    mine = residual_vmap(coords, elements, u, G, lam, mu)
    return jax.lax.psum(mine, AXIS)


def sharded_residual(mesh: Mesh) -> Residual:
    """r(coords, elements, u, G, lam, mu), jitted: elements split over the
    mesh, everything else replicated, the result replicated."""
    return jax.jit(jax.shard_map(
        partial_residual, mesh=mesh,
        in_specs=(P(), P(AXIS), P(), P(), P(), P()), out_specs=P()))


def sharded_element_blocks(mesh: Mesh) -> Callable[..., Array]:
    """(elements, 8, 8, 3, 3) element stiffness blocks, each device
    computing and keeping its own elements' blocks (never gathered)."""
    return jax.jit(jax.shard_map(
        element_blocks_vmap, mesh=mesh,
        in_specs=(P(), P(AXIS), P(), P(), P()), out_specs=P(AXIS)))


def residual_inputs(mesh_or_n: "BoxMesh | int", mesh: Mesh,
                    dtype: Any = np.float32, seed: int = 0
                    ) -> tuple[Array, ...]:
    """(coords, elements, u, G, lam, mu) on the devices: elements already
    split over the mesh, the rest replicated; u a random displacement."""
    box = as_mesh(mesh_or_n)
    check_divides(box.num_elements, mesh.size)
    coords, elements, G, lam, mu = device_inputs(box, E, NU, dtype)
    u = np.random.default_rng(seed).standard_normal(box.num_dofs)
    everywhere = NamedSharding(mesh, P())
    return (jax.device_put(coords, everywhere),
            jax.device_put(elements, NamedSharding(mesh, P(AXIS))),
            jax.device_put(u.astype(dtype), everywhere),
            *(jax.device_put(a, everywhere) for a in (G, lam, mu)))


def residual_on(n: int, devices: int | None = None) -> np.ndarray:
    """r(u) for the n^3 mesh assembled over `devices` devices, on the
    host."""
    mesh = element_mesh(devices)
    return np.asarray(sharded_residual(mesh)(*residual_inputs(n, mesh)))


def timed_residual(n: int, devices: int | None = None,
                   target_s: float | None = None) -> Any:
    """A `Timing` of the partitioned residual on the n^3 mesh (compile
    apart): call it through `devices.run_on_devices`."""
    import perfguide as pg

    mesh = element_mesh(devices)
    return pg.time_call(sharded_residual(mesh), *residual_inputs(n, mesh),
                        target_s=target_s)


@dataclass(frozen=True)
class LocalBlock:
    """One device's share of the Jacobian: its elements, their COO
    triplets (24 x 24 each), the distinct entries these sum into, and the
    dofs it shares with other devices (the interface)."""

    elements: int
    triplets: int
    nnz: int
    interface_dofs: int


def local_blocks(mesh_or_n: "BoxMesh | int", devices: int) -> list[LocalBlock]:
    """Each device's Jacobian block for contiguous element shares (z
    slabs), counted on the host."""
    box = as_mesh(mesh_or_n)
    check_divides(box.num_elements, devices)
    shares = np.split(box.element_dofs, devices)
    touched = np.zeros(box.num_dofs, np.int64)
    for dofs in shares:
        touched[np.unique(dofs)] += 1
    blocks = []
    for dofs in shares:
        rows = np.repeat(dofs, 24, axis=1).astype(np.int64)
        cols = np.tile(dofs, (1, 24)).astype(np.int64)
        pairs = np.unique(rows.ravel() * box.num_dofs + cols.ravel())
        mine = np.unique(dofs)
        blocks.append(LocalBlock(len(dofs), dofs.shape[0] * 576, len(pairs),
                                 int(np.sum(touched[mine] > 1))))
    return blocks


def local_nnz(mesh_or_n: "BoxMesh | int", devices: int) -> list[int]:
    """Distinct stored entries of each device's local matrix."""
    return [block.nnz for block in local_blocks(mesh_or_n, devices)]
