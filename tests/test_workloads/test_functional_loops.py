"""The Folax study's model as the functional-loops and scan pages run it: scanned chunks, unrolling,
what the scan returns, the study's eager indexing, the floor, and its PyTorch step."""

import jax
import numpy as np
import pytest
from flax import nnx

import perfguide as pg
from workloads import folax_model as fm
from workloads import nnx_variants as nv
from workloads.registry import VARIANTS

EPOCHS = 2
STEPS = EPOCHS * fm.STEPS_PER_EPOCH


def params(model: nnx.Module) -> dict[str, np.ndarray]:
    """The model's parameters as NumPy arrays, by path."""
    flat = nnx.to_flat_state(nnx.state(model, nnx.Param))
    return {"/".join(map(str, path)): np.asarray(p) for path, p in flat}


@pytest.fixture(scope="module")
def reference() -> tuple[np.ndarray, dict[str, np.ndarray], float]:
    """Losses, parameters and mean-loss metric of EPOCHS of `nnx.jit`."""
    variant = VARIANTS["nnx.jit"]
    (model, _, metrics), step = variant.build(fm)
    losses = variant.train(step, fm.batches(STEPS))
    return losses, params(model), float(metrics.compute()["loss"])


def test_batches_are_whole_epochs_over_data_staged_once() -> None:
    batches = fm.batches(STEPS)
    assert len(batches) == STEPS and all(b[0] is batches[0][0] for b in batches)
    for epoch in range(EPOCHS):
        ids = np.concatenate([b[2] for b in batches[epoch * 8 : (epoch + 1) * 8]])
        assert sorted(ids) == list(range(fm.SAMPLES))  # every sample once per epoch
    numpy = fm.numpy_batches(STEPS)
    assert numpy[0][0] is numpy[-1][0] and numpy[0][0].dtype == np.float32
    np.testing.assert_array_equal(numpy[3][2], batches[3][2])


@pytest.mark.slow  # compiles two scans
@pytest.mark.parametrize("steps_per_call", [fm.STEPS_PER_EPOCH, STEPS])
def test_scanned_loop_trains_like_nnx_jit_in_chunks_of_any_size(reference, steps_per_call: int) -> None:
    model, optimizer, metrics = fm.make(graph=False)
    run = nv.ScanSteps(fm.train_step, model, optimizer, metrics)
    x, y = fm.data()
    chunks = fm.epoch_orders(EPOCHS).reshape(-1, steps_per_call, fm.BATCH)
    losses = np.concatenate([np.asarray(run(x, y, chunk)) for chunk in chunks])
    np.testing.assert_allclose(losses, reference[0], rtol=1e-5, atol=1e-6)
    for name, got in params(model).items():
        np.testing.assert_allclose(got, reference[1][name], rtol=1e-5, atol=1e-6, err_msg=name)
    np.testing.assert_allclose(float(metrics.compute()["loss"]), reference[2], rtol=1e-5)


@pytest.mark.slow  # compiles unrolled scans
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
    for name, got in params(model).items():
        if name == "linear/bias":
            assert np.abs(got - reference[1][name]).max() <= fm.LEARNING_RATE * len(orders)
        else:
            np.testing.assert_allclose(got, reference[1][name], rtol=1e-5, atol=1e-6, err_msg=name)


def test_eager_indexing_computes_the_same_step(reference) -> None:
    step = fm.eager_batch_step(nv.FlatLeavesJit(fm.train_step, *fm.make(graph=True)))
    losses = np.array([step(*batch) for batch in fm.batches(STEPS)])
    np.testing.assert_allclose(losses, reference[0], rtol=1e-5, atol=1e-6)


def test_scan_can_stack_nothing_and_keep_the_metric(reference) -> None:
    model, optimizer, metrics = fm.make(graph=False)
    x, y = fm.data()
    run = nv.ScanSteps(fm.train_step, model, optimizer, metrics, collect=lambda nodes, loss: None)
    assert run(x, y, fm.epoch_orders(EPOCHS)) is None
    np.testing.assert_allclose(float(metrics.compute()["loss"]), reference[2], rtol=1e-5)


@pytest.mark.slow  # compiles two scans
def test_scan_memory_analysis_grows_with_what_each_step_returns() -> None:
    x, y = fm.data()
    orders = fm.epoch_orders(EPOCHS)
    sizes = {}
    for name, collect in {"losses": lambda nodes, loss: loss, "nothing": lambda nodes, loss: None}.items():
        stats = nv.ScanSteps(fm.train_step, *fm.make(graph=False), collect=collect).memory(x, y, orders)
        sizes[name] = stats.output_size_in_bytes
    assert sizes["losses"] >= sizes["nothing"] + 4 * len(orders)


def test_floor_is_chained_and_donated() -> None:
    """The floor takes the state's arrays and the batch and gives the same buffers back, copying nothing."""
    floor = nv.FloorStep(*fm.make(graph=True))
    x, y, ids = fm.batches(1)[0]
    before = list(floor.leaves)
    assert len(before) == len(jax.tree.leaves(nnx.state(fm.make(graph=True))))
    buffers = [leaf.unsafe_buffer_pointer() for leaf in before]
    loss = floor(x, y, ids)
    assert loss.shape == () and loss.dtype == np.float32
    assert all(leaf.is_deleted() for leaf in before), "the floor must donate the state it is given"
    assert not any(a.is_deleted() for a in (x, y, ids)), "the batch is not donated"
    assert [leaf.unsafe_buffer_pointer() for leaf in floor.leaves] == buffers, "outputs must alias the inputs"
    for old, new in zip(before, floor.leaves, strict=True):
        assert (old.shape, old.dtype) == (new.shape, new.dtype)
    hlo = floor.jitted.lower(floor.leaves, x, y, ids).compile().as_text()
    entry = hlo[hlo.index("ENTRY") :].splitlines()
    copies = [line for line in entry if "copy(" in line or "copy-start(" in line]
    # the scalar loss is a constant copied into its output buffer; no state array may be copied
    assert not [line for line in copies if "%leaves" in line], f"the compiled floor copies state: {copies}"
    assert hlo.count("may-alias") + hlo.count("must-alias") == len(before), "every state array is aliased"


@pytest.mark.slow  # a measurement
def test_floor_is_not_slower_than_the_loop_it_bounds() -> None:
    """A quick pipelined measurement: the floor must not cost more than the flat-leaves loop (generous margin)."""
    batches = fm.batches(4 * fm.STEPS_PER_EPOCH)
    floor = nv.FloorStep(*fm.make(graph=True))
    flat = nv.FlatLeavesJit(fm.train_step, *fm.make(graph=True))
    t_floor = pg.time_call(nv.run_steps, floor, batches, mode="throughput", target_s=0.2)
    t_flat = pg.time_call(nv.run_steps, flat, batches, mode="throughput", target_s=0.2)
    assert t_floor.min_s <= 1.5 * t_flat.min_s, (t_floor.min_s, t_flat.min_s)


def test_pytorch_step_trains_with_adam_and_keeps_a_loss_metric() -> None:
    torch = pytest.importorskip("torch")
    model = fm.torch_model(8)
    step = fm.torch_step(model)
    before = [p.detach().clone() for p in model.parameters()]
    batches = [tuple(torch.from_numpy(a) for a in b) for b in fm.numpy_batches(2)]
    losses = [float(step(*batch)) for batch in batches]
    assert np.isfinite(losses).all()
    assert any(not torch.equal(a, p) for a, p in zip(before, model.parameters()))  # Adam took a step
    np.testing.assert_allclose(step.metric(), np.mean(losses), rtol=1e-6)  # like the MultiMetric
    assert step.optimizer_kind in ("fused", "foreach")
