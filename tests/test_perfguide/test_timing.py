"""perfguide's timing blocks on results, reports compilation in the first call, and summarises repeats."""

import gc
import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import perfguide as pg


@pytest.fixture(scope="module")
def heavy_matmul():
    """A jitted product long enough (tens of ms on 2 cores) that dispatch is a small part of it."""
    a = jax.random.normal(jax.random.key(0), (1500, 1500))
    return jax.jit(lambda a: a @ a @ a), a


def test_blocked_measurement_is_not_shorter_than_its_dispatch(heavy_matmul) -> None:
    fn, a = heavy_matmul
    blocked = pg.time_call(fn, a, repeats=3, target_s=0.1)
    unblocked = pg.time_call(fn, a, repeats=3, target_s=0.1, mode="unblocked")
    assert blocked.median_s > unblocked.median_s
    flops = 2 * 2 * 1500**3
    assert flops / blocked.median_s < 5e12, "a 2-core CPU cannot do this: the clock stopped before the work"


def test_block_waits_for_the_result(heavy_matmul) -> None:
    fn, a = heavy_matmul
    pg.block(fn(a))
    out = pg.block(fn(a))
    assert out.is_ready()


def test_first_call_is_reported_as_compile_time() -> None:
    fn = jax.jit(lambda x: jnp.sin(x) @ jnp.cos(x).T + jnp.tanh(x).sum())
    x = jnp.ones((64, 64))
    with pg.compile_log() as log:
        timing = pg.time_call(fn, x, repeats=3, target_s=0.05)
    assert log.compilations == 1
    assert timing.first_call_s >= log.seconds("compile")
    assert timing.compile_s >= 0.5 * log.seconds("compile")
    assert timing.first_call_s > 5 * timing.median_s


def test_new_shape_recompiles_and_a_seen_shape_does_not() -> None:
    fn = jax.jit(lambda x: x * 2)
    inputs = [jnp.ones(length) for length in (3, 4, 3)]
    with pg.compile_log() as log:
        for x in inputs:
            pg.block(fn(x))
    assert log.compilations == 2


def test_summary_statistics_of_known_repeats() -> None:
    timing = pg.Timing(first_call_s=1.0, per_call_s=(1e-3, 2e-3, 3e-3, 4e-3, 5e-3), calls_per_repeat=10)
    assert timing.repeats == 5
    assert timing.min_s == 1e-3
    assert timing.median_s == 3e-3
    assert timing.mean_s == pytest.approx(3e-3)
    assert timing.std_s == pytest.approx(np.std([1, 2, 3, 4, 5], ddof=1) * 1e-3)
    assert timing.iqr_s == pytest.approx(2e-3)
    assert timing.compile_s == pytest.approx(1.0 - 3e-3)


def test_calls_per_repeat_is_calibrated_to_the_target_duration() -> None:
    timing = pg.time_call(lambda: time.sleep(0.002), repeats=4, target_s=0.08)
    assert 5 <= timing.calls_per_repeat <= 10
    assert timing.median_s == pytest.approx(0.002, rel=0.5)


def test_numpy_and_torch_outputs_time_without_errors() -> None:
    import torch

    x = np.ones(1000)
    assert pg.time_call(np.sin, x, repeats=2, target_s=0.01).median_s > 0
    assert pg.time_call(torch.sin, torch.ones(1000), repeats=2, target_s=0.01).median_s > 0


def test_harness_cost_of_a_many_leaf_output_is_measured_and_removed() -> None:
    """Returning ready arrays costs nothing but the wait: a net latency near zero for any pytree."""
    one = jnp.ones(3)
    many = {f"leaf{i}": jnp.ones(3) for i in range(200)}
    pg.block((one, many))
    t_one = pg.time_call(lambda: one, repeats=5, target_s=0.05)
    t_many = pg.time_call(lambda: many, repeats=5, target_s=0.05)
    assert t_many.harness_s > 5 * t_one.harness_s, "walking 200 leaves should cost more than one"
    assert t_many.median_s < 0.25 * t_many.harness_s, "the walk was billed to the call"


def test_gc_is_off_inside_timed_regions() -> None:
    import gc

    seen = []
    pg.time_call(lambda: seen.append(gc.isenabled()), repeats=3, target_s=0.01, warmup=0)
    assert not any(seen)
    assert gc.isenabled()


def test_throughput_mode_waits_on_the_last_call() -> None:
    fn = jax.jit(lambda a: a @ a)
    a = jax.random.normal(jax.random.key(1), (800, 800))
    timing = pg.time_call(fn, a, repeats=3, target_s=0.1, mode="throughput")
    assert timing.mode == "throughput" and timing.harness_s == 0.0
    assert 2 * 800**3 / timing.median_s < 5e12


def test_few_repeats_report_min_max_instead_of_quartiles() -> None:
    few = pg.Timing(1.0, (1e-3, 2e-3, 4e-3), 1)
    assert few.spread == "min-max" and (few.low_s, few.high_s) == (1e-3, 4e-3)
    many = pg.Timing(1.0, (1e-3, 2e-3, 3e-3, 4e-3, 5e-3), 1)
    assert many.spread == "IQR" and (many.low_s, many.high_s) == (2e-3, 4e-3)


def test_unknown_mode_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="latency"):
        pg.time_call(lambda: None, mode="fast")


def test_a_chained_donating_function_can_be_timed() -> None:
    """The harness blocks on a fresh output, not on one the next call donated."""
    from perfguide.roofs import stream_timing

    timing, nbytes = stream_timing(megabytes=8, dtype="float32")
    assert timing.median_s > 0 and nbytes == 2 * 8_000_000


def test_change_words_fall_grow_or_stay_within_the_tie() -> None:
    assert pg.change_words("speedup", 4.0, 2.0) == "speedup falls from 4.0× to 2.0×"
    assert pg.change_words("speedup", 2.0, 4.0) == "speedup grows from 2.0× to 4.0×"
    assert pg.change_words("speedup", 2.0, 2.1) == "speedup stays within 10% (2.0× and 2.1×)"


def test_no_steady_state_budget_means_no_calibration_calls() -> None:
    calls = []
    timing = pg.time_call(lambda: calls.append(1), repeats=3, warmup=0, target_s=0.0,
                          mode="throughput")
    assert timing.calls_per_repeat == 1
    assert len(calls) == 1 + 3  # the first call and the repeats, nothing else


def test_a_timing_with_a_median_of_zero_is_compared_by_its_band_alone() -> None:
    from perfguide.verdicts import resolved

    zero = pg.Timing(1e-6, (0.0, 0.0, 0.0), 1)
    assert resolved(zero, pg.Timing(1e-5, (1e-5, 1e-5, 1e-5), 1))
    assert not resolved(zero, pg.Timing(1e-6, (0.0, 0.0, 0.0), 1))
    slow = pg.Timing(1e-5, (1e-5, 1e-5, 1e-5), 1)
    assert pg.compare_timings("a", slow, "b", zero).startswith("b is faster than a")


def test_time_once_waits_on_the_output_with_the_collector_off() -> None:
    seen = []

    def work(x: jax.Array) -> jax.Array:
        seen.append(gc.isenabled())
        return jnp.sin(x) * 2

    seconds, out = pg.time_once(work, jnp.ones(1000))
    assert seconds > 0 and seen == [False]
    assert out.is_fully_replicated and float(out[0]) == pytest.approx(2 * np.sin(1.0))


def test_an_output_of_none_costs_the_harness_almost_nothing() -> None:
    # np.copyto returns None: walking it as a pytree cost ~1.4 µs, as much as a small copy, and
    # subtracting that left the measuring page a memcpy of 0 s.
    x = np.ones(100, np.float32)
    out = np.empty_like(x)
    assert pg.blocking_cost_s(None) < pg.blocking_cost_s({"a": jnp.ones(2)})
    assert pg.time_call(np.copyto, out, x, target_s=0.05).median_s > 0
