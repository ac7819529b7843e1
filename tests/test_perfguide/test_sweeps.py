"""A budgeted sweep stops before the point whose predicted cost would overrun its budget."""

import pytest

import perfguide as pg


def test_prediction_is_a_power_law_at_least_linear_in_the_size() -> None:
    assert pg.predicted_cost_s({}, 10) == 0.0
    assert pg.predicted_cost_s({1: 1.0, 2: 4.0}, 4) == pytest.approx(16.0)  # quadratic
    assert pg.predicted_cost_s({1: 1.0, 2: 1.0}, 4) == pytest.approx(2.0)  # flat, read as linear


def test_sweep_stops_when_the_next_point_would_overrun_the_budget() -> None:
    sweep = pg.budgeted_sweep([1, 2, 4, 8, 16], measure=lambda n: n, cost_s=float, budget_s=10.0)
    assert list(sweep.points) == [1, 2, 4]  # 7 s spent, 8 more predicted
    assert sweep.spent_s == 7.0
    assert sweep.stopped == (8, pytest.approx(8.0))
    assert sweep.largest == 4


def test_sweep_within_budget_measures_everything() -> None:
    sweep = pg.budgeted_sweep([1, 2], measure=lambda n: n, cost_s=float, budget_s=10.0)
    assert sweep.stopped is None and sweep.largest == 2


def test_measurement_cost_counts_the_first_call_and_every_timed_call() -> None:
    timing = pg.Timing(first_call_s=1.0, per_call_s=(0.1, 0.1), calls_per_repeat=3)
    assert pg.measurement_cost_s(timing) == pytest.approx(1.0 + 7 * 0.1)
