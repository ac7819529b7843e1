"""What the page measures for one device count, in a process that has
that many simulated devices (`devices.run_on_devices`), and, on request,
the checks that sharded results equal one device's in the same process."""

from typing import Any

import jax

from workloads.sharding import comms, data_parallel as dp, fe_sharded as fs
from workloads.sharding.checks import (max_difference, residual_differences,
                                       step_collectives)

SMALLEST_BYTES = 4  # one float32: an all-reduce that is all latency


def measure(n: int, target_s: float | None = None) -> dict[str, Any]:
    """Timings of the data-parallel step and of the partitioned residual
    on the n^3 mesh over all this process's devices, the step's
    collectives, one all-reduce of the parameters' size alone and one of
    a single float (the latency)."""
    devices = jax.device_count()
    collectives = step_collectives(devices)
    return {
        "devices": devices,
        "step": dp.timed_step(devices, target_s=target_s),
        "residual": fs.timed_residual(n, devices, target_s=target_s),
        "collectives": collectives,
        "all_reduce": comms.timed_all_reduce(dp.parameter_bytes(), devices,
                                             target_s=target_s),
        "latency": comms.timed_all_reduce(SMALLEST_BYTES, devices,
                                          target_s=target_s),
    }


def check(n: int, steps: int) -> dict[str, Any]:
    """On all this process's devices against its first device alone:
    max |state - one device| after `steps` SGD steps, data parallel and
    model parallel; the residual's max |r - r_one| / max |r_one| on the
    n^3 mesh; and the model-parallel step's collectives."""
    devices = jax.device_count()
    if devices == 1:
        return {"devices": 1}
    reference, _ = dp.train(steps, 1)
    return {
        "devices": devices,
        "data": max_difference(dp.train(steps, devices)[0], reference),
        "model": max_difference(
            dp.train(steps, devices, model_axis=True)[0], reference),
        "residual": residual_differences(n, (devices,))[devices],
        "model collectives": step_collectives(devices, model_axis=True),
    }


def measure_and_check(n: int, steps: int, target_s: float | None = None
                      ) -> dict[str, Any]:
    """`measure` then `check`, in one process start."""
    return {**measure(n, target_s), "check": check(n, steps)}
