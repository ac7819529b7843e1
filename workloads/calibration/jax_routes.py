"""The JAX routes: SciPy's BFGS in `jax.scipy`, Optax's L-BFGS in a
`lax.while_loop`, and Optimistix's BFGS; each jitted whole, each returning
(parameters, objective, iterations) as arrays."""

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from workloads.calibration.problem import GTOL, MAX_ITERATIONS, loss_jax

Loss = Callable[..., Any]
OPTIMISTIX_TOL = 1e-9  # its Cauchy test: changes of y and f below this


def lbfgs_loop(fn: Callable[[Any], Any], x0: Any) -> tuple[Any, Any, Any]:
    """Optax's L-BFGS with its zoom line search until max |grad| < GTOL."""
    import optax

    opt = optax.lbfgs()
    value_and_grad = optax.value_and_grad_from_state(fn)

    def step(carry: tuple) -> tuple:
        p, state, k = carry
        value, grad = value_and_grad(p, state=state)
        updates, state = opt.update(grad, state, p, value=value,
                                    grad=grad, value_fn=fn)
        return optax.apply_updates(p, updates), state, k + 1

    def going(carry: tuple) -> Any:
        _, state, k = carry
        grad = optax.tree.get(state, "grad")
        small = jnp.max(jnp.abs(grad)) < GTOL
        return (k == 0) | ((k < MAX_ITERATIONS) & ~small)

    p, state, k = jax.lax.while_loop(going, step, (x0, opt.init(x0), 0))
    return p, optax.tree.get(state, "value"), k


def solve_optax(x0: Any, t: Any, y: Any, loss: Loss = loss_jax) -> tuple:
    """The calibration by `lbfgs_loop`."""
    return lbfgs_loop(lambda p: loss(p, t, y), x0)


def solve_jax_scipy(x0: Any, t: Any, y: Any, loss: Loss = loss_jax
                    ) -> tuple:
    """`jax.scipy.optimize.minimize(method="BFGS")`."""
    from jax.scipy.optimize import minimize

    r = minimize(loss, x0, (t, y), method="BFGS",
                 options={"gtol": GTOL, "maxiter": MAX_ITERATIONS})
    return r.x, loss_jax(r.x, t, y), r.nit


def solve_optimistix(x0: Any, t: Any, y: Any, loss: Loss = loss_jax
                     ) -> tuple:
    """`optimistix.minimise` with `optimistix.BFGS`."""
    import optimistix as optx

    solver = optx.BFGS(rtol=OPTIMISTIX_TOL, atol=OPTIMISTIX_TOL)
    sol = optx.minimise(lambda p, _: loss(p, t, y), solver, x0,
                        max_steps=MAX_ITERATIONS, throw=False)
    return sol.value, loss_jax(sol.value, t, y), sol.stats["num_steps"]


JAX_ROUTES: dict[str, Callable[..., tuple]] = {
    "jax.scipy BFGS": solve_jax_scipy,
    "Optax L-BFGS": solve_optax,
    "Optimistix BFGS": solve_optimistix,
}


def jitted(route: Callable[..., tuple], loss: Loss = loss_jax
           ) -> Callable[..., tuple]:
    """The whole solve as one jitted function of (x0, t, y)."""
    return jax.jit(partial(route, loss=loss))
