"""The loops chapter: every way of writing the advection loop gives NumPy's result."""

import jax
import jupytext
import numpy as np
import pytest
from conftest import REPOSITORY

from perfguide import advection as adv

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


def test_torch_compile_agrees_with_numpy_or_is_skipped_with_its_error(fields: dict[str, np.ndarray]) -> None:
    torch = pytest.importorskip("torch")
    d, v = torch.from_numpy(fields["density"]), torch.from_numpy(fields["velocity"])
    step = torch.compile(adv.step_torch)
    try:
        result = adv.run_torch(d, v, 5, adv.DT, step).numpy()
    except Exception as error:  # no C++ compiler: the page says so too
        pytest.skip(f"torch.compile does not work here: {type(error).__name__}")
    assert_matches_numpy(result, fields, 5)


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
