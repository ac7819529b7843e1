"""Four array programs in NumPy, JAX, PyTorch and Numba, one module per concept.

- `problems`: the programs, their inputs, float64 references, tolerances and traffic;
- `numpy_programs`, `jax_programs`, `torch_programs`, `numba_programs`: each library's code;
- `sides`: each library's side of the sweep, run in a process of its own;
- `roofs`: this machine's memory roofs at the sweep's sizes and best matmul rate;
- `sine`: float32 `sin` in NumPy and XLA, the code XLA generates, and what to do about it.
"""

from workloads.arrays.problems import (
    PROGRAMS, bytes_per_element, elements, error, flops, inputs, matmul_sizes,
    reference, sizes, terms, tolerance)
from workloads.arrays.sides import (
    Point, Side, jax_side, numba_side, numpy_side, torch_side)

__all__ = [
    "PROGRAMS", "Point", "Side", "bytes_per_element", "elements", "error",
    "flops",
    "inputs", "jax_side", "matmul_sizes", "numba_side", "numpy_side",
    "reference", "sizes", "terms", "tolerance", "torch_side",
]
