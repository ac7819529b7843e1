"""The profiling chapter's tools: a trace agrees with the clock and is parsed whole, the scanned
epoch trains like the step, cProfile finds nnx.jit's phases, the HLO is read, recompilations are
counted, callbacks leave results alone, and the persistent cache serves a fresh process."""

import json
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import perfguide as pg
from chapters import profiling as page
from workloads import mlp
from workloads import nnx_variants as nv
from workloads import profiling as prof
from perfguide.timing import Timing
from workloads.profiling.trace import Event, Trace, median_of, union_us


@pytest.fixture(scope="module")
def product() -> tuple:
    """A call of a few ms: a jitted 512 x 512 float32 product and sine."""
    x = jax.device_put(np.random.default_rng(0).standard_normal((512, 512)).astype(np.float32))
    return jax.jit(lambda a: jnp.sin(a) @ a.T), x


def test_a_traced_call_agrees_with_the_clock_within_the_pages_tolerance(
        product: tuple, tmp_path: Path) -> None:
    fn, x = product
    clock, traces = prof.trace.clock_and_trace(fn, x, folder=tmp_path, calls=6, rounds=5,
                                               most=15, tolerance=page.AGREE)
    clock_us, span_us = prof.trace.fast_quarter_us(clock, traces)
    assert abs(span_us / clock_us - 1) <= page.AGREE, (span_us, clock_us, len(traces))
    assert len(list(tmp_path.rglob("perfetto_trace.json.gz"))) == 1  # the first round's only


def test_rounds_go_on_while_trace_and_clock_differ_and_stop_at_most(product: tuple) -> None:
    fn, x = product
    clock, traces = prof.trace.clock_and_trace(fn, x, folder=None, calls=2, rounds=2, most=4,
                                               tolerance=-1.0)  # never agrees
    assert len(traces) == 4 and clock.repeats == 8


def test_calls_slowed_by_a_busy_spell_move_the_median_but_not_the_fast_quarter() -> None:
    quiet = [100.0, 101.0, 102.0, 103.0]
    clock = Timing(1.0, tuple(us * 1e-6 for us in quiet + [400.0] * 4), 1)  # half of it slowed
    calls = [Event(f"call {i}", "py", 1000.0 * i, us) for i, us in enumerate(quiet * 2 + [900.0])]
    trace = Trace(Path("t"), [], calls)
    clock_us, span_us = prof.trace.fast_quarter_us(clock, [trace])
    assert abs(span_us / clock_us - 1) < 0.01
    assert median_of([trace], "spans_us") / (clock.median_s * 1e6) < 0.5


def test_the_trace_holds_every_call_and_the_same_ops_as_jaxs_own_file(
        product: tuple, tmp_path: Path) -> None:
    fn, x = product
    trace = prof.trace.record(fn, x, folder=tmp_path, calls=3)
    assert len(trace.calls) == 3
    ops = [e for e in trace.events if e.op is not None]
    assert ops and all(e.module for e in ops)
    assert prof.trace.xplane_ops(trace) == len(ops)
    assert all(0 < b <= s for b, s in zip(trace.busy_us(), trace.spans_us()))
    rows = prof.trace.op_rows([trace])
    assert sum(r.share for r in rows) == pytest.approx(1.0)
    assert rows == sorted(rows, key=lambda r: -r.us_per_call)


def test_ops_running_at_once_count_once() -> None:
    events = [Event("a", "t1", 0.0, 10.0, "a"), Event("b", "t2", 5.0, 10.0, "b"),
              Event("c", "t1", 30.0, 5.0, "c"), Event("d", "t2", 31.0, 2.0, "d")]
    assert union_us(events, 0.0, 100.0) == 20.0
    assert union_us(events, 0.0, 32.0) == 17.0


def test_op_kinds_name_what_xla_cpu_runs() -> None:
    kinds = {op: prof.trace.op_kind(op) for op in
             ("ynn_fusion.2", "dot.6", "wrapped_scatter", "multiply_add_fusion", "copy.3",
              "while.1", "tanh")}
    assert kinds == {"ynn_fusion.2": "library call", "dot.6": "dot",
                     "wrapped_scatter": "scatter/gather", "multiply_add_fusion": "fusion",
                     "copy.3": "copy/layout", "while.1": "loop/control", "tanh": "other"}


@pytest.mark.slow  # compiles a step and a scan
def test_the_scanned_epoch_trains_like_the_nnx_jit_step() -> None:
    steps = 6
    step = nv.nnx_jit(mlp.train_step, *mlp.make(16, 3, graph=True))
    looped = [float(step(*batch)) for batch in mlp.batches(steps)]
    run, data = prof.steps.scanned(mlp.make(16, 3, graph=False), steps)
    np.testing.assert_allclose(np.asarray(run(data)), looped, rtol=1e-5, atol=1e-6)


@pytest.mark.slow  # compiles a graph-mode step (about 3 s here)
def test_cprofile_finds_the_phases_of_a_graph_mode_step() -> None:
    step = nv.nnx_jit(mlp.train_step, *mlp.make(8, 2, graph=True))
    x, y = mlp.batches(1)[0]
    found = prof.pyside.profile_calls(step, x, y, calls=20, phases=prof.pyside.NNX_JIT_PHASES)
    assert all(seconds > 0 for seconds in found.phases_s.values()), found.phases_s
    assert sum(found.phases_s.values()) <= found.total_s
    assert sum(page.profile_shares(found).values()) == pytest.approx(1.0)


def test_program_facts_and_a_fusions_body_are_read_from_the_hlo() -> None:
    fn = jax.jit(lambda a: jnp.sum(jnp.exp(a) * 2 + 1, axis=0))
    compiled = fn.lower(jnp.ones((64, 64), jnp.float32)).compile()
    facts = prof.programs.program_facts(compiled)
    assert facts.flops > 0 and facts.bytes_accessed > 0 and facts.intensity > 0
    assert facts.argument_bytes == 64 * 64 * 4 and facts.output_bytes == 64 * 4
    assert facts.fusions >= 1 and facts.instructions > facts.fusions
    text = compiled.as_text()
    assert text is not None
    name = next(line.split("=")[0].strip().lstrip("%").removeprefix("ROOT ").lstrip("%")
                for line in text.splitlines() if " fusion(" in line)
    assert sum(prof.programs.fusion_ops(text, name).values()) >= 2
    assert prof.programs.fusion_ops(text, "no_such_op") == {}


@pytest.mark.parametrize("cause", list(prof.recompile.causes()))
def test_each_cause_compiles_again_and_the_same_call_does_not(cause: str) -> None:
    fn, first, second = prof.recompile.causes()[cause]
    again = prof.recompile.second_call(fn, first, second)
    assert again.compilations == 1 and again.explanation
    assert prof.recompile.second_call(fn, first, first).compilations == 0


def test_callbacks_in_a_scan_leave_its_result_unchanged() -> None:
    x0 = jnp.linspace(0, 1, 16, dtype=jnp.float32)
    results = {name: np.asarray(prof.callbacks.quiet(prof.callbacks.loop(body, 10))(x0))
               for name, body in prof.callbacks.STEPS.items()}
    for name, result in results.items():
        np.testing.assert_allclose(result, results["plain scan"], rtol=1e-6, err_msg=name)
    assert prof.callbacks.SEEN["calls"] >= 10


def test_the_nnx_overhead_breakdown_is_read_when_present(tmp_path: Path) -> None:
    assert page.nnx_overhead_parts(tmp_path) is None
    records = [{"experiment": "breakdown", "variant": v, "median_s": 1e-4}
               for v in page.BREAKDOWN_PARTS.values()]
    (tmp_path / "nnx_overhead.json").write_text(json.dumps({"records": records}))
    assert page.nnx_overhead_parts(tmp_path) == {v: pytest.approx(100.0)
                                                 for v in page.BREAKDOWN_PARTS.values()}


@pytest.mark.slow  # two fresh processes
def test_a_warm_cache_spares_a_fresh_process_xlas_compilation(tmp_path: Path) -> None:
    sizes = {"scanned training epoch": 4}
    env = prof.cache.cache_env(str(tmp_path))
    cold, warm = (pg.run_isolated(prof.cache.compile_programs, sizes, threads=1, env=env).value
                  for _ in range(2))
    assert cold["cache_files"] > 0
    name = "scanned training epoch"
    assert warm[name]["compile"] < cold[name]["compile"] / 2


@pytest.mark.slow  # a fresh process
def test_xla_dumps_its_passes_where_the_flags_say(tmp_path: Path) -> None:
    flags = prof.programs.dump_flags(str(tmp_path))
    dumped = pg.run_isolated(prof.programs.dumped_files, threads=1,
                             env={"XLA_FLAGS": flags}).value
    assert dumped["pass_files"] > 0 and dumped["files"] >= dumped["pass_files"]
    assert any(tmp_path.iterdir())
