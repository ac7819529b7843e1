"""The habits page's workloads: mypy's view of the transforms, reproducible keys, configuration
that recompiles only when it must, run-time shape checks, and each habit's two ways agreeing."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jaxtyping import TypeCheckError

import perfguide as pg
from chapters import habits as page
from workloads import habits as hb
from workloads.habits import typecheck

FILES = [typecheck.TYPING / "transforms.py", typecheck.TYPING / "misuse.py"]


@pytest.fixture(scope="module")
def report() -> typecheck.Report:
    return typecheck.run_mypy(FILES)


def _by_label(path: str) -> dict[str, int]:
    return {label: line for line, (label, _) in
            typecheck.labelled_lines(typecheck.TYPING / path).items()}


@pytest.mark.slow  # mypy analyses JAX and Flax on a cold cache (seconds)
def test_mypy_reveals_which_transforms_keep_the_signature(report: typecheck.Report) -> None:
    revealed = report.revealed("transforms.py")
    lines = _by_label("transforms.py")
    assert set(revealed) == set(lines.values()), report.text
    assert not page.keeps_signature(revealed[lines["jax.jit"]])
    assert revealed[lines["jax.jit, called"]] == "Any"
    assert revealed[lines["jax.grad"]] == "def (*Any, **Any) -> Any"
    for kept in ("nnx.jit", "typed_jit"):
        assert page.keeps_signature(revealed[lines[kept]]), revealed[lines[kept]]
    assert page.short_type(revealed[lines["typed_grad"]]) == "def (Array, scale: float) -> Array"
    assert not page.keeps_signature(revealed[lines["typed_grad"]])
    assert page.positional_only(revealed[lines["typed_grad"]]) == ["x"]
    assert revealed[lines["nnx.jit, graph=True"]] == revealed[lines["nnx.jit"]]


def test_positional_only_names_the_parameter_a_callable_type_drops() -> None:
    assert page.positional_only("def (Array, scale: float) -> Array") == ["x"]
    assert page.positional_only("def (x: Array, scale: float) -> Array") == []
    assert page.positional_only("def (*Any, **Any) -> Any") == []


def test_versions_name_mypy_jax_and_flax() -> None:
    found = typecheck.versions()
    assert found["jax"] == jax.__version__ and set(found) == {"mypy", "jax", "flax"}


@pytest.mark.slow
def test_mypy_flags_the_misuse_only_where_the_signature_survives(report: typecheck.Report) -> None:
    errors = report.errors("misuse.py")
    lines = _by_label("misuse.py")
    assert report.returncode == 1
    for flagged in ("nnx.jit", "typed_jit", "typed_grad"):
        assert "[arg-type]" in errors[lines[flagged]], errors
    for silent in ("jax.jit", "jax.grad"):
        assert lines[silent] not in errors, errors
    assert "[attr-defined]" in errors[lines["typed_jit, .lower"]]
    assert set(errors) <= set(lines.values()), "mypy reported a line that is not a labelled case"


def test_typed_wrappers_compute_what_jax_computes() -> None:
    def loss(x: jax.Array, scale: float) -> jax.Array:
        return jnp.sum(jnp.sin(x) * scale)

    x = jnp.linspace(0.0, 1.0, 5)
    assert hb.typed.typed_jit(loss)(x, 2.0) == jax.jit(loss)(x, 2.0)
    np.testing.assert_array_equal(hb.typed.typed_grad(loss)(x, 2.0), jax.grad(loss)(x, 2.0))


@pytest.mark.parametrize("way", hb.rng.STREAMS)
def test_each_way_of_drawing_reproduces_its_numbers_from_a_seed(way: str) -> None:
    make = hb.rng.STREAMS[way]
    first = hb.rng.draws(make, 0, 64)
    np.testing.assert_array_equal(first, hb.rng.draws(make, 0, 64))
    assert not np.array_equal(first, hb.rng.draws(make, 1, 64))
    assert not np.array_equal(first[0], first[1]), "successive calls must draw new numbers"
    assert first.dtype == np.float32


def test_explicit_keys_and_the_provider_draw_the_same_numbers() -> None:
    np.testing.assert_array_equal(hb.rng.draws(hb.rng.STREAMS["explicit keys"], 0, 64),
                                  hb.rng.draws(hb.rng.STREAMS[hb.rng.PROVIDER], 0, 64))


def test_nnx_rngs_draw_standard_normals() -> None:
    for way in ("nnx.Rngs, tree mode", "nnx.Rngs, graph mode"):
        x = hb.rng.draws(hb.rng.STREAMS[way], 0, 20_000, calls=1)
        assert abs(x.mean()) < 0.05 and abs(x.std() - 1) < 0.05, way


def test_a_closed_over_key_repeats_itself() -> None:
    baked = hb.rng.baked_in(0, 16)
    np.testing.assert_array_equal(baked(), baked())


def test_calling_the_provider_inside_jit_bakes_the_key_and_leaks_a_tracer() -> None:
    inside, provider = hb.rng.provider_inside_jit(0, 16)
    np.testing.assert_array_equal(inside(), inside())
    assert hb.rng.leaked(provider) == "UnexpectedTracerError"
    assert hb.rng.leaked(hb.rng.KeyProvider(0)) is None


def test_configuration_recompiles_once_per_distinct_static_value() -> None:
    cfg = hb.config
    x = jnp.linspace(0.0, 3.0, 37)  # a shape no other test compiles
    lrs = [0.1, 0.2, 0.1]
    counts, outputs = {}, {}
    for name, call in {
        "static": lambda lr: cfg.descend_static(x, cfg.Config(lr=lr)),
        "closed": lambda lr: cfg.descend_closed(cfg.Config(lr=lr))(x),
        "traced": lambda lr: cfg.descend_traced(x, cfg.TracedConfig(lr=lr)),
    }.items():
        with pg.compile_log() as log:
            outputs[name] = [np.asarray(call(lr)) for lr in lrs]
        counts[name] = log.compilations
    assert counts == {"static": 2, "closed": 3, "traced": 1}
    for name in outputs:
        np.testing.assert_allclose(outputs[name], outputs["static"], rtol=1e-6)


def test_a_dataclass_that_is_not_frozen_cannot_be_static() -> None:
    with pytest.raises(ValueError, match="Non-hashable static arguments"):
        hb.config.descend_static(jnp.ones(3), hb.config.MutableConfig())


def test_captured_messages_explain_the_miss_and_restore_the_flags() -> None:
    before = jax.config.jax_log_compiles, jax.config.jax_explain_cache_misses
    x = jnp.ones(41)
    with hb.logs.compile_messages() as text:
        hb.config.descend_static(x, hb.config.Config(lr=0.5))
        hb.config.descend_static(x, hb.config.Config(lr=0.6))
    misses = hb.logs.misses(text.getvalue())
    assert "now <class" in misses[-1] and "lr=0.6" in misses[-1]  # what changed, named
    assert len(hb.logs.compilations(text.getvalue())) == 2
    assert (jax.config.jax_log_compiles, jax.config.jax_explain_cache_misses) == before


def test_checked_annotations_reject_a_wrong_shape_and_run_once_under_jit() -> None:
    ck = hb.checked
    a, w, b = jnp.ones((4, 3)), jnp.ones((3, 2)), jnp.ones(2)
    with pytest.raises(TypeCheckError):
        ck.checked(ck.call_affine)(a, w, jnp.ones(5))
    np.testing.assert_array_equal(ck.checked(ck.call_affine)(a, w, b), ck.affine_jit(a, w, b))
    counter = ck.CountingChecker()
    jitted = jax.jit(ck.checked(ck.affine, counter))
    for _ in range(5):
        jitted(a, w, b)
    assert counter.checks == 2  # arguments and result, at the one trace


def test_a_changing_static_scalar_compiles_every_call() -> None:
    x, values = jnp.ones(43), itertools.count(1)
    with pg.compile_log() as log:
        for _ in range(3):
            hb.scalars.scale_static(x, float(next(values)))
    assert log.compilations == 3
    with pg.compile_log() as log:
        for _ in range(3):
            hb.scalars.scale_traced(x, float(next(values)))
    assert log.compilations == 1


def test_a_strong_float32_constant_promotes_float16_and_a_weak_one_does_not() -> None:
    half = jnp.ones(8, jnp.float16)
    dtypes = {name: (half * s).dtype for name, s in hb.scalars.scalars().items()}
    assert dtypes == {"Python float 2.0": jnp.float16, "jnp.float32(2.0)": jnp.float32,
                      "jnp.asarray(2.0)": jnp.float16, "jnp.float16(2.0)": jnp.float16}
    sc = hb.scalars
    assert sc.program_text(sc.scale_traced, half, 2.0) != sc.program_text(
        sc.scale_traced, half, jnp.float32(2.0))
    np.testing.assert_array_equal(half * jnp.float16(2.0), half * 2.0)


def test_the_hlo_shows_where_each_constant_converts_and_what_it_writes() -> None:
    sc, half = hb.scalars, jnp.ones(1000, jnp.float16)
    kept = sc.product_plan(sc.scale_traced, half, 2.0)
    broken = sc.product_plan(sc.scale_traced, half, jnp.float32(2.0))
    assert kept == {"multiply": "f16", "converts": [("f16", "")], "output_bytes": 2000}
    assert broken == {"multiply": "f32", "converts": [("f32", "1000")], "output_bytes": 4000}
    assert sc.rounded(1e-8) == 0.0 and sc.rounded(0.1) != 0.1


def test_reading_the_loss_every_step_or_at_the_end_gives_the_same_losses() -> None:
    tr = hb.training
    data = tr.batches(20)
    synced = tr.train_synced(tr.init(), data)[1]
    pipelined = tr.train_pipelined(tr.init(), data)[1]
    np.testing.assert_array_equal(synced, pipelined)
    np.testing.assert_array_equal(tr.train_blocked(tr.init(), data)[1], pipelined)
    assert synced[-5:].mean() < synced[:5].mean(), "the tiny model should learn"


def test_donation_writes_in_place_and_computes_the_same_update() -> None:
    dn = hb.donation
    p, g = jnp.zeros(1024), jnp.ones(1024)
    assert dn.memory_mib(dn.update_donated, p, g)["aliased"] == pytest.approx(4 / 1024)
    assert dn.memory_mib(dn.update_copied, p, g)["aliased"] == 0
    expected = dn.update_copied(p, g)
    donated = dn.update_donated(p, g)
    np.testing.assert_array_equal(donated, expected)
    assert p.is_deleted()


def test_the_habits_table_names_every_recorded_habit() -> None:
    recorder = pg.Recorder("habits-test")
    t = pg.Timing(1.0, (1.0,) * 5, 1)
    for habit in page.HABITS:
        for how in ("kept", "broken"):
            recorder.add("habit", f"{habit}, {how}", None, t, per=2)
    assert page.per_call(recorder, "host sync", "kept").median_s == 0.5
    assert set(page.headline(recorder)) >= {f"{h}, kept" for h in page.HABITS}


def test_the_analysis_key_annotation_fails_in_the_pinned_jax() -> None:
    assert "PRNGKeyArray" in (hb.rng.annotation_error("jax.random.PRNGKeyArray") or "")
    assert hb.rng.annotation_error("jax.Array") is None
