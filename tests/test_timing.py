"""perfguide's timing blocks on results, reports compilation in the first call, and summarises repeats."""

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
    unblocked = pg.time_call(fn, a, repeats=3, target_s=0.1, blocking=False)
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
