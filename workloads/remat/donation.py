"""A large update, its input donated or not: XLA's plan, the measured
peak, the page faults and the time, in a process of its own.

The update is the habits page's: `p - 0.01 * g` on one large array.
"""

from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from perfguide.timing import Timing, time_call
from workloads.habits.donation import memory_mib
from workloads.habits.donation import update_copied, update_donated
from perfguide.memory import Peak, call_peak, minor_faults

UPDATES = {"donated": update_donated, "not donated": update_copied}
CHAINED_CALLS = 3  # updates in the measured window: a loop, not one call


@dataclass(frozen=True)
class DonationRun:
    """One variant of the update, measured in a process of its own."""

    plan_mib: dict[str, float]  # XLA's plan: arguments, outputs, ...
    peak: Peak  # measured over CHAINED_CALLS chained updates
    timing: Timing  # seconds per update, latency, compiled
    input_deleted: bool  # whether the first call consumed its input
    faults_per_update: float  # minor page faults: pages newly mapped
    result: Any  # p after the first update, for the equality check


def donation_side(variant: str, n: int,
                  runs: dict[str, Any]) -> DonationRun:
    """Compile `update` on n float32 values, then measure the chained
    `p = update(p, g)`: peak, page faults and time per update."""
    update = UPDATES[variant]
    g = jnp.ones(n, jnp.float32)
    p = jnp.zeros(n, jnp.float32)
    plan = memory_mib(update, p, g)
    state = {"p": jax.block_until_ready(update(p, g))}  # compiles
    # np.array copies: a NumPy view would hold the buffer, and a buffer
    # held elsewhere cannot be donated
    deleted, result = p.is_deleted(), np.array(state["p"])
    del p  # only the loop's own p stays alive, as in a training loop

    def chained(calls: int) -> jax.Array:
        for _ in range(calls):  # the old p is dropped as the new is bound
            state["p"] = update(state["p"], g)
        return state["p"]

    before = minor_faults()
    peak, _ = call_peak(chained, CHAINED_CALLS)
    faults = (minor_faults() - before) / CHAINED_CALLS
    timing = time_call(chained, 1, **runs)
    return DonationRun(plan, peak, timing, deleted, faults, result)
