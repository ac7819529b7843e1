"""The seven training loops of the Folax study compute the same thing: losses, parameters, metric."""

import jax
import numpy as np
import pytest
from flax import nnx

from perfguide import folax_model as fm
from perfguide import nnx_variants as nv

EPOCHS = 2


def params(model: nnx.Module) -> list[np.ndarray]:
    """The model's parameters as NumPy arrays, in a fixed order."""
    return [np.asarray(p) for p in jax.tree.leaves(nnx.state(model, nnx.Param))]


def train_python_loop(name: str) -> tuple[np.ndarray, list[np.ndarray], float]:
    """Losses, parameters (read from the Module) and mean-loss metric after EPOCHS of one loop."""
    builder, graph = nv.PYTHON_LOOPS[name]
    model, optimizer, metrics = fm.make(graph=graph)
    step = builder(fm.train_step, model, optimizer, metrics)
    x, y = fm.data()
    losses = np.array([step(x, y, ids) for ids in fm.epoch_orders(EPOCHS)])
    if hasattr(step, "write_back"):
        step.write_back()
    return losses, params(model), float(metrics.compute()["loss"])


@pytest.fixture(scope="module")
def reference() -> tuple[np.ndarray, list[np.ndarray], float]:
    return train_python_loop("nnx.jit")


def assert_same_training(got: tuple, want: tuple) -> None:
    """Same per-step losses, parameters and metric, to float32 tolerance."""
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-6)
    for a, b in zip(got[1], want[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-5)


@pytest.mark.parametrize("name", [name for name in nv.PYTHON_LOOPS if name != "nnx.jit"])
def test_python_loop_trains_exactly_like_nnx_jit(reference, name: str) -> None:
    assert_same_training(train_python_loop(name), reference)


@pytest.mark.parametrize("steps_per_call", [fm.SAMPLES // fm.BATCH, EPOCHS * fm.SAMPLES // fm.BATCH])
def test_scanned_loop_trains_exactly_like_nnx_jit(reference, steps_per_call: int) -> None:
    model, optimizer, metrics = fm.make(graph=False)
    run = nv.ScanSteps(fm.train_step, model, optimizer, metrics)
    x, y = fm.data()
    chunks = fm.epoch_orders(EPOCHS).reshape(-1, steps_per_call, fm.BATCH)
    losses = np.concatenate([np.asarray(run(x, y, chunk)) for chunk in chunks])
    assert_same_training((losses, params(model), float(metrics.compute()["loss"])), reference)


@pytest.mark.parametrize("unroll", [2, 8])
def test_unrolled_scan_trains_like_the_rolled_one(reference, unroll: int) -> None:
    """Unrolling reorders floating-point work, so only quantities with a real gradient must agree.

    The bias of the Linear layer before BatchNorm has an exactly zero gradient (BatchNorm subtracts
    the batch mean); Adam normalises the rounding noise that stands in for it into full-size steps,
    so that bias may differ by up to one learning rate per step. Everything else must agree.
    """
    model, optimizer, metrics = fm.make(graph=False)
    x, y = fm.data()
    orders = fm.epoch_orders(EPOCHS)
    losses = nv.ScanSteps(fm.train_step, model, optimizer, metrics, unroll=unroll)(x, y, orders)
    np.testing.assert_allclose(np.asarray(losses), reference[0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(float(metrics.compute()["loss"]), reference[2], rtol=1e-5)
    names = ["/".join(map(str, path)) for path, _ in nnx.to_flat_state(nnx.state(model, nnx.Param))]
    for name, got, want in zip(names, params(model), reference[1], strict=True):
        if name == "linear/bias":
            assert np.abs(got - want).max() <= fm.LEARNING_RATE * len(orders)
        else:
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=name)


def test_eager_indexing_computes_the_same_step(reference) -> None:
    model, optimizer, metrics = fm.make(graph=True)
    step = fm.eager_batch_step(nv.FlatLeavesJit(fm.train_step, model, optimizer, metrics))
    x, y = fm.data()
    losses = np.array([step(x, y, ids) for ids in fm.epoch_orders(EPOCHS)])
    np.testing.assert_allclose(losses, reference[0], rtol=1e-5, atol=1e-6)


def test_scan_can_stack_nothing_and_keep_the_metric(reference) -> None:
    model, optimizer, metrics = fm.make(graph=False)
    x, y = fm.data()
    run = nv.ScanSteps(fm.train_step, model, optimizer, metrics, collect=lambda nodes, loss: None)
    assert run(x, y, fm.epoch_orders(EPOCHS)) is None
    np.testing.assert_allclose(float(metrics.compute()["loss"]), reference[2], rtol=1e-5)


def test_floor_step_returns_fresh_copies_of_every_array() -> None:
    arrays = jax.tree.leaves(nnx.state(fm.make(graph=True)))
    copies = nv.floor_step(arrays)
    assert len(copies) == len(arrays)
    for original, copy in zip(arrays, copies, strict=True):
        assert copy is not original and copy.dtype == original.dtype and copy.shape == original.shape
