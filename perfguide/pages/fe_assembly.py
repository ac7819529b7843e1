"""Verdicts and speed goals of the page notebooks/fe_assembly.md."""

from typing import Any

from perfguide.goals import Goal

VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = []
GOALS: list[Goal] = []
