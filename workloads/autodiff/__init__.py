"""Automatic differentiation in JAX and PyTorch, one module per concept.

- `scalar`: a smooth function of one variable and every way to take its
  derivative at many points, with the exact derivative;
- `per_example`: per-example gradients of a small MLP;
- `modes`: forward and reverse mode on R^n -> R^m; Hessian-vector products;
- `checks`: the tolerance every result is checked with;
- `sides`: each library's side, run in a process of its own.
"""

from workloads.autodiff import checks, modes, per_example, scalar
from workloads.autodiff.sides import COMPILED, EAGER, JAX, Point, Side, \
    jax_side, merge_sides, plan, torch_side

__all__ = ["COMPILED", "EAGER", "JAX", "Point", "Side", "checks",
           "jax_side", "merge_sides", "modes", "per_example", "plan",
           "scalar", "torch_side"]
