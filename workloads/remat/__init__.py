"""Where a JAX program's memory goes, one module per concept.

- `donation`: a large update, its input donated or not, measured;
- `rollout`: the gradient through the advection loop, three ways;
- `sides`: one rollout gradient measured in a process of its own;
- `keepalive`: what a scanned training loop keeps alive, from its plan.
"""

from workloads.remat.donation import (
    CHAINED_CALLS, UPDATES, DonationRun, donation_side)
from workloads.remat.keepalive import CASES, STEPS, KeptAlive, plan
from workloads.remat.rollout import (
    SCHEMES, checkpointed, gradient, loss, nested, plain, predicted_fields,
    segment_length)
from workloads.remat.sides import RolloutPoint, rollout_side

__all__ = [
    "CHAINED_CALLS", "CASES", "DonationRun", "KeptAlive", "RolloutPoint", "SCHEMES",
    "STEPS", "UPDATES", "checkpointed", "donation_side",
    "gradient", "loss", "nested", "plain", "plan",
    "predicted_fields", "rollout_side", "segment_length",
]
