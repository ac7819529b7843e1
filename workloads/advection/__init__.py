"""The advection loops of the loops chapter, one module per concept.

- `problem`: the fields, one step in NumPy, JAX and PyTorch, tolerances;
- `loops`: a Python `for`, `fori_loop`, `scan`, a compiled step in a loop;
- `programs`: one jitted loop measured in this process, and its program;
- `sides`: each library's side of the cross-library sweep.
"""

from workloads.advection.loops import (
    JIT_STEP, ROLLED, jitted, run_fori_loop, run_python_for, run_scan,
    run_step_calls, run_torch)
from workloads.advection.problem import (
    DT, SHAPE, growth_bound, initial_fields, run_numpy, step_jax, step_numpy,
    step_torch, tolerance)
from workloads.advection.programs import (
    Program, cost_per_step, measure_program, same_program)
from workloads.advection.sides import (
    Side, SidePoint, jax_side, merge_sides, numpy_side, torch_side)

__all__ = [
    "DT", "JIT_STEP", "Program", "ROLLED", "SHAPE", "Side", "SidePoint",
    "cost_per_step", "growth_bound", "initial_fields", "jax_side", "jitted",
    "measure_program", "merge_sides", "numpy_side", "run_fori_loop",
    "run_numpy", "run_python_for", "run_scan", "run_step_calls", "run_torch",
    "same_program", "step_jax", "step_numpy", "step_torch", "tolerance",
    "torch_side",
]
