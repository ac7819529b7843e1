"""workloads.fem.solve and the matrix-free pieces: K v without K, diag(K) without K, three solves."""

from collections.abc import Iterator

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from workloads import fem

F64_TOLERANCE = 1e-10


@pytest.fixture(autouse=True)
def x64() -> Iterator[None]:
    """float64 in JAX for these tests only."""
    with jax.enable_x64(True):
        yield


def test_jacobian_vector_product_is_K_times_v() -> None:
    mesh = fem.box_mesh(2)
    rng = np.random.default_rng(6)
    u, v = rng.standard_normal((2, mesh.num_dofs))
    Kv = fem.prepare_residual(mesh, "jax_jvp", u, v=v).result()
    K = fem.assemble_stiffness(mesh, method="numpy_vectorized")
    np.testing.assert_allclose(Kv, K @ v, rtol=0, atol=F64_TOLERANCE * np.abs(K @ v).max())


def test_matrix_free_diagonal_is_the_diagonal_of_K() -> None:
    mesh = fem.box_mesh(2, jitter=0.1)
    coords, elements, G, lam, mu = fem.device_inputs(mesh, 1.0, 0.3, np.float64)
    K = fem.assemble_stiffness(mesh, method="numpy_vectorized")
    np.testing.assert_allclose(fem.diagonal_vmap(coords, elements, G, lam, mu), K.diagonal(), rtol=1e-12)


@pytest.mark.slow  # compiles the matrix-free CG's while loop
def test_the_three_solves_of_the_study_problem_agree() -> None:
    mesh = fem.box_mesh(3)
    K = fem.assemble_stiffness(mesh)
    fixed, values = fem.face_conditions(mesh)
    u_direct = fem.solve_direct(K, fixed, values)
    assert np.abs((K @ u_direct)[~fixed]).max() < 1e-12
    u_cg, iterations = fem.solve_cg(K, fixed, values, rtol=1e-12)
    coords, elements, G, lam, mu = fem.device_inputs(mesh, 1.0, 0.3, np.float64)
    args = (coords, elements, jnp.asarray(fixed), jnp.asarray(values), G, lam, mu, 1e-12)
    u_free, free_iterations = fem.matrix_free_cg(*args)
    np.testing.assert_allclose(u_cg, u_direct, rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.asarray(u_free), u_direct, rtol=0, atol=1e-9)
    assert 0 < iterations and 0 < int(free_iterations) < 10 * (~fixed).sum()
