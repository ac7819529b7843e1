"""The four programs in NumPy, vectorised, writing into arrays allocated once
where that saves an allocation per call."""

import numpy as np

from workloads.elementwise import f_numpy_out


def chain(x: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> np.ndarray:
    """0.2 x + sin x + cos 2x into `out` (see `f_numpy_out`)."""
    return f_numpy_out(x, out, tmp)


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """a @ b into `out` (OpenBLAS sgemm)."""
    return np.matmul(a, b, out=out)


def sum_of_squares(x: np.ndarray) -> np.ndarray:
    """x · x: one BLAS sdot, no temporary for x²."""
    return np.dot(x, x)


def laplacian(u: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Neighbours' sum minus 4 u at the interior points, into `out`."""
    np.add(u[:-2, 1:-1], u[2:, 1:-1], out=out)
    np.add(out, u[1:-1, :-2], out=out)
    np.add(out, u[1:-1, 2:], out=out)
    out -= 4 * u[1:-1, 1:-1]
    return out


PROGRAMS = {"chain": chain, "matmul": matmul,
            "sum_of_squares": sum_of_squares, "laplacian": laplacian}


def arguments(program: str, args: tuple[np.ndarray, ...]
              ) -> tuple[np.ndarray, ...]:
    """The inputs and the preallocated outputs the program writes into."""
    if program == "chain":
        return (*args, np.empty_like(args[0]), np.empty_like(args[0]))
    if program == "matmul":
        return (*args, np.empty_like(args[0]))
    if program == "laplacian":
        m = args[0].shape[0]
        return (*args, np.empty((m - 2, m - 2), np.float32))
    return args


def add_one(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """x + 1 into `out`: the cheapest call, for the floor."""
    return np.add(x, 1, out=out)
