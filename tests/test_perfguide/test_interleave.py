"""Interleaved timing takes turns and waits on the last output; pooling keeps every repeat."""

import jax

from perfguide.interleave import pool, time_interleaved
from perfguide.timing import Timing


def test_interleaved_timing_takes_turns_and_waits_on_the_last_output() -> None:
    calls: list[str] = []

    def run(name: str) -> jax.Array:
        calls.append(name)
        return jax.numpy.ones(3)

    timings = time_interleaved({"a": (run, ("a",)), "b": (run, ("b",))}, repeats=4, target_s=1e-6)
    assert all(t.mode == "throughput" and t.repeats == 4 and t.calls_per_repeat == 1 for t in timings.values())
    timed = calls[2 * 4 :]  # after first call, two warm-ups and one calibration each
    assert timed == ["a", "b", "b", "a", "a", "b", "b", "a"]


def test_pooling_keeps_every_repeat_and_the_first_call_of_the_first() -> None:
    one = Timing(9.0, (1.0, 2.0), 3, "throughput", 0.1)
    two = Timing(8.0, (3.0,), 3, "throughput", 0.3)
    pooled = pool([one, two])
    assert pooled.per_call_s == (1.0, 2.0, 3.0) and pooled.first_call_s == 9.0
    assert pooled.mode == "throughput" and abs(pooled.harness_s - 0.2) < 1e-12
