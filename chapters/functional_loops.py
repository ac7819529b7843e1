"""Verdicts and speed goals of the page notebooks/functional_loops.md.

Every figure the verdicts read is microseconds per training step of a pipelined run (throughput
mode: all steps of a run issued back to back, the last loss waited on), so all compared loops,
the floor and PyTorch are measured the same way.
"""

from typing import Any

from perfguide.goals import Goal, Results
from perfguide.timing import Timing
from perfguide.verdicts import TIE, compare, compare_timings, resolved

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


def _us(t: Timing) -> float:
    return t.median_s * 1e6


def floor_verdict(loop: str, loop_t: Timing, floor_t: Timing) -> str:
    """How far the fastest Python loop is above the floor, spread-aware, against FLOOR_CLOSE."""
    multiple = loop_t.median_s / floor_t.median_s
    if not resolved(loop_t, floor_t, TIE):
        return (
            f"The fastest Python loop, {loop}, and the floor are not told apart by this run: "
            f"{multiple:.2f}× the floor by medians, within {TIE:.0%} or inside their {floor_t.spread} "
            "bands."
        )
    if multiple < 1:
        return (
            f"The fastest Python loop, {loop}, measured {multiple:.2f}× the floor, below it. No such "
            "loop can do less than the floor, so in this run noise (see the check at the end of the "
            "measurements) outweighs the difference."
        )
    if multiple <= FLOOR_CLOSE:
        return (
            f"The fastest Python loop, {loop}, runs at {multiple:.2f}× the floor, within "
            f"{FLOOR_CLOSE:g}× of it: the floor's time per step is {1 / multiple:.0%} of the loop's."
        )
    return (
        f"The fastest Python loop, {loop}, runs at {multiple:.2f}× the floor, more than "
        f"{FLOOR_CLOSE:g}× above it: the floor's time per step is only {1 / multiple:.0%} of the loop's."
    )


def excess_verdict(loop_us: float, floor_us: float, scan_us: float) -> str:
    """The fastest loop's excess over the floor set against the scanned step's time: arithmetic only."""
    excess = loop_us - floor_us
    if excess <= 0:
        return "With no measured excess over the floor, this run cannot set the excess against anything."
    if excess <= EXCESS_OF_COMPUTE * scan_us:
        return (
            f"Its {excess:.0f} µs per step above the floor are within {EXCESS_OF_COMPUTE:g}× of "
            f"the time of a step inside the scan, where no Python runs between steps ({scan_us:.0f} µs)."
        )
    return (
        f"Its {excess:.0f} µs per step above the floor are {excess / scan_us:.1f}× the time of a step "
        f"inside the scan ({scan_us:.0f} µs, no Python between steps), more than {EXCESS_OF_COMPUTE:g}× "
        "(arithmetic on the two figures: in a pipelined run host and device work overlap, so the "
        "excess is not a sum of separate costs)."
    )


def scan_verdict(nnx_t: Timing, scan_t: Timing, floor_t: Timing) -> str:
    """The scanned loop against `nnx.jit`, and whether it gets below the floor of a Python loop."""
    speed = compare_timings("The scanned loop", scan_t, "`nnx.jit`", nnx_t, TIE)
    multiple = scan_t.median_s / floor_t.median_s
    if resolved(scan_t, floor_t, TIE) and multiple < 1:
        return (
            f"{speed}, and at {multiple:.2f}× the floor it is below it: it makes one call per run "
            "instead of one per step."
        )
    if not resolved(scan_t, floor_t, TIE):
        return f"{speed}; at {multiple:.2f}× the floor, this run does not tell it apart from the floor."
    return f"{speed}, but at {multiple:.2f}× the floor it is not below it."


def eager_index_verdict(eager_t: Timing, flat_t: Timing) -> str:
    """What indexing the batch eagerly, outside the step, adds to loop 6, spread-aware."""
    eager_us, flat_us = _us(eager_t), _us(flat_t)
    extra = eager_us - flat_us
    if resolved(eager_t, flat_t, TIE) and extra > 0:
        return (
            f"adds {extra:.0f} µs per step to loop 6 ({extra / flat_us:.0%} of its "
            f"{flat_us:.0f} µs) in this pipelined run: two small computations of their own, "
            "dispatched from Python before each call. The study paid them in every loop but the "
            "scanned one."
        )
    if resolved(eager_t, flat_t, TIE):
        return (
            f"measured {-extra:.0f} µs per step *less* than loop 6 ({flat_us:.0f} µs) in this run; "
            "it cannot take less work, so noise decides this comparison."
        )
    return (
        f"is not told apart from loop 6 by this run ({extra:+.0f} µs on {flat_us:.0f} µs, within "
        f"{TIE:.0%} or inside the {flat_t.spread} bands): in this pipelined run the eager indexing "
        "does not decide the comparison."
    )


def eager_takeaway(eager_t: Timing, flat_t: Timing) -> str:
    """The take-away on where to index the batch, from the same two timings as `eager_index_verdict`."""
    if resolved(eager_t, flat_t, TIE) and eager_t.median_s > flat_t.median_s:
        return (
            "Stage data on the device once and pass indices; index inside the step: here eager "
            f"indexing made loop 6 {eager_t.median_s / flat_t.median_s:.1f}× slower per step."
        )
    return (
        "Where to index the batch did not decide this run: eager indexing and indexing inside the "
        "step were not told apart for loop 6."
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


def torch_verdict(setting: str, jax_name: str, jax_t: Timing, torch_name: str, torch_t: Timing, noisy: bool) -> str:
    """One JAX loop against one PyTorch step at one setting (threads, width), each in its own process."""
    words = compare_timings(jax_name, jax_t, torch_name, torch_t, TIE)
    if noisy and resolved(jax_t, torch_t, TIE):
        words += " (in a run the noise check flags: see the box below)"
    return f"{setting}: {words}."


def thread_verdict(sides: dict[str, tuple[Timing, Timing]], cores: int, busy: bool) -> str:
    """Per side, whether it is faster, slower or not told apart on all cores than on one core.

    `sides` maps a name to (timing on 1 core, timing on all `cores`); `busy`: the machine's load
    average exceeded its cores during the run (`NoiseCheck.busy`), said once if any side is slower.
    """
    sentences, slower = [], False
    for side, (one_t, all_t) in sides.items():
        one, every = _us(one_t), _us(all_t)
        figures = f"{one:.0f} µs per step on 1 core, {every:.0f} µs on {cores}"
        if not resolved(one_t, all_t, TIE):
            sentences.append(f"{side} is not told apart on 1 core and on {cores} by this run ({figures}).")
        elif every > one:
            slower = True
            sentences.append(f"{side} is slower on all {cores} cores than on 1 ({figures}).")
        else:
            sentences.append(f"{side} is faster on all {cores} cores than on 1 ({figures}).")
    if slower and busy:
        sentences.append(
            "The machine's load exceeded its cores during this run (see the box below): threads that "
            "must meet at every step also waited for the scheduler, so the all-core figures say what "
            "all cores gave here, not on an idle machine."
        )
    return " ".join(sentences)


def _t(us: float, spread: float = 0.02) -> Timing:
    """A synthetic timing of `us` microseconds with a narrow band, for the flip tests."""
    return Timing(us * 1e-6, tuple(us * 1e-6 * (1 + d) for d in (-spread, 0, 0, 0, spread)), 1, "throughput")


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (floor_verdict, {"loop": "6", "loop_t": _t(30.0), "floor_t": _t(20.0)}, {"loop": "6", "loop_t": _t(90.0), "floor_t": _t(20.0)}),
    (floor_verdict, {"loop": "6", "loop_t": _t(30.0), "floor_t": _t(20.0)}, {"loop": "6", "loop_t": _t(21.0), "floor_t": _t(20.0)}),
    (excess_verdict, {"loop_us": 30.0, "floor_us": 20.0, "scan_us": 10.0}, {"loop_us": 90.0, "floor_us": 20.0, "scan_us": 10.0}),
    (
        scan_verdict,
        {"nnx_t": _t(300.0), "scan_t": _t(10.0), "floor_t": _t(20.0)},
        {"nnx_t": _t(300.0), "scan_t": _t(40.0), "floor_t": _t(20.0)},
    ),
    (eager_index_verdict, {"eager_t": _t(80.0), "flat_t": _t(40.0)}, {"eager_t": _t(41.0), "flat_t": _t(40.0)}),
    (eager_takeaway, {"eager_t": _t(80.0), "flat_t": _t(40.0)}, {"eager_t": _t(41.0), "flat_t": _t(40.0)}),
    (width_verdict, {"loop": "7", "narrow_speedup": 30.0, "wide_speedup": 3.0}, {"loop": "7", "narrow_speedup": 3.0, "wide_speedup": 3.1}),
    (
        torch_verdict,
        {"setting": "1 thread", "jax_name": "JAX", "jax_t": _t(10.0), "torch_name": "PyTorch", "torch_t": _t(100.0), "noisy": False},
        {"setting": "1 thread", "jax_name": "JAX", "jax_t": _t(100.0), "torch_name": "PyTorch", "torch_t": _t(10.0), "noisy": False},
    ),
    (
        torch_verdict,
        {"setting": "1 thread", "jax_name": "JAX", "jax_t": _t(10.0), "torch_name": "PyTorch", "torch_t": _t(100.0), "noisy": False},
        {"setting": "1 thread", "jax_name": "JAX", "jax_t": _t(10.0, 0.5), "torch_name": "PyTorch", "torch_t": _t(11.0, 0.5), "noisy": False},
    ),
    (
        thread_verdict,
        {"sides": {"PyTorch": (_t(10.0), _t(20.0))}, "cores": 2, "busy": False},
        {"sides": {"PyTorch": (_t(20.0), _t(10.0))}, "cores": 2, "busy": False},
    ),
    (
        thread_verdict,
        {"sides": {"PyTorch": (_t(10.0), _t(20.0))}, "cores": 2, "busy": False},
        {"sides": {"PyTorch": (_t(10.0), _t(10.5))}, "cores": 2, "busy": False},
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
