"""The optimisation chapter's workload: every route reaches the same minimum in float64, the
evaluation counts are honest, padding gives the same fit, and the batched solver matches the
single ones. JAX runs in float64 here only inside `jax.enable_x64` (the page's JAX processes
switch it on for themselves), so the rest of the test session keeps float32."""

from collections.abc import Iterator
from pathlib import Path

import jax
import numpy as np
import pytest

import perfguide as pg
from chapters import optimisation as page
from workloads import calibration as cal

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def x64() -> Iterator[None]:
    with jax.enable_x64(True):
        yield


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    return cal.make_data()


@pytest.fixture(scope="module")
def reference(data: tuple[np.ndarray, np.ndarray]) -> cal.Fit:
    """SciPy's BFGS with finite differences, the route most readers know."""
    return cal.solve_scipy_fd(np.array(cal.START), *data)


def assert_same_minimum(x: np.ndarray, objective: float, reference: cal.Fit) -> None:
    assert cal.agree(objective, reference.objective), (objective, reference.objective)
    np.testing.assert_allclose(x, reference.x, rtol=0, atol=cal.PARAMETER_ATOL)


def test_data_are_float64_and_fixed_by_the_seed(data: tuple[np.ndarray, np.ndarray]) -> None:
    t, y = data
    assert t.dtype == y.dtype == np.float64 and t.shape == y.shape == (cal.POINTS,)
    np.testing.assert_array_equal(y, cal.make_data()[1])
    assert not np.array_equal(y, cal.make_data(seed=1)[1])


def test_scipy_with_finite_differences_finds_the_true_parameters(reference: cal.Fit) -> None:
    np.testing.assert_allclose(reference.x, cal.TRUE, atol=0.05)
    assert reference.gevals == 0 and reference.fevals > 2 * reference.iterations


def test_the_counter_sees_what_scipy_reports(data: tuple[np.ndarray, np.ndarray]) -> None:
    from scipy.optimize import minimize

    counter = cal.Counter()
    r = minimize(counter.wrap(cal.loss_numpy), np.array(cal.START), args=data, method="BFGS",
                 options={"gtol": cal.GTOL})
    assert counter.values == r.nfev


@pytest.mark.parametrize("route", list(cal.JAX_ROUTES))
def test_every_jitted_jax_route_reaches_scipys_minimum(
        x64: None, data: tuple[np.ndarray, np.ndarray], reference: cal.Fit, route: str) -> None:
    x, objective, iterations, code = cal.jitted(cal.JAX_ROUTES[route])(np.array(cal.START), *data)
    assert x.dtype == np.float64
    assert_same_minimum(np.asarray(x), float(objective), reference)
    assert 0 < int(iterations) < cal.MAX_ITERATIONS
    assert float(objective) == pytest.approx(cal.loss_numpy(np.asarray(x), *data), rel=1e-12)
    assert cal.status_words(route, int(code)) == (True, cal.status_words(route, 0)[1])


@pytest.mark.parametrize("route", list(cal.JAX_ROUTES))
def test_every_route_stops_near_the_same_gradient(
        x64: None, data: tuple[np.ndarray, np.ndarray], reference: cal.Fit, route: str) -> None:
    x, *_ = cal.jitted(cal.JAX_ROUTES[route])(np.array(cal.START), *data)
    grad = cal.gradient_max(np.asarray(x), *data)
    assert grad < 10 * cal.GTOL and reference.gradient < 10 * cal.GTOL
    assert grad > cal.GTOL / 100, f"{route} works far past the others' gradient test"


def test_the_shared_gradient_is_jaxs_gradient(x64: None,
                                              data: tuple[np.ndarray, np.ndarray]) -> None:
    p = np.array([1.5, 0.4])
    grad = jax.grad(cal.loss_jax)(p, *data)
    assert cal.gradient_max(p, *data) == pytest.approx(float(np.max(np.abs(grad))), rel=1e-12)


def test_jax_scipy_reports_its_line_search_failures(
        x64: None, data: tuple[np.ndarray, np.ndarray]) -> None:
    solve = cal.jitted(cal.solve_jax_scipy)
    words = {cal.status_words("jax.scipy BFGS", int(solve(s, *data)[3]))
             for s in cal.starts_grid()[:8]}
    assert (True, "converged: max |grad| < gtol") in words
    assert all(ok or "line search" in why or "cap" in why for ok, why in words)


def test_scipy_with_a_jax_gradient_reaches_the_same_minimum(
        x64: None, data: tuple[np.ndarray, np.ndarray], reference: cal.Fit) -> None:
    fit = cal.solve_scipy_jax(np.array(cal.START), *data, jax.jit(jax.value_and_grad(cal.loss_jax)))
    assert_same_minimum(fit.x, fit.objective, reference)
    assert fit.fevals == fit.gevals < reference.fevals


def test_the_counting_objective_counts_what_jax_scipy_reports(
        x64: None, data: tuple[np.ndarray, np.ndarray]) -> None:
    counter = cal.Counter()
    loss = cal.counting_loss(counter)
    solve = jax.jit(lambda x0, t, y: jax.scipy.optimize.minimize(
        loss, x0, (t, y), method="BFGS", options={"gtol": cal.GTOL}))
    result = solve(np.array(cal.START), *data)
    jax.effects_barrier()
    assert counter.values == int(result.nfev) and counter.gradients == int(result.njev)


def test_the_counting_objective_gives_the_same_value_and_gradient(
        x64: None, data: tuple[np.ndarray, np.ndarray]) -> None:
    p = np.array([1.5, 0.4])
    counted = jax.value_and_grad(cal.counting_loss(cal.Counter()))(p, *data)
    plain = jax.value_and_grad(cal.loss_jax)(p, *data)
    np.testing.assert_allclose(np.asarray(counted[1]), np.asarray(plain[1]), rtol=1e-14)
    assert float(counted[0]) == pytest.approx(float(plain[0]), rel=1e-14)


@pytest.mark.slow  # imports torch
def test_pytorch_lbfgs_reaches_the_same_minimum(data: tuple[np.ndarray, np.ndarray],
                                                reference: cal.Fit) -> None:
    torch = pytest.importorskip("torch")
    t, y = (torch.from_numpy(a) for a in data)
    fit = cal.solve_torch(np.array(cal.START), t, y, cal.loss_torch)
    assert_same_minimum(fit.x, fit.objective, reference)
    assert fit.fevals == fit.gevals > fit.iterations > 0
    assert fit.success and fit.gradient < 10 * cal.GTOL
    counter = cal.Counter()  # the timed solve evaluates nothing beyond its closure calls
    cal.lbfgs_torch(np.array(cal.START), t, y, counter.wrap(cal.loss_torch))
    assert counter.values == fit.fevals


def test_buckets_pick_the_smallest_that_fits_and_say_what_to_do_beyond() -> None:
    assert [cal.bucket(n) for n in (1, 256, 257, 512)] == [256, 256, 512, 512]
    with pytest.raises(ValueError, match="add a larger bucket"):
        cal.bucket(513)


def test_padding_masks_out_exactly_the_added_points(data: tuple[np.ndarray, np.ndarray]) -> None:
    t, y, mask = cal.pad(*data, 512)
    assert t.shape == y.shape == mask.shape == (512,) and mask.sum() == cal.POINTS
    np.testing.assert_array_equal(y[: cal.POINTS], data[1])


def test_the_padded_fit_is_the_unpadded_fit(x64: None, data: tuple[np.ndarray, np.ndarray],
                                            reference: cal.Fit) -> None:
    x, objective, *_ = jax.jit(cal.solve_padded)(np.array(cal.START), *cal.pad(*data, 512))
    assert_same_minimum(np.asarray(x), float(objective), reference)


def test_problems_do_not_depend_on_how_many_are_drawn() -> None:
    t, few, true_few = cal.make_problems(3)
    _, many, true_many = cal.make_problems(50)
    np.testing.assert_array_equal(few, many[:3])
    np.testing.assert_array_equal(true_few, true_many[:3])
    assert t.shape == (cal.POINTS,) and many.shape == (50, cal.POINTS)


def test_the_vmapped_solver_matches_one_fit_per_problem(x64: None) -> None:
    t, ys, true = cal.make_problems(4)
    x, objective, iterations, _ = cal.batched_solver()(np.array(cal.START), t, ys)
    fits = cal.solve_each(cal.solve_scipy_fd, np.array(cal.START), t, ys)
    for i, fit in enumerate(fits):
        assert_same_minimum(np.asarray(x[i]), float(objective[i]), fit)
    assert iterations.shape == (4,) and len(set(np.asarray(iterations).tolist())) > 1


def test_starts_grid_holds_twenty_distinct_starts() -> None:
    starts = cal.starts_grid()
    assert starts.shape == (20, 2) and len({tuple(s) for s in starts}) == 20


@pytest.mark.slow  # a JAX process of its own, seven compilations
def test_new_lengths_compile_anew_and_buckets_do_not() -> None:
    before, after = (pg.run_isolated(cal.shapes_side, [200, 240, 300],
                                     {"repeats": 1, "warmup": 0, "target_s": 0}, way,
                                     threads=1).value for way in cal.SHAPES_WAYS)
    assert (before.compilations, after.compilations) == (3, 2)
    assert len(before.log_lines) == 3 and "float64[240]" in before.log_lines[1]
    np.testing.assert_allclose(after.objectives, before.objectives, rtol=cal.OBJECTIVE_RTOL)


@pytest.mark.slow  # SciPy's process and JAX's, with compilations
def test_the_sides_measure_every_route_and_batch_in_their_own_processes() -> None:
    runs = {"repeats": 2, "warmup": 0, "target_s": 0.01}
    batch = {"repeats": 1, "warmup": 0, "target_s": 0}
    scipy = pg.run_isolated(cal.scipy_side, runs, [2], batch, threads=1)
    jaxed = pg.run_isolated(cal.jax_side, runs, [3], [2], batch, count=True, threads=1)
    assert jaxed.value.routes[cal.SCIPY_JAX].call.median_s > 0
    assert jaxed.environment["threads"]["xla_cpu"] == 1
    routes = {**scipy.value.routes, **jaxed.value.routes}
    assert set(routes) == {cal.SCIPY_FD, cal.SCIPY_JAX, *cal.JAX_ROUTES}
    best = min(p.fit.objective for p in routes.values())
    for name, point in routes.items():
        assert cal.agree(point.fit.objective, best), name
        assert point.timing.mode == "latency" and len(point.from_starts) == 20
        assert point.fit.fevals > 0, f"{name}: evaluations not counted"
        assert all(f.status for f in point.from_starts) and point.fit.success
    assert all(routes[name].compile_s > 0 for name in cal.JAX_ROUTES)
    vmapped = jaxed.value.batched[cal.VMAPPED][3]
    for side, name in ((jaxed, cal.LOOP_JAX), (jaxed, cal.LOOP_JITTED), (scipy, cal.LOOP_FD)):
        np.testing.assert_allclose(side.value.batched[name][2].objectives,
                                   vmapped.objectives[:2], rtol=cal.BATCH_RTOL)


def test_the_pages_verdicts_flip_and_it_has_no_speed_goals() -> None:
    for fn, one, other in page.VERDICT_FLIPS:
        assert fn(**one) != fn(**other), fn.__name__
    checked = {fn.__name__ for fn, _, _ in page.VERDICT_FLIPS}
    public = {name for name, value in vars(page).items()
              if callable(value) and getattr(value, "__module__", None) == page.__name__
              and name.endswith("_verdict")}
    assert public <= checked and page.GOALS == []


def test_ratios_keep_two_significant_digits_below_ten() -> None:
    assert (page.times(1.4), page.times(9.4), page.times(23.4)) == ("1.4×", "9.4×", "23×")


def test_verdicts_that_compare_timings_respect_the_spread() -> None:
    wide = pg.Timing(1e-3, (0.5e-3, 0.8e-3, 1e-3, 1.5e-3, 2e-3), 1)
    narrow = pg.Timing(1.3e-3, (1.2e-3, 1.25e-3, 1.3e-3, 1.35e-3, 1.4e-3), 1)
    assert "not told apart" in page.choice_verdict({"A": wide, "B": narrow}, "per fit")
    assert "not told apart" in page.batch_verdict(wide, narrow, "L", 10)
    assert "not shown to be repaid" in page.payback_verdict("A", 1.0, wide, narrow, "B")


def test_the_included_workload_code_fits_the_column() -> None:
    for path in (REPOSITORY / "workloads" / "calibration").glob("*.py"):
        long = [line for line in path.read_text().splitlines() if len(line) > 78]
        assert not long, f"{path.name}: {long}"
