"""The measuring chapter's element-wise sides, and what device_put does with a NumPy buffer on the CPU."""

import jax
import numpy as np
import pytest

import perfguide as pg
from perfguide import elementwise
from perfguide.pages import measuring

cpu_only = pytest.mark.skipif(jax.default_backend() != "cpu", reason="aliasing is a CPU-backend behaviour")


def test_aligned_empty_starts_where_asked() -> None:
    for offset in (0, 4, 16, 32):
        host = elementwise.aligned_empty(1000, np.float32, offset=offset)
        assert host.ctypes.data % elementwise.ALIGNMENT == offset
        assert host.shape == (1000,) and host.dtype == np.float32


@cpu_only
def test_device_put_aliases_a_64_byte_aligned_numpy_array() -> None:
    """jaxlib 0.10.2 on CPU: an aligned buffer is used in place, so a later host write shows through."""
    for length in (1, 100, 1_000_000):
        host = elementwise.aligned_empty(length, offset=0)
        host[:] = 1.0
        put = jax.device_put(host)
        assert elementwise.shares_buffer(put, host)
    host[0] = 5.0
    assert float(put[0]) == 5.0


@cpu_only
def test_device_put_copies_a_misaligned_numpy_array() -> None:
    for offset in (4, 16, 32):
        host = elementwise.aligned_empty(100_000, offset=offset)
        host[:] = 1.0
        put = jax.device_put(host)
        assert not elementwise.shares_buffer(put, host)
        host[0] = 5.0
        assert float(put[0]) == 1.0


@cpu_only
def test_may_alias_false_does_not_force_a_copy_in_this_jaxlib() -> None:
    """Documented as 'x will be copied', but jaxlib 0.10.2's CPU client still aliases: copy explicitly."""
    host = elementwise.aligned_empty(1000, offset=0)
    host[:] = 1.0
    assert elementwise.shares_buffer(jax.device_put(host, may_alias=False), host)


def test_both_libraries_compute_the_same_function() -> None:
    x = elementwise.sample(10_000, "float64", seed=3)
    with jax.enable_x64(True):
        np.testing.assert_allclose(jax.jit(elementwise.f_jax)(x), elementwise.f_numpy(x), rtol=1e-12, atol=1e-12)


def test_sides_return_latency_timings_for_the_whole_sweep() -> None:
    lengths = [100, 1000]
    numpy_side = elementwise.numpy_sweep(lengths)
    jax_side = elementwise.jax_sweep(lengths)
    assert len(numpy_side) == len(lengths)
    assert set(jax_side.curves) == {"JAX op by op", "JAX jitted", "streaming reference"}
    timings = [jax_side.floor, *numpy_side, *(t for ts in jax_side.curves.values() for t in ts)]
    assert all(t.mode == "latency" and t.median_s > 0 for t in timings)
    precision = {**elementwise.numpy_precision(1000), **elementwise.jax_precision(1000)}
    assert set(precision) == {"NumPy float64", "NumPy float32", "JAX float32", "JAX float64"}


def test_a_side_runs_in_an_isolated_process_at_one_thread() -> None:
    run = pg.run_isolated(elementwise.numpy_sweep, [100], threads=1)
    assert run.threads == 1 and run.environment["threads"]["cores_allowed"] == 1
    assert isinstance(run.value[0], pg.Timing)


def test_sweep_table_has_one_column_per_thread_setting() -> None:
    t = pg.Timing(1e-5, (1e-5,) * 5, 1)
    side = elementwise.JaxSweep(t, {"JAX op by op": [t, t], "JAX jitted": [t, t], "streaming reference": [t, t]})
    medians = {1: elementwise.sweep_medians([t, t], side), 2: elementwise.sweep_medians([t, t], side)}
    rows = elementwise.sweep_rows([100, 1000], medians, {1: 1e-5, 2: 1e-5})
    table = elementwise.thread_table(rows, [1, 2])
    assert "| 1 thread each | 2 threads each |" in table
    assert all(len(values) == 2 for values in rows.values())


def test_precision_verdict_names_the_wrong_winner_when_precisions_differ() -> None:
    words = measuring.precision_verdict(numpy64_s=3.0, numpy32_s=0.5, jax32_s=1.0, jax64_s=2.0)
    assert "names the wrong winner" in words
    words = measuring.precision_verdict(numpy64_s=1.0, numpy32_s=1.0, jax32_s=1.0, jax64_s=1.0)
    assert "agree" in words


def test_copy_rate_is_never_called_a_transfer_on_the_cpu() -> None:
    assert "not a transfer rate" in measuring.copy_rate_verdict("cpu")
    assert "transfer rate" in measuring.copy_rate_verdict("gpu")


@cpu_only
def test_device_put_copies_strided_or_converted_arrays_even_when_aligned() -> None:
    host = elementwise.aligned_empty(1000, np.float32, offset=0)
    host[:] = 1.0
    assert not elementwise.shares_buffer(jax.device_put(host[::2]), host[::2])
    wide = elementwise.aligned_empty(1000, np.float64, offset=0)
    wide[:] = 1.0
    if not jax.config.jax_enable_x64:  # float64 becomes float32: a conversion, so a copy
        assert not elementwise.shares_buffer(jax.device_put(wide), wide)
