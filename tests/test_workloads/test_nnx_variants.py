"""Every entry of the step-variant registry trains like the plain eager step: the same losses,
parameters and metric, on both models the pages measure."""

from types import ModuleType

import jax
import numpy as np
import pytest
from flax import nnx

from workloads import folax_model as fm
from workloads import mlp
from workloads import nnx_variants as nv
from workloads.registry import FLAX_WAYS, PYTHON_LOOPS, VARIANTS, stacked, table

MODELS = {"folax_model": (fm, (64,)), "mlp": (mlp, (16, 4))}
STEPS = 8  # one epoch of the Folax model; eager steps are slow
RTOL, ATOL = 1e-5, 1e-6  # float32 sums in another order


def params(model: nnx.Module) -> dict[str, np.ndarray]:
    """The model's parameters as NumPy arrays, by path."""
    flat = nnx.to_flat_state(nnx.state(model, nnx.Param))
    return {"/".join(map(str, path)): np.asarray(p) for path, p in flat}


def assert_same_params(got: dict[str, np.ndarray], want: dict[str, np.ndarray]) -> None:
    """Equal to float32 rounding, but for a bias that BatchNorm follows.

    That bias has an exactly zero gradient (BatchNorm subtracts the batch mean); Adam normalises
    the rounding noise that stands in for it into full-size steps, so programs that round
    differently may move it by up to one learning rate per step. Everything else must agree.
    """
    assert list(got) == list(want)
    for name in want:
        if name == "linear/bias":  # the Folax model's Linear before BatchNorm, trained by Adam
            assert np.abs(got[name] - want[name]).max() <= fm.LEARNING_RATE * STEPS
        else:
            np.testing.assert_allclose(got[name], want[name], rtol=RTOL, atol=ATOL, err_msg=name)


def eager_reference(module: ModuleType, size: tuple[int, ...]) -> tuple[np.ndarray, dict, tuple]:
    """Losses, parameters and nodes of `train_step` called eagerly, with no transform at all."""
    nodes = module.make(*size, graph=True)
    losses = np.array([module.train_step(*nodes, *batch) for batch in module.batches(STEPS)])
    return losses, params(nodes[0]), nodes


@pytest.fixture(scope="module")
def references() -> dict[str, tuple]:
    return {name: eager_reference(module, size) for name, (module, size) in MODELS.items()}


def cases() -> list[tuple[str, str]]:
    """(variant, model) for every registry entry on every model its pages run it on."""
    out = [(name, "folax_model") for name in VARIANTS]  # functional_loops, scan_rollout
    return out + [(name, "mlp") for name in FLAX_WAYS]  # nnx_overhead


@pytest.mark.slow  # compiles a step per case
@pytest.mark.parametrize(("name", "model"), cases())
def test_every_registry_entry_trains_like_the_eager_step(references, name: str, model: str) -> None:
    module, size = MODELS[model]
    variant = VARIANTS[name]
    nodes, step = variant.build(module, *size)
    losses = variant.train(step, module.batches(STEPS))
    want_losses, want_params, want_nodes = references[model]
    np.testing.assert_allclose(losses, want_losses, rtol=RTOL, atol=ATOL)
    assert_same_params(params(nodes[0]), want_params)  # read from the Module: written back
    if model == "folax_model":  # the metric, carried through the step
        got_mean, want_mean = (float(n[2].compute()["loss"]) for n in (nodes, want_nodes))
        np.testing.assert_allclose(got_mean, want_mean, rtol=RTOL)


def test_registry_lists_each_variant_once_in_page_order() -> None:
    assert [v.number for v in VARIANTS.values()] == list(range(1, len(VARIANTS) + 1))
    assert set(FLAX_WAYS) <= set(PYTHON_LOOPS) and "nnx.scan" not in PYTHON_LOOPS
    assert len({v.label for v in VARIANTS.values()}) == len(VARIANTS)


def test_registry_table_has_a_row_per_named_variant() -> None:
    rows = table(FLAX_WAYS).splitlines()
    assert len(rows) == 2 + len(FLAX_WAYS) and "`nnx.jit_partial`" in rows[-1]
    assert table(["nnx.scan"], numbered=True).splitlines()[-1].startswith("| 7 |")


def test_a_scanned_call_refuses_batches_that_do_not_share_their_data() -> None:
    with pytest.raises(ValueError, match="stage the data on the device"):
        stacked(mlp.batches(2))


def test_jit_partial_donates_the_state_but_not_the_batch() -> None:
    model, optimizer = mlp.make(16, 4, graph=False)
    step = nv.nnx_jit_partial(mlp.train_step, model, optimizer)
    x, y = mlp.batches(1)[0]
    step(x, y)
    step(x, y)  # the same batch again: it must still exist
    assert not x.is_deleted()


def test_state_arrays_counts_six_per_block_plus_output_layer_and_step() -> None:
    depth = 4
    model, optimizer = mlp.make(16, depth, graph=True)
    assert len(mlp.state_arrays(model, optimizer)) == 6 * (depth - 1) + 2 + 1
