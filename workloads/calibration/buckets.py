"""Data of many lengths without a compilation per length: pad each data set
to one of a few bucket sizes and mask the padding out of the objective."""

from typing import Any

import numpy as np

from workloads.calibration.jax_routes import lbfgs_loop
from workloads.calibration.problem import loss_masked

BUCKETS = (256, 512)


def bucket(points: int, buckets: tuple[int, ...] = BUCKETS) -> int:
    """The smallest bucket that holds `points` data points."""
    fits = [size for size in buckets if size >= points]
    if not fits:
        raise ValueError(f"{points} points exceed the largest bucket "
                         f"{max(buckets)}: add a larger bucket")
    return min(fits)


def pad(t: np.ndarray, y: np.ndarray, size: int) -> tuple[np.ndarray, ...]:
    """t and y padded with zeros to `size`, and a mask: 1 data, 0 padding."""
    extra = size - len(t)
    mask = np.concatenate([np.ones(len(t)), np.zeros(extra)])
    return np.pad(t, (0, extra)), np.pad(y, (0, extra)), mask


def solve_padded(x0: Any, t: Any, y: Any, mask: Any) -> tuple:
    """`lbfgs_loop` on the masked objective: padding adds nothing."""
    return lbfgs_loop(lambda p: loss_masked(p, t, y, mask), x0)
