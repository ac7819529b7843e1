"""Speed goals, kept out of the pages: each is a ratio read from a results file, and a bound on it."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class Results:
    """A page's results file, with look-ups by experiment, variant and size."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self.payload = payload
        self.records: list[dict[str, Any]] = payload["records"]

    def find(self, experiment: str, variant: str, size: float | None = None, **extra: Any) -> dict[str, Any]:
        """The one record that matches (size None: the largest size recorded for it)."""
        found = [
            r
            for r in self.records
            if r["experiment"] == experiment
            and r["variant"] == variant
            and (size is None or r["size"] == size)
            and all(r.get(key) == value for key, value in extra.items())
        ]
        if not found:
            raise KeyError(f"no record {experiment!r} / {variant!r} / size {size} / {extra}")
        return max(found, key=lambda r: r["size"] if r["size"] is not None else 0)

    def median(self, experiment: str, variant: str, size: float | None = None, **extra: Any) -> float:
        """Median seconds of the matching record."""
        return float(self.find(experiment, variant, size, **extra)["median_s"])

    def sizes(self, experiment: str, variant: str) -> list[float]:
        """Sizes recorded for one experiment and variant, ascending."""
        return sorted({r["size"] for r in self.records if r["experiment"] == experiment and r["variant"] == variant})


@dataclass(frozen=True)
class Goal:
    """A speed goal: `text` says it, `measure` reads the ratio, `at_least`/`at_most` bound it."""

    text: str
    measure: Callable[[Results], float]
    at_least: float | None = None
    at_most: float | None = None

    def met(self, value: float) -> bool:
        """Whether `value` is within the bounds."""
        return (self.at_least is None or value >= self.at_least) and (self.at_most is None or value <= self.at_most)

    @property
    def bound(self) -> str:
        """The bound as text, e.g. '≥ 30' or '≤ 2'."""
        parts = []
        if self.at_least is not None:
            parts.append(f"≥ {self.at_least:g}")
        if self.at_most is not None:
            parts.append(f"≤ {self.at_most:g}")
        return " and ".join(parts)
