"""The classifier page's workload: the Flax and PyTorch twins compute the
same function and the same Adam step, every side sees the same batches in
the same order, every implementation the page measures trains to the
accuracy it states, and the page's verdicts flip with the numbers."""

import numpy as np
import pytest

import perfguide as pg
from chapters import classifier as page
from workloads.classifier import data, flax_loops, models, sides
from workloads.registry import PYTHON_LOOPS, VARIANTS

FORWARD_RTOL, FORWARD_ATOL = 1e-5, 1e-5  # float32 logits of order 1
STEP_ATOL = 1e-6  # parameters after one Adam step (lr 1e-3: 0.1 % of it)


@pytest.fixture(scope="module")
def digits() -> data.Digits:
    return data.load()


def test_the_split_is_stratified_float32_in_the_unit_range(
        digits: data.Digits) -> None:
    assert digits.x_train.shape == (1437, 8, 8, 1)
    assert digits.x_test.shape == (data.TEST_IMAGES, 8, 8, 1)
    assert digits.x_train.dtype == digits.x_test.dtype == np.float32
    assert 0 <= digits.x_train.min() and digits.x_train.max() <= 1
    counts = np.bincount(digits.y_test, minlength=10)
    assert counts.min() >= 35 and counts.max() <= 37  # 360 / 10, stratified
    assert data.load().x_train.tobytes() == digits.x_train.tobytes()


def test_each_epoch_is_a_fresh_permutation_with_the_last_batch_dropped(
        digits: data.Digits) -> None:
    orders = data.epoch_orders(digits, 3)
    steps = digits.steps_per_epoch
    assert orders.shape == (3, steps, data.BATCH) == (3, 44, 32)
    for order in orders:
        assert len(np.unique(order)) == steps * data.BATCH
    assert not np.array_equal(orders[0], orders[1])
    np.testing.assert_array_equal(orders, data.epoch_orders(digits, 3))


def test_host_loader_and_prefetch_give_the_staged_batches_in_order(
        digits: data.Digits) -> None:
    order = data.epoch_orders(digits, 1)[0][:5]
    host = list(data.host_batches(digits.x_train, digits.y_train, order))
    ahead = list(data.prefetched(iter(host)))
    assert len(host) == len(ahead) == 5
    for ids, (x, y), (xp, yp) in zip(order, host, ahead):
        np.testing.assert_array_equal(x, digits.x_train[ids])
        np.testing.assert_array_equal(np.asarray(xp), x)
        np.testing.assert_array_equal(np.asarray(yp), y)


@pytest.mark.slow  # imports torch
def test_the_dataloader_yields_the_same_batches_in_the_same_order(
        digits: data.Digits) -> None:
    order = data.epoch_orders(digits, 1)[0]
    loader = data.torch_loader(digits.x_train, digits.y_train, order)
    batches = list(loader)
    assert len(batches) == digits.steps_per_epoch
    for ids, (x, y) in zip(order, batches):
        np.testing.assert_array_equal(
            x.numpy(), digits.x_train[ids].transpose(0, 3, 1, 2))
        np.testing.assert_array_equal(y.numpy(), digits.y_train[ids])


@pytest.mark.slow  # imports torch
@pytest.mark.parametrize("kind", models.KINDS)
def test_flax_and_torch_twins_compute_the_same_logits(
        digits: data.Digits, kind: str) -> None:
    model = models.make(kind, graph=True)[0]
    twin = models.torch_twin(kind, models.torch_weights(model))
    x, _ = data.torch_images_labels(digits.x_test, digits.y_test)
    with __import__("torch").inference_mode():
        got = twin(x).numpy()
    want = np.asarray(model(digits.x_test))
    np.testing.assert_allclose(got, want, rtol=FORWARD_RTOL,
                               atol=FORWARD_ATOL)


@pytest.mark.slow  # imports torch
@pytest.mark.parametrize("kind", models.KINDS)
def test_one_adam_step_gives_the_same_parameters_in_both_libraries(
        digits: data.Digits, kind: str) -> None:
    import jax.numpy as jnp
    import torch
    from flax import nnx

    model, optimizer = models.make(kind, graph=True)
    twin = models.torch_twin(kind, models.torch_weights(model))
    ids = data.epoch_orders(digits, 1)[0, 0]
    nnx.jit(models.train_step, graph=True)(
        model, optimizer, jnp.asarray(digits.x_train),
        jnp.asarray(digits.y_train), jnp.asarray(ids))
    x, y = data.torch_images_labels(digits.x_train, digits.y_train)
    step = models.torch_step(twin)
    step(x, y, torch.from_numpy(ids.astype(np.int64)))
    after = models.torch_weights(model)
    for name, tensor in twin.state_dict().items():
        np.testing.assert_allclose(tensor.numpy(), after[name], rtol=0,
                                   atol=STEP_ATOL, err_msg=name)
    assert step.optimizer_kind in ("fused", "foreach")


def test_the_page_measures_registry_loops_and_nothing_else() -> None:
    assert set(page.CANDIDATES) == set(PYTHON_LOOPS) - {page.NNX_JIT}
    for loops in (page.QUICK_LOOPS, page.FULL_LOOPS):
        assert loops[0] == page.NNX_JIT and loops[-1] == page.SCAN
        assert set(loops[1:-1]) <= set(page.CANDIDATES)
        assert all(name in VARIANTS for name in loops)


@pytest.mark.slow  # four compilations
def test_the_full_profiles_other_loops_give_nnx_jits_losses(
        digits: data.Digits) -> None:
    """The quick profile's loops are checked on both models by the
    accuracy test below; the full profile adds these."""
    import jax

    x, y = jax.device_put(digits.x_train), jax.device_put(digits.y_train)
    batches = flax_loops.staged_batches(
        x, y, data.epoch_orders(digits, 1)[0][:6])
    extra = [n for n in page.FULL_LOOPS if n not in page.QUICK_LOOPS]
    losses = {}
    for name in (page.NNX_JIT, *extra):
        _, step = flax_loops.build(name, "mlp")
        losses[name] = flax_loops.train_epoch(VARIANTS[name], step, batches)
    for name, got in losses.items():
        np.testing.assert_allclose(got, losses[page.NNX_JIT], rtol=1e-5,
                                   err_msg=name)


def test_a_host_fed_step_trains_like_the_staged_step(
        digits: data.Digits) -> None:
    import jax

    order = data.epoch_orders(digits, 1)[0][:4]
    x, y = jax.device_put(digits.x_train), jax.device_put(digits.y_train)
    _, staged = flax_loops.build(page.FLAT, "mlp")
    want = [float(staged(*b)) for b in flax_loops.staged_batches(x, y, order)]
    fed = flax_loops.host_step(page.FLAT, "mlp")
    got = [float(fed(*b)) for b in data.host_batches(
        digits.x_train, digits.y_train, order)]
    np.testing.assert_allclose(got, want, rtol=1e-6)
    with pytest.raises(ValueError):
        flax_loops.host_step(page.SCAN, "mlp")


@pytest.fixture(scope="module")
def flax_side(digits: data.Digits) -> sides.Side:
    """The Flax side as the quick page runs it (in this process)."""
    orders = data.epoch_orders(digits, page.QUICK_EPOCHS)
    return sides.jax_side(tuple(page.MODELS), digits, orders,
                          page.QUICK_LOOPS)


def assert_trained_to_the_target(runs: dict[str, sides.Run],
                                 reference: np.ndarray) -> None:
    finals = [run.accuracy[-1] for run in runs.values()]
    assert max(finals) - min(finals) <= page.ACCURACY_TOLERANCE
    for name, run in runs.items():
        assert page.epochs_to(run.accuracy) is not None, name
        assert len(run.accuracy) == page.QUICK_EPOCHS
        assert run.timing.repeats == page.QUICK_EPOCHS - 1
        assert run.timing.mode == "throughput"
        np.testing.assert_allclose(run.losses, reference,
                                   rtol=page.LOSS_RTOL, err_msg=name)


@pytest.mark.slow  # every Flax way for the quick epochs: about 25 s
def test_every_flax_way_reaches_the_pages_accuracy_in_quick_epochs(
        flax_side: sides.Side) -> None:
    for kind, runs in flax_side.runs.items():
        assert tuple(runs) == page.QUICK_LOOPS
        assert_trained_to_the_target(runs, runs[page.NNX_JIT].losses)


@pytest.mark.slow  # one PyTorch process, torch.compile's first compilation
def test_pytorch_eager_and_compiled_reach_the_pages_accuracy_in_quick_epochs(
        digits: data.Digits, flax_side: sides.Side) -> None:
    orders = data.epoch_orders(digits, page.QUICK_EPOCHS)
    weights = {kind: models.torch_weights(models.make(kind, graph=True)[0])
               for kind in page.MODELS}
    run = pg.run_isolated(  # not beside JAX's thread pool
        sides.torch_side, tuple(page.MODELS), digits, orders, weights,
        threads=1, preload=("torch",), env={"JAX_PLATFORMS": "cpu"})
    assert not run.jax_started
    if run.value.failed:  # no C++ compiler: the page says so too
        pytest.skip(f"torch.compile does not work here: {run.value.failed}")
    for kind, runs in run.value.runs.items():
        assert tuple(runs) == page.TORCH
        flax = flax_side.runs[kind]
        assert_trained_to_the_target({**runs, **flax},
                                     flax[page.NNX_JIT].losses)


def _trainer(log: list[str], name: str, fail: bool = False) -> sides.Trainer:
    def first() -> np.ndarray:
        if fail:
            raise RuntimeError("no compiler")
        log.append(f"{name}0")
        return np.zeros(2)

    return sides.Trainer(first, lambda e: log.append(f"{name}{e}"),
                         lambda: None, lambda: 0.5)


def test_implementations_take_turns_and_the_first_epoch_is_kept_apart(
) -> None:
    log: list[str] = []
    failed: dict[str, str] = {}
    runs = sides.train_in_turns(
        {"a": _trainer(log, "a"), "b": _trainer(log, "b"),
         "c": _trainer(log, "c", fail=True)}, 3, ("c",), failed)
    assert log == ["a0", "b0", "b1", "a1", "a2", "b2"]
    assert set(runs) == {"a", "b"} and "no compiler" in failed["c"]
    assert runs["a"].timing.repeats == 2 and runs["a"].accuracy == (0.5,) * 3
    with pytest.raises(RuntimeError):
        sides.train_in_turns({"c": _trainer(log, "c", fail=True)}, 2)


def test_convolutions_out_of_canonical_order_are_counted() -> None:
    text = "\n".join([
        "%a = f32[1] convolution(%x, %k), window={size=3x3}, "
        "dim_labels=b01f_01io->b01f, metadata={}",
        "%b = f32[1] convolution(%x, %k), dim_labels=f01b_i01o->01bf",
        "%c = f32[1] add(%x, %y)"])
    assert flax_loops.noncanonical_convolutions(text) == (1, 2)


def test_time_to_accuracy_counts_epochs_until_the_target() -> None:
    timing = pg.Timing(2.0, (0.1, 0.1, 0.1), 1, "throughput")
    run = sides.Run(timing, (0.90, 0.95, 0.94), np.zeros(1))
    assert page.epochs_to(run.accuracy) == 2
    assert page.time_to(run) == pytest.approx(0.2)
    assert page.epochs_to((0.5, 0.6)) is None


def test_the_pages_verdicts_flip_with_the_numbers() -> None:
    for fn, one, other in page.VERDICT_FLIPS:
        assert fn(**one) != fn(**other), fn.__name__
    assert page.GOALS == []
