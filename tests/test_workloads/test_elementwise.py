"""The measuring chapter's element-wise sides, its timing recipe, and what device_put does with a
NumPy buffer on the CPU."""

import jax
import numpy as np
import pytest

import perfguide as pg
from workloads import elementwise
from chapters import measuring

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
        put = jax.device_put(host).block_until_ready()  # the copy itself is asynchronous
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


@pytest.mark.slow
def test_sides_return_latency_timings_for_the_whole_sweep() -> None:
    lengths = [100, 1000]
    numpy_side = elementwise.numpy_sweep(lengths)
    jax_side = elementwise.jax_sweep(lengths)
    assert set(numpy_side.curves) == {"NumPy, with temporaries", "NumPy, out= preallocated"}
    assert set(jax_side.curves) == {"JAX op by op", "JAX jitted"}
    assert len(numpy_side.memcpy) == len(numpy_side.add_one) == len(jax_side.add_one) == 2
    timings = [jax_side.floor, *numpy_side.add_one, *numpy_side.memcpy, *jax_side.add_one,
               *(t for side in (numpy_side, jax_side) for ts in side.curves.values() for t in ts)]
    assert all(t.mode == "latency" and t.median_s > 0 for t in timings)
    precision = {**elementwise.numpy_precision(1000), **elementwise.jax_precision(1000)}
    assert set(precision) == {"NumPy float64", "NumPy float32", "JAX float32", "JAX float64"}


def test_numpy_without_temporaries_computes_the_same_function() -> None:
    x = elementwise.sample(10_000, "float32", seed=3)
    out, tmp = np.empty_like(x), np.empty_like(x)
    np.testing.assert_allclose(elementwise.f_numpy_out(x, out, tmp), elementwise.f_numpy(x),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.slow
def test_minimal_jitted_call_is_a_plus_one_on_the_smallest_1d_array() -> None:
    """The floor is built like the curves: jitted a + 1 on a 1-D array of the smallest length."""
    side = elementwise.jax_sweep([100, 1000])
    assert side.floor is side.add_one[0]


@pytest.mark.slow
def test_a_side_runs_in_an_isolated_process_at_one_thread() -> None:
    run = pg.run_isolated(elementwise.numpy_sweep, [100], threads=1)
    assert run.threads == 1 and run.environment["threads"]["cores_allowed"] == 1
    assert isinstance(run.value, elementwise.Sweep) and isinstance(run.value.memcpy[0], pg.Timing)


def _fake_sweeps(fast: float = 1e-5) -> tuple[dict, dict]:
    t = pg.Timing(fast, (fast,) * 5, 1)
    npy = elementwise.Sweep({"NumPy, with temporaries": [t, t], "NumPy, out= preallocated": [t, t]},
                            [t, t], [t, t])
    jx = elementwise.Sweep({"JAX op by op": [t, t], "JAX jitted": [t, t]}, [t, t], floor=t)
    return {1: npy, 2: npy}, {1: jx, 2: jx}


def test_sweep_table_has_one_column_per_thread_setting() -> None:
    numpy_runs, jax_runs = _fake_sweeps()
    rows = measuring.sweep_rows([100, 1000], numpy_runs, jax_runs, [1000])
    table = measuring.thread_table(rows, [1, 2])
    assert "| 1 core each | 2 cores each |" in table
    assert all(len(values) == 2 for values in rows.values())


def test_large_verdicts_cover_each_setting_and_name_devices_on_a_gpu() -> None:
    numpy_runs, jax_runs = _fake_sweeps()
    words = measuring.large_verdicts([100, 1000], numpy_runs, jax_runs, [100, 1000])
    assert words.count("1 core each") == 2 and "across settings" in words
    assert "not told apart" in words and "threads each than" not in words
    gpu = measuring.large_verdicts([100, 1000], numpy_runs, jax_runs, [1000], backend="gpu")
    assert "JAX on GPU" in gpu and "NumPy on CPU" in gpu and "threads each" not in gpu


def test_one_core_machine_has_one_setting_and_no_plural_of_one() -> None:
    numpy_runs, jax_runs = _fake_sweeps()
    words = measuring.large_verdicts([100, 1000], {1: numpy_runs[1]}, {1: jax_runs[1]}, [1000])
    assert "1 threads" not in words and "across settings" not in words
    assert measuring._suffixes([1]) == [("1", 1), ("all", 1)]
    t = pg.Timing(1, (1.0,) * 5, 1)
    assert "one core" in measuring.threads_verdict("NumPy", t, t, 1)


def test_allocating_reference_is_no_bound_unless_it_streams_like_memcpy() -> None:
    slow = measuring.bound_verdict("JAX", 5.0, 1.0, ref_gbps=1.0, memcpy_gbps=15.0)
    assert "allocate + read + write reference" in slow and "memory traffic" not in slow
    fast = measuring.bound_verdict("JAX", 1.5, 1.0, ref_gbps=10.0, memcpy_gbps=15.0)
    assert "within 2×" in fast and "memory" not in fast.replace("memcpy", "")


def test_floor_is_a_bound_only_if_no_call_goes_below_it() -> None:
    floor = pg.Timing(1e-5, (1e-5,) * 5, 1)
    assert "floor below which" in measuring.floor_bound_verdict(floor, 1e-5, "x")
    assert "not a bound" in measuring.floor_bound_verdict(floor, 0.5e-5, "x")
    assert "1/n" in measuring.floor_verdict([100, 1000], [1e-5, 1e-5], 1e-5)
    assert "1/n" not in measuring.floor_verdict([100, 1000], [1e-4, 1e-3], 1e-5)


def test_unblocked_words_follow_the_share_of_early_repeats() -> None:
    blocked = pg.Timing(1e-2, (1e-2,) * 5, 1)
    mixed = pg.Timing(1e-5, (1e-5, 1e-5, 1e-2, 1e-2, 1e-2), 1)
    assert measuring.early_share(mixed, blocked) == 0.4
    assert "2 of 5" in measuring.dispatch_verdict(0.4, 5)
    assert "measured dispatch" in measuring.dispatch_verdict(1.0, 5)


def test_precision_verdict_names_the_wrong_winner_when_precisions_differ() -> None:
    def t(s: float) -> pg.Timing:
        return pg.Timing(s, (s,) * 5, 1)

    words = measuring.precision_verdict(t(3.0), t(0.5), t(1.0), t(2.0))
    assert "does not name the float32 one's winner" in words
    words = measuring.precision_verdict(t(1.0), t(1.0), t(1.0), t(1.0))
    assert "agree" in words and "not told apart" in words


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


def test_on_a_gpu_jax_a_plus_one_is_never_read_against_host_memcpy() -> None:
    numpy_runs, jax_runs = _fake_sweeps()
    gpu = measuring.large_verdicts([100, 1000], numpy_runs, jax_runs, [1000], backend="gpu")
    assert "no memcpy was measured on its device" in gpu and "JAX op by op on GPU" in gpu
    assert "no memcpy" not in measuring.large_verdicts([100, 1000], numpy_runs, jax_runs, [1000])


def test_code_the_page_includes_fits_the_page_column() -> None:
    """The measuring page shows these functions with literalinclude: no line may be cut."""
    import inspect
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "notebooks" / "measuring.md").read_text()
    modules = {"workloads/elementwise.py": elementwise, "chapters/measuring.py": measuring}
    shown = re.findall(r"literalinclude\} \.\./(\S+)\n:pyobject: (\w+)", page)
    assert {"f_numpy_out", "median_time"} <= {name for _, name in shown}
    for path, name in shown:
        if path in modules:
            source = inspect.getsource(getattr(modules[path], name))
            long = [line for line in source.splitlines() if len(line) > 78]
            assert not long, f"{name}: {long}"


def test_timing_recipe_uses_no_perfguide_and_waits_on_every_call() -> None:
    """The recipe readers copy: plain perf_counter, first call apart, block on every output."""
    import inspect

    source = inspect.getsource(measuring.median_time)
    assert "perfguide" not in source and "pg." not in source
    assert source.count("block_until_ready") == 3 and "perf_counter" in source
    calls = []

    def fn(a):
        calls.append(a)
        return jax.numpy.ones(3) * a

    first_s, median_s, iqr_s = measuring.median_time(fn, 2.0, repeats=5)
    assert len(calls) == 1 + 1 + 5  # first call, one warm-up, five timed
    assert first_s > 0 and median_s > 0 and iqr_s >= 0


def test_recipe_words_say_agree_only_within_the_threshold() -> None:
    assert "within 10%" in measuring.recipe_verdict(1.05e-3, 1e-3)
    assert "within 10%" in measuring.recipe_verdict(0.95e-3, 1e-3)
    assert "more than 10% apart" in measuring.recipe_verdict(1.3e-3, 1e-3)
    assert "more than 10% apart" in measuring.recipe_verdict(0.7e-3, 1e-3)


def test_page_figures_draw_one_band_or_bar_set_per_timing_series() -> None:
    import matplotlib

    matplotlib.use("Agg")
    numpy_runs, jax_runs = _fake_sweeps()
    fig = measuring.sweep_figure([100, 1000], numpy_runs, jax_runs, "streaming reference")
    assert len(fig.axes[0].collections) == 7  # four curves and three references, each a band
    t = pg.Timing(1e-3, (1e-3,) * 5, 1)
    precision = {threads: {name: t for name in ("NumPy float64", "NumPy float32",
                                                "JAX float32", "JAX float64")}
                 for threads in (1, 2)}
    fig = measuring.precision_figure(precision, "title")
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["NumPy float64", "NumPy float32", "JAX float32", "JAX float64"]


def test_measuring_page_records_one_compile_field() -> None:
    """compile_s is the compile field of every results file; XLA's part is named xla_share_s."""
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "notebooks" / "measuring.md").read_text()
    for extra in ("xla_compile_s=", "jax_compile_s=", "jit_s="):
        assert extra not in page, f"the page records {extra}; use compile_s= or xla_share_s="
