"""What every route returns: the parameters, the final objective, and how
much work the library did to get there."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fit:
    """One solved calibration, counted the same way for every library."""

    x: np.ndarray  # fitted (a, b)
    objective: float  # final value of the objective
    iterations: int  # the library's own iteration count
    fevals: int | None  # objective values computed (finite differences
    # included); None where not counted
    gevals: int | None  # gradients computed (0 with finite differences)
