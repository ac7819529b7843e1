"""Each library's side of a JAX-against-PyTorch comparison, each run in a
process of its own at the same thread setting.

A side takes a model module by name (`"workloads.mlp"`): its roles `make`,
`train_step` (JAX) and `torch_model`, `torch_step` (PyTorch) build the
steps. `make(size, *fixed)` is called for every swept `size` (a width).
The batches come as NumPy arrays, one list per size, made once by the
page: both libraries train on the same data, and the PyTorch side never
runs a JAX operation (which would start XLA's thread pool beside
PyTorch's).
"""

import copy
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from perfguide.interleave import pool, time_interleaved
from perfguide.isolated import Isolated, run_isolated
from perfguide.timing import Timing, time_call, time_once

TORCH_EAGER, TORCH_COMPILED = "PyTorch eager", "torch.compile"
NumpyBatches = list[tuple[np.ndarray, ...]]


def converted(
    batches: NumpyBatches, convert: Callable[[np.ndarray], Any]
) -> list[tuple[Any, ...]]:
    """Every array converted once: an array that several batches share
    (data staged once) stays one array on the other side."""
    done: dict[int, Any] = {}

    def one(array: np.ndarray) -> Any:
        if id(array) not in done:
            done[id(array)] = convert(array)
        return done[id(array)]

    return [tuple(one(a) for a in batch) for batch in batches]


def jax_side(
    model: str,
    sizes: Sequence[int],
    data: Sequence[NumpyBatches],
    variants: Sequence[str],
    fixed: tuple[int, ...] = (),
    repeats: int = 5,
    blocked: str | None = None,
) -> dict[str, dict]:
    """Seconds per run of the named registry variants at every size.

    Each figure is a throughput: a pipelined run over the size's batches
    (a Python loop, or one scanned call) waited on at its end; the
    variants' repeats are interleaved. With `blocked`, that variant is
    also timed one step at a time, each waited on (a latency per step).
    Returns {"timings": {variant: {size: Timing of a run}}, "blocked":
    {size: Timing of a step}}.
    """
    import jax

    from workloads.registry import VARIANTS

    module = importlib.import_module(model)
    timings: dict[str, dict[int, Timing]] = {name: {} for name in variants}
    latency: dict[int, Timing] = {}
    for size, numpy in zip(sizes, data, strict=True):
        batches = converted(numpy, jax.device_put)
        steps = {name: VARIANTS[name].build(module, size, *fixed)[1]
                 for name in variants}
        runs = {name: (VARIANTS[name].runner(step, batches), ())
                for name, step in steps.items()}
        for name, t in time_interleaved(runs, repeats=repeats).items():
            timings[name][size] = t
        if blocked:
            latency[size] = time_call(steps[blocked], *batches[0],
                                      repeats=repeats, mode="latency")
    return {"timings": timings, "blocked": latency}


def torch_side(
    model: str,
    sizes: Sequence[int],
    data: Sequence[NumpyBatches],
    fixed: tuple[int, ...] = (),
    device: str = "cpu",
    compiled_sizes: Sequence[int] = (),
    repeats: int = 5,
    check_steps: int = 1,
    initial: dict[int, dict[str, Any]] | None = None,
    explain: bool = False,
) -> dict[str, Any]:
    """Seconds per run of PyTorch eager at every size, and of
    `torch.compile` at `compiled_sizes`, timed like `jax_side`.

    Each model starts from PyTorch's own initial weights, except at sizes
    for which `initial` holds a state dict (e.g. the NNX weights): the
    values do not change the work of a step. Returns {"timings": {name:
    {size: Timing of a run}}, "compile_s": {size: the compiled step's
    first call beyond a steady step},
    "first_losses": {name: the first `check_steps` losses at the first
    size}, "optimizer": {name: 'fused' or 'foreach'}, "graph_breaks":
    what `torch._dynamo.explain` counts in the compiled part (with
    `explain`, at the first compiled size), else None}.
    """
    import torch

    from perfguide.devices import to_torch

    module = importlib.import_module(model)
    names = (TORCH_EAGER, TORCH_COMPILED)
    out: dict[str, Any] = {"timings": {name: {} for name in names},
                           "compile_s": {}, "first_losses": {},
                           "optimizer": {}, "graph_breaks": None}
    for size, numpy in zip(sizes, data, strict=True):
        batches = converted(numpy, lambda a: to_torch(a, device))
        start_from = module.torch_model(size, *fixed)
        if initial and size in initial:
            start_from.load_state_dict(initial[size])
        kinds = [TORCH_EAGER, *[TORCH_COMPILED] * (size in compiled_sizes)]
        steps = {kind: module.torch_step(
            copy.deepcopy(start_from).to(device),
            compiled=kind == TORCH_COMPILED) for kind in kinds}
        count = explain and out["graph_breaks"] is None
        if count and TORCH_COMPILED in steps:
            probe = module.torch_step(copy.deepcopy(start_from).to(device),
                                      compiled=True).eager
            report = torch._dynamo.explain(probe)(*batches[0])
            out["graph_breaks"] = int(report.graph_break_count)
            torch.compiler.reset()
        first_s = {}
        for kind, step in steps.items():  # the first call compiles
            out["optimizer"][kind] = step.optimizer_kind
            first_s[kind], loss = time_once(step, *batches[0])
            losses = [loss.item()]
            if size == sizes[0]:
                losses += [step(*b).item() for b in batches[1:check_steps]]
                out["first_losses"][kind] = losses
        runs = {kind: (_run, (step, batches)) for kind, step in steps.items()}
        for kind, t in time_interleaved(runs, repeats=repeats).items():
            out["timings"][kind][size] = t
            if kind == TORCH_COMPILED:
                step_s = t.median_s / len(batches)
                out["compile_s"][size] = first_s[kind] - step_s
        torch.compiler.reset()  # a fresh compile cache per size
    return out


def _run(step: Callable[..., Any], batches: list[tuple[Any, ...]]) -> Any:
    """All steps back to back; the last loss."""
    loss = None
    for batch in batches:
        loss = step(*batch)
    return loss


@dataclass(frozen=True)
class Sides:
    """Both sides of one thread setting, and PyTorch with passive waits."""

    jax: Isolated
    torch: Isolated
    passive: Isolated | None = None


def isolated_sides(
    model: str,
    sizes: Sequence[int],
    data: Sequence[NumpyBatches],
    threads: int,
    jax_options: dict[str, Any],
    torch_options: dict[str, Any],
    alternations: int = 1,
    passive: bool = False,
) -> Sides:
    """`jax_side` and `torch_side` at `threads` cores, each in a fresh
    process pinned before it starts.

    With `alternations` > 1 the processes alternate (JAX, PyTorch, JAX,
    ...) and each side's repeats are pooled, so that a slow spell of the
    machine falls on both libraries. With `passive`, one more PyTorch
    process runs the first size right after, alike in every setting but
    OpenMP's passive wait policy: libgomp's threads spin while they wait
    for work by default, taking time from whatever else wants the cores;
    passive threads sleep.
    """
    env = {"JAX_PLATFORMS": "cpu"}  # the PyTorch side leaves JAX alone
    common = dict(threads=threads, preload=("torch",), **torch_options)
    jax_runs, torch_runs = [], []
    for _ in range(alternations):
        jax_runs.append(run_isolated(jax_side, model, sizes, data,
                                     threads=threads, **jax_options))
        torch_runs.append(run_isolated(torch_side, model, sizes, data,
                                       env=env, **common))
    quiet = None
    if passive:
        eager_only = {**common, "compiled_sizes": (), "explain": False}
        quiet = run_isolated(
            torch_side, model, sizes[:1], data[:1],
            env={**env, "OMP_WAIT_POLICY": "passive"}, **eager_only)
    return Sides(_pooled(jax_runs), _pooled(torch_runs), quiet)


def _pooled(runs: list[Isolated]) -> Isolated:
    """The first run, its timings pooled with the other runs'."""
    value = dict(runs[0].value)
    value["timings"] = {
        name: {size: pool([r.value["timings"][name][size] for r in runs])
               for size in by_size}
        for name, by_size in value["timings"].items()
    }
    if "blocked" in value:
        value["blocked"] = {
            size: pool([r.value["blocked"][size] for r in runs])
            for size in value["blocked"]
        }
    started = any(r.jax_started for r in runs)
    return Isolated(value, runs[0].threads, runs[0].environment, started)
