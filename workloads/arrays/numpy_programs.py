"""The four programs in NumPy, vectorised: into arrays allocated once (its
best path), and as plain expressions that allocate their result (and
temporaries) each call, as `jax.jit`'s and `torch.compile`'s outputs are."""

import numpy as np

from workloads.elementwise import f_numpy, f_numpy_out


def chain(x: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> np.ndarray:
    """0.2 x + sin x + cos 2x into `out` (see `f_numpy_out`)."""
    return f_numpy_out(x, out, tmp)


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """a @ b into `out` (OpenBLAS sgemm)."""
    return np.matmul(a, b, out=out)


def sum_of_squares(x: np.ndarray) -> np.ndarray:
    """x · x: one BLAS sdot, no temporary for x²."""
    return np.dot(x, x)


def laplacian(u: np.ndarray, out: np.ndarray, tmp: np.ndarray
              ) -> np.ndarray:
    """Neighbours' sum minus 4 u at the interior points, into `out`."""
    np.add(u[:-2, 1:-1], u[2:, 1:-1], out=out)
    np.add(out, u[1:-1, :-2], out=out)
    np.add(out, u[1:-1, 2:], out=out)
    np.multiply(u[1:-1, 1:-1], 4, out=tmp)
    return np.subtract(out, tmp, out=out)


PROGRAMS = {"chain": chain, "matmul": matmul,
            "sum_of_squares": sum_of_squares, "laplacian": laplacian}


def matmul_new(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b into a new array."""
    return a @ b


def laplacian_new(u: np.ndarray) -> np.ndarray:
    """The stencil as one expression: a new array per operation."""
    return (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:]
            - 4 * u[1:-1, 1:-1])


# The sum of squares returns a scalar either way: it has no allocating twin.
ALLOCATING = {"chain": f_numpy, "matmul": matmul_new,
              "laplacian": laplacian_new}


def arguments(program: str, args: tuple[np.ndarray, ...]
              ) -> tuple[np.ndarray, ...]:
    """The inputs and the preallocated outputs the program writes into."""
    if program == "chain":
        return (*args, np.empty_like(args[0]), np.empty_like(args[0]))
    if program == "matmul":
        return (*args, np.empty_like(args[0]))
    if program == "laplacian":
        m = args[0].shape[0]
        return (*args, *(np.empty((m - 2, m - 2), np.float32)
                         for _ in range(2)))
    return args
