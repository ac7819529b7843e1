"""Data-parallel training of the nnx-overhead MLP: the batch split over a
1-D mesh of devices ("data"), parameters replicated, and XLA inserting the
all-reduce that averages the gradients.

The step is the split/merge form of `workloads.mlp.train_step` under
`jax.jit` with explicit `in_shardings`/`out_shardings`: the program is
written for the whole batch, and the shardings alone decide how XLA
partitions it. BatchNorm's batch statistics are therefore over the whole
batch, as on one device (its mean and variance are all-reduced too).
`model_shardings` gives the model-parallel variant: each hidden Linear's
kernel split by output column over a "model" axis.

Meshes here are made with `AxisType.Auto`: `jax.make_mesh` in jax 0.10.2
defaults to `Explicit` axes, where shardings become part of array types
and eager code on sharded arrays may demand `out_sharding=` arguments.
"""

from collections.abc import Callable
from typing import Any

import jax
import numpy as np
from flax import nnx
from jax.sharding import AxisType, Mesh, NamedSharding, PartitionSpec as P

from workloads import mlp

WIDTH, DEPTH, BATCH = 64, 4, 64  # a batch of 64 splits evenly over 1-8 devices
DATA, MODEL = "data", "model"
# Reduction order differs with the split: parameters after a few SGD steps
# agree with one device to float32 rounding (seen: ~1e-7), not bit for bit.
RTOL, ATOL = 1e-5, 1e-6

State = Any
Step = Callable[[State, jax.Array, jax.Array], tuple[State, jax.Array]]


def data_mesh(devices: int | None = None) -> Mesh:
    """A 1-D mesh named "data" over the first `devices` devices (all by
    default)."""
    found = jax.devices()
    chosen = found if devices is None else found[:devices]
    return jax.make_mesh((len(chosen),), (DATA,), (AxisType.Auto,),
                         devices=chosen)


def replicated(mesh: Mesh, tree: Any) -> Any:
    """The same NamedSharding(mesh, P()) for every leaf of `tree`: each
    device holds a full copy."""
    return jax.tree.map(lambda _: NamedSharding(mesh, P()), tree)


def model_shardings(mesh: Mesh, state: State) -> Any:
    """Model parallel: each square (hidden) Linear kernel split by output
    column over the mesh's "model" axis; every other leaf replicated."""

    def spec(leaf: jax.Array) -> NamedSharding:
        square = leaf.ndim == 2 and leaf.shape[0] == leaf.shape[1]
        return NamedSharding(mesh, P(None, MODEL) if square else P())

    return jax.tree.map(spec, state)


def make_state(width: int = WIDTH, depth: int = DEPTH,
               seed: int = 0) -> tuple[nnx.GraphDef[Any], State]:
    """The MLP and its SGD optimizer (`mlp.make`), split into a graph
    definition and a pytree of arrays."""
    return nnx.split(mlp.make(width, depth, graph=True, seed=seed))


def sharded_step(graphdef: nnx.GraphDef[Any], mesh: Mesh,
                 state_shardings: Any) -> Step:
    """`mlp.train_step` on (state, x, y) jitted with the state laid out as
    `state_shardings` and the batch split over "data" (or replicated when
    the mesh has no "data" axis)."""
    batch_spec = P(DATA) if DATA in mesh.axis_names else P()
    batch = NamedSharding(mesh, batch_spec)

    def step(state: State, x: jax.Array, y: jax.Array
             ) -> tuple[State, jax.Array]:
        model, optimizer = nnx.merge(graphdef, state)
        loss = mlp.train_step(model, optimizer, x, y)
        return nnx.state((model, optimizer)), loss

    return jax.jit(step,
                   in_shardings=(state_shardings, batch, batch),
                   out_shardings=(state_shardings, NamedSharding(mesh, P())),
                   donate_argnums=0)


def data_parallel_step(graphdef: nnx.GraphDef[Any], state: State,
                       mesh: Mesh) -> Step:
    """The data-parallel step: batch over "data", state replicated."""
    return sharded_step(graphdef, mesh, replicated(mesh, state))


def layout(state: State, devices: int | None = None,
           model_axis: bool = False) -> tuple[Mesh, Any]:
    """The mesh over the first `devices` devices and the state's
    shardings: replicated over "data", or split over "model"."""
    if not model_axis:
        mesh = data_mesh(devices)
        return mesh, replicated(mesh, state)
    chosen = jax.devices() if devices is None else jax.devices()[:devices]
    mesh = jax.make_mesh((len(chosen),), (MODEL,), (AxisType.Auto,),
                         devices=chosen)
    return mesh, model_shardings(mesh, state)


def train(steps: int, devices: int | None = None, *, model_axis: bool = False,
          width: int = WIDTH, depth: int = DEPTH, batch: int = BATCH,
          seed: int = 0) -> tuple[list[np.ndarray], list[float]]:
    """Train `steps` SGD steps on `devices` devices (data parallel, or with
    `model_axis` model parallel over them); return every state array on the
    host, in `nnx.state` order, and the losses."""
    graphdef, state = make_state(width, depth, seed)
    mesh, shardings = layout(state, devices, model_axis)
    step = sharded_step(graphdef, mesh, shardings)
    state = jax.tree.map(global_array, state, shardings)
    spec = NamedSharding(mesh, P(DATA) if DATA in mesh.axis_names else P())
    losses = []
    for x, y in mlp.numpy_batches(steps, batch, seed):
        state, loss = step(state, global_array(x, spec),
                           global_array(y, spec))
        losses.append(float(loss))
    return [np.asarray(a) for a in jax.tree.leaves(state)], losses


def global_array(host: Any, sharding: NamedSharding) -> jax.Array:
    """A global array laid out as `sharding` from a value every process
    holds whole: each process fills only its own devices' pieces (one
    process or many)."""
    host = np.asarray(host)
    return jax.make_array_from_callback(host.shape, sharding,
                                        lambda index: host[index])


def parameter_bytes(width: int = WIDTH, depth: int = DEPTH) -> int:
    """Bytes of the MLP's parameters (nnx.Param: kernels, biases,
    BatchNorm scales and offsets): what a gradient all-reduce sums."""
    model, _ = mlp.make(width, depth, graph=True)
    params = nnx.state(model, nnx.Param)
    return sum(a.size * a.dtype.itemsize for a in jax.tree.leaves(params))


def batch_norm_statistics_bytes(width: int = WIDTH,
                                depth: int = DEPTH) -> int:
    """Bytes of one mean and one variance per BatchNorm layer (float32):
    the batch statistics a sharded forward pass must all-reduce."""
    return 2 * (depth - 1) * width * 4


def timed_step(devices: int | None = None, *, model_axis: bool = False,
               width: int = WIDTH, depth: int = DEPTH, batch: int = BATCH,
               target_s: float | None = None) -> Any:
    """A `Timing` of one sharded step on `devices` devices (compile apart),
    measured where it runs: call it through `devices.run_on_devices`."""
    import perfguide as pg

    graphdef, state = make_state(width, depth)
    mesh, shardings = layout(state, devices, model_axis)
    step = sharded_step(graphdef, mesh, shardings)
    carried = [jax.device_put(state, shardings)]
    spec = P(DATA) if DATA in mesh.axis_names else P()
    x, y = (jax.device_put(a, NamedSharding(mesh, spec))
            for a in mlp.numpy_batches(1, batch)[0])

    def one_step() -> tuple[State, jax.Array]:
        carried[0], loss = step(carried[0], x, y)
        return carried[0], loss  # wait on every output

    return pg.time_call(one_step, target_s=target_s)
