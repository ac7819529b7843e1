"""Verdicts and speed goals of the page notebooks/functional_loops.md."""

from typing import Any

from perfguide.goals import Goal

VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = []
GOALS: list[Goal] = []
