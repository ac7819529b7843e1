"""workloads.fem.sides and memory: what each library's process measures for the two FE pages."""

from collections.abc import Iterator

import jax
import numpy as np
import pytest

import perfguide as pg
from workloads import fem
from workloads.fem import sides


@pytest.fixture(autouse=True)
def x64(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """float64 in JAX for these tests only, and the quick profile's short timing budget."""
    monkeypatch.setenv("PERFGUIDE_PROFILE", "quick")
    with jax.enable_x64(True):
        yield


def test_a_call_predicted_over_a_second_gets_three_repeats(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(sides, "time_call", lambda fn, *args, **options: calls.append(options)
                        or pg.Timing(1.0, (1.0,) * options.get("repeats", 7), 1))
    history: dict[int, float] = {}
    sides.time_point(abs, (1,), 4, history, one_call=True)
    assert calls[-1] == {"repeats": 5, "warmup": 0, "target_s": 0.0}
    history.update({4: 0.1, 8: 0.4})  # quadratic so far: 0.9 s at 12, 1.6 s at 16
    sides.time_point(abs, (1,), 12, history, one_call=True)
    assert calls[-1]["repeats"] == 5
    sides.time_point(abs, (1,), 16, history)
    assert calls[-1] == {"repeats": 3, "warmup": 0, "target_s": 0.0}
    assert history[16] == 1.0  # each measured median feeds the next prediction


def test_a_side_records_every_timing_with_its_threads_and_compile_time() -> None:
    timing = pg.Timing(0.5, (0.1,) * 5, 1)
    side = fem.Side(timings={("jacobian", "jax_vmap", 4): timing, ("residual", "numpy_slots", 4): timing},
                    compile_s={("jacobian", "jax_vmap", 4): 0.25})
    recorder = pg.Recorder("example")
    side.record(recorder, threads=2)
    jax_series = recorder.series("jacobian", "jax_vmap", threads=2)
    assert jax_series.timings == [timing] and jax_series.records[0].compile_s == 0.25
    numpy_record = recorder.series("residual", "numpy_slots", threads=2).records[0]
    assert numpy_record.compile_s == timing.compile_s  # nothing compiled: the timing's own estimate
    merged = fem.merge_sides(side, fem.Side(roofs={"bandwidth": 1.0}))
    assert merged.timings == side.timings and merged.roofs == {"bandwidth": 1.0}


@pytest.mark.slow
def test_the_jax_sweep_times_compiled_steps_with_compile_time_and_cost() -> None:
    jax.clear_caches()  # other tests compiled these sizes already: compile them afresh here
    side = fem.jax_sweep([1, 2], 2, 1)
    for label in ("jax_vmap", "jax_autodiff", "jax_vmap float32"):
        assert side.compile_s["jacobian", label, 1] > 0
        assert ("jacobian", label, 2) in side.cost
    assert {v for e, v, _ in side.timings if e == "residual"} == set(fem.methods_of("jax", fem.RESIDUAL_METHODS))
    assert all(c["flops"] > 0 and c["bytes"] > 0 for c in side.cost.values())
    assert side.roofs["bandwidth"] > 0 and side.roofs["backend"] == jax.default_backend()
    assert side.roofs["stream_mb"] >= 4 * sides.last_level_cache_bytes() / 1e6 * 0.99


@pytest.mark.slow
def test_slow_sides_get_enough_repeats_for_an_interquartile_range() -> None:
    side = fem.merge_sides(fem.numpy_sweep([1, 2], 1), fem.skfem_sweep([1, 2, 3], 2))
    assert ("jacobian", "numpy_loop", 2) not in side.timings  # loop only up to largest_loop
    assert ("jacobian", "scikit_fem", 3) not in side.timings  # scikit-fem only up to largest
    for key, timing in side.timings.items():
        assert timing.spread == "IQR", key
    assert side.roofs["numpy_bandwidth"] > 0


@pytest.mark.slow
def test_the_limits_sides_measure_roofs_streams_memory_and_solves() -> None:
    side = fem.merge_sides(fem.jax_limits(2, 2, 64, 1, memory_n=2), fem.numpy_limits(2, memory_n=2),
                           fem.skfem_memory(2))
    assert set(side.memory) == {"jax_vmap", "jax_autodiff", "numpy_vectorized", "numpy_slots", "scikit_fem"}
    assert all(n == 2 and mib > 0 for n, _, mib in side.memory.values())
    assert side.roofs["peak_flops"] > 0 and side.roofs["bandwidth"] > 0
    for (experiment, method), (mb, bandwidth) in side.streams.items():
        assert mb == pytest.approx(side.cost[experiment, method, 2]["bytes"] / 1e6, rel=0.01, abs=1e-5)
        assert bandwidth > 0
    assert {v for e, v, _ in side.timings if e == "breakeven"} == {"jax_vmap", "jax_jvp", "scipy_matvec"}
    u_free, iterations = side.solutions["CG, matrix-free (JAX jvp)"]
    assert u_free.shape == (fem.box_mesh(2).num_dofs,) and iterations > 0
    np.testing.assert_allclose(u_free, side.solutions["sparse direct (SuperLU)"], atol=1e-7)


def test_memory_of_a_warm_call_is_labelled_by_where_it_runs() -> None:
    numpy_step = fem.prepare_stiffness(2, "numpy_slots")
    assert fem.assembly_memory_mib(numpy_step, backend="gpu")[0] == "tracemalloc"
    jax_step = fem.prepare_stiffness(2, "jax_vmap")
    assert fem.assembly_memory_mib(jax_step, backend="cpu")[0] == "XLA's buffer plan"
    assert fem.assembly_memory_mib(jax_step, backend="gpu")[0] == "device memory"


def test_memory_figures_are_never_smaller_than_the_output() -> None:
    mesh = fem.box_mesh(6)
    pattern = fem.csr_pattern(mesh)
    output_mib = 8 * pattern.nnz / 2**20
    for method in ("numpy_slots", "jax_vmap"):
        _, mib = fem.assembly_memory_mib(fem.prepare_stiffness(mesh, method, pattern=pattern), backend="cpu")
        assert mib >= output_mib, (method, mib, output_mib)


def test_xlas_figure_leaves_the_arguments_out_as_tracemalloc_does() -> None:
    step = fem.prepare_stiffness(4, "jax_vmap")
    stats = step.fn.lower(*step.args).compile().memory_analysis()
    allocated = stats.temp_size_in_bytes + stats.output_size_in_bytes - stats.alias_size_in_bytes
    assert stats.argument_size_in_bytes > 0
    assert fem.xla_memory_mib(step) == allocated / 2**20
