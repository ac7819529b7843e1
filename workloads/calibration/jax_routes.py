"""The JAX routes: SciPy's BFGS in `jax.scipy`, Optax's L-BFGS in a
`lax.while_loop`, and Optimistix's BFGS; each jitted whole, each returning
(parameters, objective, accepted steps, status code) as arrays."""

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp

from workloads.calibration.problem import GTOL, MAX_ITERATIONS, loss_jax

Loss = Callable[..., Any]
# Optimistix has no gradient test; its Cauchy test (changes of y and f
# below rtol, atol) stops at max |grad| near GTOL on this problem with:
OPTIMISTIX_TOL = 1e-5
# its max_steps counts rejected line-search trials too: give it room
OPTIMISTIX_MAX_STEPS = 4 * MAX_ITERATIONS
OPTAX_STATUS = {0: "converged: max |grad| < gtol",
                1: "iteration cap reached", 2: "objective not finite"}
JAX_SCIPY_STATUS = {0: "converged: max |grad| < gtol",
                    1: "iteration cap reached",
                    2: "line search failed",
                    3: "line search failed: zoom failed",
                    5: "line search failed: its 10 iterations ran out",
                    -1: "stopped, reason undefined"}


def lbfgs_loop(fn: Callable[[Any], Any], x0: Any) -> tuple[Any, ...]:
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

    def small(state: Any) -> Any:
        grad = optax.tree.get(state, "grad")
        return jnp.max(jnp.abs(grad)) < GTOL

    def going(carry: tuple) -> Any:
        _, state, k = carry
        return (k == 0) | ((k < MAX_ITERATIONS) & ~small(state))

    p, state, k = jax.lax.while_loop(going, step, (x0, opt.init(x0), 0))
    value = optax.tree.get(state, "value")
    status = jnp.where(small(state), 0,
                       jnp.where(jnp.isfinite(value), 1, 2))
    return p, value, k, status


def solve_optax(x0: Any, t: Any, y: Any, loss: Loss = loss_jax) -> tuple:
    """The calibration by `lbfgs_loop`."""
    return lbfgs_loop(lambda p: loss(p, t, y), x0)


def solve_jax_scipy(x0: Any, t: Any, y: Any, loss: Loss = loss_jax
                    ) -> tuple:
    """`jax.scipy.optimize.minimize(method="BFGS")`."""
    from jax.scipy.optimize import minimize

    r = minimize(loss, x0, (t, y), method="BFGS",
                 options={"gtol": GTOL, "maxiter": MAX_ITERATIONS})
    return r.x, r.fun, r.nit, r.status


def solve_optimistix(x0: Any, t: Any, y: Any, loss: Loss = loss_jax
                     ) -> tuple:
    """`optimistix.minimise` with `optimistix.BFGS`."""
    import optimistix as optx

    solver = optx.BFGS(rtol=OPTIMISTIX_TOL, atol=OPTIMISTIX_TOL)
    sol = optx.minimise(lambda p, _: loss(p, t, y), solver, x0,
                        max_steps=OPTIMISTIX_MAX_STEPS, throw=False)
    return (sol.value, sol.state.f_info.f, sol.state.num_accepted_steps,
            sol.result._value)


def status_words(route: str, code: int) -> tuple[bool, str]:
    """A JAX route's status code: (the library's success, its reason)."""
    if route == "Optimistix BFGS":
        import optimistix as optx

        message = optx.RESULTS._index_to_message[code]
        return code == 0, message or "converged: Cauchy test"
    table = OPTAX_STATUS if route == "Optax L-BFGS" else JAX_SCIPY_STATUS
    return code == 0, table.get(code, f"status {code}")


JAX_ROUTES: dict[str, Callable[..., tuple]] = {
    "jax.scipy BFGS": solve_jax_scipy,
    "Optax L-BFGS": solve_optax,
    "Optimistix BFGS": solve_optimistix,
}


def jitted(route: Callable[..., tuple], loss: Loss = loss_jax
           ) -> Callable[..., tuple]:
    """The whole solve as one jitted function of (x0, t, y)."""
    return jax.jit(partial(route, loss=loss))
