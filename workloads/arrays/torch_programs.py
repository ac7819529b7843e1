"""The four programs in PyTorch: as expressions for `torch.compile`, and
eagerly into tensors allocated once (`out=`, as NumPy's best path); both
run under `torch.inference_mode()`."""

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


PROGRAMS = {"chain": chain, "matmul": matmul,
            "sum_of_squares": sum_of_squares, "laplacian": laplacian}


def chain_out(x: Any, out: Any, tmp: Any) -> Any:
    """The chain into `out`, as NumPy's `f_numpy_out`: no allocation."""
    import torch

    torch.mul(x, 2, out=tmp)
    torch.cos(tmp, out=tmp)
    torch.sin(x, out=out)
    torch.add(out, tmp, out=out)
    torch.mul(x, 0.2, out=tmp)
    return torch.add(out, tmp, out=out)


def matmul_out(a: Any, b: Any, out: Any) -> Any:
    """a @ b into `out`."""
    import torch

    return torch.matmul(a, b, out=out)


def sum_of_squares_dot(x: Any) -> Any:
    """x · x: one dot product, no temporary for x² (as NumPy's)."""
    import torch

    return torch.dot(x, x)


def laplacian_out(u: Any, out: Any, tmp: Any) -> Any:
    """The stencil into `out`, as NumPy's."""
    import torch

    torch.add(u[:-2, 1:-1], u[2:, 1:-1], out=out)
    torch.add(out, u[1:-1, :-2], out=out)
    torch.add(out, u[1:-1, 2:], out=out)
    torch.mul(u[1:-1, 1:-1], 4, out=tmp)
    return torch.sub(out, tmp, out=out)


EAGER = {"chain": chain_out, "matmul": matmul_out,
         "sum_of_squares": sum_of_squares_dot, "laplacian": laplacian_out}
