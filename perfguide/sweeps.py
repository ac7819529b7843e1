"""Sweeps that stop before they overrun a time budget, predicting each next point's cost."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np

from perfguide.timing import Timing

P = TypeVar("P")


def measurement_cost_s(timing: Timing) -> float:
    """Seconds a `time_call` measurement took: the first call and the timed calls after it."""
    calls = timing.repeats * timing.calls_per_repeat + 1
    return timing.first_call_s + calls * timing.median_s


def predicted_cost_s(costs: dict[float, float], size: float) -> float:
    """Cost at `size`, extrapolated from the last two (size, cost) points as a power law at least
    linear in the size; 0 before two points are known."""
    if len(costs) < 2:
        return 0.0
    (s1, c1), (s2, c2) = sorted(costs.items())[-2:]
    power = max(float(np.log(c2 / c1) / np.log(s2 / s1)), 1.0)
    return c2 * (size / s2) ** power


@dataclass
class Sweep(Generic[P]):
    """What a budgeted sweep measured, what it spent, and where it stopped (size, predicted s)."""

    budget_s: float
    points: dict[float, P] = field(default_factory=dict)
    spent_s: float = 0.0
    stopped: tuple[float, float] | None = None

    @property
    def largest(self) -> float:
        """The largest size measured."""
        return max(self.points)


def budgeted_sweep(
    sizes: Iterable[float],
    measure: Callable[[float], P],
    cost_s: Callable[[P], float],
    budget_s: float,
) -> Sweep[P]:
    """Measure each size in order until the predicted cost of the next would overrun the budget."""
    sweep: Sweep[P] = Sweep(budget_s)
    costs: dict[float, float] = {}
    for size in sizes:
        predicted = predicted_cost_s(costs, size)
        if sweep.points and sweep.spent_s + predicted > budget_s:
            sweep.stopped = (size, predicted)
            break
        point = measure(size)
        sweep.points[size] = point
        costs[size] = cost_s(point)
        sweep.spent_s += costs[size]
    return sweep
