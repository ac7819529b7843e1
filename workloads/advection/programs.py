"""One jitted loop measured in this process: run time, compile time, memory
growth, program size and error; and what XLA's compiler made of it."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import numpy as np

from perfguide.compilation import compile_log, hlo_instructions
from perfguide.compilation import jaxpr_equations
from perfguide.memory import peak_rss_mib
from perfguide.timing import Timing, time_call


@dataclass(frozen=True)
class Program:
    """What `measure_program` found for one jitted loop."""

    timing: Timing  # seconds per call (all its steps), latency
    compile_s: float  # trace + lower + XLA compile, from JAX's events
    memory_mib: float  # peak RSS over compiling and timing, minus before
    eqns: int  # jaxpr equations, nested ones included
    instructions: int  # HLO instructions after XLA's optimisation
    error: float  # max |JAX - reference| after the same steps

    def fields(self) -> dict[str, float]:
        """The record's fields: `Recorder.add(..., **program.fields())`."""
        return {"compile_s": self.compile_s,
                "rss_increase_mib": self.memory_mib,
                "jaxpr_eqns": self.eqns,
                "hlo_instructions": self.instructions,
                "max_abs_error": self.error}


def measure_program(fn: Callable[..., Any], d: jax.Array, v: jax.Array,
                    reference: np.ndarray, runs: dict[str, Any]) -> Program:
    """Compile and time `fn(d, v)` (the first call compiles), watching the
    process's memory; then count its program and check its result."""
    with compile_log() as log:
        _, memory_mib, timing = peak_rss_mib(
            lambda: time_call(fn, d, v, **runs))
    out = np.asarray(fn(d, v))
    return Program(
        timing, log.total_s, memory_mib,
        jaxpr_equations(jax.make_jaxpr(fn)(d, v).jaxpr),
        hlo_instructions(fn.lower(d, v).compile().as_text()),
        float(np.max(np.abs(out - reference))))


def same_program(a: Callable[..., Any], b: Callable[..., Any],
                 *args: Any) -> bool:
    """Whether two jitted functions compile to the same optimised HLO,
    names and metadata aside."""
    def text(fn: Callable[..., Any]) -> str:
        lines = fn.lower(*args).compile().as_text().splitlines()
        start = next(i for i, line in enumerate(lines)
                     if line.startswith(("%", "ENTRY")))
        return re.sub(r", metadata=\{[^}]*\}", "", "\n".join(lines[start:]))

    return text(a) == text(b)


def cost_per_step(fn: Callable[..., Any], steps_in_program: int,
                  *args: Any) -> tuple[float, float]:
    """XLA's cost analysis of a compiled function: (flops, bytes accessed)
    per step.

    `steps_in_program` is how many steps the program text holds: a loop's
    body is counted once, so it is `unroll` for a `scan` and `steps` for an
    unrolled Python loop.
    """
    cost = fn.lower(*args).compile().cost_analysis()
    cost = cost[0] if isinstance(cost, list) else cost
    return (float(cost["flops"]) / steps_in_program,
            float(cost["bytes accessed"]) / steps_in_program)
