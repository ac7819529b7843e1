"""The digits, split once, and the ways to feed them: NumPy batches from
the host, a PyTorch `DataLoader`, or arrays staged on the device once.

scikit-learn's 8x8 digits ship inside its wheel (nothing is downloaded):
1,797 images, pixels 0..16, scaled here to [0, 1] in float32. Every side
trains on the same split and sees the batches in the same order: one
permutation of the training images per epoch, drawn from one NumPy seed,
the last partial batch dropped on every side.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch

TEST_IMAGES = 360  # 20 % of 1,797, stratified by digit
BATCH = 32
SEED = 0  # the split and every epoch's order


@dataclass(frozen=True)
class Digits:
    """The split: images (n, 8, 8, 1) float32 in [0, 1], labels int32."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def steps_per_epoch(self) -> int:
        """Full batches per epoch: the last partial batch is dropped."""
        return len(self.x_train) // BATCH


def load(seed: int = SEED) -> Digits:
    """The bundled digits, split stratified into 1,437 / 360 images."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    images, labels = load_digits(return_X_y=True)
    x = (images / 16.0).astype(np.float32).reshape(-1, 8, 8, 1)
    y = labels.astype(np.int32)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=TEST_IMAGES, stratify=y, random_state=seed)
    return Digits(*(np.ascontiguousarray(a)
                    for a in (x_train, y_train, x_test, y_test)))


def epoch_orders(
    digits: Digits, epochs: int, seed: int = SEED
) -> np.ndarray:
    """Batch indices of every epoch, shape (epochs, steps, BATCH): one
    permutation per epoch from one NumPy generator."""
    rng = np.random.default_rng(seed)
    steps, n = digits.steps_per_epoch, len(digits.x_train)
    orders = [rng.permutation(n)[: steps * BATCH] for _ in range(epochs)]
    return np.stack(orders).reshape(epochs, steps, BATCH).astype(np.int32)


def host_batches(
    x: np.ndarray, y: np.ndarray, order: np.ndarray
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The host-side loader: one epoch of NumPy batches, gathered on the
    host, one per step."""
    for ids in order:
        yield x[ids], y[ids]


def prefetched(
    batches: Iterator[tuple[np.ndarray, ...]],
) -> Iterator[tuple[Any, ...]]:
    """`batches` put on JAX's device one batch ahead: the next batch's
    transfer is issued before the current one is handed out."""
    import jax

    ahead = None
    for batch in batches:
        staged = jax.device_put(batch)
        if ahead is not None:
            yield ahead
        ahead = staged
    if ahead is not None:
        yield ahead


class EpochOrder:
    """A batch sampler that yields one epoch's index lists, in order."""

    def __init__(self, order: np.ndarray) -> None:
        self.order = order

    def __iter__(self) -> Iterator[list[int]]:
        return iter(self.order.tolist())

    def __len__(self) -> int:
        return len(self.order)


def torch_loader(
    x: np.ndarray, y: np.ndarray, order: np.ndarray, **options: Any
) -> "torch.utils.data.DataLoader":
    """PyTorch's ordinary loader for one epoch: a `TensorDataset` and a
    `DataLoader` (num_workers=0 unless `options` say otherwise) that
    collates the samples of each batch in the given order."""
    import torch
    from torch.utils.data import DataLoader, TensorDataset

    dataset = TensorDataset(*torch_images_labels(x, y))
    return DataLoader(dataset, batch_sampler=EpochOrder(order),
                      num_workers=options.pop("num_workers", 0), **options)


def torch_images_labels(
    x: np.ndarray, y: np.ndarray
) -> tuple["torch.Tensor", "torch.Tensor"]:
    """Images NHWC -> NCHW float32 and labels int64 (what
    `cross_entropy` takes), as torch tensors on the CPU."""
    import torch

    images = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    return images, torch.from_numpy(y.astype(np.int64))
