"""Verdicts and speed goals of the page notebooks/measuring.md.

Every outcome sentence of the page is chosen here from measured numbers; the thresholds are the
module constants below, and each sentence says the threshold it used.
"""

from typing import Any

from perfguide.goals import Goal
from perfguide.verdicts import TIE, compare

DISPATCH_GAP = 2.0  # unblocked reading below half the blocked one: the clock stopped before the work
NEAR_FLOOR = 2.0  # a jitted call within 2x the dispatch floor is "at the floor"
COMPUTE_BOUND = 2.0  # jitted f more than 2x the streaming a + 1: arithmetic, not memory, sets its time


def _times(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio < 9.95 else f"{ratio:,.0f}×"


def dispatch_verdict(blocked_s: float, unblocked_s: float) -> str:
    """Did stopping the clock without waiting under-report the work (by DISPATCH_GAP or more)?"""
    ratio = blocked_s / unblocked_s
    if ratio >= DISPATCH_GAP:
        return (f"the unblocked reading is {_times(ratio)} too short (more than the {DISPATCH_GAP:g}× "
                "this page counts as a wrong figure): it measured dispatch, not the matrix product")
    return (f"the two readings are within {DISPATCH_GAP:g}× of each other here, so dispatch did not "
            "hide the work this time; it will for any kernel that takes longer than a dispatch")


def harness_verdict(one_leaf_s: float, many_leaves_s: float, leaves: int) -> str:
    """How much more waiting on a many-leaf output costs than waiting on one array (ties within TIE)."""
    ratio = many_leaves_s / one_leaf_s
    if ratio >= 1 + TIE:
        return f"waiting on {leaves} arrays costs {_times(ratio)} as much as waiting on one"
    if ratio <= 1 / (1 + TIE):
        return f"waiting on {leaves} arrays costs less than waiting on one ({_times(ratio)})"
    return f"waiting on {leaves} arrays costs the same as waiting on one, within {TIE:.0%}"


def alias_verdict(aligned_aliased: bool, misaligned_aliased: bool, platform: str) -> str:
    """What `jax.device_put` did with the two NumPy arrays, read from their buffer addresses."""
    if aligned_aliased and not misaligned_aliased:
        return ("`device_put` of the aligned array returned a `jax.Array` that *uses the NumPy "
                "buffer itself* (zero-copy), while the misaligned array was copied. An aliased array "
                "changes if you later write to the NumPy array, so do not")
    if aligned_aliased and misaligned_aliased:
        return ("`device_put` aliased both arrays here: neither was copied, so no bytes moved")
    where = "device memory" if platform != "cpu" else "memory that XLA owns"
    return f"`device_put` copied both arrays into {where}: no alias, whatever the alignment"


def copy_rate_verdict(platform: str) -> str:
    """What the bytes-per-second of a device_put copy is: a memory copy on CPU, a transfer on an accelerator."""
    if platform == "cpu":
        return ("a memory-copy rate within host memory (the CPU backend's device is the host), not a "
                "transfer rate: nothing crosses a bus")
    return f"a host-to-{platform.upper()} transfer rate: the bytes cross the link to the device"


def _winner(numpy_over_jax: float, tie: float = TIE) -> str:
    if numpy_over_jax >= 1 + tie:
        return "JAX"
    if numpy_over_jax <= 1 / (1 + tie):
        return "NumPy"
    return "neither"


def precision_verdict(numpy64_s: float, numpy32_s: float, jax32_s: float, jax64_s: float) -> str:
    """What the mixed-precision comparison says against the matched ones (ties within TIE)."""
    mixed = compare("JAX", jax32_s, "NumPy", numpy64_s)
    f64 = compare("JAX", jax64_s, "NumPy", numpy64_s)
    f32 = compare("JAX", jax32_s, "NumPy", numpy32_s)
    mixed_winner, f32_winner = _winner(numpy64_s / jax32_s), _winner(numpy32_s / jax32_s)
    gap = (numpy64_s / jax32_s) / (numpy32_s / jax32_s)
    if mixed_winner != f32_winner:
        lesson = "the mixed comparison names the wrong winner"
    elif abs(gap - 1) > TIE:
        lesson = f"the mixed comparison gets the size of the gap wrong by {_times(max(gap, 1 / gap))}"
    else:
        lesson = f"the mixed comparison happens to agree with the float32 one within {TIE:.0%}"
    return (f"NumPy's default against JAX's default says {mixed}; at matched precision "
            f"{f64} in float64 and {f32} in float32: {lesson}")


def threads_verdict(name: str, one_thread_s: float, all_cores_s: float, cores: int) -> str:
    """Whether a side gains from all cores over 1 thread (by more than TIE)."""
    ratio = one_thread_s / all_cores_s
    if ratio >= 1 + TIE:
        return f"{name} is {ratio:.1f}× faster with {cores} threads than with 1"
    if ratio <= 1 / (1 + TIE):
        return f"{name} is {1 / ratio:.1f}× slower with {cores} threads than with 1"
    return f"{name} gains nothing from {cores} threads (within {TIE:.0%} of its 1-thread time)"


def floor_verdict(lengths: list[int], jit_s: list[float], floor_s: float) -> str:
    """Up to which length (from the smallest on) the jitted call stays within NEAR_FLOOR of the floor."""
    near = 0
    while near < len(lengths) and jit_s[near] <= NEAR_FLOOR * floor_s:
        near += 1
    if near == 0:
        return f"above {NEAR_FLOOR:g}× the floor at every length of this sweep"
    if near == 1:
        return f"within {NEAR_FLOOR:g}× the floor only at {lengths[0]:,} elements"
    return f"within {NEAR_FLOOR:g}× the floor from {lengths[0]:,} up to {lengths[near - 1]:,} elements"


def bound_verdict(jit_s: float, stream_s: float) -> str:
    """Arithmetic or memory: the jitted function against a jitted a + 1 over the same array."""
    ratio = jit_s / stream_s
    if ratio > COMPUTE_BOUND:
        return (f"the jitted function takes {_times(ratio)} the streaming reference (more than "
                f"{COMPUTE_BOUND:g}×), so computing `sin` and `cos`, not memory traffic, sets its time")
    return (f"the jitted function takes {_times(ratio)} the streaming reference (at most "
            f"{COMPUTE_BOUND:g}×), so reading and writing memory, not arithmetic, sets its time")


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (dispatch_verdict, {"blocked_s": 1e-2, "unblocked_s": 1e-5}, {"blocked_s": 1e-5, "unblocked_s": 0.9e-5}),
    (harness_verdict, {"one_leaf_s": 1e-6, "many_leaves_s": 5e-6, "leaves": 27},
     {"one_leaf_s": 1e-6, "many_leaves_s": 1e-6, "leaves": 27}),
    (alias_verdict, {"aligned_aliased": True, "misaligned_aliased": False, "platform": "cpu"},
     {"aligned_aliased": False, "misaligned_aliased": False, "platform": "cpu"}),
    (copy_rate_verdict, {"platform": "cpu"}, {"platform": "gpu"}),
    (precision_verdict, {"numpy64_s": 3.0, "numpy32_s": 0.8, "jax32_s": 1.0, "jax64_s": 2.0},
     {"numpy64_s": 3.0, "numpy32_s": 2.0, "jax32_s": 1.0, "jax64_s": 2.0}),
    (threads_verdict, {"name": "JAX", "one_thread_s": 2.0, "all_cores_s": 1.0, "cores": 2},
     {"name": "JAX", "one_thread_s": 1.0, "all_cores_s": 1.0, "cores": 2}),
    (floor_verdict, {"lengths": [100, 1000], "jit_s": [1e-5, 1e-4], "floor_s": 1e-5},
     {"lengths": [100, 1000], "jit_s": [1e-4, 1e-3], "floor_s": 1e-5}),
    (bound_verdict, {"jit_s": 5.0, "stream_s": 1.0}, {"jit_s": 1.2, "stream_s": 1.0}),
]
GOALS: list[Goal] = []
