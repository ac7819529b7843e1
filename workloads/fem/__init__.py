"""Hex8 linear elasticity on the unit cube, the problem of the Folax study
`examples/performance_study/matrix_vector_perf.py`: an n x n x n box of
trilinear hexahedra, 2x2x2 Gauss points, isotropic linear elasticity.

One module per concept: `mesh` (box, boundary conditions), `element` (the
reference element), `pattern` (the CSR pattern, built once per mesh),
`kernels` (JAX, one element), `assembly` (JAX, all elements), the
`numpy_reference` and `skfem_reference` assemblies, `methods` (the
registry pages measure and tests check), `solve`, `memory`, and `sides`
(what each library's process measures for the pages).
"""

from workloads.fem.assembly import (device_inputs, diagonal_vmap,
                                    element_blocks_autodiff,
                                    element_blocks_vmap,
                                    jacobian_vector_product,
                                    residual_autodiff, residual_vmap,
                                    scatter_blocks, scatter_scalars,
                                    stiffness_autodiff, stiffness_vmap,
                                    sum_blocks)
from workloads.fem.element import (CORNERS, GAUSS_POINTS, GAUSS_WEIGHTS,
                                   inverse_and_det_3x3, lame_parameters,
                                   reference_gradients, voigt_elasticity)
from workloads.fem.memory import assembly_memory_mib, xla_memory_mib
from workloads.fem.mesh import (BoxMesh, as_mesh,
                                boundary_conditions_from_field, box_mesh,
                                face_conditions, linear_field)
from workloads.fem.methods import (LABELS, RESIDUAL_METHODS,
                                   STIFFNESS_METHODS, Prepared,
                                   assemble_residual, assemble_stiffness,
                                   library, methods_of, prepare_residual,
                                   prepare_stiffness, relative_difference,
                                   to_scipy_step)
from workloads.fem.pattern import CsrPattern, coo_to_csr, csr_pattern
from workloads.fem.sides import (Side, jax_limits, jax_sweep, merge_sides,
                                 numpy_limits, numpy_sweep, skfem_memory,
                                 skfem_sweep)
from workloads.fem.solve import matrix_free_cg, solve_cg, solve_direct

__all__ = [
    "BoxMesh", "CORNERS", "CsrPattern", "GAUSS_POINTS", "GAUSS_WEIGHTS",
    "LABELS", "Prepared", "RESIDUAL_METHODS", "STIFFNESS_METHODS", "Side",
    "as_mesh", "assemble_residual", "assemble_stiffness",
    "assembly_memory_mib", "boundary_conditions_from_field", "box_mesh",
    "coo_to_csr", "csr_pattern", "device_inputs", "diagonal_vmap",
    "element_blocks_autodiff", "element_blocks_vmap", "face_conditions",
    "inverse_and_det_3x3", "jacobian_vector_product", "jax_limits",
    "jax_sweep", "lame_parameters", "library", "linear_field",
    "matrix_free_cg", "merge_sides", "methods_of", "numpy_limits",
    "numpy_sweep", "prepare_residual", "prepare_stiffness",
    "reference_gradients", "relative_difference", "residual_autodiff",
    "residual_vmap", "scatter_blocks", "scatter_scalars", "skfem_memory",
    "skfem_sweep", "solve_cg", "solve_direct", "stiffness_autodiff",
    "stiffness_vmap", "sum_blocks", "to_scipy_step", "voigt_elasticity",
    "xla_memory_mib",
]
