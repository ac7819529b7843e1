"""The optimisation chapter's calibration, one module per concept.

- `problem`: the model y = a exp(-b t), its data, the objective in NumPy,
  JAX and PyTorch, tolerances and the starting points;
- `fit`: what every route returns; `counting`: counting evaluations;
- `scipy_routes`, `jax_routes`, `torch_routes`: the solvers;
- `buckets`: padding data to a few lengths with a mask;
- `batched`: many problems at once (vmap) or in a loop;
- `sides`: each library's side, run in a process of its own.
"""

from workloads.calibration.batched import (batched_solver, fits_of,
                                           make_problems, solve_each)
from workloads.calibration.buckets import BUCKETS, bucket, pad, solve_padded
from workloads.calibration.counting import Counter, counting_loss
from workloads.calibration.fit import Fit
from workloads.calibration.jax_routes import (
    JAX_ROUTES, OPTIMISTIX_MAX_STEPS, OPTIMISTIX_TOL, jitted, lbfgs_loop,
    solve_jax_scipy, solve_optax, solve_optimistix, status_words)
from workloads.calibration.problem import (
    BATCH_RTOL, GTOL, MAX_ITERATIONS, NOISE, OBJECTIVE_RTOL, PARAMETER_ATOL,
    POINTS, START, TRUE, agree, gradient_max, loss_jax, loss_masked,
    loss_numpy, loss_torch, make_data, starts_grid)
from workloads.calibration.scipy_routes import (jax_objective, solve_scipy_fd,
                                                solve_scipy_jax)
from workloads.calibration.sides import (
    COMPILE_LOG, FIRST_LESS_STEADY, LOOP_FD, LOOP_JAX, LOOP_JITTED, SCIPY_FD,
    SCIPY_JAX, SHAPES_WAYS, TORCH_COMPILED, TORCH_EAGER, VMAPPED, BatchPoint,
    RoutePoint, ShapesRun, Side, jax_side, scipy_side, shapes_side,
    torch_side)
from workloads.calibration.torch_routes import lbfgs_torch, solve_torch

ROUTES = (SCIPY_FD, SCIPY_JAX, *JAX_ROUTES, TORCH_EAGER, TORCH_COMPILED)

__all__ = [
    "BATCH_RTOL", "BUCKETS", "BatchPoint", "COMPILE_LOG", "Counter",
    "FIRST_LESS_STEADY", "Fit", "GTOL", "JAX_ROUTES", "LOOP_FD",
    "LOOP_JAX", "LOOP_JITTED", "MAX_ITERATIONS", "NOISE",
    "OBJECTIVE_RTOL", "OPTIMISTIX_MAX_STEPS", "OPTIMISTIX_TOL",
    "PARAMETER_ATOL", "POINTS", "ROUTES", "RoutePoint", "SCIPY_FD",
    "SCIPY_JAX", "SHAPES_WAYS", "START", "ShapesRun", "Side",
    "TORCH_COMPILED", "TORCH_EAGER", "TRUE", "VMAPPED", "agree",
    "batched_solver", "bucket", "counting_loss", "fits_of",
    "gradient_max", "jax_objective", "jax_side", "jitted", "lbfgs_loop",
    "lbfgs_torch", "loss_jax", "loss_masked", "loss_numpy", "loss_torch",
    "make_data", "make_problems", "pad", "scipy_side", "shapes_side",
    "solve_each", "solve_jax_scipy", "solve_optax", "solve_optimistix",
    "solve_padded", "solve_scipy_fd", "solve_scipy_jax", "solve_torch",
    "starts_grid", "status_words", "torch_side",
]
