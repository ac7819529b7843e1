"""The PyTorch side's training loops, eager or with `torch.compile`, one
epoch per run, fed from tensors staged once or by a `DataLoader`."""

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

Step = Callable[..., "torch.Tensor"]


def run_staged_epoch(
    step: Step, x: "torch.Tensor", y: "torch.Tensor",
    order: Sequence["torch.Tensor"],
) -> Any:
    """One epoch on tensors staged once: each step gathers its batch by
    index, as the JAX steps do; the last loss."""
    loss = None
    for ids in order:
        loss = step(x, y, ids)
    return loss


def run_loader_epoch(
    step: Step, loader: Iterable, device: str = "cpu"
) -> Any:
    """One epoch from a `DataLoader`, each batch moved to `device` (a
    no-op on the CPU); the last loss."""
    loss = None
    for x_batch, y_batch in loader:
        if device != "cpu":
            x_batch = x_batch.to(device, non_blocking=True)
            y_batch = y_batch.to(device, non_blocking=True)
        loss = step(x_batch, y_batch)
    return loss


def epoch_losses(
    step: Step, x: "torch.Tensor", y: "torch.Tensor",
    order: Sequence["torch.Tensor"],
) -> "torch.Tensor":
    """One staged epoch, every step's loss kept (for the checks)."""
    import torch

    return torch.stack([step(x, y, ids) for ids in order])
