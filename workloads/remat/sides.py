"""The rollout's gradient measured in a process of its own: XLA's plan,
the measured peak, compile time and time per gradient, and the gradients
for the agreement check."""

from dataclasses import dataclass
from typing import Any

import jax
import numpy as np

from perfguide.compilation import compile_log
from perfguide.timing import Timing, block, time_call
from perfguide.memory import Peak, call_peak, minor_faults
from workloads.remat.rollout import SCHEMES, gradient, segment_length


@dataclass(frozen=True)
class RolloutPoint:
    """One scheme at one number of steps."""

    temp_mib: float  # XLA's plan: the compiled gradient's temporaries
    peak: Peak  # measured: the first run's peak over memory before it
    compile_s: float  # trace, lower and compile, from JAX's events
    timing: Timing  # seconds per gradient, latency, compiled
    k: int  # steps per segment of the nested scheme
    faults: int  # minor page faults of one more gradient: pages mapped
    grads: tuple[np.ndarray, np.ndarray]  # w.r.t. d0 and v


def rollout_side(scheme: str, steps: int, density: np.ndarray,
                 velocity: np.ndarray,
                 runs: dict[str, Any]) -> RolloutPoint:
    """Compile the gradient and read its plan; measure the peak memory of
    its first run (whose result is checked) over the memory in use before
    it, before any freed buffer can hide in the baseline; then time it
    and count the page faults of one more call."""
    d0, v = jax.device_put(density), jax.device_put(velocity)
    fn = gradient(SCHEMES[scheme], steps)
    with compile_log() as log:
        compiled = fn.lower(d0, v).compile()
    plan = compiled.memory_analysis()
    peak, grads = call_peak(compiled, d0, v)  # the first run: all fresh
    timing = time_call(compiled, d0, v, **runs)  # compiled: no compile
    before = minor_faults()
    block(compiled(d0, v))
    return RolloutPoint(plan.temp_size_in_bytes / 2**20, peak,
                        log.total_s, timing, segment_length(steps),
                        minor_faults() - before,
                        (np.array(grads[0]), np.array(grads[1])))
