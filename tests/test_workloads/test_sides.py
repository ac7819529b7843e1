"""Each library's side of a comparison: per-step timings of the registry's variants and of
PyTorch's steps, the same data on both sides, each side in a process of its own."""

import numpy as np
import pytest

from workloads import folax_model as fm
from workloads import mlp
from workloads import sides

WIDTHS, DEPTH = [8, 16], 3
MLP_DATA = [mlp.numpy_batches(3) for _ in WIDTHS]


def test_converting_keeps_an_array_that_batches_share_as_one() -> None:
    batches = sides.converted(fm.numpy_batches(16), lambda a: a.copy())
    assert batches[0][0] is batches[-1][0] and batches[0][2] is not batches[1][2]


@pytest.mark.slow  # compiles every variant
def test_jax_side_times_each_variant_per_step_and_one_blocked() -> None:
    out = sides.jax_side("workloads.mlp", WIDTHS[:1], MLP_DATA[:1], ("nnx.jit", "nnx.jit_partial"),
                         fixed=(DEPTH,), repeats=2, blocked="nnx.jit")
    assert list(out["timings"]) == ["nnx.jit", "nnx.jit_partial"]
    for by_width in out["timings"].values():
        (timing,) = by_width.values()
        assert timing.repeats == 2 and timing.mode == "throughput" and 0 < timing.median_s < 1
    assert out["blocked"][WIDTHS[0]].mode == "latency"


@pytest.mark.slow  # compiles a scan
def test_jax_side_runs_the_scan_over_the_staged_data() -> None:
    out = sides.jax_side("workloads.folax_model", [8], [fm.numpy_batches(8)], ("nnx.scan",), repeats=2)
    assert out["timings"]["nnx.scan"][8].median_s > 0 and out["blocked"] == {}


@pytest.mark.slow  # trains PyTorch at two widths, compiles at one
def test_torch_side_starts_from_the_weights_it_is_given_and_compiles_where_asked() -> None:
    model, optimizer = mlp.make(WIDTHS[0], DEPTH, graph=True)
    initial = {WIDTHS[0]: mlp.torch_twin(model).state_dict()}
    out = sides.torch_side("workloads.mlp", WIDTHS, MLP_DATA, fixed=(DEPTH,), repeats=2, check_steps=3,
                           initial=initial, compiled_sizes=(WIDTHS[0],), explain=True)
    assert set(out["timings"][sides.TORCH_EAGER]) == set(WIDTHS)
    assert set(out["timings"][sides.TORCH_COMPILED]) == {WIDTHS[0]} and out["compile_s"][WIDTHS[0]] > 0
    jax_losses = [float(mlp.train_step(model, optimizer, *b)) for b in mlp.batches(3)]
    for losses in out["first_losses"].values():  # eager and compiled, from the NNX weights
        np.testing.assert_allclose(losses, jax_losses, rtol=1e-5, atol=1e-6)
    assert out["optimizer"] == {sides.TORCH_EAGER: out["optimizer"][sides.TORCH_EAGER], sides.TORCH_COMPILED: "foreach"}
    assert isinstance(out["graph_breaks"], int)


@pytest.mark.slow  # starts five processes
def test_isolated_sides_alternate_pool_and_keep_jax_out_of_pytorch() -> None:
    run = sides.isolated_sides(
        "workloads.folax_model", [8], [fm.numpy_batches(8)], threads=1,
        jax_options=dict(variants=("jax.jit flat leaves",), repeats=2),
        torch_options=dict(repeats=2), alternations=2, passive=True)
    assert run.jax.jax_started and not run.torch.jax_started and not run.passive.jax_started
    assert run.jax.environment["threads"]["xla_cpu"] == 1
    assert run.torch.environment["threads"]["torch_intra_op"] == 1
    assert run.jax.value["timings"]["jax.jit flat leaves"][8].repeats == 4  # two processes pooled
    assert run.torch.value["timings"][sides.TORCH_EAGER][8].repeats == 4
    assert set(run.passive.value["timings"][sides.TORCH_EAGER]) == {8}
