"""Verdicts and speed goals of the page notebooks/functional_loops.md.

Every figure the verdicts read is microseconds per training step of a pipelined run (throughput
mode: all steps of a run issued back to back, the last loss waited on), so all compared loops,
the floor and PyTorch are measured the same way.
"""

from typing import Any

from perfguide.goals import Goal, Results
from perfguide.verdicts import TIE, compare

FLOOR_CLOSE = 2.0  # a loop "close to the floor" runs within 2x of it
EXCESS_OF_COMPUTE = 2.0  # an excess over the floor "of the order of" the step's compute: within 2x of it

EXPERIMENT = "hidden 64"  # the page's main measurement: records (EXPERIMENT, loop name, steps)
NNX_JIT, SCAN, FLOOR = "1 nnx.jit", "7 nnx.scan", "floor"
PYTHON_LOOPS = (
    "1 nnx.jit",
    "2 nnx.cached_partial",
    "3 jax.jit split/merge",
    "4 nnx.jit(graph=False)",
    "5 nnx.jit_partial",
    "6 jax.jit flat leaves",
)


def floor_verdict(loop: str, loop_us: float, floor_us: float) -> str:
    """How far the fastest Python loop is above the floor, against FLOOR_CLOSE."""
    multiple = loop_us / floor_us
    if multiple < 1 / (1 + TIE):
        return (
            f"The fastest Python loop, {loop}, measured {multiple:.2f}× the floor, more than "
            f"{TIE:.0%} below it. No such loop can do less than the floor, so in this run noise "
            "(see the check at the end of the measurements) outweighs the difference."
        )
    if multiple <= FLOOR_CLOSE:
        return (
            f"The fastest Python loop, {loop}, runs at {multiple:.2f}× the floor, within "
            f"{FLOOR_CLOSE:g}× of it: passing the training state into and out of one jitted call "
            f"is {1 / multiple:.0%} of its time per step."
        )
    return (
        f"The fastest Python loop, {loop}, runs at {multiple:.2f}× the floor, more than "
        f"{FLOOR_CLOSE:g}× above it: passing the training state into and out of one jitted "
        f"call is only {1 / multiple:.0%} of its time per step."
    )


def excess_verdict(loop_us: float, floor_us: float, scan_us: float) -> str:
    """Whether the fastest loop's excess over the floor is of the order of the step's own compute."""
    excess = loop_us - floor_us
    if excess <= 0:
        return "With no measured excess over the floor, this run cannot say what the excess is made of."
    if excess <= EXCESS_OF_COMPUTE * scan_us:
        return (
            f"Its {excess:.0f} µs per step above the floor are within {EXCESS_OF_COMPUTE:g}× of "
            f"the step's own compute: inside the scan, where no Python runs between steps, a step "
            f"costs {scan_us:.0f} µs."
        )
    return (
        f"Its {excess:.0f} µs per step above the floor are more than {EXCESS_OF_COMPUTE:g}× the "
        f"step's own compute ({scan_us:.0f} µs per step inside the scan, where no Python runs "
        "between steps): the rest is work per call outside the compiled step."
    )


def scan_verdict(nnx_us: float, scan_us: float, floor_us: float) -> str:
    """The scanned loop against `nnx.jit`, and whether it gets below the floor of a Python loop."""
    speed = compare("The scanned loop", scan_us, "`nnx.jit`", nnx_us, TIE)
    if scan_us < floor_us:
        return (
            f"{speed}, and at {scan_us / floor_us:.2f}× the floor it is below it: it pays for "
            "the call once per run instead of once per step."
        )
    return (
        f"{speed}, but at {scan_us / floor_us:.2f}× the floor it is not below it: the step's own "
        "compute costs more than passing the state once per step."
    )


def eager_index_verdict(eager_us: float, flat_us: float) -> str:
    """What indexing the batch eagerly, outside the step, adds to the flat-leaves loop."""
    extra = eager_us - flat_us
    if extra > TIE * flat_us:
        return (
            f"adds {extra:.0f} µs per step to loop 6 ({extra / flat_us:.0%} of its "
            f"{flat_us:.0f} µs): each eager index is a small computation of its own, dispatched "
            "from Python. In the study this cost was paid by every loop but the scanned one, so it "
            "narrowed the differences between them and inflated the scanned loop's advantage."
        )
    return (
        f"changes loop 6's time per step by less than {TIE:.0%} ({extra:+.0f} µs on "
        f"{flat_us:.0f} µs) in this pipelined run: here the eager indexing does not decide the "
        "comparison."
    )


def width_verdict(loop: str, narrow_speedup: float, wide_speedup: float) -> str:
    """How a loop's speedup over `nnx.jit` changes from the narrow to the wide model."""
    change = narrow_speedup / wide_speedup
    if change >= 1 + TIE:
        return f"{loop}'s speedup over `nnx.jit` falls from {narrow_speedup:.1f}× to {wide_speedup:.1f}×"
    if change <= 1 / (1 + TIE):
        return f"{loop}'s speedup over `nnx.jit` grows from {narrow_speedup:.1f}× to {wide_speedup:.1f}×"
    return (
        f"{loop}'s speedup over `nnx.jit` stays within {TIE:.0%} ({narrow_speedup:.1f}× and "
        f"{wide_speedup:.1f}×)"
    )


def torch_verdict(setting: str, jax_name: str, jax_us: float, torch_name: str, torch_us: float) -> str:
    """One JAX loop against one PyTorch step at one setting (threads, width), each in its own process."""
    return f"{setting}: {compare(jax_name, jax_us, torch_name, torch_us, TIE)}."


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (floor_verdict, {"loop": "6", "loop_us": 30.0, "floor_us": 20.0}, {"loop": "6", "loop_us": 90.0, "floor_us": 20.0}),
    (excess_verdict, {"loop_us": 30.0, "floor_us": 20.0, "scan_us": 10.0}, {"loop_us": 90.0, "floor_us": 20.0, "scan_us": 10.0}),
    (scan_verdict, {"nnx_us": 300.0, "scan_us": 10.0, "floor_us": 20.0}, {"nnx_us": 300.0, "scan_us": 40.0, "floor_us": 20.0}),
    (eager_index_verdict, {"eager_us": 80.0, "flat_us": 40.0}, {"eager_us": 41.0, "flat_us": 40.0}),
    (width_verdict, {"loop": "7", "narrow_speedup": 30.0, "wide_speedup": 3.0}, {"loop": "7", "narrow_speedup": 3.0, "wide_speedup": 3.1}),
    (
        torch_verdict,
        {"setting": "1 thread", "jax_name": "JAX", "jax_us": 10.0, "torch_name": "PyTorch", "torch_us": 100.0},
        {"setting": "1 thread", "jax_name": "JAX", "jax_us": 100.0, "torch_name": "PyTorch", "torch_us": 10.0},
    ),
]


def best_loop_over_floor(results: Results) -> float:
    """Time per step of the fastest one-call-per-step loop over the floor's (hidden 64)."""
    best = min(results.median(EXPERIMENT, loop) for loop in PYTHON_LOOPS)
    return best / results.median(EXPERIMENT, FLOOR)


def scan_speedup_over_nnx_jit(results: Results) -> float:
    """Time per step of `nnx.jit` over the scanned loop's (hidden 64; both run the same steps)."""
    return results.median(EXPERIMENT, NNX_JIT) / results.median(EXPERIMENT, SCAN)


GOALS: list[Goal] = [
    Goal("best Python loop per step ≤ 2× its floor (hidden 64)", best_loop_over_floor, at_most=FLOOR_CLOSE),
    Goal("scanned loop ≥ 30× faster per step than nnx.jit (hidden 64)", scan_speedup_over_nnx_jit, at_least=30.0),
]
