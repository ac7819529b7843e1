"""The MLP of Flax's `benchmarks/nnx_simple_training.py` in NNX and, with the same weights, in PyTorch."""

from collections.abc import Callable
from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

if TYPE_CHECKING:
    import torch

    from perfguide.isolated import Isolated
    from perfguide.timing import Timing

LEARNING_RATE = 1e-3


class Block(nnx.Module):
    """Linear, then BatchNorm (batch statistics while training), then ReLU."""

    def __init__(self, din: int, dout: int, *, rngs: nnx.Rngs) -> None:
        self.linear = nnx.Linear(din, dout, rngs=rngs)
        self.bn = nnx.BatchNorm(dout, use_running_average=False, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        return nnx.relu(self.bn(self.linear(x)))


class MLP(nnx.Module):
    """`depth - 1` Blocks of `width` units, then a Linear output layer."""

    def __init__(self, width: int, depth: int, *, rngs: nnx.Rngs) -> None:
        sizes = [1] + [width] * (depth - 1)
        pairs = zip(sizes[:-1], sizes[1:])
        self.blocks = nnx.List([Block(a, b, rngs=rngs) for a, b in pairs])
        self.out = nnx.Linear(width, 1, rngs=rngs)

    def __call__(self, x: jax.Array) -> jax.Array:
        for block in self.blocks:
            x = block(x)
        return self.out(x)


def model_and_optimizer(width: int, depth: int, *, graph: bool, seed: int = 0) -> tuple[MLP, nnx.Optimizer]:
    """A fresh MLP (same weights for the same seed) and its SGD optimizer in the given Flax mode."""
    model = MLP(width, depth, rngs=nnx.Rngs(seed))
    return model, nnx.Optimizer(model, optax.sgd(LEARNING_RATE), wrt=nnx.Param, graph=graph)


def train_step(
    model: MLP, optimizer: nnx.Optimizer, x: jax.Array, y: jax.Array
) -> jax.Array:
    """One SGD step on the mean squared error; returns the loss before it."""

    def loss_fn(model: MLP) -> jax.Array:
        return jnp.mean((model(x) - y) ** 2)

    loss, grads = nnx.value_and_grad(loss_fn)(model)
    optimizer.update(model, grads)
    return loss


def numpy_batches(steps: int, batch_size: int = 32, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """The benchmark's data (y = 0.8 x^2 + 0.1 + noise), sampled into NumPy batches."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, 100, dtype=np.float32)[:, None]
    y = (0.8 * x**2 + 0.1 + rng.normal(0, 0.1, size=x.shape)).astype(np.float32)
    index = rng.integers(0, len(x), size=(steps, batch_size))
    return [(x[i], y[i]) for i in index]


def batches(steps: int, batch_size: int = 32, seed: int = 0) -> list[tuple[jax.Array, jax.Array]]:
    """The same batches as `numpy_batches`, device-resident."""
    return [(jax.device_put(x), jax.device_put(y)) for x, y in numpy_batches(steps, batch_size, seed)]


def state_arrays(model: nnx.Module, optimizer: nnx.Optimizer) -> list[jax.Array]:
    """Every array a training step reads and writes: parameters, batch statistics, optimizer state."""
    return jax.tree.leaves(nnx.state((model, optimizer)))


BN_EPSILON, BN_MOMENTUM = 1e-5, 0.99  # nnx.BatchNorm's defaults, which the MLP uses


def torch_mlp(width: int, depth: int, device: str = "cpu") -> "torch.nn.Module":
    """The MLP's architecture in PyTorch, with PyTorch's own initial weights (no JAX involved)."""
    import torch

    sizes = [1] + [width] * (depth - 1)
    layers: list[torch.nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        bn = torch.nn.BatchNorm1d(b, eps=BN_EPSILON, momentum=1 - BN_MOMENTUM)
        layers += [torch.nn.Linear(a, b), bn, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers, torch.nn.Linear(width, 1)).to(device)


def torch_twin(model: MLP, device: str = "cpu") -> "torch.nn.Module":
    """The same MLP in PyTorch on `device`, with the NNX model's current weights copied in."""
    import torch

    layers: list[torch.nn.Module] = []
    for block in model.blocks:
        linear = _torch_linear(block.linear)
        assert (block.bn.epsilon, block.bn.momentum) == (BN_EPSILON, BN_MOMENTUM), "torch_mlp would differ"
        bn = torch.nn.BatchNorm1d(linear.out_features, eps=block.bn.epsilon, momentum=1 - block.bn.momentum)
        with torch.no_grad():
            bn.weight.copy_(torch.from_numpy(np.array(block.bn.scale[...])))
            bn.bias.copy_(torch.from_numpy(np.array(block.bn.bias[...])))
        layers += [linear, bn, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers, _torch_linear(model.out)).to(device)


def _torch_linear(linear: nnx.Linear) -> "torch.nn.Linear":
    """A torch Linear holding an NNX Linear's kernel (transposed) and bias."""
    import torch

    din, dout = linear.kernel.shape
    out = torch.nn.Linear(din, dout)
    with torch.no_grad():
        out.weight.copy_(torch.from_numpy(np.array(linear.kernel[...]).T))
        out.bias.copy_(torch.from_numpy(np.array(linear.bias[...])))
    return out


def torch_sgd(model: "torch.nn.Module", fused: bool = True) -> "torch.optim.Optimizer":
    """PyTorch's fastest ordinary SGD for `model`: the fused kernel, else the multi-tensor (foreach) one.

    Under `torch.compile` use fused=False: the fused kernel is opaque to the compiler (a graph break),
    while the foreach implementation is traced and fused by it.
    """
    import torch

    if not fused:
        return torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, foreach=True)
    try:
        return torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, fused=True)
    except (RuntimeError, ValueError):  # no fused SGD for this device in this PyTorch
        return torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, foreach=True)


def torch_step(
    model: "torch.nn.Module", *, compiled: bool = False
) -> Callable[["torch.Tensor", "torch.Tensor"], "torch.Tensor"]:
    """A PyTorch SGD step for `model`: eager (fused SGD), or the step function under `torch.compile`."""
    import torch

    optimizer = torch_sgd(model, fused=not compiled)

    def step(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        optimizer.zero_grad(set_to_none=True)
        loss = torch.mean((model(x) - y) ** 2)
        loss.backward()
        optimizer.step()
        return loss.detach()

    kind = "fused" if optimizer.defaults.get("fused") else "foreach"
    step.sgd = kind  # type: ignore[attr-defined]
    if not compiled:
        return step
    out = torch.compile(step, dynamic=False)
    out.sgd, out.eager = kind, step  # type: ignore[attr-defined]
    return out


def count_leaves(tree: object) -> int:
    """The arrays in a pytree, counted: a flatten with an int out."""
    return len(jax.tree.leaves(tree))


def torch_batches(
    batches: list[tuple[jax.Array, jax.Array]], device: str = "cpu"
) -> list[tuple["torch.Tensor", "torch.Tensor"]]:
    """The same batches as PyTorch tensors on `device` (copied, so that torch owns writable memory)."""
    import torch

    return [(torch.from_numpy(np.array(x)).to(device), torch.from_numpy(np.array(y)).to(device)) for x, y in batches]


# The width sweep's variants, in the order the page shows them: name -> (builder, Flax graph mode).
JAX_VARIANTS = ("nnx.jit", "nnx.jit(graph=False)", "nnx.jit_partial", "nnx.cached_partial", "jax.jit split/merge")
TORCH_EAGER, TORCH_COMPILED = "PyTorch eager", "torch.compile"
BLOCKED_OF = "nnx.jit"  # the variant also timed blocked per step (latency)


def jax_step(name: str, width: int, depth: int) -> Callable[..., jax.Array]:
    """A fresh model and optimizer (seed 0) driven by the named variant of `nnx_variants`."""
    from workloads import nnx_variants as nv

    builder, graph = nv.PYTHON_LOOPS[name]
    return builder(train_step, *model_and_optimizer(width, depth, graph=graph))


def _time_interleaved(
    steps: dict[str, Callable[..., object]], data: list[tuple[object, ...]], rounds: int, repeats: int
) -> dict[str, "Timing"]:
    """Time `run_steps` of each step over `data`, the variants taking turns for `rounds` rounds.

    Each round times every variant with `repeats` repeats; the rounds' repeats are pooled, so a slow
    spell of the machine lands on every variant rather than on whichever ran during it.
    """
    from workloads.nnx_variants import run_steps
    from perfguide.timing import Timing, time_call

    parts: dict[str, list[Timing]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            warmup = 1 if not parts[name] else 0
            parts[name].append(
                time_call(run_steps, step, data, repeats=repeats, warmup=warmup, mode="throughput")
            )
    return {name: pool(timings).scaled(1 / len(data)) for name, timings in parts.items()}


def pool(timings: list["Timing"]) -> "Timing":
    """One Timing holding the repeats of several (rounds, or alternating processes) of one measurement."""
    from perfguide.timing import Timing

    first = timings[0]
    per_call = tuple(t for timing in timings for t in timing.per_call_s)
    harness = float(np.mean([timing.harness_s for timing in timings]))
    return Timing(first.first_call_s, per_call, first.calls_per_repeat, first.mode, harness)


def _pool_runs(runs: list["Isolated"], keys: tuple[str, ...]) -> "Isolated":
    """The first run, with the Timings under `keys` of its value pooled over all the runs."""
    from perfguide.isolated import Isolated

    value = dict(runs[0].value)
    for key in keys:
        table = value[key]
        if all(isinstance(t, dict) for t in table.values()):  # name -> width -> Timing
            value[key] = {n: {w: pool([r.value[key][n][w] for r in runs]) for w in by_w} for n, by_w in table.items()}
        else:  # width -> Timing
            value[key] = {w: pool([r.value[key][w] for r in runs]) for w in table}
    return Isolated(value, runs[0].threads, runs[0].environment, any(r.jax_started for r in runs))


def jax_width_sweep(
    widths: list[int],
    steps: list[int],
    depth: int,
    rounds: int = 1,
    repeats: int = 5,
    variants: tuple[str, ...] = JAX_VARIANTS,
) -> dict[str, dict]:
    """Seconds per step of every JAX variant at every width (run in an isolated process).

    Each figure in "timings" is a throughput: a pipelined run of `steps[i]` steps waited on at the
    end (`run_steps`), divided by the number of steps. "blocked" holds the latency of one step of
    graph-mode `nnx.jit`, each call waited on, at every width: the pipelined figure's gap below it
    is the Python work that overlapped with XLA's compute.
    """
    from perfguide.timing import time_call

    out: dict[str, dict[int, Timing]] = {name: {} for name in variants}
    blocked: dict[int, Timing] = {}
    for width, n in zip(widths, steps, strict=True):
        data = batches(n)
        runs = {name: jax_step(name, width, depth) for name in variants}
        for name, timing in _time_interleaved(runs, data, rounds, repeats).items():
            out[name][width] = timing
        if BLOCKED_OF in runs:
            blocked[width] = time_call(runs[BLOCKED_OF], *data[0], repeats=repeats * rounds, mode="latency")
        del runs
    return {"timings": out, "blocked": blocked}


def torch_width_sweep(
    widths: list[int],
    steps: list[int],
    depth: int,
    device: str = "cpu",
    compiled_widths: tuple[int, ...] = (),
    rounds: int = 1,
    repeats: int = 5,
    check_steps: int = 20,
    eager: bool = True,
    initial: dict[int, dict[str, object]] | None = None,
) -> dict[str, object]:
    """Seconds per step of PyTorch eager (fused SGD) at every width, and of `torch.compile` at some.

    JAX's runtime never starts here (its thread pool would sit beside PyTorch's): the data come as
    NumPy, and each model starts from PyTorch's own initial weights, except at widths for which
    `initial` holds a state dict (e.g. `torch_twin(nnx_model).state_dict()`: the NNX weights).
    The values do not change the work of a step. Returns {"timings": {name: {width: Timing}},
    "compile_s": {width: seconds}, "check_losses": {name: losses}, "sgd": {name: "fused" or
    "foreach"}, "graph_breaks": count or None}: the losses of `check_steps` steps at the smallest
    width, from its initial weights, for the page's equivalence check; the graph breaks that
    `torch._dynamo.explain` counts in the compiled step, once, at the first compiled width.
    """
    import copy
    import time

    import torch

    timings: dict[str, dict[int, Timing]] = {TORCH_EAGER: {}, TORCH_COMPILED: {}}
    compile_s: dict[int, float] = {}
    check: dict[str, list[float]] = {}
    sgd: dict[str, str] = {}
    graph_breaks = None
    for width, n in zip(widths, steps, strict=True):
        data = torch_batches(numpy_batches(n), device)
        start_from = torch_mlp(width, depth)
        if initial and width in initial:
            start_from.load_state_dict(initial[width])
        kinds = [TORCH_EAGER] * eager + [TORCH_COMPILED] * (width in compiled_widths)
        if TORCH_COMPILED in kinds and graph_breaks is None:  # on a copy: explain runs the step
            probe = torch_step(copy.deepcopy(start_from).to(device), compiled=True).eager
            graph_breaks = int(torch._dynamo.explain(probe)(*data[0]).graph_break_count)
            torch.compiler.reset()
        runs = {
            kind: torch_step(copy.deepcopy(start_from).to(device), compiled=kind == TORCH_COMPILED) for kind in kinds
        }
        sgd.update({kind: step.sgd for kind, step in runs.items()})
        # The first call compiles; at the smallest width the first calls are the checked steps.
        first = torch_batches(numpy_batches(check_steps), device) if width == widths[0] else data[:1]
        first_s = {}
        for kind, step in runs.items():
            start = time.perf_counter()
            losses = [step(*first[0]).item()]
            first_s[kind] = time.perf_counter() - start
            losses += [step(*b).item() for b in first[1:]]
            if width == widths[0]:
                check[kind] = losses
        for name, timing in _time_interleaved(runs, data, rounds, repeats).items():
            timings[name][width] = timing
            if name == TORCH_COMPILED:
                compile_s[width] = max(first_s[name] - timing.median_s, 0.0)
        del runs, start_from
        torch.compiler.reset()  # a fresh compile cache per width, as a new model would get
    return {"timings": timings, "compile_s": compile_s, "check_losses": check, "sgd": sgd, "graph_breaks": graph_breaks}


def isolated_width_sweep(
    widths: list[int],
    steps: list[int],
    depth: int,
    threads: int,
    device: str = "cpu",
    compiled_widths: tuple[int, ...] = (),
    rounds: int = 1,
    repeats: int = 5,
    passive: bool = False,
    alternations: int = 1,
) -> tuple["Isolated", "Isolated", "Isolated | None"]:
    """Both sides of the width sweep at `threads` cores, each in a fresh process of its own.

    The JAX side times every variant of `JAX_VARIANTS`; the PyTorch side times eager PyTorch and
    `torch.compile`, starting at the smallest width from the NNX model's weights (for the check;
    at the other widths from PyTorch's own, which do not change the work). With `passive`, a third
    process runs PyTorch eager at the smallest width right after the second, like it in every
    setting (rounds, repeats, environment, the checked first steps) but with OpenMP's passive
    wait policy: libgomp's threads spin by default while they wait for work, which takes time from
    whatever else wants the cores; passive threads sleep. With `alternations` > 1 the JAX and
    PyTorch processes alternate (JAX, PyTorch, JAX, PyTorch, ...) and each side's repeats are pooled,
    so that a slow spell of the machine falls on both libraries rather than on one.
    """
    from perfguide.isolated import run_isolated

    nnx_model, _ = model_and_optimizer(widths[0], depth, graph=True)
    initial = {widths[0]: torch_twin(nnx_model).state_dict()}

    common = dict(device=device, rounds=rounds, repeats=repeats, initial=initial, threads=threads, preload=("torch",))
    jax_runs, torch_runs = [], []
    for _ in range(alternations):
        jax_runs.append(
            run_isolated(jax_width_sweep, widths, steps, depth, rounds=rounds, repeats=repeats, threads=threads)
        )
        torch_runs.append(
            run_isolated(
                torch_width_sweep, widths, steps, depth, compiled_widths=compiled_widths, env={"JAX_PLATFORMS": "cpu"}, **common
            )
        )
    jax_run = _pool_runs(jax_runs, ("timings", "blocked"))
    torch_run = _pool_runs(torch_runs, ("timings",))
    passive_run = None
    if passive:
        passive_run = run_isolated(
            torch_width_sweep,
            widths[:1],
            steps[:1],
            depth,
            env={"JAX_PLATFORMS": "cpu", "OMP_WAIT_POLICY": "passive"},
            **common,
        )
    return jax_run, torch_run, passive_run
