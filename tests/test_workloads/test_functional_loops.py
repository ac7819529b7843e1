"""The seven training loops of the Folax study compute the same thing: losses, parameters, metric."""

import jax
import numpy as np
import pytest
from flax import nnx

import perfguide as pg
from workloads import folax_model as fm
from workloads import nnx_variants as nv

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


def test_floor_is_chained_and_donated() -> None:
    """The floor takes the state's arrays and the batch and gives the same buffers back, copying nothing."""
    floor = nv.FloorStep(*fm.make(graph=True))
    x, y = fm.data()
    ids = fm.epoch_orders(1)[0]
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


def test_floor_is_not_slower_than_the_loop_it_bounds() -> None:
    """A quick pipelined measurement: the floor must not cost more than the flat-leaves loop (generous margin)."""
    x, y = fm.data()
    batches = [(x, y, ids) for ids in fm.epoch_orders(4)]
    floor = nv.FloorStep(*fm.make(graph=True))
    flat = nv.FlatLeavesJit(fm.train_step, *fm.make(graph=True))
    t_floor = pg.time_call(nv.run_steps, floor, batches, mode="throughput", target_s=0.2)
    t_flat = pg.time_call(nv.run_steps, flat, batches, mode="throughput", target_s=0.2)
    assert t_floor.min_s <= 1.5 * t_flat.min_s, (t_floor.min_s, t_flat.min_s)


def test_pytorch_side_times_pipelined_runs_with_fused_adam_and_a_loss_metric() -> None:
    torch = pytest.importorskip("torch")
    model = fm.torch_model(8)
    step = fm.torch_step(model)
    x, y, orders = fm.numpy_data(1)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    before = [p.detach().clone() for p in model.parameters()]
    losses = [float(step(x, y, torch.from_numpy(ids))) for ids in orders[:2]]
    assert np.isfinite(losses).all()
    assert any(not torch.equal(a, p) for a, p in zip(before, model.parameters()))  # Adam took a step
    np.testing.assert_allclose(step.metric(), np.mean(losses), rtol=1e-6)  # like the MultiMetric
    assert fm.adam_kind(step.optimizer) in ("fused", "foreach")
    timings, kind = fm.torch_side((8,), *fm.numpy_data(1), compiled=False)
    assert kind == fm.adam_kind(step.optimizer)
    assert set(timings) == {(fm.TORCH_EAGER, 8)}
    assert all(t.mode == "throughput" and t.median_s > 0 for t in timings.values())


def test_pytorch_side_never_starts_jax_in_its_process() -> None:
    pytest.importorskip("torch")
    run = pg.run_isolated(fm.torch_side, (8,), *fm.numpy_data(1), compiled=False, threads=1, preload=("torch",))
    assert not run.jax_started
    jax_run = pg.run_isolated(fm.jax_side, (8,), *fm.numpy_data(1), threads=1)
    assert jax_run.jax_started  # the check can tell


@pytest.mark.parametrize("loop", ["jax.jit flat leaves", "jax.jit split/merge"])
def test_jax_side_times_the_chosen_python_loop_and_the_scan(loop: str) -> None:
    timings = fm.jax_side((8,), *fm.numpy_data(1), loop=loop)
    assert set(timings) == {(f"JAX {loop}", 8), ("JAX nnx.scan", 8)}
    assert all(t.mode == "throughput" and t.median_s > 0 for t in timings.values())


def test_interleaved_timing_takes_turns_and_waits_on_the_last_output() -> None:
    calls: list[str] = []

    def run(name: str) -> jax.Array:
        calls.append(name)
        return jax.numpy.ones(3)

    timings = nv.time_interleaved({"a": (run, ("a",)), "b": (run, ("b",))}, repeats=4, target_s=1e-6)
    assert all(t.mode == "throughput" and t.repeats == 4 and t.calls_per_repeat == 1 for t in timings.values())
    timed = calls[2 * 4 :]  # after first call, two warm-ups and one calibration each
    assert timed == ["a", "b", "b", "a", "a", "b", "b", "a"]
