"""The loops chapter's workload: every way of writing the advection loop gives NumPy's result,
each library's side measures what the page records, and a jitted loop's program is counted."""

import jax
import numpy as np
import pytest

import perfguide as pg
from workloads import advection as adv

STEPS = (1, 5, 12)  # 12 is not a multiple of the unroll factors 8 and 16
JAX_VARIANTS = {
    "python_for": (adv.run_python_for, {}),
    "fori_loop": (adv.run_fori_loop, {}),
    **{f"scan_unroll_{k}": (adv.run_scan, {"unroll": k}) for k in (1, 2, 4, 8, 16)},
}
QUICK_RUNS = {"repeats": 2, "warmup": 0, "target_s": 0.01}


@pytest.fixture(scope="module")
def fields() -> dict[str, np.ndarray]:
    return adv.initial_fields()


def assert_matches_numpy(result: np.ndarray, fields: dict[str, np.ndarray], steps: int) -> None:
    expected = adv.run_numpy(fields["density"], fields["velocity"], steps)
    assert result.dtype == np.float32
    error = float(np.max(np.abs(result - expected)))
    assert error <= adv.tolerance(fields["velocity"], steps), f"max |difference| {error:.2e} after {steps} steps"


def assert_side_matches_numpy(side: adv.Side, fields: dict[str, np.ndarray], steps_list: list[int]) -> None:
    for name, points in side.points.items():
        assert sorted(points) == steps_list, name
        for steps, point in points.items():
            assert point.timing.mode == "latency", f"{name}: compared sides must use one timing mode"
            assert_matches_numpy(point.result, fields, steps)


def test_initial_fields_are_float32_on_the_chapters_grid(fields: dict[str, np.ndarray]) -> None:
    assert fields["density"].shape == fields["velocity"].shape == adv.SHAPE
    assert fields["density"].dtype == fields["velocity"].dtype == np.float32
    assert 0.99 < fields["density"].max() <= 1 and 0.99 < fields["velocity"].max() <= 1


def test_numpy_stays_in_float32(fields: dict[str, np.ndarray]) -> None:
    assert adv.run_numpy(fields["density"], fields["velocity"], 3).dtype == np.float32


@pytest.mark.parametrize("steps", STEPS)
@pytest.mark.parametrize("variant", JAX_VARIANTS)
def test_every_jax_variant_agrees_with_numpy_after_the_same_steps(
    fields: dict[str, np.ndarray], variant: str, steps: int
) -> None:
    run, options = JAX_VARIANTS[variant]
    result = adv.jitted(run, steps, **options)(fields["density"], fields["velocity"])
    assert_matches_numpy(np.asarray(result), fields, steps)


@pytest.mark.slow  # imports torch
@pytest.mark.parametrize("steps", STEPS)
def test_pytorch_eager_agrees_with_numpy_after_the_same_steps(fields: dict[str, np.ndarray], steps: int) -> None:
    torch = pytest.importorskip("torch")
    d, v = torch.from_numpy(fields["density"]), torch.from_numpy(fields["velocity"])
    assert_matches_numpy(adv.run_torch(d, v, steps).numpy(), fields, steps)


def test_the_rolled_registry_is_what_the_jax_side_measures() -> None:
    assert adv.ROLLED == {"fori_loop": adv.run_fori_loop, "scan": adv.run_scan}


@pytest.mark.slow
def test_numpy_and_jax_sides_time_every_step_count_and_match_numpy(fields: dict[str, np.ndarray]) -> None:
    steps_list = [1, 12]
    numpy_side = adv.numpy_side(fields["density"], fields["velocity"], steps_list, QUICK_RUNS)
    jax_side = adv.jax_side(fields["density"], fields["velocity"], steps_list, QUICK_RUNS)
    assert set(numpy_side.points) == set(adv.NUMPY) == {"NumPy", "NumPy, preallocated"}
    assert set(jax_side.points) == {*adv.ROLLED, adv.JIT_STEP}
    for side in (numpy_side, jax_side):
        assert_side_matches_numpy(side, fields, steps_list)
    assert all(p.compile_s > 0 for points in jax_side.points.values() for p in points.values())


@pytest.mark.parametrize("steps", STEPS)
def test_numpys_preallocated_step_is_np_gradients_arithmetic_bit_for_bit(
        fields: dict[str, np.ndarray], steps: int) -> None:
    d, v = fields["density"], fields["velocity"]
    np.testing.assert_array_equal(adv.run_numpy_preallocated(d, v, steps), adv.run_numpy(d, v, steps))


def test_numpys_preallocated_step_allocates_nothing_per_step(fields: dict[str, np.ndarray]) -> None:
    import tracemalloc

    d, v = fields["density"], fields["velocity"]
    grad, out = np.empty_like(d), np.empty_like(d)
    tracemalloc.start()
    try:
        adv.step_numpy_into(d, v, adv.DT, grad, out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < d.nbytes / 4, f"{peak} bytes traced in one step"


@pytest.mark.slow
def test_numba_side_compiles_once_and_matches_numpy_in_one_and_two_threads(
        fields: dict[str, np.ndarray]) -> None:
    pytest.importorskip("numba")
    for threads in pg.thread_settings():
        run = pg.run_isolated(adv.numba_side, fields["density"], fields["velocity"], [1, 12],
                              QUICK_RUNS, threads=threads)
        assert_side_matches_numpy(run.value, fields, [1, 12])
        assert run.value.notes["parallel"] == (threads > 1)
        assert all(p.compile_s > 0 for p in run.value.points["Numba"].values())


@pytest.mark.slow
def test_torch_side_runs_eager_and_compiled_and_matches_numpy(fields: dict[str, np.ndarray]) -> None:
    pytest.importorskip("torch")
    side = adv.torch_side(fields["density"], fields["velocity"], [5], QUICK_RUNS, explain=True)
    if "torch.compile" in side.failed:  # no C++ compiler: the page says so too
        pytest.skip(f"torch.compile does not work here: {side.failed['torch.compile']}")
    assert set(side.points) == {"PyTorch eager", "torch.compile"}
    assert_side_matches_numpy(side, fields, [5])
    assert side.points["torch.compile"][5].compile_s > 0 == side.points["PyTorch eager"][5].compile_s
    assert side.notes["graph_breaks"] == 0  # the step compiles as one graph


@pytest.mark.slow
def test_jax_side_runs_in_its_own_process_on_one_core(fields: dict[str, np.ndarray]) -> None:
    run = pg.run_isolated(adv.jax_side, fields["density"], fields["velocity"], [3], QUICK_RUNS, threads=1)
    assert run.environment["threads"]["xla_cpu"] == 1
    assert_side_matches_numpy(run.value, fields, [3])


def test_merged_rounds_pool_their_repeats_and_keep_the_first_rounds_notes() -> None:
    point = adv.SidePoint(pg.Timing(1.0, (1.0, 2.0), 1), 0.5, np.zeros(1))
    other = adv.SidePoint(pg.Timing(9.0, (3.0,), 1), 0.7, np.ones(1))
    first = adv.Side({"scan": {10: point}}, notes={"graph_breaks": 0})
    merged = adv.merge_sides([first, adv.Side({"scan": {10: other}})])
    assert merged.points["scan"][10].timing.per_call_s == (1.0, 2.0, 3.0)
    assert merged.points["scan"][10].compile_s == 0.5 and merged.notes == {"graph_breaks": 0}


def test_a_measured_program_has_its_compile_time_sizes_and_error(fields: dict[str, np.ndarray]) -> None:
    d, v = (jax.device_put(fields[key]) for key in ("density", "velocity"))
    reference = adv.run_numpy(fields["density"], fields["velocity"], 3)
    program = adv.measure_program(adv.jitted(adv.run_python_for, 3), d, v, reference, QUICK_RUNS)
    assert program.compile_s > 0 and program.timing.repeats == 2
    assert program.eqns > 3 and program.instructions > 0
    assert program.error <= adv.tolerance(fields["velocity"], 3)
    assert set(program.fields()) == {"compile_s", "rss_increase_mib", "jaxpr_eqns",
                                     "hlo_instructions", "max_abs_error"}


def test_fori_loop_with_fixed_bounds_traces_to_a_scan(fields: dict[str, np.ndarray]) -> None:
    jaxpr = jax.make_jaxpr(lambda d, v: adv.run_fori_loop(d, v, 10))(fields["density"], fields["velocity"])
    assert [eqn.primitive.name for eqn in jaxpr.eqns] == ["scan"]


def test_python_loop_traces_one_copy_of_the_step_per_step(fields: dict[str, np.ndarray]) -> None:
    def top_level_eqns(run, steps: int) -> int:
        return len(jax.make_jaxpr(lambda d, v: run(d, v, steps))(fields["density"], fields["velocity"]).eqns)

    per_step = top_level_eqns(adv.run_python_for, 1)
    assert top_level_eqns(adv.run_python_for, 7) == 7 * per_step
    assert top_level_eqns(adv.run_scan, 1) == top_level_eqns(adv.run_scan, 1000) == 1


def test_the_chapters_time_step_keeps_round_off_growth_small(fields: dict[str, np.ndarray]) -> None:
    assert adv.growth_bound(fields["velocity"], 10_000) < 2
    assert adv.growth_bound(fields["velocity"], 10_000, dt=0.1) > 1e20  # the post's dt


def test_tolerance_grows_with_the_number_of_steps(fields: dict[str, np.ndarray]) -> None:
    small, large = (adv.tolerance(fields["velocity"], steps) for steps in (10, 10_000))
    assert 0 < small < large < 1e-3


@pytest.mark.slow  # three compilations
def test_fori_loop_and_scan_compile_to_the_same_program(fields: dict[str, np.ndarray]) -> None:
    d, v = fields["density"], fields["velocity"]
    assert adv.same_program(adv.jitted(adv.run_fori_loop, 10), adv.jitted(adv.run_scan, 10), d, v)
    assert not adv.same_program(adv.jitted(adv.run_python_for, 10), adv.jitted(adv.run_scan, 10), d, v)


def test_cost_analysis_counts_a_loop_body_once(fields: dict[str, np.ndarray]) -> None:
    """cost_per_step divides by the steps in the program text: a scan's body is counted once."""
    d, v = fields["density"], fields["velocity"]
    short, long = (adv.cost_per_step(adv.jitted(adv.run_scan, n), 1, d, v) for n in (10, 100))
    lone = adv.cost_per_step(adv.jitted(adv.run_python_for, 1), 1, d, v)
    assert short == long and short[0] == pytest.approx(lone[0], rel=0.01)
