"""Beyond one device: sharded runs equal one-device runs (data-parallel and
model-parallel training, the FE residual and element blocks), a real
two-process run equals one process, and the compiled step's collectives
move the bytes the parameters and BatchNorm statistics account for.

The checks that need several devices run in one child process with 4
simulated CPU devices (the pytest process has one)."""

from typing import Any

import numpy as np
import pytest

import perfguide as pg
from workloads import fem
from workloads.sharding import (checks, comms, data_parallel as dp,
                                devices as dv, fe_sharded as fs,
                                multiprocess as mp, sweep)

COUNTS = (1, 4)  # results compared on 1 and 4 devices (more would cost seconds)
COLLECTIVE_COUNTS = (2, 4)
STEPS = 3
N = 4  # 64 elements: split evenly over 1, 2, 4 and 8 devices


@pytest.fixture(scope="module")
def on_four_devices() -> dict[str, Any]:
    """Every multi-device check, run once in a process with 4 devices."""
    return dv.run_on_devices(checks.all_checks, max(COUNTS), STEPS, N, COUNTS,
                             COLLECTIVE_COUNTS, threads=pg.all_cores(),
                             timeout_s=300).value


def test_xla_flags_keep_other_flags_and_replace_the_device_count() -> None:
    flags = dv.xla_flags(4, "--xla_cpu_foo=1 --xla_force_host_platform_device_count=2")
    assert flags.split() == ["--xla_cpu_foo=1", "--xla_force_host_platform_device_count=4"]
    env = dv.device_environment(8)
    assert env["JAX_NUM_CPU_DEVICES"] == "8" and env["XLA_FLAGS"].endswith("=8")
    with pytest.raises(ValueError):
        dv.device_environment(0)


def test_collectives_are_read_from_hlo_text() -> None:
    text = """
  %all-reduce.1 = (f32[64]{0}, f32[64,64]{1,0}) all-reduce(%a, %b), channel_id=1
  %ag = bf16[8,16]{1,0} all-gather(%c), dimensions={0}
  %ars = f32[128]{0} all-reduce-start(%d)
  %ard = f32[128]{0} all-reduce-done(%ars)
  ROOT %t = (f32[64]{0}) tuple(%x)
"""
    found = comms.collectives(text)
    assert found.counts == {"all-reduce": 2, "all-gather": 1}
    assert found.bytes == {"all-reduce": (64 + 64 * 64 + 128) * 4, "all-gather": 8 * 16 * 2}
    assert comms.ring_all_reduce_bytes(100.0, 4) == 150.0


def test_one_device_mesh_residual_equals_the_fe_assembly() -> None:
    mesh = fs.element_mesh(1)
    inputs = fs.residual_inputs(2, mesh)
    got = np.asarray(fs.sharded_residual(mesh)(*inputs))
    expected = np.asarray(fem.residual_vmap(*inputs))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=0, atol=fs.RTOL * np.abs(expected).max())


def test_uneven_element_split_is_refused() -> None:
    with pytest.raises(ValueError, match="split evenly"):
        fs.local_blocks(3, 2)  # 27 elements


def test_local_jacobian_blocks_count_slabs_and_interfaces() -> None:
    box, devices = fem.box_mesh(N), 4
    blocks = fs.local_blocks(box, devices)
    assert [b.elements for b in blocks] == [N**3 // devices] * devices
    assert all(b.triplets == 576 * b.elements for b in blocks)
    interface = 3 * (N + 1) ** 2  # the dofs of one plane of nodes between slabs
    assert [b.interface_dofs for b in blocks] == [interface, 2 * interface, 2 * interface, interface]
    total = fem.csr_pattern(box).nnz
    assert fs.local_nnz(box, 1) == [total]
    assert total < sum(fs.local_nnz(box, devices))  # interface entries are held twice


@pytest.mark.slow  # a child process with 4 simulated devices
def test_data_and_model_parallel_training_equals_one_device(on_four_devices: dict[str, Any]) -> None:
    assert on_four_devices["devices"] == max(COUNTS)
    differences = on_four_devices["training"]
    assert set(differences) == {"data 4", "model 4"}
    assert all(d <= dp.ATOL for d in differences.values()), differences


@pytest.mark.slow
def test_partitioned_residual_and_blocks_equal_one_device(on_four_devices: dict[str, Any]) -> None:
    assert all(d <= fs.RTOL for d in on_four_devices["residual"].values()), on_four_devices["residual"]
    difference, per_device = on_four_devices["blocks"]
    assert difference <= fs.RTOL and per_device == [N**3 // max(COUNTS)] * max(COUNTS)


@pytest.mark.slow
def test_data_parallel_all_reduce_moves_parameters_and_batch_statistics(
    on_four_devices: dict[str, Any],
) -> None:
    """The gradient all-reduce carries every parameter once; BatchNorm adds its
    batch statistics (mean and mean square per layer, forward) and one
    vector per layer in the backward pass (XLA reduces the cotangents of
    those statistics apart from the scale and offset gradients); the loss
    adds 4 bytes. The volume does not depend on the device count."""
    layers = dp.DEPTH - 1
    expected = (dp.parameter_bytes() + dp.batch_norm_statistics_bytes()
                + layers * dp.WIDTH * 4 + 4)
    assert sorted(on_four_devices["collectives"]) == list(COLLECTIVE_COUNTS)
    for devices, found in on_four_devices["collectives"].items():
        assert set(found.counts) == {"all-reduce"}, (devices, found)
        assert found.bytes["all-reduce"] == expected, (devices, found, expected)
    alone = on_four_devices["all-reduce alone"]  # what the page times apart
    assert (alone.counts, alone.bytes) == ({"all-reduce": 1}, {"all-reduce": dp.parameter_bytes()})
    model = on_four_devices["model collectives"]
    assert model.counts.get("all-gather", 0) > 0  # split kernels are gathered


@pytest.mark.slow  # two worker processes joined by jax.distributed
def test_two_processes_train_like_one() -> None:
    result = mp.run(processes=2, steps=STEPS, timeout_s=120)
    assert (result["processes"], result["devices"]) == (2, 2)
    reference, losses = dp.train(STEPS, 1)
    assert checks.max_difference(result["leaves"], reference) <= dp.ATOL
    np.testing.assert_allclose(result["losses"], losses, rtol=dp.RTOL)


@pytest.mark.slow
def test_a_hung_multiprocess_run_fails_instead_of_waiting() -> None:
    with pytest.raises(RuntimeError, match="did not finish"):
        mp.run(processes=2, steps=STEPS, timeout_s=0.5)


def test_launch_commands_name_every_process() -> None:
    lines = mp.launch_commands(3, "node0:1234")
    assert [f"--process-id {i}" in line for i, line in enumerate(lines)] == [True] * 3
    assert all("--coordinator node0:1234 --processes 3" in line for line in lines)


@pytest.mark.slow  # a child process with 2 simulated devices
def test_the_page_sweep_measures_and_checks_in_one_process() -> None:
    found = dv.run_on_devices(sweep.measure_and_check, 2, N, STEPS, 0.01,
                              threads=pg.all_cores(), timeout_s=300).value
    assert found["devices"] == 2 and found["check"]["devices"] == 2
    check = found["check"]
    assert check["data"] <= dp.ATOL and check["model"] <= dp.ATOL, check
    assert check["residual"] <= fs.RTOL, check
    assert check["model collectives"].counts.get("all-gather", 0) > 0
    assert found["collectives"].counts == {"all-reduce": 7}
    for key in ("step", "residual", "all_reduce", "latency"):
        assert found[key].median_s > 0, key


def test_the_sweep_checks_nothing_on_one_device() -> None:
    assert sweep.check(N, STEPS) == {"devices": 1}
