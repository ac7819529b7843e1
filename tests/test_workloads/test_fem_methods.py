"""workloads.fem.methods: every registered method against scikit-fem and a patch test, the errors
that say what to do, and the registry the pages measure."""

from collections.abc import Iterator

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.sparse as sp

from workloads import fem

F64_TOLERANCE = 1e-10
F32_TOLERANCE = 1e-5  # float32 round-off (eps 1.2e-7) accumulated over a few hundred terms
JAX_METHODS = fem.methods_of("jax", fem.STIFFNESS_METHODS)


@pytest.fixture(autouse=True)
def x64() -> Iterator[None]:
    """float64 in JAX for these tests only, without changing the global default for other tests."""
    with jax.enable_x64(True):
        yield


@pytest.fixture(scope="module")
def reference() -> dict[int, sp.csr_matrix]:
    """scikit-fem's stiffness matrices, in workloads.fem's numbering, for n = 1 and 3."""
    return {n: fem.assemble_stiffness(n, method="scikit_fem") for n in (1, 3)}


def test_every_registered_method_has_a_label_and_a_library() -> None:
    for method in fem.STIFFNESS_METHODS + fem.RESIDUAL_METHODS:
        assert method in fem.LABELS
        assert fem.library(method) in ("numpy", "jax", "scikit")
    with pytest.raises(ValueError, match="names no library"):
        fem.library("petsc_assembly")


def test_the_sides_measure_every_registered_method() -> None:
    from workloads.fem.sides import JACOBIAN_VARIANTS

    measured = {m for m, _ in JACOBIAN_VARIANTS} | set(fem.methods_of("numpy", fem.STIFFNESS_METHODS))
    assert measured | {"scikit_fem"} == set(fem.STIFFNESS_METHODS)


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize("method", fem.STIFFNESS_METHODS)
def test_every_stiffness_method_matches_scikit_fem(reference: dict, method: str, n: int) -> None:
    K = fem.assemble_stiffness(n, method=method)
    assert fem.relative_difference(K, reference[n]) < F64_TOLERANCE


@pytest.mark.parametrize("method", JAX_METHODS)
def test_float32_stiffness_matches_to_float32_round_off(reference: dict, method: str) -> None:
    K = fem.assemble_stiffness(3, method=method, dtype=np.float32)
    assert fem.relative_difference(K, reference[3]) < F32_TOLERANCE


@pytest.mark.parametrize("method", fem.RESIDUAL_METHODS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_residual_method_matches_scikit_fem(reference: dict, method: str, dtype: type) -> None:
    if dtype == np.float32 and fem.library(method) != "jax":
        pytest.skip("NumPy and scikit-fem methods run in float64 only")
    u = np.random.default_rng(3).standard_normal(fem.box_mesh(3).num_dofs)
    r = fem.assemble_residual(3, u, method=method, dtype=dtype)
    tolerance = F64_TOLERANCE if dtype == np.float64 else F32_TOLERANCE
    assert fem.relative_difference(r, reference[3] @ u) < tolerance


@pytest.mark.parametrize("method", fem.STIFFNESS_METHODS)
def test_matrices_are_canonical_csr_with_duplicates_summed(method: str) -> None:
    n = 3
    K = fem.assemble_stiffness(n, method=method)
    assert isinstance(K, sp.csr_matrix)
    assert K.has_canonical_format  # sorted indices, no duplicate entries
    assert K.nnz == 9 * (3 * n + 1) ** 3  # 27-node stencil, 3x3 dofs per node pair
    assert abs(K - K.T).max() < F64_TOLERANCE * abs(K).max()


def test_block_and_entry_scatters_give_the_same_csr_values() -> None:
    mesh = fem.box_mesh(3)
    pattern = fem.csr_pattern(mesh)
    reference = fem.assemble_stiffness(mesh, method="numpy_vectorized")
    geometry = fem.device_inputs(mesh, 1.0, 0.3, np.float64)

    @jax.jit
    def both(block_slots: jax.Array, csr_from_bsr: jax.Array, scalar_slots: jax.Array) -> tuple:
        blocks = fem.element_blocks_vmap(*geometry)
        return (fem.scatter_blocks(blocks, block_slots, csr_from_bsr),
                fem.scatter_scalars(blocks, scalar_slots, pattern.nnz))

    by_block, by_scalar = both(jnp.asarray(pattern.block_slots), jnp.asarray(pattern.csr_from_bsr),
                               jnp.asarray(pattern.scalar_slots))
    np.testing.assert_allclose(by_block, reference.data, rtol=0, atol=F64_TOLERANCE)
    np.testing.assert_allclose(by_scalar, reference.data, rtol=0, atol=F64_TOLERANCE)


def test_rigid_body_motions_cost_no_force() -> None:
    mesh = fem.box_mesh(3, jitter=0.2)
    K = fem.assemble_stiffness(mesh)
    skew = np.array([[0.0, -0.3, 0.2], [0.3, 0.0, -0.1], [-0.2, 0.1, 0.0]])  # a small rotation
    for A, b in [(np.zeros((3, 3)), np.array([1.0, -2.0, 0.5])), (skew, np.zeros(3))]:
        u = fem.linear_field(mesh, A, b)
        assert np.abs(K @ u).max() < F64_TOLERANCE * abs(K).max()


@pytest.mark.parametrize("method", [m for m in fem.STIFFNESS_METHODS if m != "scikit_fem"])
def test_patch_test_linear_field_is_reproduced_exactly(method: str) -> None:
    mesh = fem.box_mesh(3, jitter=0.2, seed=2)
    rng = np.random.default_rng(5)
    u_linear = fem.linear_field(mesh, rng.uniform(-0.1, 0.1, (3, 3)), rng.uniform(-0.1, 0.1, 3))
    fixed, values = fem.boundary_conditions_from_field(mesh, u_linear)
    assert (~fixed).sum() > 0
    u = fem.solve_direct(fem.assemble_stiffness(mesh, method=method), fixed, values)
    np.testing.assert_allclose(u, u_linear, rtol=0, atol=1e-13)


@pytest.mark.parametrize("method", [m for m in fem.RESIDUAL_METHODS if m != "scikit_fem"])
def test_residual_of_a_linear_field_vanishes_at_interior_dofs(method: str) -> None:
    mesh = fem.box_mesh(3, jitter=0.2, seed=2)
    u_linear = fem.linear_field(mesh, np.diag([0.1, -0.05, 0.02]) + 0.03, np.ones(3))
    fixed, _ = fem.boundary_conditions_from_field(mesh, u_linear)
    r = fem.assemble_residual(mesh, u_linear, method=method)
    assert np.abs(r[~fixed]).max() < 1e-14


def test_numpy_with_precomputed_slots_gives_the_csr_values_of_the_other_methods() -> None:
    mesh = fem.box_mesh(3)
    pattern = fem.csr_pattern(mesh)
    slots = fem.prepare_stiffness(mesh, "numpy_slots", pattern=pattern)
    values = slots()  # the timed step returns the CSR values only, as the JAX methods do
    assert values.shape == (pattern.nnz,)
    for method in ("numpy_vectorized", "jax_vmap"):
        K = fem.assemble_stiffness(mesh, method=method, pattern=pattern)
        np.testing.assert_allclose(values, K.data, rtol=0, atol=F64_TOLERANCE * np.abs(K.data).max())
    u = np.random.default_rng(7).standard_normal(mesh.num_dofs)
    r = fem.assemble_residual(mesh, u, method="numpy_slots")
    np.testing.assert_allclose(r, fem.assemble_residual(mesh, u, method="jax_vmap"), rtol=0, atol=1e-12)


def test_every_jacobian_is_timed_to_a_scipy_matrix() -> None:
    mesh = fem.box_mesh(2)
    pattern = fem.csr_pattern(mesh)
    for method in ("numpy_vectorized", "numpy_slots", "jax_vmap", "scikit_fem"):
        prepared = fem.prepare_stiffness(mesh, method, pattern=pattern)
        K = fem.to_scipy_step(method, prepared.fn, pattern)(*prepared.args)
        assert sp.issparse(K), method


def test_float64_in_jax_without_64_bit_mode_says_what_to_do() -> None:
    with jax.enable_x64(False), pytest.raises(RuntimeError, match="jax_enable_x64"):
        fem.prepare_stiffness(2, "jax_vmap", dtype=np.float64)


def test_numpy_and_scikit_fem_refuse_float32() -> None:
    with pytest.raises(ValueError, match="float64 only"):
        fem.prepare_stiffness(2, "numpy_vectorized", dtype=np.float32)


def test_unknown_method_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="numpy_loop"):
        fem.assemble_stiffness(2, method="petsc")
    with pytest.raises(ValueError, match="jax_jvp"):
        fem.assemble_residual(2, np.zeros(81), method="petsc")


def test_residual_rejects_a_displacement_of_the_wrong_size() -> None:
    with pytest.raises(ValueError, match="shape"):
        fem.assemble_residual(2, np.zeros(10))
