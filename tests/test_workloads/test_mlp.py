"""The MLP of Flax's benchmark and its PyTorch twin: same weights, same losses, PyTorch's best
ordinary optimizer paths."""

import jax
import numpy as np
import pytest
import torch
from flax import nnx

from workloads import mlp

WIDTH, DEPTH, STEPS = 16, 4, 3


def test_make_gives_the_same_weights_for_the_same_seed() -> None:
    a, b = (mlp.make(8, DEPTH, graph=True)[0] for _ in range(2))
    for x, y in zip(jax.tree.leaves(nnx.state(a)), jax.tree.leaves(nnx.state(b)), strict=True):
        np.testing.assert_array_equal(x, y)


def test_batches_are_the_numpy_batches_on_the_device() -> None:
    for device, host in zip(mlp.batches(3), mlp.numpy_batches(3), strict=True):
        for a, b in zip(device, host, strict=True):
            assert isinstance(a, jax.Array) and a.dtype == np.float32
            np.testing.assert_array_equal(a, b)


def test_eager_pytorch_uses_the_fused_sgd_kernel_or_foreach() -> None:
    optimizer = mlp.torch_sgd(mlp.torch_model(8, DEPTH))
    assert optimizer.defaults["fused"] or optimizer.defaults["foreach"]


def test_compiled_pytorch_uses_the_traceable_foreach_sgd() -> None:
    optimizer = mlp.torch_sgd(mlp.torch_model(8, DEPTH), fused=False)
    assert optimizer.defaults["foreach"] and not optimizer.defaults["fused"]


def test_torch_steps_say_which_sgd_ran() -> None:
    assert mlp.torch_step(mlp.torch_model(8, DEPTH)).optimizer_kind in ("fused", "foreach")
    assert mlp.torch_step(mlp.torch_model(8, DEPTH), compiled=True).optimizer_kind == "foreach"


def test_torch_twin_computes_the_nnx_forward_pass() -> None:
    model, _ = mlp.make(WIDTH, DEPTH, graph=True)
    x, _ = mlp.numpy_batches(1)[0]
    got = mlp.torch_twin(model)(torch.from_numpy(x)).detach().numpy()  # batch statistics, like NNX
    np.testing.assert_allclose(got, np.asarray(model(jax.numpy.asarray(x))), rtol=1e-5, atol=1e-6)


@pytest.mark.slow  # eager NNX steps compile each operation once
def test_torch_twin_trains_like_the_nnx_step() -> None:
    model, optimizer = mlp.make(WIDTH, DEPTH, graph=True)
    twin = mlp.torch_model(WIDTH, DEPTH)
    twin.load_state_dict(mlp.torch_twin(model).state_dict())  # torch_model's layout
    step = mlp.torch_step(twin)
    losses = [float(step(*(torch.from_numpy(a) for a in b))) for b in mlp.numpy_batches(STEPS)]
    jax_losses = [float(mlp.train_step(model, optimizer, *b)) for b in mlp.batches(STEPS)]
    np.testing.assert_allclose(losses, jax_losses, rtol=1e-5, atol=1e-6)
    trained = mlp.torch_twin(model)  # NNX's trained weights in torch layout
    for got, want in zip(twin.parameters(), trained.parameters(), strict=True):
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_count_leaves_flattens_to_an_int_so_no_output_is_billed() -> None:
    model, optimizer = mlp.make(8, DEPTH, graph=True)
    assert mlp.count_leaves((model, optimizer)) == len(mlp.state_arrays(model, optimizer))


@pytest.mark.slow  # torch.compile takes seconds
def test_torch_compile_step_computes_the_eager_losses() -> None:
    model, _ = mlp.make(8, DEPTH, graph=True)
    data = [tuple(torch.from_numpy(a) for a in b) for b in mlp.numpy_batches(4)]
    eager = mlp.torch_step(mlp.torch_twin(model))
    compiled = mlp.torch_step(mlp.torch_twin(model), compiled=True)
    want = [float(eager(*b)) for b in data]
    got = [float(compiled(*b)) for b in data]
    torch.compiler.reset()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
