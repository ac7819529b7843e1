"""The memory page's workload: every checkpointing scheme gives the plain scan's gradients, the
plans keep what the page says they keep, donation really aliases, and the peak is measured."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import perfguide as pg
from perfguide.memory import high_water_mark_resets
from chapters import memory as page
from workloads import advection as adv
from workloads import remat
from workloads.habits import donation as dn

STEPS = (12, 36)  # k = 3 (or 4) and 6: several segments each
FIELD_MIB = adv.SHAPE[0] * adv.SHAPE[1] * 4 / 2**20


@pytest.fixture(scope="module")
def fields() -> tuple[jax.Array, jax.Array, np.ndarray]:
    f = adv.initial_fields()
    return jnp.asarray(f["density"]), jnp.asarray(f["velocity"]), f["velocity"]


@pytest.mark.parametrize("steps", STEPS)
@pytest.mark.parametrize("scheme", [s for s in remat.SCHEMES if s != "plain scan"])
def test_checkpointed_gradients_match_the_plain_scan(fields, scheme: str, steps: int) -> None:
    d0, v, v_host = fields
    want = remat.gradient(remat.plain, steps)(d0, v)
    got = remat.gradient(remat.SCHEMES[scheme], steps)(d0, v)
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape and g.dtype == np.float32
        scale = float(jnp.abs(w).max())
        np.testing.assert_allclose(g, w, rtol=0, atol=adv.tolerance(v_host, steps) * scale)


def test_every_scheme_runs_the_loops_chapter_steps(fields) -> None:
    d0, v, _ = fields
    want = adv.run_numpy(np.asarray(d0), np.asarray(v), 12)
    for run in remat.SCHEMES.values():
        np.testing.assert_allclose(run(d0, v, 12), want, rtol=0,
                                   atol=adv.tolerance(np.asarray(v), 12))


@pytest.mark.parametrize(("steps", "k"), [(100, 10), (1000, 25), (12, 3), (7, 1), (10_000, 100)])
def test_segment_length_is_the_largest_divisor_up_to_the_square_root(steps: int, k: int) -> None:
    assert remat.segment_length(steps) == k
    assert steps % remat.segment_length(steps) == 0


def _temp_fields(run, steps: int, d0: jax.Array, v: jax.Array, argnums=(0, 1)) -> float:
    compiled = remat.gradient(run, steps, argnums).lower(d0, v).compile()
    return compiled.memory_analysis().temp_size_in_bytes / 2**20 / FIELD_MIB


def test_plans_keep_n_fields_plain_and_n_over_k_plus_k_nested(fields) -> None:
    d0, v, _ = fields
    steps = 100
    for scheme in ("plain scan", "checkpointed step", "nested, every k steps"):
        kept = _temp_fields(remat.SCHEMES[scheme], steps, d0, v)
        predicted = remat.predicted_fields(scheme, steps)
        assert predicted <= kept <= predicted + 5, (scheme, kept, predicted)


def test_the_gradient_wrt_the_initial_field_alone_keeps_nothing_per_step(fields) -> None:
    d0, v, _ = fields
    short, long = (_temp_fields(remat.plain, n, d0, v, argnums=(0,)) for n in (10, 100))
    assert long == pytest.approx(short) and long < 5


@pytest.mark.parametrize("fn", [dn.update_donated, dn.update_copied])
def test_donation_really_aliases_and_consumes_its_input(fn) -> None:
    n = 1 << 16
    p, g = jnp.zeros(n), jnp.ones(n)
    plan = dn.memory_mib(fn, p, g)
    donated = fn is dn.update_donated
    assert plan["aliased"] == (n * 4 / 2**20 if donated else 0.0)
    out = fn(p, g)
    assert p.is_deleted() == donated
    np.testing.assert_array_equal(out, np.full(n, -0.01, np.float32))


def _host_peak_or_skip() -> None:
    if pg.device_memory_stats() is not None:
        pytest.skip("on a device the peak is the device allocator's, not the host's")
    if not high_water_mark_resets():
        pytest.skip("this system cannot reset a process's peak RSS")


def test_donation_side_measures_the_copy_and_not_the_donation() -> None:
    _host_peak_or_skip()
    n = 1 << 24  # 64 MiB: over glibc's largest mmap threshold, so always fresh pages
    runs = dict(repeats=1, warmup=0, target_s=0.0)
    donated, copied = (remat.donation_side(name, n, runs) for name in ("donated", "not donated"))
    assert donated.input_deleted and not copied.input_deleted
    np.testing.assert_array_equal(donated.result, copied.result)
    assert donated.plan_mib["aliased"] == 64 and copied.plan_mib["aliased"] == 0
    assert donated.peak.mib < 8 and copied.peak.mib >= 60
    assert copied.faults_per_update > 0.5 * n * 4 / 4096 > donated.faults_per_update


def test_fault_cost_is_left_out_where_the_copy_is_not_slower() -> None:
    words = page.gradient_faults_verdict(64e3, 0.0, 250.0, 0.25, fault_s=0.0)
    assert "fresh memory" in words and "µs" not in words


def test_keepalive_plan_is_what_the_shapes_predict() -> None:
    adam = remat.plan("Adam", "the parameters", steps=10)
    assert adam.opt_state == pytest.approx(2 * adam.params, rel=1e-3)
    assert adam.aliased == pytest.approx(adam.params + adam.opt_state, abs=1e-4)
    assert adam.outputs - adam.aliased == pytest.approx(adam.stacked, abs=1e-3)
    assert adam.stacked == pytest.approx(10 * adam.params, rel=1e-6)
    sgd = remat.plan("SGD", "the loss", steps=10)
    assert sgd.opt_state == 0 and sgd.stacked == pytest.approx(10 * 4 / 2**20)


@pytest.mark.slow  # a fresh process per scheme
def test_rollout_side_measures_a_peak_that_follows_the_plan(fields) -> None:
    f = adv.initial_fields()
    runs = dict(repeats=2, warmup=0, target_s=0.0)
    for scheme in remat.SCHEMES:
        point = pg.run_isolated(remat.rollout_side, scheme, 100, f["density"], f["velocity"],
                                runs, threads=1).value
        assert abs(point.peak.mib - point.temp_mib) <= max(
            page.PLAN_TOL * point.temp_mib, page.PLAN_FLOOR_MIB), (scheme, point)
        assert point.timing.mode == "latency" and point.compile_s > 0
        assert point.faults >= 0  # minor page faults of one more gradient
