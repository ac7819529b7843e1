"""What the page measures for one device count, in a process that has
that many simulated devices (`devices.run_on_devices`)."""

from typing import Any

import jax

from workloads.sharding import comms, data_parallel as dp, fe_sharded as fs
from workloads.sharding.checks import step_collectives


def measure(n: int, target_s: float | None = None) -> dict[str, Any]:
    """Timings of the data-parallel step and of the partitioned residual
    on the n^3 mesh over all this process's devices, the step's
    collectives, and one all-reduce of the parameters' size alone."""
    devices = jax.device_count()
    collectives = step_collectives(devices)
    return {
        "devices": devices,
        "step": dp.timed_step(devices, target_s=target_s),
        "residual": fs.timed_residual(n, devices, target_s=target_s),
        "collectives": collectives,
        "all_reduce": comms.timed_all_reduce(dp.parameter_bytes(), devices,
                                             target_s=target_s),
    }
