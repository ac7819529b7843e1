"""SciPy's BFGS with finite-difference gradients (a NumPy objective), and
with exact gradients from a jitted `jax.value_and_grad` (jac=True); every
call of the objective counted."""

from collections.abc import Callable
from typing import Any

import numpy as np

from workloads.calibration.counting import Counter
from workloads.calibration.fit import Fit
from workloads.calibration.problem import (GTOL, MAX_ITERATIONS,
                                           gradient_max, loss_numpy)

OPTIONS = {"gtol": GTOL, "maxiter": MAX_ITERATIONS}


def _fit(r: Any, t: Any, y: Any, counter: Counter) -> Fit:
    """SciPy's result as a Fit, with its status and the shared gradient."""
    return Fit(r.x, float(r.fun), int(r.nit), counter.values,
               counter.gradients,
               gradient_max(r.x, np.asarray(t), np.asarray(y)),
               bool(r.success), str(r.message))


def solve_scipy_fd(x0: np.ndarray, t: np.ndarray, y: np.ndarray) -> Fit:
    """BFGS; SciPy estimates the gradient by finite differences."""
    from scipy.optimize import minimize

    counter = Counter()
    r = minimize(counter.wrap(loss_numpy), x0, args=(t, y),
                 method="BFGS", options=OPTIONS)
    return _fit(r, t, y, counter)


def jax_objective(value_and_grad: Callable[..., Any], t: Any, y: Any
                  ) -> Callable[[np.ndarray], tuple[float, np.ndarray]]:
    """What SciPy calls: the jitted value and gradient, back on the host."""
    def objective(p: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = value_and_grad(p, t, y)
        return float(value), np.asarray(grad)
    return objective


def solve_scipy_jax(x0: np.ndarray, t: Any, y: Any,
                    value_and_grad: Callable[..., Any]) -> Fit:
    """BFGS, value and gradient from `jax.jit(jax.value_and_grad(loss))`."""
    from scipy.optimize import minimize

    counter = Counter()
    r = minimize(counter.wrap(jax_objective(value_and_grad, t, y),
                              gradients=True),
                 x0, jac=True, method="BFGS", options=OPTIONS)
    return _fit(r, t, y, counter)
