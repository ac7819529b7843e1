"""SciPy's BFGS with finite-difference gradients (a NumPy objective), and
with exact gradients from a jitted `jax.value_and_grad` (jac=True); every
call of the objective counted."""

from collections.abc import Callable
from typing import Any

import numpy as np

from workloads.calibration.counting import Counter
from workloads.calibration.fit import Fit
from workloads.calibration.problem import GTOL, MAX_ITERATIONS, loss_numpy

OPTIONS = {"gtol": GTOL, "maxiter": MAX_ITERATIONS}


def solve_scipy_fd(x0: np.ndarray, t: np.ndarray, y: np.ndarray) -> Fit:
    """BFGS; SciPy estimates the gradient by finite differences."""
    from scipy.optimize import minimize

    counter = Counter()
    r = minimize(counter.wrap(loss_numpy), x0, args=(t, y),
                 method="BFGS", options=OPTIONS)
    return Fit(r.x, float(r.fun), int(r.nit), counter.values, 0)


def solve_scipy_jax(x0: np.ndarray, t: Any, y: Any,
                    value_and_grad: Callable[..., Any]) -> Fit:
    """BFGS, value and gradient from `jax.jit(jax.value_and_grad(loss))`."""
    from scipy.optimize import minimize

    def objective(p: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = value_and_grad(p, t, y)
        return float(value), np.asarray(grad)

    counter = Counter()
    r = minimize(counter.wrap(objective, gradients=True), x0, jac=True,
                 method="BFGS", options=OPTIONS)
    return Fit(r.x, float(r.fun), int(r.nit), counter.values,
               counter.gradients)
