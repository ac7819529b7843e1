"""The registry of assembly methods that pages measure and tests check,
and one entry point per quantity: `prepare_stiffness` and
`prepare_residual` build what depends only on the mesh (pattern, device
arrays, scikit-fem's basis) and return the step left to time.

Every method computes the same stiffness matrix K (SciPy CSR, duplicates
summed, indices sorted) and the same residual r(u) = K u. JAX methods
compute in the dtype they are given; float64 needs `jax_enable_x64`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import numpy as np
import scipy.sparse as sp

from workloads.fem import assembly, numpy_reference, skfem_reference
from workloads.fem.element import lame_parameters
from workloads.fem.mesh import BoxMesh, as_mesh
from workloads.fem.pattern import CsrPattern, csr_pattern

STIFFNESS_METHODS = ("numpy_loop", "numpy_vectorized", "numpy_slots",
                     "jax_vmap", "jax_autodiff", "scikit_fem")
RESIDUAL_METHODS = ("numpy_loop", "numpy_slots", "jax_vmap",
                    "jax_autodiff", "jax_jvp", "scikit_fem")
LABELS = {  # how figures and tables name each method and variant
    "numpy_loop": "NumPy loop",
    "numpy_vectorized": "NumPy einsum, COO → CSR",
    "numpy_slots": "NumPy einsum, slots",
    "jax_vmap": "JAX vmap",
    "jax_vmap float32": "JAX vmap, float32",
    "jax_autodiff": "JAX autodiff",
    "jax_jvp": "JAX jvp (matrix-free K v)",
    "scikit_fem": "scikit-fem",
    "scipy_matvec": "SciPy CSR K @ u",
}
LIBRARIES = {"numpy": "NumPy", "jax": "JAX", "scikit": "scikit-fem"}


def library(method: str) -> str:
    """'numpy', 'jax' or 'scikit': the library (and process) of a method."""
    prefix = method.split("_")[0]
    if prefix not in LIBRARIES:
        raise ValueError(f"{method!r} names no library of {LIBRARIES}")
    return prefix


def methods_of(lib: str, methods: tuple[str, ...]) -> tuple[str, ...]:
    """The methods of one library in a registry, in registry order."""
    return tuple(m for m in methods if library(m) == lib)


@dataclass
class Prepared:
    """`fn(*args)` is the step to time; `to_result(fn(*args))` is a SciPy
    CSR matrix (stiffness) or a NumPy float64 vector (residual)."""

    method: str
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    to_result: Callable[[Any], Any]
    dtype: np.dtype

    def __call__(self) -> Any:
        return self.fn(*self.args)

    def result(self) -> Any:
        """The step's output as SciPy CSR or NumPy float64."""
        return self.to_result(self())


def check_dtype(method: str, dtype: Any) -> np.dtype:
    """The dtype as np.dtype, or an error that says what to do."""
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    jax_method = library(method) == "jax"
    if not jax_method and dtype != np.float64:
        raise ValueError(
            f"method {method!r} runs in float64 only, got dtype={dtype}")
    if jax_method and dtype == np.float64 and not jax.config.jax_enable_x64:
        raise RuntimeError(
            f"method {method!r} in float64 needs JAX's 64-bit mode: call "
            "jax.config.update('jax_enable_x64', True) first (or use `with "
            "jax.enable_x64(True):`), or pass dtype=np.float32")
    return dtype


def _unknown(kind: str, method: str, known: tuple[str, ...]) -> ValueError:
    return ValueError(f"unknown {kind} method {method!r}; choose one of"
                      f" {known}")


def prepare_stiffness(
    mesh: "BoxMesh | int", method: str, E: float = 1.0, nu: float = 0.3,
    dtype: Any = np.float64, pattern: CsrPattern | None = None,
) -> Prepared:
    """Set up `method` for this mesh; the step left is the assembly."""
    if method not in STIFFNESS_METHODS:
        raise _unknown("stiffness", method, STIFFNESS_METHODS)
    mesh = as_mesh(mesh)
    dtype = check_dtype(method, dtype)
    lam, mu = lame_parameters(E, nu)
    same = lambda K: K  # noqa: E731
    if method == "numpy_loop":
        args = (mesh.coords, mesh.elements, E, nu)
        return Prepared(method, numpy_reference.stiffness_numpy_loop, args,
                        same, dtype)
    if method == "numpy_vectorized":
        dofs = mesh.element_dofs
        rows = np.repeat(dofs, 24, axis=1).ravel()
        cols = np.tile(dofs, (1, 24)).ravel()
        args = (mesh.coords, mesh.elements, rows, cols, lam, mu)
        return Prepared(method, numpy_reference.stiffness_numpy_vectorized,
                        args, same, dtype)
    if method == "scikit_fem":
        from skfem import asm

        basis, to_ours = skfem_reference.skfem_basis(mesh)
        form, _ = skfem_reference.skfem_forms(E, nu)
        return Prepared(
            method, asm, (form, basis),
            lambda K: skfem_reference.matrix_to_ours(K, to_ours), dtype)
    pattern = csr_pattern(mesh) if pattern is None else pattern
    if method == "numpy_slots":
        slots = pattern.scalar_slots.ravel().astype(np.intp)  # for bincount
        args = (mesh.coords, mesh.elements, slots, pattern.nnz, lam, mu)
        return Prepared(method, numpy_reference.stiffness_numpy_slots, args,
                        pattern.matrix, dtype)
    coords, elements, G, lam_, mu_ = assembly.device_inputs(
        mesh, E, nu, dtype)
    slots = jax.device_put(pattern.block_slots)
    reorder = jax.device_put(pattern.csr_from_bsr)
    fn = {"jax_vmap": assembly.stiffness_vmap,
          "jax_autodiff": assembly.stiffness_autodiff}[method]
    args = (coords, elements, slots, reorder, G, lam_, mu_)
    return Prepared(method, fn, args, pattern.matrix, dtype)


def prepare_residual(
    mesh: "BoxMesh | int", method: str, u: np.ndarray, E: float = 1.0,
    nu: float = 0.3, dtype: Any = np.float64, v: np.ndarray | None = None,
) -> Prepared:
    """Set up r(u) = K u by `method`; for 'jax_jvp' the step is J(u) v (v
    defaults to u; J v equals r(v) for this linear problem)."""
    if method not in RESIDUAL_METHODS:
        raise _unknown("residual", method, RESIDUAL_METHODS)
    mesh = as_mesh(mesh)
    dtype = check_dtype(method, dtype)
    u = np.asarray(u, dtype=np.float64)
    if u.shape != (mesh.num_dofs,):
        raise ValueError(f"u must have shape ({mesh.num_dofs},) for"
                         f" n={mesh.n}, got {u.shape}")
    lam, mu = lame_parameters(E, nu)
    to_numpy = lambda r: np.asarray(r, dtype=np.float64)  # noqa: E731
    if method == "numpy_loop":
        args = (mesh.coords, mesh.elements, u, E, nu)
        return Prepared(method, numpy_reference.residual_numpy_loop, args,
                        to_numpy, dtype)
    if method == "numpy_slots":
        dofs = mesh.element_dofs.ravel().astype(np.intp)
        args = (mesh.coords, mesh.elements, dofs, u, lam, mu)
        return Prepared(method, numpy_reference.residual_numpy_slots, args,
                        to_numpy, dtype)
    if method == "scikit_fem":
        basis, to_ours = skfem_reference.skfem_basis(mesh)
        _, form = skfem_reference.skfem_forms(E, nu)
        return Prepared(
            method, skfem_reference.skfem_residual,
            (basis, form, u[to_ours]),
            lambda r: skfem_reference.vector_to_ours(r, to_ours), dtype)
    coords, elements, G, lam_, mu_ = assembly.device_inputs(
        mesh, E, nu, dtype)
    u_ = jax.device_put(u.astype(dtype))
    if method == "jax_jvp":
        v_ = u_ if v is None else jax.device_put(np.asarray(v).astype(dtype))
        args = (coords, elements, u_, v_, G, lam_, mu_)
        return Prepared(method, assembly.jacobian_vector_product, args,
                        to_numpy, dtype)
    fn = {"jax_vmap": assembly.residual_vmap,
          "jax_autodiff": assembly.residual_autodiff}[method]
    return Prepared(method, fn, (coords, elements, u_, G, lam_, mu_),
                    to_numpy, dtype)


def assemble_stiffness(
    mesh: "BoxMesh | int", E: float = 1.0, nu: float = 0.3,
    method: str = "jax_vmap", dtype: Any = np.float64,
    pattern: CsrPattern | None = None,
) -> sp.csr_matrix:
    """K by `method`, as canonical SciPy CSR (duplicates summed, sorted)."""
    return prepare_stiffness(mesh, method, E, nu, dtype, pattern).result()


def assemble_residual(
    mesh: "BoxMesh | int", u: np.ndarray, E: float = 1.0, nu: float = 0.3,
    method: str = "jax_vmap", dtype: Any = np.float64,
) -> np.ndarray:
    """r(u) = K u by `method`, as a NumPy float64 vector."""
    return prepare_residual(mesh, method, u, E, nu, dtype).result()


def to_scipy_step(method: str, fn: Callable[..., Any],
                  pattern: CsrPattern) -> Callable[..., Any]:
    """The stiffness step timed to one end point for every method, a SciPy
    CSR matrix: methods that make CSR values get the pattern's wrap."""
    if method in ("numpy_slots", "jax_vmap", "jax_autodiff"):
        return lambda *args: pattern.matrix(fn(*args))
    return fn


def relative_difference(A: Any, B: Any) -> float:
    """max |A - B| / max |B| for two sparse matrices or two vectors."""
    if sp.issparse(A):
        return float(abs(A - B).max() / abs(B).max())
    A, B = np.asarray(A), np.asarray(B)
    return float(np.abs(A - B).max() / np.abs(B).max())
