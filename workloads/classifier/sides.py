"""Each library's side of the classifier comparison, run in a process of
its own (`pg.run_isolated`) at one thread setting.

A side trains every implementation from the same initial weights on the
same epochs (data order fixed by the page). The epochs are timed as they
train: the implementations take turns epoch by epoch (the order rotated
each epoch), so a slow spell of the machine falls on all of them. Each
epoch's steps are issued back to back and its last output waited on
inside the clock (throughput per epoch), with the write-back into the
model that evaluating it needs; the test accuracy is read after the clock
stops. The first epoch, which compiles, is kept apart. The
PyTorch side never runs a JAX operation.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from perfguide.interleave import time_interleaved
from perfguide.timing import Timing, time_once
from workloads.classifier import data as dt
from workloads.sides import TORCH_COMPILED, TORCH_EAGER

STAGED, HOST, PREFETCH = ("staged on the device", "host NumPy batches",
                          "host batches, prefetched")
LOADER = "DataLoader"  # PyTorch's ordinary loader, num_workers=0


@dataclass(frozen=True)
class Run:
    """One implementation training one model."""

    timing: Timing  # seconds per epoch, epochs after the first
    accuracy: tuple[float, ...]  # test accuracy after each epoch
    losses: np.ndarray  # every step's loss in the first epoch

    @property
    def compile_s(self) -> float:
        """The first epoch beyond a steady one: compilation and first-run
        costs."""
        return self.timing.compile_s


@dataclass(frozen=True)
class Side:
    """What one process measured."""

    runs: dict[str, dict[str, Run]]  # model kind -> implementation -> Run
    feeding: dict[str, Timing]  # way of feeding -> seconds per epoch
    failed: dict[str, str] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Trainer:
    """How a side trains one implementation, epoch by epoch."""

    first_epoch: Callable[[], Any]  # epoch 0: every step's loss
    epoch: Callable[[int], Any]  # epoch e: an output to wait on
    settle: Callable[[], None]  # in the clock: state back in the model
    accuracy: Callable[[], float]  # on the test images


def _settled(trainer: Trainer, epoch: int) -> Any:
    """One epoch, then the trained state put back into the model."""
    out = trainer.epoch(epoch)
    trainer.settle()
    return out


def train_in_turns(
    trainers: dict[str, Trainer], epochs: int,
    fragile: tuple[str, ...] = (),
    failed: dict[str, str] | None = None,
) -> dict[str, Run]:
    """Train every implementation `epochs` epochs, taking turns epoch by
    epoch; time each epoch, read the test accuracy after it. A `fragile`
    implementation whose first epoch raises (e.g. `torch.compile`
    without a C++ compiler) is left out, the error kept in `failed`."""
    trainers = dict(trainers)
    first: dict[str, float] = {}
    losses: dict[str, np.ndarray] = {}
    seconds: dict[str, list[float]] = {name: [] for name in trainers}
    accuracy: dict[str, list[float]] = {name: [] for name in trainers}
    names = list(trainers)
    for epoch in range(epochs):
        turn = epoch % len(names)
        for name in names[turn:] + names[:turn]:
            if name not in trainers:
                continue
            trainer = trainers[name]
            if epoch == 0:
                try:
                    first[name], out = time_once(trainer.first_epoch)
                except Exception as error:
                    if name not in fragile or failed is None:
                        raise
                    failed[name] = f"{type(error).__name__}: {error}"[:300]
                    del trainers[name]
                    continue
                losses[name] = np.asarray(out)
            else:  # the write-back an evaluation needs is in the clock
                seconds[name].append(time_once(_settled, trainer, epoch)[0])
            accuracy[name].append(trainer.accuracy())
    return {name: Run(Timing(first[name], tuple(seconds[name]), 1,
                             "throughput"),
                      tuple(accuracy[name]), losses[name])
            for name in names if name in trainers}


def jax_side(
    kinds: tuple[str, ...],
    digits: dt.Digits,
    orders: np.ndarray,
    loops: tuple[str, ...],
    feeding: tuple[str, str] | None = None,
    repeats: int = 5,
) -> Side:
    """The registry variants `loops` on each model kind; with `feeding`
    = (kind, variant), that variant fed three ways on that model, timed
    over repeats of one epoch (`time_interleaved`)."""
    import jax

    from workloads.classifier import flax_loops as fl
    from workloads.registry import VARIANTS

    x, y, x_test, y_test = (jax.device_put(a) for a in (
        digits.x_train, digits.y_train, digits.x_test, digits.y_test))
    batches = [fl.staged_batches(x, y, order) for order in orders]

    def trainer(name: str, kind: str) -> Trainer:
        variant = VARIANTS[name]
        nodes, step = fl.build(name, kind)
        runs = [variant.runner(step, epoch) for epoch in batches]
        return Trainer(
            lambda: fl.train_epoch(variant, step, batches[0]),
            lambda epoch: runs[epoch](),
            getattr(step, "write_back", lambda: None),
            lambda: fl.accuracy(nodes[0], x_test, y_test))

    runs = {kind: train_in_turns({name: trainer(name, kind)
                                  for name in loops}, len(orders))
            for kind in kinds}
    fed: dict[str, Timing] = {}
    if feeding:
        kind, name = feeding
        order = orders[0]
        ways = {
            STAGED: (VARIANTS[name].runner(fl.build(name, kind)[1],
                                           batches[0]), ()),
            HOST: (fl.run_host_epoch, (fl.host_step(name, kind),
                                       digits.x_train, digits.y_train,
                                       order)),
            PREFETCH: (fl.run_prefetched_epoch, (
                fl.host_step(name, kind), digits.x_train, digits.y_train,
                order)),
        }
        fed = time_interleaved(ways, repeats=repeats,  # type: ignore
                               warmup=1)
    return Side(runs, fed, notes={"backend": jax.default_backend()})


def torch_side(
    kinds: tuple[str, ...],
    digits: dt.Digits,
    orders: np.ndarray,
    weights: dict[str, dict[str, np.ndarray]],
    device: str = "cpu",
    feeding: str | None = None,
    repeats: int = 5,
) -> Side:
    """PyTorch eager and `torch.compile` on each model kind, from the NNX
    initial `weights`; with `feeding` (a kind), eager fed from staged
    tensors and from a `DataLoader`, timed over repeats of one epoch."""
    import torch

    from workloads.classifier import models
    from workloads.classifier import torch_loops as tl

    def staged(xs: np.ndarray, ys: np.ndarray) -> tuple[Any, ...]:
        return tuple(t.to(device) for t in dt.torch_images_labels(xs, ys))

    x, y = staged(digits.x_train, digits.y_train)
    x_test, y_test = staged(digits.x_test, digits.y_test)
    order_t = torch.from_numpy(orders.astype(np.int64)).to(device)
    ids = [list(order_t[epoch]) for epoch in range(len(orders))]
    failed: dict[str, str] = {}

    def trainer(name: str, kind: str) -> Trainer:
        model = models.torch_twin(kind, weights[kind]).to(device)
        step = models.torch_step(model, compiled=name == TORCH_COMPILED)
        return Trainer(
            lambda: tl.epoch_losses(step, x, y, ids[0]).cpu(),
            lambda epoch: tl.run_staged_epoch(step, x, y, ids[epoch]),
            lambda: None,
            lambda: models.torch_correct(model, x_test, y_test)
            / len(y_test))

    runs = {kind: train_in_turns({name: trainer(name, kind) for name in
                                  (TORCH_EAGER, TORCH_COMPILED)},
                                 len(orders), (TORCH_COMPILED,), failed)
            for kind in kinds}
    fed: dict[str, Timing] = {}
    if feeding:
        def eager(staged_step: bool) -> Any:
            model = models.torch_twin(feeding, weights[feeding]).to(device)
            return models.torch_step(model, staged=staged_step)

        loader = dt.torch_loader(digits.x_train, digits.y_train, orders[0],
                                 pin_memory=device == "cuda")
        fed = time_interleaved({
            STAGED: (tl.run_staged_epoch, (eager(True), x, y, ids[0])),
            LOADER: (tl.run_loader_epoch, (eager(False), loader, device)),
        }, repeats=repeats, warmup=1)
    probe: Any = models.torch_step(models.torch_model(kinds[0]))
    notes = {"optimizer": probe.optimizer_kind}
    return Side(runs, fed, failed, notes)
