"""Equivalence checks that need several devices, run in one process that
has them (`devices.run_on_devices`): sharded against one-device results
on meshes over the first 1, 2, 4, ... devices."""

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np

from workloads import mlp
from workloads.fem import residual_vmap
from workloads.sharding import comms, data_parallel as dp, fe_sharded as fs


def max_difference(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> float:
    """max |a - b| over two lists of arrays of the same shapes."""
    return max(float(np.max(np.abs(x - y))) for x, y in zip(a, b, strict=True))


def training_differences(steps: int, counts: Sequence[int]
                         ) -> dict[str, float]:
    """max |state - one-device state| after `steps` steps: data parallel
    on each device count above 1, and model parallel on the largest."""
    reference, _ = dp.train(steps, 1)
    found = {f"data {n}": max_difference(dp.train(steps, n)[0], reference)
             for n in counts if n > 1}
    widest = max(counts)
    found[f"model {widest}"] = max_difference(
        dp.train(steps, widest, model_axis=True)[0], reference)
    return found


def residual_differences(n: int, counts: Sequence[int]) -> dict[int, float]:
    """max |r - r_one| / max |r_one| for the partitioned residual on each
    device count above 1, against `residual_vmap` on one device's arrays."""
    one = fs.element_mesh(1)
    inputs = [np.asarray(a) for a in fs.residual_inputs(n, one)]
    reference = np.asarray(residual_vmap(*inputs))
    scale = float(np.max(np.abs(reference)))
    return {k: float(np.max(np.abs(fs.residual_on(n, k) - reference))) / scale
            for k in counts if k > 1}


def blocks_difference(n: int, devices: int) -> tuple[float, list[int]]:
    """max |blocks - one-device blocks| of the element matrices kept on
    their devices, and how many elements each device holds."""
    mesh = fs.element_mesh(devices)
    coords, elements, _, G, lam, mu = fs.residual_inputs(n, mesh)
    blocks = fs.sharded_element_blocks(mesh)(coords, elements, G, lam, mu)
    host = [np.asarray(a) for a in (coords, elements, G, lam, mu)]
    reference = np.asarray(jax.jit(fs.element_blocks_vmap)(*host))
    per_device = [s.data.shape[0] for s in blocks.addressable_shards]
    return float(np.max(np.abs(np.asarray(blocks) - reference))), per_device


def step_collectives(devices: int, model_axis: bool = False
                     ) -> comms.Collectives:
    """The collectives in the compiled sharded training step."""
    graphdef, state = dp.make_state()
    mesh, shardings = dp.layout(state, devices, model_axis)
    x, y = mlp.numpy_batches(1, dp.BATCH)[0]
    step = dp.sharded_step(graphdef, mesh, shardings)
    return comms.compiled_collectives(step, state, x, y)


def all_reduce_collectives(size_bytes: int, devices: int
                           ) -> comms.Collectives:
    """The collectives of `comms.all_reduce_program` for `size_bytes` per
    device: one all-reduce of that size, if the program is what it says."""
    from jax.sharding import NamedSharding, PartitionSpec as P

    mesh = dp.data_mesh(devices)
    rows = np.ones((devices, size_bytes // 4), np.float32)
    x = jax.device_put(rows, NamedSharding(mesh, P(dp.DATA)))
    return comms.compiled_collectives(
        comms.all_reduce_program(mesh, dp.DATA), x)


def all_checks(steps: int = 3, n: int = 4,
               counts: Sequence[int] = (1, 2, 4, 8),
               collective_counts: Sequence[int] = (2, 4, 8)
               ) -> dict[str, Any]:
    """Every check at once (one process start for the tests): results on
    `counts` devices, collectives of the step on `collective_counts`."""
    widest = max(counts)
    return {
        "devices": jax.device_count(),
        "training": training_differences(steps, counts),
        "residual": residual_differences(n, counts),
        "blocks": blocks_difference(n, widest),
        "collectives": {k: step_collectives(k) for k in collective_counts},
        "model collectives": step_collectives(widest, model_axis=True),
        "all-reduce alone": all_reduce_collectives(dp.parameter_bytes(),
                                                   widest),
    }
