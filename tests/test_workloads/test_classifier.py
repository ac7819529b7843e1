"""The classifier page's workload: the Flax and PyTorch twins compute the
same function and the same Adam step, every side sees the same batches in
the same order, every way the page measures computes nnx.jit's losses on a
short run, and the page's verdicts flip with the numbers. That every
implementation reaches the page's accuracy in the quick epochs is checked
on the quick book build's results (tests/test_book/
test_classifier_results.py), which trains them all anyway."""

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


@pytest.mark.slow  # two compilations: 2-3 s, over `make check`'s limit
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


SHORT_EPOCHS, SHORT_STEPS = 2, 4  # a short run: each way compiles once


@pytest.fixture(scope="module")
def short_orders(digits: data.Digits) -> np.ndarray:
    """The page's first epochs, cut to a few steps each."""
    return data.epoch_orders(digits, SHORT_EPOCHS)[:, :SHORT_STEPS]


@pytest.mark.slow  # seven compilations, about 5 s
def test_every_flax_way_trains_the_mlp_like_nnx_jit_in_a_short_run(
        digits: data.Digits, short_orders: np.ndarray) -> None:
    """Every Flax way of either profile, through the page's own side: the
    same first-epoch losses and the same accuracy after the run (so the
    trained state went back into the model). The quick book build trains
    them all for the quick epochs (tests/test_book/
    test_classifier_results.py)."""
    side = sides.jax_side(("mlp",), digits, short_orders, page.FULL_LOOPS)
    runs = side.runs["mlp"]
    assert tuple(runs) == page.FULL_LOOPS
    reference = runs[page.NNX_JIT]
    for name, run in runs.items():
        np.testing.assert_allclose(run.losses, reference.losses, rtol=1e-5,
                                   err_msg=name)
        assert run.accuracy == pytest.approx(reference.accuracy), name
        assert run.timing.repeats == SHORT_EPOCHS - 1
        assert run.timing.mode == "throughput"


@pytest.mark.slow  # two CNN compilations
def test_the_scanned_cnn_epoch_gives_the_per_step_losses(
        digits: data.Digits, short_orders: np.ndarray) -> None:
    import jax

    x, y = jax.device_put(digits.x_train), jax.device_put(digits.y_train)
    batches = flax_loops.staged_batches(x, y, short_orders[0][:2])
    losses = {}
    for name in (page.FLAT, page.SCAN):
        _, step = flax_loops.build(name, "cnn")
        losses[name] = flax_loops.train_epoch(VARIANTS[name], step, batches)
    np.testing.assert_allclose(losses[page.SCAN], losses[page.FLAT],
                               rtol=1e-5)


@pytest.mark.slow  # imports torch
def test_pytorch_eager_trains_the_mlp_like_nnx_jit_in_a_short_run(
        digits: data.Digits, short_orders: np.ndarray) -> None:
    """PyTorch eager from the NNX weights, on the same steps: the same
    losses within the page's tolerance (torch.compile's are checked on
    the page before any time is read, and its accuracy by the book
    build's test)."""
    import jax
    import torch

    x, y = jax.device_put(digits.x_train), jax.device_put(digits.y_train)
    _, step = flax_loops.build(page.NNX_JIT, "mlp")
    want = np.concatenate([flax_loops.train_epoch(
        VARIANTS[page.NNX_JIT], step, flax_loops.staged_batches(x, y, o))
        for o in short_orders])
    twin = models.torch_twin("mlp", models.torch_weights(
        models.make("mlp", graph=True)[0]))
    xt, yt = data.torch_images_labels(digits.x_train, digits.y_train)
    torch_step = models.torch_step(twin)
    got = [float(torch_step(xt, yt, torch.from_numpy(ids.astype(np.int64))))
           for order in short_orders for ids in order]
    np.testing.assert_allclose(got, want, rtol=page.LOSS_RTOL)


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
