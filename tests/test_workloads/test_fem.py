"""workloads.fem: the mesh numbering, every assembly method against scikit-fem, and the solves."""

from collections.abc import Iterator

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.sparse as sp

from workloads import fem

F64_TOLERANCE = 1e-10
F32_TOLERANCE = 1e-5  # float32 round-off (eps 1.2e-7) accumulated over a few hundred terms
JAX_METHODS = [m for m in fem.STIFFNESS_METHODS if m.startswith("jax")]


@pytest.fixture(autouse=True)
def x64() -> Iterator[None]:
    """float64 in JAX for these tests only, without changing the global default for other tests."""
    with jax.enable_x64(True):
        yield


@pytest.fixture(scope="module")
def reference() -> dict[int, sp.csr_matrix]:
    """scikit-fem's stiffness matrices, in workloads.fem's numbering, for n = 1 and 3."""
    return {n: fem.assemble_stiffness(n, method="scikit_fem") for n in (1, 3)}


def test_box_mesh_numbers_nodes_x_fastest_then_y_then_z() -> None:
    n = 2
    mesh = fem.box_mesh(n)
    assert mesh.num_nodes == (n + 1) ** 3 and mesh.num_elements == n**3
    for k in range(n + 1):
        for j in range(n + 1):
            for i in range(n + 1):
                node = i + (n + 1) * (j + (n + 1) * k)
                np.testing.assert_allclose(mesh.coords[node], np.array([i, j, k]) / n)


def test_box_mesh_elements_are_hex8_in_the_usual_corner_order() -> None:
    mesh = fem.box_mesh(2)
    # Element (0, 0, 0): bottom face counter-clockwise, then the top face.
    assert mesh.elements[0].tolist() == [0, 1, 4, 3, 9, 10, 13, 12]
    # Elements are numbered x fastest too: element 1 is shifted by one node in x.
    assert (mesh.elements[1] - mesh.elements[0]).tolist() == [1] * 8
    corners = mesh.coords[mesh.elements] - mesh.coords[mesh.elements[:, :1]]
    np.testing.assert_allclose(corners * 2, np.broadcast_to((fem.CORNERS + 1) / 2, corners.shape))


def test_dof_of_component_c_at_node_k_is_3k_plus_c() -> None:
    mesh = fem.box_mesh(2)
    assert mesh.num_dofs == 3 * mesh.num_nodes
    nodes = mesh.elements[5]
    assert mesh.element_dofs[5].tolist() == [3 * k + c for k in nodes for c in range(3)]


def test_jittered_mesh_keeps_the_surface_and_positive_volumes() -> None:
    flat, jittered = fem.box_mesh(3), fem.box_mesh(3, jitter=0.2, seed=4)
    surface = np.any(np.isclose(flat.coords, 0) | np.isclose(flat.coords, 1), axis=1)
    np.testing.assert_array_equal(jittered.coords[surface], flat.coords[surface])
    assert np.abs(jittered.coords[~surface] - flat.coords[~surface]).max() > 0
    J = np.einsum("gai,eaj->egij", fem.reference_gradients(), jittered.coords[jittered.elements])
    assert np.linalg.det(J).min() > 0
    with pytest.raises(ValueError, match="jitter"):
        fem.box_mesh(3, jitter=0.3)


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
    if dtype == np.float32 and not method.startswith("jax"):
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


def test_csr_pattern_matches_scipy_and_both_scatters_agree() -> None:
    mesh = fem.box_mesh(3)
    pattern = fem.csr_pattern(mesh)
    reference = fem.assemble_stiffness(mesh, method="numpy_vectorized")
    np.testing.assert_array_equal(pattern.indptr, reference.indptr)
    np.testing.assert_array_equal(pattern.indices, reference.indices)
    coords, elements, G, lam, mu = fem.device_inputs(mesh, 1.0, 0.3, np.float64)
    blocks = fem.element_blocks_vmap(coords, elements, G, lam, mu)
    by_block = fem.scatter_blocks(blocks, jnp.asarray(pattern.block_slots), jnp.asarray(pattern.csr_from_bsr))
    by_scalar = fem.scatter_scalars(blocks, jnp.asarray(pattern.scalar_slots), pattern.nnz)
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


def test_jacobian_vector_product_is_K_times_v() -> None:
    mesh = fem.box_mesh(3)
    rng = np.random.default_rng(6)
    u, v = rng.standard_normal((2, mesh.num_dofs))
    Kv = fem.prepare_residual(mesh, "jax_jvp", u, v=v).result()
    K = fem.assemble_stiffness(mesh)
    np.testing.assert_allclose(Kv, K @ v, rtol=0, atol=F64_TOLERANCE * np.abs(K @ v).max())


def test_matrix_free_diagonal_is_the_diagonal_of_K() -> None:
    mesh = fem.box_mesh(3, jitter=0.1)
    coords, elements, G, lam, mu = fem.device_inputs(mesh, 1.0, 0.3, np.float64)
    np.testing.assert_allclose(fem.diagonal_vmap(coords, elements, G, lam, mu), fem.assemble_stiffness(mesh).diagonal(), rtol=1e-12)


def test_the_three_solves_of_the_study_problem_agree() -> None:
    mesh = fem.box_mesh(4)
    K = fem.assemble_stiffness(mesh)
    fixed, values = fem.face_conditions(mesh)
    assert np.allclose(values.reshape(-1, 3)[mesh.coords[:, 0] == 1.0], 0.1)
    u_direct = fem.solve_direct(K, fixed, values)
    assert np.abs((K @ u_direct)[~fixed]).max() < 1e-12
    u_cg, iterations = fem.solve_cg(K, fixed, values, rtol=1e-12)
    coords, elements, G, lam, mu = fem.device_inputs(mesh, 1.0, 0.3, np.float64)
    args = (coords, elements, jnp.asarray(fixed), jnp.asarray(values), G, lam, mu, 1e-12)
    u_free, free_iterations = fem.matrix_free_cg(*args)
    np.testing.assert_allclose(u_cg, u_direct, rtol=0, atol=1e-9)
    np.testing.assert_allclose(np.asarray(u_free), u_direct, rtol=0, atol=1e-9)
    assert 0 < iterations and 0 < int(free_iterations) < 10 * (~fixed).sum()


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


def test_jax_side_measures_compiled_steps_costs_roofs_and_the_solve() -> None:
    jax.clear_caches()  # other tests compiled these sizes already: compile them afresh here
    side = fem.jax_side([1, 2], 2, 2, 64, 1, memory_n=2)
    assert set(side.memory) == {"jax_vmap", "jax_autodiff"}
    assert all(plan is not None and plan > 0 for _, _, _, plan in side.memory.values())
    for label in ("jax_vmap", "jax_autodiff", "jax_vmap float32"):
        assert ("jacobian", label, 2) in side.timings
        # n = 1 compiled inside the sweep; n = 2 already for the memory measurement
        assert side.extras["jacobian", label, 1]["jit_s"] > 0
    assert set(side.cost) == {(e, v, 2) for e, v, _ in side.timings if e in ("jacobian", "residual")}
    assert all(c["flops"] > 0 and c["bytes"] > 0 for c in side.cost.values())
    assert side.roofs["peak_flops"] > 0 and side.roofs["bandwidth"] > 0
    # the large stream spans at least 4x the last-level cache; the others each step's bytes
    assert side.roofs["stream_mb"] >= 4 * fem.last_level_cache_bytes() / 1e6 * 0.99
    for (experiment, method), (mb, bandwidth) in side.streams.items():
        assert mb == pytest.approx(side.cost[experiment, method, 2]["bytes"] / 1e6, rel=0.01, abs=1e-5)
        assert bandwidth > 0
    # the roofline reads the compiled step alone; the sweep times it to a SciPy matrix
    assert ("jacobian values", "jax_vmap", 2) in side.timings
    points = fem.roofline_points(side, "jacobian", 2)
    assert set(points) == {"jax_vmap", "jax_autodiff"}  # float64 only: the roof is float64's
    u_free, iterations = side.solutions["CG, matrix-free (JAX jvp)"]
    assert u_free.shape == (fem.box_mesh(2).num_dofs,) and iterations > 0


def test_slow_sides_get_enough_repeats_for_an_interquartile_range() -> None:
    side = fem.numpy_side([1, 2], 1, 2)
    assert not side.memory  # measured only where asked (the all-cores processes)
    assert ("jacobian", "numpy_loop", 2) not in side.timings  # loop only up to largest_loop
    for key, timing in side.timings.items():
        assert timing.spread == "IQR", key
    assert {"sparse direct (SuperLU)", "CG, assembled (SciPy)"} <= set(side.solutions)


def test_memory_of_a_warm_call_is_labelled_by_where_it_runs() -> None:
    numpy_step = fem.prepare_stiffness(2, "numpy_slots")
    assert fem.assembly_memory_mib(numpy_step, backend="gpu")[0] == "tracemalloc"
    jax_step = fem.prepare_stiffness(2, "jax_vmap")
    assert fem.assembly_memory_mib(jax_step, backend="cpu")[0] == "XLA's buffer plan"
    assert fem.assembly_memory_mib(jax_step, backend="gpu")[0] == "device memory"


def test_memory_figures_are_never_smaller_than_the_output() -> None:
    mesh = fem.box_mesh(6)
    pattern = fem.csr_pattern(mesh)
    output_mib = 8 * pattern.nnz / 2**20
    for method in ("numpy_slots", "jax_vmap"):
        _, mib = fem.assembly_memory_mib(fem.prepare_stiffness(mesh, method, pattern=pattern), backend="cpu")
        assert mib >= output_mib, (method, mib, output_mib)


def test_every_jacobian_is_timed_to_a_scipy_matrix() -> None:
    mesh = fem.box_mesh(2)
    pattern = fem.csr_pattern(mesh)
    for method in ("numpy_vectorized", "numpy_slots", "jax_vmap", "scikit_fem"):
        prepared = fem.prepare_stiffness(mesh, method, pattern=pattern)
        K = fem.to_scipy_step(method, prepared.fn, pattern)(*prepared.args)
        assert sp.issparse(K), method


def test_each_jax_process_compiles_its_own_programs() -> None:
    # XLA:CPU fixes loop parallelism at compile time and JAX's cache key ignores the core count:
    # the page must not hand a persistent cache from the 1-thread process to the all-cores one
    import pathlib

    page = pathlib.Path(__file__).parents[2] / "notebooks" / "fe_assembly.md"
    assert "COMPILATION_CACHE" not in page.read_text() and not hasattr(fem, "compile_cache_env")


def test_goals_read_n_20_or_the_largest_below_and_the_fastest_jax_method() -> None:
    from perfguide.goals import Results
    from chapters import fe_assembly as page

    def record(experiment: str, variant: str, size: int, seconds: float, threads: int) -> dict:
        return {"experiment": experiment, "variant": variant, "size": size, "median_s": seconds, "threads": threads}

    records = [record("jacobian", "scikit_fem", n, 60.0 * n, k) for n in (12, 20, 32) for k in (1, 4)]
    records += [record("jacobian", "jax_vmap", n, 1.0 * n, k) for n in (12, 20, 32) for k in (1, 4)]
    records += [record("jacobian", "jax_autodiff", n, 2.0 * n, k) for n in (12, 20, 32) for k in (1, 4)]
    full = Results({"records": records})
    assert page.speedup(full, "jacobian", "scikit_fem", page.JAX_JACOBIAN, "all cores") == 60.0
    quick = Results({"records": [r for r in records if r["size"] == 12]})
    assert page.speedup(quick, "jacobian", "scikit_fem", page.JAX_JACOBIAN, "1 thread") == 60.0
    jacobian_goal = page.GOALS[0]
    assert jacobian_goal.met(jacobian_goal.measure(full)) and "1 thread" in jacobian_goal.text
    with pytest.raises(KeyError):
        page.GOALS[2].measure(full)  # no residual records: the goal is missing, not met


def test_on_a_gpu_the_rate_figure_draws_the_host_bound_from_numpy_and_names_the_device() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from perfguide.timing import Timing

    timing = Timing(1e-3, (1e-3,) * 5, 1)
    side = fem.Side(timings={("jacobian", "jax_vmap", 2): timing},
                    roofs={"bandwidth": 1e12, "numpy_bandwidth": 1e10, "backend": "gpu"})
    fig = fem.rate_figure({1: side, 2: side}, "jacobian", {"jax_vmap": "JAX vmap"}, {2: 1e6}, "Jacobian")
    ax = fig.axes[0]
    assert "GPU" in ax.get_title()
    bound = [line for line in ax.get_lines() if "host" in line.get_label()]
    assert bound and bound[0].get_ydata()[0] == pytest.approx(8 * 1e10 / 1e6)
