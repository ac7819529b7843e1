"""The autodiff page's workload: every way of differentiating, in both
libraries, agrees with a float64 derivative written out by hand, and the
hand-written references agree with finite differences."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from chapters import autodiff as page
from perfguide.timing import Timing
from workloads import autodiff as ad

pe, md, sc = ad.per_example, ad.modes, ad.scalar


def close(result: object, exact: np.ndarray, what: str) -> None:
    ad.checks.assert_close(np.asarray(result), exact, what)


def test_exact_derivative_agrees_with_central_differences() -> None:
    x, h = np.linspace(-4, 4, 101), 1e-5

    def f64(x: np.ndarray) -> np.ndarray:
        return np.sin(x) * np.exp(-x**2 / 10) + x**3 / 30

    central = (f64(x + h) - f64(x - h)) / (2 * h)
    np.testing.assert_allclose(sc.df_exact(x), central, atol=1e-8)


def test_exact_hvp_agrees_with_differences_of_the_exact_gradient() -> None:
    params = md.init_chain(12, 5, hidden=7)
    x, v = (a.astype(np.float64) for a in md.vectors(12))

    def gradient(x: np.ndarray) -> np.ndarray:
        w1, w2 = (params[k].astype(np.float64) for k in ("w1", "w2"))
        return md.exact_jacobian(params, x).T @ np.tanh(w2 @ np.tanh(w1 @ x))

    h = 1e-6
    central = (gradient(x + h * v) - gradient(x - h * v)) / (2 * h)
    np.testing.assert_allclose(md.exact_hvp(params, x, v), central,
                               atol=1e-7)


@pytest.mark.parametrize("way", sc.JAX_WAYS)
def test_every_jax_way_gives_the_derivative(way: str) -> None:
    x = sc.points(200)
    result = sc.derivative(jax.jit(sc.JAX_WAYS[way])(x))
    assert result.dtype == np.float32
    close(result, sc.df_exact(x), way)


def _loop(params: dict, x: np.ndarray, y: np.ndarray) -> dict:
    return pe.per_example_loop(jax.jit(jax.grad(pe.loss)), params,
                               jnp.asarray(x), jnp.asarray(y))


PER_EXAMPLE = {
    "vmap(grad)": lambda p, x, y: pe.flat(
        jax.jit(pe.per_example_grads)(p, x, y)),
    "(in, out) kernels": lambda p, x, y: pe.flat(
        jax.jit(pe.per_example_grads_kernels)(pe.kernels(p), x, y),
        transposed=True),
    "loop of grad": lambda p, x, y: pe.flat(_loop(p, x, y)),
}


@pytest.mark.parametrize("way", PER_EXAMPLE)
def test_jax_per_example_ways_match_backpropagation_by_hand(way: str) -> None:
    params, (x, y) = pe.init_mlp(), pe.batch(8)
    close(PER_EXAMPLE[way](params, x, y), pe.exact_grads(params, x, y), way)


def test_the_layout_copies_are_counted_from_the_compiled_program() -> None:
    params, (x, y) = pe.init_mlp(), pe.batch(4)
    hlo = jax.jit(pe.per_example_grads_kernels).lower(
        pe.kernels(params), x, y).compile().as_text()
    assert pe.copied_elements(hlo) >= 4 * 128 * 128  # w1's gradient at least


@pytest.mark.parametrize("n", [8, 96])
def test_jax_jacobians_and_hvps_match_the_references(n: int) -> None:
    params = md.init_chain(n, 16)
    x, v = md.vectors(n)
    exact = md.exact_jacobian(params, x)
    for name, way in md.JAX_JACOBIANS.items():
        close(jax.jit(way)(params, x), exact, name)
    exact = md.exact_hvp(params, x, v)
    for name, way in md.JAX_HVPS.items():
        close(jax.jit(way)(params, x, v), exact, name)


@pytest.mark.slow  # imports torch
def test_every_pytorch_way_matches_the_references() -> None:
    torch = pytest.importorskip("torch")
    x = sc.points(200)
    for name, way in sc.TORCH_WAYS.items():
        close(sc.derivative(way(torch.from_numpy(x)).detach().numpy()),
              sc.df_exact(x), name)
    params, (xb, yb) = pe.init_mlp(), pe.batch(8)
    exact = pe.exact_grads(params, xb, yb)
    model = pe.torch_model(params)
    detached = {k: p.detach() for k, p in model.named_parameters()}
    xt, yt = torch.from_numpy(xb), torch.from_numpy(yb)
    close(pe.torch_flat(pe.torch_per_example(model)(detached, xt, yt)),
          exact, "func.vmap(grad)")
    close(pe.torch_flat(pe.torch_loop(model, xt, yt)), exact, "loop")
    chain = md.init_chain(40, 16)
    tp = {k: torch.from_numpy(a) for k, a in chain.items()}
    point, v = md.vectors(40)
    pt, vt = torch.from_numpy(point), torch.from_numpy(v)
    for name, way in md.TORCH_JACOBIANS.items():
        close(way(tp, pt).numpy(), md.exact_jacobian(chain, point), name)
    for name, way in md.TORCH_HVPS.items():
        close(way(tp, pt, vt).numpy(), md.exact_hvp(chain, point, v), name)


def _t(median: float) -> Timing:
    return Timing(median, tuple(median * f for f in (0.98, 1.0, 1.02)), 1)


def _ts(medians: list[float]) -> list[Timing]:
    return [_t(m) for m in medians]


def test_crossover_is_interpolated_between_bracketing_sizes() -> None:
    found = page.crossover([8, 64, 512], _ts([1, 2.4, 8]),
                           _ts([2, 2.0, 2]))
    assert 8 < found < 64
    found = page.crossover([10, 100], _ts([1.0, 4.0]), _ts([2.0, 2.0]))
    assert 10 < found < 100
    assert page.crossover([10, 100], _ts([1.0, 1.0]),
                          _ts([2.0, 2.0])) is None


def test_only_sizes_that_tell_the_modes_apart_count_for_a_crossing() -> None:
    # at 64 the modes are within the tie: interpolated between 8 and 512
    found = page.crossover([8, 64, 512], _ts([1, 2.02, 8]), _ts([2, 2, 2]))
    assert found == pytest.approx(32)
    # one resolved size only: a tie at 64 and 512 is no crossing
    assert page.crossover([8, 64, 512], _ts([1, 2.02, 1.99]),
                          _ts([2, 2, 2])) is None


def test_the_crossover_agrees_only_if_each_mode_wins_its_end() -> None:
    agree = page.crossover_verdict(60.0, 64, True, True)
    reversed_ = page.crossover_verdict(60.0, 64, False, False)
    assert "as counting flops predicts" in agree
    assert "not what counting flops predicts" in reversed_


def test_the_full_jacobian_clause_follows_the_flop_counts() -> None:
    same = _t(1.0)
    many = page.full_jacobian_verdict(same, same, _t(9.0), 1000, 1.1e7, 1.2e4)
    few = page.full_jacobian_verdict(same, same, _t(9.0), 1000, 2.4e4, 1.2e4)
    assert "computes all" in many and "computes all" not in few


def test_layout_copies_raise_on_a_program_without_fusions() -> None:
    with pytest.raises(ValueError):
        pe.copied_elements("ENTRY %main { ROOT %p = f32[4] parameter(0) }")


def test_rounds_are_pooled_with_the_first_rounds_compile_time() -> None:
    key = ("scalar", "JAX: f alone", 10)
    a = ad.Side({key: ad.Point(_t(1.0), 0.5, np.zeros(1))})
    b = ad.Side({key: ad.Point(_t(3.0), 0.1, np.ones(1))})
    merged = ad.merge_sides([a, b]).points[key]
    assert merged.timing.repeats == 6 and merged.compile_s == 0.5
    assert merged.result[0] == 0


def test_the_floor_reference_is_f() -> None:
    x = sc.points(50)
    close(jax.jit(sc.f)(x), sc.f_exact(x), "f alone")


@pytest.mark.slow
def test_the_jax_side_measures_every_way_at_every_size() -> None:
    plan = {**ad.plan(quick=True), "batches": [4], "loop_batches": [4],
            "jac_n": [8], "hvp_n": [16], "points": [50, 80],
            "jacobian_points": 50,
            "runs": {"repeats": 2, "warmup": 0, "target_s": 0.0}}
    side = ad.jax_side(plan)
    ways = {(section, way) for section, way, _ in side.points}
    assert len(ways) == (len(sc.JAX_WAYS) + 1 + 3 + len(md.JAX_JACOBIANS)
                         + len(md.JAX_HVPS))
    whole = [n for s, w, n in side.points if w.endswith("jacfwd(f), whole")]
    assert whole == [50]  # the full Jacobians at one size only
    for point in side.points.values():
        assert point.timing.mode == "latency" and point.compile_s > 0
    assert set(side.notes) == {"memory_bytes", "costs", "copied_per_example",
                               "backend"}
