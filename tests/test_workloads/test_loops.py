"""The loops chapter: every way of writing the advection loop gives NumPy's result."""

import jax
import jupytext
import numpy as np
import pytest
from conftest import REPOSITORY

import perfguide as pg
from workloads import advection as adv
from chapters import loops_under_jit as page

STEPS = (1, 5, 12)  # 12 is not a multiple of the unroll factors 8 and 16
JAX_VARIANTS = {
    "python_for": (adv.run_python_for, {}),
    "fori_loop": (adv.run_fori_loop, {}),
    **{f"scan_unroll_{k}": (adv.run_scan, {"unroll": k}) for k in (1, 2, 4, 8, 16)},
}


@pytest.fixture(scope="module")
def fields() -> dict[str, np.ndarray]:
    return adv.initial_fields()


def assert_matches_numpy(result: np.ndarray, fields: dict[str, np.ndarray], steps: int) -> None:
    expected = adv.run_numpy(fields["density"], fields["velocity"], steps)
    assert result.dtype == np.float32
    error = float(np.max(np.abs(result - expected)))
    assert error <= adv.tolerance(fields["velocity"], steps), f"max |difference| {error:.2e} after {steps} steps"


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


@pytest.mark.parametrize("steps", STEPS)
def test_pytorch_eager_agrees_with_numpy_after_the_same_steps(fields: dict[str, np.ndarray], steps: int) -> None:
    torch = pytest.importorskip("torch")
    d, v = torch.from_numpy(fields["density"]), torch.from_numpy(fields["velocity"])
    assert_matches_numpy(adv.run_torch(d, v, steps).numpy(), fields, steps)


QUICK_RUNS = {"repeats": 2, "warmup": 0, "target_s": 0.01}


def assert_side_matches_numpy(side: adv.Side, fields: dict[str, np.ndarray], steps_list: list[int]) -> None:
    for name, points in side.points.items():
        assert sorted(points) == steps_list, name
        for steps, point in points.items():
            assert point.timing.mode == "latency", f"{name}: compared sides must use one timing mode"
            assert_matches_numpy(point.result, fields, steps)


def test_numpy_and_jax_sides_time_every_step_count_and_match_numpy(fields: dict[str, np.ndarray]) -> None:
    steps_list = [1, 12]
    numpy_side = adv.numpy_side(fields["density"], fields["velocity"], steps_list, QUICK_RUNS)
    jax_side = adv.jax_side(fields["density"], fields["velocity"], steps_list, QUICK_RUNS)
    assert set(numpy_side.points) == {"NumPy"}
    assert set(jax_side.points) == {"fori_loop", "scan", adv.JIT_STEP}
    for side in (numpy_side, jax_side):
        assert_side_matches_numpy(side, fields, steps_list)
    assert all(p.compile_s > 0 for points in jax_side.points.values() for p in points.values())


def test_torch_side_runs_eager_and_compiled_and_matches_numpy(fields: dict[str, np.ndarray]) -> None:
    pytest.importorskip("torch")
    side = adv.torch_side(fields["density"], fields["velocity"], [5], QUICK_RUNS, explain=True)
    if "torch.compile" in side.failed:  # no C++ compiler: the page says so too
        pytest.skip(f"torch.compile does not work here: {side.failed['torch.compile']}")
    assert set(side.points) == {"PyTorch eager", "torch.compile"}
    assert_side_matches_numpy(side, fields, [5])
    assert side.points["torch.compile"][5].compile_s > 0 == side.points["PyTorch eager"][5].compile_s
    assert side.notes["graph_breaks"] == 0  # the step compiles as one graph


def test_jax_side_runs_in_its_own_process_on_one_core(fields: dict[str, np.ndarray]) -> None:
    run = pg.run_isolated(adv.jax_side, fields["density"], fields["velocity"], [3], QUICK_RUNS, threads=1)
    assert run.environment["threads"]["xla_cpu"] == 1
    assert_side_matches_numpy(run.value, fields, [3])


def _record(experiment: str, variant: str, size: int, median_s: float, **extra: object) -> dict:
    return {"experiment": experiment, "variant": variant, "size": size, "median_s": median_s, **extra}


def test_goals_read_numpy_over_the_best_rolled_loop_and_the_compile_spread() -> None:
    records = [
        *[_record("rolled", name, 1000, t, threads=n) for n in (1, 2)
          for name, t in (("NumPy", 2.0), ("fori_loop", 0.5), ("scan", 1.0))],
        _record("rolled", "NumPy", 10, 1.0, threads=1),
        *[_record("compile", name, steps, t) for name in ("fori_loop", "scan")
          for steps, t in ((10, 0.2), (1000, 0.3))],
    ]
    values = [goal.measure(pg.Results({"records": records})) for goal in page.GOALS]
    assert values == pytest.approx([2.0, 2.0, 1.5, 1.5])  # scan stands for the rolled loops
    assert [goal.met(v) for goal, v in zip(page.GOALS, values)] == [True, True, True, True]


def test_page_leaves_threads_and_xla_flags_to_the_isolated_processes() -> None:
    text = (REPOSITORY / "notebooks" / "loops_under_jit.md").read_text()
    for call in ("set_deterministic_xla_flags", "set_num_threads", "import torch"):
        assert call not in text, f"the loops page calls {call}"
    assert "pg.run_isolated(" in text and "pg.show_noise(" in text


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


def test_chapter_code_lines_fit_the_page_column() -> None:
    notebook = jupytext.read(REPOSITORY / "notebooks" / "loops_under_jit.md")
    for cell in notebook.cells:
        if cell.cell_type == "code":
            for line in cell.source.splitlines():
                assert len(line) <= 78, f"code line of {len(line)} characters: {line!r}"


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


def test_measurement_cost_prediction_is_at_least_linear() -> None:
    def timing(median_s: float) -> pg.Timing:
        return pg.Timing(median_s, (median_s,) * 3, 1)

    assert adv.predicted_cost_s({1: timing(1.0)}, 2) == 0.0
    flat = {1: timing(1.0), 2: timing(1.0)}  # no growth seen: still linear
    assert adv.predicted_cost_s(flat, 4) == pytest.approx(2 * adv.measurement_cost_s(timing(1.0)))
    steep = {1: timing(1.0), 2: timing(4.0)}  # quadratic
    assert adv.predicted_cost_s(steep, 4) == pytest.approx(4 * adv.measurement_cost_s(timing(4.0)))


def test_merged_rounds_pool_their_repeats() -> None:
    point = adv.SidePoint(pg.Timing(1.0, (1.0, 2.0), 1), 0.5, np.zeros(1))
    other = adv.SidePoint(pg.Timing(9.0, (3.0,), 1), 0.7, np.ones(1))
    merged = adv.merge_sides([{"scan": {10: point}}, {"scan": {10: other}}])["scan"][10]
    assert merged.timing.per_call_s == (1.0, 2.0, 3.0) and merged.compile_s == 0.5
