"""What JAX spends before a program first runs (tracing, lowering, XLA compilation), and program sizes."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.extend.core

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

    @property
    def total_s(self) -> float:
        """Seconds spent tracing, lowering and compiling, all together."""
        return sum(seconds for _, seconds in self.events)

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


HLO_INSTRUCTION = re.compile(r"^\s+(ROOT\s+)?%?\S+ = ", re.MULTILINE)


def jaxpr_equations(jaxpr: jax.extend.core.Jaxpr) -> int:
    """Equations in a jaxpr, those of nested jaxprs (jitted calls, loop bodies) included."""
    total = 0
    for eqn in jaxpr.eqns:
        total += 1
        for param in eqn.params.values():
            for sub in param if isinstance(param, tuple) else (param,):
                if isinstance(sub, jax.extend.core.ClosedJaxpr):
                    total += jaxpr_equations(sub.jaxpr)
                elif isinstance(sub, jax.extend.core.Jaxpr):
                    total += jaxpr_equations(sub)
    return total


def hlo_instructions(hlo_text: str) -> int:
    """Instructions in an HLO module's text, e.g. `jitted.lower(...).compile().as_text()`."""
    return len(HLO_INSTRUCTION.findall(hlo_text))
