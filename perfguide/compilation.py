"""What JAX spends before a program first runs (tracing, lowering, XLA compilation), from jax.monitoring."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jax

PHASES = {
    "/jax/core/compile/jaxpr_trace_duration": "trace",
    "/jax/core/compile/jaxpr_to_mlir_module_duration": "lower",
    "/jax/core/compile/backend_compile_duration": "compile",
}


@dataclass
class CompileLog:
    """(phase, seconds) for every trace, lowering and XLA compilation seen while the log was open."""

    events: list[tuple[str, float]] = field(default_factory=list)

    @property
    def compilations(self) -> int:
        """Number of XLA compilations."""
        return sum(phase == "compile" for phase, _ in self.events)

    def seconds(self, phase: str) -> float:
        """Total seconds spent in `phase` ('trace', 'lower' or 'compile')."""
        return sum(seconds for name, seconds in self.events if name == phase)


@contextmanager
def compile_log() -> Iterator[CompileLog]:
    """Collect JAX's tracing, lowering and compilation events for the duration of a `with` block."""
    log = CompileLog()

    def listener(event: str, duration_s: float, **_: Any) -> None:
        if event in PHASES:
            log.events.append((PHASES[event], duration_s))

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        yield log
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)
