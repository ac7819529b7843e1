"""Verdicts of the page notebooks/your_machine.md: how this build compares with the reference."""

from typing import Any

from perfguide.goals import Goal
from perfguide.verdicts import TIE

WIDE = 2.0  # ratios spread "widely" when their middle half spans more than 2x


def typical_verdict(typical: float, points: int, same_run: bool = False) -> str:
    """The typical ratio of this build to the reference, tie-aware, in words."""
    if same_run and points:
        return (f"every one of the {points} matched points has exactly the reference's median: "
                "the reference was recorded from this very build, so every ratio is 1. Rebuild "
                "on your machine and this page compares your run with it")
    if points == 0:
        return ("no point of this build matched the reference: run the pages first (`make book`"
                " or the quick profile's `make quick`), then rebuild this page")
    if typical >= 1 + TIE:
        return (f"this build took {typical:.2f}× the reference's time on a typical point "
                f"(geometric mean of {points} matched points): this machine is slower")
    if typical <= 1 / (1 + TIE):
        return (f"this build took {typical:.2f}× the reference's time on a typical point "
                f"(geometric mean of {points} matched points): this machine is faster")
    return (f"this build and the reference are within {TIE:.0%} of each other on a typical "
            f"point (geometric mean {typical:.2f}× over {points} matched points)")


def spread_verdict(low: float, high: float) -> str:
    """Whether the pages agree on the ratio (the middle half of the ratios spans < WIDE)."""
    if high / low > WIDE:
        return (f"the ratios spread widely (middle half {low:.2f}× to {high:.2f}×, over "
                f"{WIDE:g}× apart): the machines "
                "differ in kind (cores, memory bandwidth, vector units, GPU), not only in speed, "
                "so read the pages' own conclusions on your machine rather than one factor")
    return (f"the ratios agree (middle half {low:.2f}× to {high:.2f}×, within {WIDE:g}× of "
            "each other): one factor describes the difference well")


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (typical_verdict, dict(typical=2.0, points=10), dict(typical=0.5, points=10)),
    (typical_verdict, dict(typical=1.0, points=10), dict(typical=1.0, points=0)),
    (typical_verdict, dict(typical=1.0, points=10), dict(typical=1.0, points=10, same_run=True)),
    (spread_verdict, dict(low=0.5, high=4.0), dict(low=0.9, high=1.1)),
]

GOALS: list[Goal] = []
