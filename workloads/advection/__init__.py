"""The advection loops of the loops chapter, one module per concept.

- `problem`: the fields, one step in NumPy, JAX and PyTorch, tolerances;
- `loops`: a Python `for`, `fori_loop`, `scan`, a compiled step in a loop;
- `programs`: one jitted loop measured in this process, and its program;
- `numpy_buffers`: NumPy's step into buffers allocated once per run;
- `numba_loop`: the whole loop compiled by Numba;
- `sides`: each library's side of the cross-library sweep.
"""

from workloads.advection.loops import (
    JIT_STEP, ROLLED, jitted, run_fori_loop, run_python_for, run_scan,
    run_step_calls, run_torch)
from workloads.advection.numba_loop import numba_threads, run_numba
from workloads.advection.numpy_buffers import (
    run_numpy_preallocated, step_numpy_into)
from workloads.advection.problem import (
    DT, SHAPE, growth_bound, initial_fields, run_numpy, step_jax, step_numpy,
    step_torch, tolerance)
from workloads.advection.programs import (
    Program, cost_per_step, measure_program, same_program)
from workloads.advection.sides import (
    NUMPY, Side, SidePoint, jax_side, merge_sides, numba_side, numpy_side,
    torch_side)

__all__ = [
    "DT", "JIT_STEP", "NUMPY", "Program", "ROLLED", "SHAPE", "Side",
    "SidePoint", "cost_per_step", "growth_bound", "initial_fields",
    "jax_side", "jitted", "measure_program", "merge_sides", "numba_side",
    "numba_threads", "numpy_side", "run_fori_loop", "run_numba",
    "run_numpy", "run_numpy_preallocated", "run_python_for", "run_scan",
    "run_step_calls", "run_torch", "same_program", "step_jax",
    "step_numpy", "step_numpy_into", "step_torch", "tolerance",
    "torch_side",
]
