"""The four programs in PyTorch, called eagerly or compiled by
`torch.compile`; both run under `torch.inference_mode()`."""

from typing import Any


def chain(x: Any) -> Any:
    """0.2 x + sin x + cos 2x."""
    import torch

    return 0.2 * x + torch.sin(x) + torch.cos(2 * x)


def matmul(a: Any, b: Any) -> Any:
    """a @ b."""
    return a @ b


def sum_of_squares(x: Any) -> Any:
    """sum(x * x)."""
    return (x * x).sum()


def laplacian(u: Any) -> Any:
    """Neighbours' sum minus 4 u at the interior points."""
    return (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:]
            - 4 * u[1:-1, 1:-1])


def add_one(x: Any) -> Any:
    """x + 1: the cheapest call, for the floor."""
    return x + 1


PROGRAMS = {"chain": chain, "matmul": matmul,
            "sum_of_squares": sum_of_squares, "laplacian": laplacian}
