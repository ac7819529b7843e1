"""What every route returns: the parameters, the final objective, how
much work the library did to get there, and why it stopped."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fit:
    """One solved calibration, counted the same way for every library."""

    x: np.ndarray  # fitted (a, b)
    objective: float  # final value of the objective
    iterations: int  # accepted steps (line-search trials not counted)
    fevals: int | None  # objective values computed (finite differences
    # included); None where not counted
    gevals: int | None  # gradients computed (0 with finite differences)
    gradient: float = float("nan")  # max |gradient| at x (`gradient_max`)
    success: bool = True  # the library's own verdict on its solve
    status: str = ""  # the library's reason for stopping, in words
