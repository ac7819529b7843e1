"""Results files round-trip and carry the environment record."""

import json
from pathlib import Path

import pytest

import perfguide as pg


def test_records_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFGUIDE_RESULTS", str(tmp_path))
    monkeypatch.setenv("PERFGUIDE_PROFILE", "quick")
    recorder = pg.Recorder("example")
    timing = pg.Timing(first_call_s=0.5, per_call_s=(0.1, 0.2, 0.3), calls_per_repeat=2)
    assert recorder.add("sweep", "jit", 1024, timing, flops=2.0e6) is timing
    path = recorder.save()

    assert path == tmp_path / "example.json"
    results = pg.load_results(path)
    assert results["notebook"] == "example"
    assert results["profile"] == "quick"
    [record] = results["records"]
    assert record["experiment"] == "sweep" and record["variant"] == "jit" and record["size"] == 1024
    assert record["median_s"] == pytest.approx(0.2)
    assert record["compile_s"] == pytest.approx(0.3)
    assert record["iqr_s"] == pytest.approx(timing.iqr_s)
    assert record["repeats"] == 3
    assert record["first_call_s"] == 0.5 and record["flops"] == 2.0e6
    json.dumps(results)  # plain JSON all the way down


def test_environment_record_names_versions_backend_and_cpu() -> None:
    env = pg.environment()
    assert env["versions"]["jax"] and env["versions"]["flax"]
    assert env["backend"] in {"cpu", "gpu", "tpu"}
    assert env["device_count"] >= 1 and env["cpu_cores"] >= 1
    assert {"python", "device_kind", "cpu_model", "xla_flags", "date", "profile"} <= set(env)


def test_deterministic_flags_refuse_once_the_backend_started() -> None:
    import jax.numpy as jnp

    jnp.ones(1).block_until_ready()
    with pytest.raises(RuntimeError, match="before the first JAX computation"):
        pg.set_deterministic_xla_flags()


def test_results_file_keeps_repeats_mode_and_isolated_processes(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PERFGUIDE_RESULTS", str(tmp_path))
    recorder = pg.Recorder("isolation_check")
    timing = pg.Timing(0.5, (1e-3, 2e-3, 3e-3), 4, "throughput", 0.0)
    recorder.add("e", "numpy", 10, timing, threads=1)
    from perfguide import isolated

    monkeypatch.setitem(isolated.RUNS, "numpy, 1 core", {"threads": {"cores_allowed": 1}})
    saved = pg.load_results(recorder.save())
    record = saved["records"][0]
    assert record["per_call_s"] == [1e-3, 2e-3, 3e-3] and record["mode"] == "throughput"
    assert record["threads"] == 1 and record["spread"] == "min-max"
    assert saved["isolated_processes"]["numpy, 1 core"]["threads"]["cores_allowed"] == 1
    assert pg.Timing.from_summary(record) == timing


def test_a_series_reads_one_variant_back_in_size_order_with_its_timings() -> None:
    recorder = pg.Recorder("example")
    fast = pg.Timing(first_call_s=0.5, per_call_s=(0.1, 0.1, 0.1), calls_per_repeat=1)
    slow = pg.Timing(first_call_s=0.5, per_call_s=(0.4, 0.4, 0.4), calls_per_repeat=1)
    recorder.add("sweep", "jit", 64, slow)
    recorder.add("sweep", "eager", 8, slow)
    recorder.add("sweep", "jit", 8, fast, compile_s=0.25)

    series = recorder.series("sweep", "jit")
    assert series.sizes == [8, 64]
    assert series.timings == [fast, slow]
    assert series.medians_s == [pytest.approx(0.1), pytest.approx(0.4)]
    assert series.records[0].compile_s == 0.25  # one compile field, given where measured directly
    assert recorder.variants("sweep") == ["jit", "eager"]


def test_a_series_keeps_only_the_records_whose_extras_match() -> None:
    recorder = pg.Recorder("example")
    one = pg.Timing(first_call_s=0.5, per_call_s=(0.2, 0.2, 0.2), calls_per_repeat=1)
    every = pg.Timing(first_call_s=0.5, per_call_s=(0.1, 0.1, 0.1), calls_per_repeat=1)
    for size in (8, 64):
        recorder.add("sweep", "jit", size, one, threads=1)
        recorder.add("sweep", "jit", size, every, threads=4)

    assert recorder.series("sweep", "jit", threads=4).timings == [every, every]
    assert recorder.series("sweep", "jit", threads=1).sizes == [8, 64]
    assert len(recorder.series("sweep", "jit").sizes) == 4


def test_a_compile_only_point_keeps_series_aligned_and_says_what_was_measured() -> None:
    recorder = pg.Recorder("example")
    steady = pg.Timing(first_call_s=0.5, per_call_s=(0.1, 0.1, 0.1), calls_per_repeat=1)
    recorder.add_compile("plan", "Adam", 100, 0.75, params_mib=3.0)
    recorder.add("sweep", "jit", 8, steady)

    plan = recorder.series("plan", "Adam")
    assert plan.records[0].compile_s == plan.medians_s[0] == 0.75
    assert plan.records[0].extra == {"measured": "compile", "params_mib": 3.0}
    assert recorder.series("sweep", "jit").timings == [steady]
