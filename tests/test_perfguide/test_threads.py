"""Thread limits hold: XLA:CPU obeys the isolated process's cores, PyTorch and BLAS its settings."""

import os

import pytest

import perfguide as pg
from perfguide.roofs import matmul_timing
from perfguide.threads import matmul_parallelism

needs_two_cores = pytest.mark.skipif(pg.all_cores() < 2, reason="needs at least two cores to compare")


def test_thread_settings_are_one_thread_and_all_cores() -> None:
    settings = pg.thread_settings()
    assert settings[0] == 1 and settings[-1] == pg.all_cores()


@pytest.mark.slow
def test_isolated_process_returns_timings_and_its_environment() -> None:
    run = pg.run_isolated(matmul_timing, n=256, threads=1)
    assert isinstance(run.value, pg.Timing) and run.value.median_s > 0
    assert run.threads == 1
    assert run.environment["threads"]["cores_allowed"] == 1
    assert run.environment["threads"]["variables"]["OMP_NUM_THREADS"] == "1"


@pytest.mark.slow
def test_isolated_process_limits_torch_and_blas_pools() -> None:
    run = pg.run_isolated("perfguide.threads:thread_counts", threads=1, env={"PERFGUIDE_TEST": "1"})
    counts = run.value
    assert counts["cores_allowed"] == 1
    pools = counts["pools"] or {}
    assert all(threads == 1 for threads in pools.values()), pools


@pytest.mark.slow
def test_isolated_torch_runs_with_the_threads_asked_for() -> None:
    run = pg.run_isolated("perfguide.threads:torch_thread_counts", threads=1, preload=("torch",))
    assert run.value == {"intra_op": 1, "inter_op": 1}
    assert not run.jax_started, "a PyTorch-only side must not start XLA's pool"
    assert run.environment["backend"] == "not started" and run.environment["threads"]["xla_cpu"] is None


@pytest.mark.slow
def test_an_isolated_run_says_whether_jax_started() -> None:
    assert pg.run_isolated(matmul_timing, n=64, threads=1).jax_started


def test_a_function_defined_in_a_notebook_is_refused_with_advice() -> None:
    def local() -> None:
        pass

    with pytest.raises(ValueError, match="top level of a module"):
        pg.run_isolated(local, threads=1)


@pytest.mark.slow
def test_a_failing_child_reports_its_error() -> None:
    with pytest.raises(RuntimeError, match="isolated process"):
        pg.run_isolated("perfguide.threads:no_such_function", threads=1)


@pytest.mark.slow
def test_xla_cpu_never_uses_more_than_one_core_when_isolated_to_one_thread() -> None:
    """The mechanism, load-proof: pinned to one core, XLA's pool cannot use more than one CPU second per second."""
    assert pg.run_isolated(matmul_parallelism, threads=1).value < 1.05


def _busy() -> bool:
    """More runnable work than one core short of all: a parallel speed-up cannot show."""
    return os.getloadavg()[0] > pg.all_cores() - 0.5


@pytest.mark.slow
@needs_two_cores
def test_xla_cpu_spreads_over_all_cores_when_allowed() -> None:
    if _busy():
        pytest.skip(f"load {os.getloadavg()[0]:.1f} on {pg.all_cores()} cores: too busy to show parallelism")
    assert pg.run_isolated(matmul_parallelism, threads=pg.all_cores()).value > 1.3


@pytest.mark.slow
@needs_two_cores
def test_xla_cpu_thread_flags_alone_do_not_limit_it() -> None:
    """The flags often suggested (`intra_op_parallelism_threads=1`) leave the pool at all cores."""
    if _busy():
        pytest.skip(f"load {os.getloadavg()[0]:.1f} on {pg.all_cores()} cores: too busy to show parallelism")
    flags = {"XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}
    assert pg.run_isolated(matmul_parallelism, threads=pg.all_cores(), env=flags).value > 1.3


def test_environment_record_states_thread_counts() -> None:
    threads = pg.environment()["threads"]
    assert threads["xla_cpu"] == len(os.sched_getaffinity(0))
    assert "pools" in threads


@pytest.mark.slow
def test_every_isolated_process_is_listed_even_when_one_is_run_twice(monkeypatch) -> None:
    from perfguide import isolated

    monkeypatch.setattr(isolated, "RUNS", {})
    first = pg.run_isolated("os:getpid", threads=1).value
    second = pg.run_isolated("os:getpid", threads=1).value
    assert first != second
    assert list(isolated.RUNS) == ["os:getpid, 1 core", "os:getpid, 1 core, run 2"]
