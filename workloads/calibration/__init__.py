"""The optimisation chapter's calibration, one module per concept.

- `problem`: the model y = a exp(-b t), its data, the objective in NumPy,
  JAX and PyTorch, tolerances and the starting points;
- `fit`: what every route returns; `counting`: counting evaluations;
- `scipy_routes`, `jax_routes`, `torch_routes`: the solvers;
- `buckets`: padding data to a few lengths with a mask;
- `batched`: many problems at once (vmap) or in a loop (SciPy);
- `sides`: each library's side, run in a process of its own.
"""

from workloads.calibration.batched import (batched_solver, make_problems,
                                           solve_each)
from workloads.calibration.buckets import BUCKETS, bucket, pad, solve_padded
from workloads.calibration.counting import Counter, counting_loss
from workloads.calibration.fit import Fit
from workloads.calibration.jax_routes import (JAX_ROUTES, OPTIMISTIX_TOL,
                                              jitted, lbfgs_loop,
                                              solve_jax_scipy,
                                              solve_optax, solve_optimistix)
from workloads.calibration.problem import (
    GTOL, MAX_ITERATIONS, NOISE, OBJECTIVE_RTOL, PARAMETER_ATOL, POINTS,
    START, TRUE, agree, loss_jax, loss_masked, loss_numpy, loss_torch,
    make_data, starts_grid)
from workloads.calibration.scipy_routes import solve_scipy_fd, solve_scipy_jax
from workloads.calibration.sides import (
    LOOP_FD, LOOP_JAX, SCIPY_FD, SCIPY_JAX, TORCH_COMPILED, TORCH_EAGER,
    VMAPPED, BatchPoint, RoutePoint, ShapesRun, Side, jax_side, scipy_side,
    shapes_side, torch_side)
from workloads.calibration.torch_routes import solve_torch

ROUTES = (SCIPY_FD, SCIPY_JAX, *JAX_ROUTES, TORCH_EAGER, TORCH_COMPILED)

__all__ = [
    "BUCKETS", "BatchPoint", "Counter", "Fit", "GTOL", "JAX_ROUTES",
    "LOOP_FD", "LOOP_JAX", "MAX_ITERATIONS", "NOISE", "OBJECTIVE_RTOL",
    "OPTIMISTIX_TOL", "PARAMETER_ATOL", "POINTS", "ROUTES", "RoutePoint",
    "SCIPY_FD", "SCIPY_JAX", "START", "ShapesRun", "Side", "TORCH_COMPILED",
    "TORCH_EAGER", "TRUE", "VMAPPED", "agree", "batched_solver", "bucket",
    "counting_loss", "jax_side", "jitted", "lbfgs_loop", "loss_jax",
    "loss_masked", "loss_numpy", "loss_torch", "make_data", "make_problems",
    "pad", "scipy_side", "shapes_side", "solve_each", "solve_jax_scipy",
    "solve_optax", "solve_optimistix", "solve_padded", "solve_scipy_fd",
    "solve_scipy_jax", "solve_torch", "starts_grid", "torch_side",
]
