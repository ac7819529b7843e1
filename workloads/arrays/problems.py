"""The four programs: their inputs (float32, one seed), float64 references,
how far a float32 result may stray, and the bytes each must move."""

import math

import numpy as np

from perfguide.profiles import pick
from workloads.elementwise import sample

# name -> what it computes; every library's module implements each one
PROGRAMS = {
    "chain": "0.2 x + sin x + cos 2x, element-wise",
    "matmul": "a @ b, two n × n matrices",
    "sum_of_squares": "the sum of x²",
    "laplacian": "5-point Laplacian of an m × m grid (interior points)",
}
TOLERANCE_FACTOR = 4  # allowed error: 4 eps sqrt(terms) of the result's scale
EPS = float(np.finfo(np.float32).eps)


def sizes() -> list[int]:
    """Elements per input of the element-wise, reduction and stencil programs."""
    return pick(quick=[1_000, 30_000, 1_000_000],
                full=[1_000, 10_000, 100_000, 1_000_000, 10_000_000])


def matmul_sizes() -> list[int]:
    """n of the n × n matrix products."""
    return pick(quick=[32, 100, 316], full=[32, 100, 316, 1_000])  # the roof measures 2048


def side(size: int) -> int:
    """The edge m of the square stencil grid with about `size` points."""
    return max(3, round(math.sqrt(size)))


def elements(program: str, size: int) -> int:
    """Elements of the program's input at the sweep size `size` (m² for the
    stencil, n² for the product); the page's x-axes use it."""
    if program == "laplacian":
        return side(size) ** 2
    return size * size if program == "matmul" else size


def inputs(program: str, size: int) -> tuple[np.ndarray, ...]:
    """The program's float32 inputs; `size` is n for `matmul`, else elements."""
    if program == "matmul":
        a = sample(size * size, seed=3).reshape(size, size) / 10
        return a, sample(size * size, seed=4).reshape(size, size) / 10
    if program == "laplacian":
        return (sample(side(size) ** 2, seed=5).reshape(side(size), -1),)
    return (sample(size, seed=2),)


def reference(program: str, *args: np.ndarray) -> np.ndarray:
    """The exact answer, computed in float64 from the float32 inputs."""
    x = [np.asarray(a, np.float64) for a in args]
    if program == "chain":
        return 0.2 * x[0] + np.sin(x[0]) + np.cos(2 * x[0])
    if program == "matmul":
        return x[0] @ x[1]
    if program == "sum_of_squares":
        return np.asarray(np.sum(x[0] * x[0]))
    u = x[0]
    return (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:]
            - 4 * u[1:-1, 1:-1])


def terms(program: str, size: int) -> int:
    """Terms summed into each output value (round-off grows with them)."""
    return {"chain": 3, "matmul": size, "sum_of_squares": size,
            "laplacian": 5}[program]


def scale(program: str, *args: np.ndarray) -> float:
    """The result's scale: the largest value of the sum of |terms|."""
    x = [np.abs(np.asarray(a, np.float64)) for a in args]
    if program == "chain":
        return float(np.max(0.2 * x[0] + 2))
    if program == "matmul":
        return float(np.max(x[0] @ x[1]))
    if program == "sum_of_squares":
        return float(np.sum(x[0] * x[0]))
    return float(8 * np.max(x[0]))


def error(program: str, result: np.ndarray, *args: np.ndarray) -> float:
    """Largest |result - float64 reference| over the result's scale."""
    exact = reference(program, *args)
    diff = np.abs(np.asarray(result, np.float64) - exact)
    return float(np.max(diff)) / scale(program, *args)


def tolerance(program: str, size: int) -> float:
    """Allowed relative error: 4 eps sqrt(terms), eps of float32."""
    return TOLERANCE_FACTOR * EPS * math.sqrt(terms(program, size))


def bytes_per_element(program: str) -> float:
    """Bytes per input element the program must read and write at least
    (float32): `chain` and `laplacian` read x and write one value per
    element, `sum_of_squares` only reads."""
    return {"chain": 8.0, "sum_of_squares": 4.0, "laplacian": 8.0,
            "matmul": 12.0}[program]


def flops(program: str, size: int) -> float:
    """Floating-point operations of one call (2 n³ for the product)."""
    if program == "matmul":
        return 2.0 * size**3
    return {"chain": 4.0, "sum_of_squares": 2.0, "laplacian": 5.0}[program] * size
