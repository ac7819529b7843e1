"""Every way of running the NNX training step computes the same thing as the others and as PyTorch."""

import jax
import numpy as np
import pytest
from flax import nnx

from workloads import mlp
from workloads import nnx_variants as nv

WIDTH, DEPTH, STEPS = 16, 4, 8


def train(name: str) -> tuple[list[float], list[np.ndarray], nnx.Module]:
    """Losses, final parameters and the model after STEPS steps of one variant from seed 0."""
    builder, graph = nv.PYTHON_LOOPS[name]
    model, optimizer = mlp.model_and_optimizer(WIDTH, DEPTH, graph=graph)
    step = builder(mlp.train_step, model, optimizer)
    losses = [float(step(*batch)) for batch in mlp.batches(STEPS)]
    if hasattr(step, "write_back"):
        step.write_back()
    params = [np.asarray(a) for a in jax.tree.leaves(nnx.state(model, nnx.Param))]
    return losses, params, model


@pytest.fixture(scope="module")
def reference() -> tuple[list[float], list[np.ndarray], nnx.Module]:
    return train("nnx.jit")


@pytest.mark.parametrize("name", [name for name in nv.PYTHON_LOOPS if name != "nnx.jit"])
def test_variant_reaches_the_same_losses_and_parameters_as_nnx_jit(reference, name: str) -> None:
    losses, params, _ = train(name)
    np.testing.assert_allclose(losses, reference[0], rtol=1e-6, atol=1e-7)
    for got, want in zip(params, reference[1], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


def test_pytorch_twin_reaches_the_same_losses_and_parameters(reference) -> None:
    model, _ = mlp.model_and_optimizer(WIDTH, DEPTH, graph=True)
    torch_model = mlp.torch_twin(model)
    step = mlp.torch_step(torch_model)
    losses = [float(step(*batch)) for batch in mlp.torch_batches(mlp.batches(STEPS))]
    np.testing.assert_allclose(losses, reference[0], rtol=1e-5, atol=1e-6)
    trained = mlp.torch_twin(reference[2])  # NNX's trained weights in torch layout
    for got, want in zip(torch_model.parameters(), trained.parameters(), strict=True):
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_split_merge_loop_writes_the_trained_state_back_into_the_module(reference) -> None:
    _, params, model = train("jax.jit split/merge")
    in_module = [np.asarray(a) for a in jax.tree.leaves(nnx.state(model, nnx.Param))]
    for got, want in zip(in_module, reference[1], strict=True):
        np.testing.assert_array_equal(got, want)


def test_jit_partial_donates_the_state_but_not_the_batch() -> None:
    model, optimizer = mlp.model_and_optimizer(WIDTH, DEPTH, graph=False)
    step = nv.nnx_jit_partial(mlp.train_step, model, optimizer)
    x, y = mlp.batches(1)[0]
    step(x, y)
    step(x, y)  # the same batch again: it must still exist
    assert not x.is_deleted()


def test_state_arrays_counts_six_per_block_plus_output_layer_and_step() -> None:
    model, optimizer = mlp.model_and_optimizer(WIDTH, DEPTH, graph=True)
    assert len(mlp.state_arrays(model, optimizer)) == 6 * (DEPTH - 1) + 2 + 1
