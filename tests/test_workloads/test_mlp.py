"""The width sweep's two sides: per-step timings, PyTorch's best ordinary paths, isolated processes."""

import numpy as np
import torch

from workloads import mlp

WIDTHS, STEPS, DEPTH = [8, 16], [3, 3], 3  # two widths: the check runs at the first only


def test_eager_pytorch_uses_the_fused_sgd_kernel() -> None:
    model, _ = mlp.model_and_optimizer(8, DEPTH, graph=True)
    optimizer = mlp.torch_sgd(mlp.torch_twin(model))
    assert optimizer.defaults["fused"] or optimizer.defaults["foreach"]


def test_compiled_pytorch_uses_the_traceable_foreach_sgd() -> None:
    model, _ = mlp.model_and_optimizer(8, DEPTH, graph=True)
    optimizer = mlp.torch_sgd(mlp.torch_twin(model), fused=False)
    assert optimizer.defaults["foreach"] and not optimizer.defaults["fused"]


def test_fused_sgd_trains_like_the_nnx_step() -> None:
    model, optimizer = mlp.model_and_optimizer(8, DEPTH, graph=True)
    twin = mlp.torch_step(mlp.torch_twin(model))
    data = mlp.batches(5)
    torch_losses = [float(twin(*b)) for b in mlp.torch_batches(data)]
    jax_losses = [float(mlp.train_step(model, optimizer, *b)) for b in data]
    np.testing.assert_allclose(torch_losses, jax_losses, rtol=1e-5, atol=1e-6)


def test_jax_width_sweep_times_every_variant_per_step_in_pooled_rounds() -> None:
    out = mlp.jax_width_sweep(WIDTHS[:1], STEPS[:1], DEPTH, rounds=2, repeats=2)
    assert list(out["timings"]) == list(mlp.JAX_VARIANTS)
    for by_width in out["timings"].values():
        assert list(by_width) == WIDTHS[:1]
        for timing in by_width.values():
            assert timing.repeats == 4  # 2 rounds x 2 repeats, pooled
            assert timing.mode == "throughput"  # a pipelined run, waited on at the end
            assert 0 < timing.median_s < 1
    assert out["blocked"][WIDTHS[0]].mode == "latency"  # nnx.jit, each step waited on


def test_count_leaves_flattens_to_an_int_so_no_output_is_billed() -> None:
    model, optimizer = mlp.model_and_optimizer(8, DEPTH, graph=True)
    assert mlp.count_leaves((model, optimizer)) == len(mlp.state_arrays(model, optimizer))


def test_torch_steps_record_which_sgd_ran() -> None:
    model, _ = mlp.model_and_optimizer(8, DEPTH, graph=True)
    assert mlp.torch_step(mlp.torch_twin(model)).sgd in ("fused", "foreach")
    assert mlp.torch_step(mlp.torch_twin(model), compiled=True).sgd == "foreach"


def test_torch_mlp_has_the_twin_layout_so_nnx_weights_load_into_it() -> None:
    model, _ = mlp.model_and_optimizer(8, DEPTH, graph=True)
    mlp.torch_mlp(8, DEPTH).load_state_dict(mlp.torch_twin(model).state_dict())


def test_torch_width_sweep_checks_losses_from_the_nnx_weights_it_is_given() -> None:
    model, optimizer = mlp.model_and_optimizer(WIDTHS[0], DEPTH, graph=True)
    initial = {WIDTHS[0]: mlp.torch_twin(model).state_dict()}
    out = mlp.torch_width_sweep(WIDTHS, STEPS, DEPTH, repeats=2, check_steps=4, initial=initial)
    assert set(out["timings"][mlp.TORCH_EAGER]) == set(WIDTHS)
    assert out["timings"][mlp.TORCH_COMPILED] == {}
    jax_losses = [float(mlp.train_step(model, optimizer, *b)) for b in mlp.batches(4)]
    np.testing.assert_allclose(out["check_losses"][mlp.TORCH_EAGER], jax_losses, rtol=1e-5, atol=1e-6)


def test_torch_width_sweep_counts_graph_breaks_once_where_it_compiles() -> None:
    out = mlp.torch_width_sweep(WIDTHS[:1], STEPS[:1], DEPTH, compiled_widths=(WIDTHS[0],), repeats=2, check_steps=2)
    assert isinstance(out["graph_breaks"], int)
    assert out["sgd"] == {mlp.TORCH_EAGER: out["sgd"][mlp.TORCH_EAGER], mlp.TORCH_COMPILED: "foreach"}


def test_torch_compile_step_computes_the_eager_losses() -> None:
    model, _ = mlp.model_and_optimizer(8, DEPTH, graph=True)
    data = mlp.torch_batches(mlp.batches(4))
    eager = mlp.torch_step(mlp.torch_twin(model))
    compiled = mlp.torch_step(mlp.torch_twin(model), compiled=True)
    want = [float(eager(*b)) for b in data]
    got = [float(compiled(*b)) for b in data]
    torch.compiler.reset()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_isolated_width_sweep_runs_each_side_alone_on_one_thread() -> None:
    jax_run, torch_run, passive_run = mlp.isolated_width_sweep(
        WIDTHS[:1], STEPS[:1], DEPTH, threads=1, repeats=2, passive=True)
    assert jax_run.environment["threads"]["xla_cpu"] == 1
    assert jax_run.jax_started and not torch_run.jax_started and not passive_run.jax_started
    assert set(passive_run.value["timings"][mlp.TORCH_EAGER]) == {WIDTHS[0]}
    np.testing.assert_allclose(  # the PyTorch side started from the NNX weights
        torch_run.value["check_losses"][mlp.TORCH_EAGER][:3],
        [float(loss) for loss in _nnx_losses(WIDTHS[0], 3)], rtol=1e-5, atol=1e-6)
    assert torch_run.environment["threads"]["torch_intra_op"] == 1
    assert set(jax_run.value["timings"]) == set(mlp.JAX_VARIANTS)
    assert WIDTHS[0] in torch_run.value["timings"][mlp.TORCH_EAGER]


def _nnx_losses(width: int, steps: int) -> list:
    model, optimizer = mlp.model_and_optimizer(width, DEPTH, graph=True)
    return [mlp.train_step(model, optimizer, *b) for b in mlp.batches(steps)]


def test_alternating_processes_pool_each_sides_repeats() -> None:
    jax_run, torch_run, _ = mlp.isolated_width_sweep(WIDTHS[:1], STEPS[:1], DEPTH, threads=1, repeats=2, alternations=2)
    assert jax_run.value["timings"]["nnx.jit"][WIDTHS[0]].repeats == 4
    assert jax_run.value["blocked"][WIDTHS[0]].repeats == 4
    assert torch_run.value["timings"][mlp.TORCH_EAGER][WIDTHS[0]].repeats == 4
    assert not torch_run.jax_started
