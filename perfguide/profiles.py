"""Problem-size profiles: `quick` for tests and CI, `full` for the rendered book."""

import os
from typing import TypeVar

PROFILES = ("quick", "full")
T = TypeVar("T")


def profile() -> str:
    """Return the profile named by PERFGUIDE_PROFILE (default `full`), or raise on any other value."""
    name = os.environ.get("PERFGUIDE_PROFILE", "full")
    if name not in PROFILES:
        raise ValueError(f"PERFGUIDE_PROFILE must be 'quick' or 'full', got {name!r}")
    return name


def pick(*, quick: T, full: T) -> T:
    """Return the value for the active profile."""
    return quick if profile() == "quick" else full


def steady_budget_s() -> float:
    """Default steady-state seconds per measurement: 0.2 quick, 0.5 full (the full build's budget)."""
    return pick(quick=0.2, full=0.5)
