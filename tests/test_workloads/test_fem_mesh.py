"""workloads.fem.mesh, element and pattern: numbering, distortion, the reference element and the
CSR pattern built once per mesh."""

import jax
import numpy as np
import pytest

from workloads import fem


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


def test_shape_function_gradients_sum_to_zero_and_reproduce_coordinates() -> None:
    G = fem.reference_gradients()  # (g, a, 3)
    np.testing.assert_allclose(G.sum(axis=1), 0, atol=1e-15)  # partition of unity
    dx_dxi = np.einsum("gai,aj->gij", G, fem.CORNERS)  # the reference element maps to itself
    np.testing.assert_allclose(dx_dxi, np.broadcast_to(np.eye(3), (8, 3, 3)), atol=1e-15)


def test_cofactor_inverse_matches_numpy_in_both_array_libraries() -> None:
    J = np.random.default_rng(0).normal(size=(5, 3, 3)) + 3 * np.eye(3)
    for xp in (np, jax.numpy):
        inverse, det = fem.inverse_and_det_3x3(xp.asarray(J), xp)
        np.testing.assert_allclose(np.asarray(inverse), np.linalg.inv(J), rtol=1e-6)
        np.testing.assert_allclose(np.asarray(det), np.linalg.det(J), rtol=1e-6)


def test_face_conditions_hold_x0_at_zero_and_move_x1() -> None:
    mesh = fem.box_mesh(2)
    fixed, values = fem.face_conditions(mesh)
    x = np.repeat(mesh.coords[:, 0], 3)
    assert fixed[x == 0].all() and fixed[x == 1].all() and not fixed[x == 0.5].any()
    assert (values[x == 1] == 0.1).all() and (values[x < 1] == 0).all()


@pytest.mark.parametrize("n", [1, 3, 5])
def test_csr_pattern_is_scipys_pattern_of_k(n: int) -> None:
    mesh = fem.box_mesh(n)
    pattern = fem.csr_pattern(mesh)
    reference = fem.assemble_stiffness(mesh, method="numpy_vectorized")
    np.testing.assert_array_equal(pattern.indptr, reference.indptr)
    np.testing.assert_array_equal(pattern.indices, reference.indices)
    assert pattern.nnz == 9 * (3 * n + 1) ** 3 and pattern.num_blocks == pattern.nnz // 9


def test_csr_pattern_maps_every_block_value_to_one_csr_position() -> None:
    pattern = fem.csr_pattern(fem.box_mesh(3))
    assert sorted(pattern.csr_from_bsr.tolist()) == list(range(pattern.nnz))
    assert pattern.block_slots.min() == 0 and pattern.block_slots.max() == pattern.num_blocks - 1
    slots = pattern.scalar_slots
    assert slots.shape == (27, 24, 24) and slots.min() == 0 and slots.max() == pattern.nnz - 1


def test_a_diagonal_block_of_an_element_lands_on_the_diagonal_of_k() -> None:
    mesh = fem.box_mesh(2)
    pattern = fem.csr_pattern(mesh)
    rows = np.repeat(np.arange(mesh.num_dofs), np.diff(pattern.indptr))
    slots = pattern.scalar_slots[0]  # element 0: entry (a i, a i) is K's diagonal entry
    diagonal = slots[np.arange(24), np.arange(24)]
    np.testing.assert_array_equal(rows[diagonal], mesh.element_dofs[0])
    np.testing.assert_array_equal(pattern.indices[diagonal], mesh.element_dofs[0])
