"""PyTorch's L-BFGS with its strong-Wolfe line search, on the objective as
written (eager) or compiled by `torch.compile`; every closure call counted.
The solve (`lbfgs_torch`) is what is timed; `solve_torch` adds the final
objective and the checks, outside any timing."""

from collections.abc import Callable
from typing import Any

import numpy as np

from workloads.calibration.counting import Counter
from workloads.calibration.fit import Fit
from workloads.calibration.problem import (GTOL, MAX_ITERATIONS,
                                           gradient_max, loss_torch)

TOLERANCE_CHANGE = 1e-14  # so that the gradient test (GTOL) decides


def lbfgs_torch(x0: np.ndarray, t: Any, y: Any, loss: Callable[..., Any],
                counter: Counter | None = None) -> tuple[Any, int]:
    """`torch.optim.LBFGS(line_search_fn="strong_wolfe")` until converged:
    the fitted tensor and the iterations (accepted steps)."""
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

    opt.step(counter.wrap(closure, gradients=True) if counter else closure)
    return p, int(opt.state[p]["n_iter"])


def solve_torch(x0: np.ndarray, t: Any, y: Any,
                loss: Callable[..., Any]) -> Fit:
    """`lbfgs_torch`, counted, with its final objective and why it stopped
    (LBFGS reports no status: its own gradient test, else the cap, else
    no progress by `tolerance_change` or the line search)."""
    counter = Counter()
    p, iterations = lbfgs_torch(x0, t, y, loss, counter)
    x = p.detach().numpy().copy()
    objective = float(loss_torch(p.detach(), t, y))  # eager, not compiled
    grad = float(p.grad.abs().max()) if p.grad is not None else np.inf
    success = grad <= GTOL
    status = ("converged: max |grad| <= tolerance_grad" if success else
              "iteration cap reached" if iterations >= MAX_ITERATIONS else
              "stopped without passing its gradient test")
    return Fit(x, objective, iterations, counter.values, counter.gradients,
               gradient_max(x, t.numpy(), y.numpy()), success, status)
