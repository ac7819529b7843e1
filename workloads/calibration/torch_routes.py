"""PyTorch's L-BFGS with its strong-Wolfe line search, on the objective as
written (eager) or compiled by `torch.compile`; every closure call counted."""

from collections.abc import Callable
from typing import Any

import numpy as np

from workloads.calibration.counting import Counter
from workloads.calibration.fit import Fit
from workloads.calibration.problem import GTOL, MAX_ITERATIONS, loss_torch

TOLERANCE_CHANGE = 1e-14  # so that the gradient test (GTOL) decides


def solve_torch(x0: np.ndarray, t: Any, y: Any,
                loss: Callable[..., Any]) -> Fit:
    """`torch.optim.LBFGS(line_search_fn="strong_wolfe")` until converged."""
    import torch

    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS(
        [p], max_iter=MAX_ITERATIONS, max_eval=5 * MAX_ITERATIONS,
        tolerance_grad=GTOL, tolerance_change=TOLERANCE_CHANGE,
        line_search_fn="strong_wolfe")

    def closure() -> Any:
        opt.zero_grad()
        value = loss(p, t, y)
        value.backward()
        return value

    counter = Counter()
    opt.step(counter.wrap(closure, gradients=True))
    objective = float(loss_torch(p.detach(), t, y))  # eager, not compiled
    return Fit(p.detach().numpy().copy(), objective,
               int(opt.state[p]["n_iter"]), counter.values,
               counter.gradients)
