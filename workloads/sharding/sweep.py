"""What the page measures for one device count, in a process that has
that many simulated devices (`devices.run_on_devices`)."""

from typing import Any

import jax

from workloads.sharding import data_parallel as dp, fe_sharded as fs
from workloads.sharding.checks import step_collectives


def measure(n: int, target_s: float | None = None) -> dict[str, Any]:
    """Timings of the data-parallel step and of the partitioned residual
    on the n^3 mesh over all this process's devices, and the step's
    collectives."""
    devices = jax.device_count()
    return {
        "devices": devices,
        "step": dp.timed_step(devices, target_s=target_s),
        "residual": fs.timed_residual(n, devices, target_s=target_s),
        "collectives": step_collectives(devices),
    }
