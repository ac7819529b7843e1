"""This machine's roofs, measured at the sweep's own sizes in the process
`pg.run_isolated` starts at a given thread count:

- a read-and-write roof: a chained `x = 2 x` in place (XLA: jitted and
  donated, so nothing is allocated; NumPy: `np.multiply(x, 2, out=x)`),
  4 bytes read and 4 written per float32 element, as the chain and the
  stencil must;
- a read-only roof: the sum of x (XLA: jitted `jnp.sum`; NumPy: `np.sum`),
  4 bytes read per element, as the sum of squares must;
- the best matmul rate: 2 n³ / time of an n × n float32 product, XLA's and
  NumPy's (BLAS).

NumPy's ufuncs and reductions run on one thread whatever the setting; each
roof's CPU seconds per wall second at the largest size says whether it
used more than one core."""

from typing import Any

import numpy as np

from perfguide.timing import Timing, time_call
from workloads.arrays.sides import cpu_per_wall


class Doubling:
    """`x = 2 x`, chained and donated: XLA writes into the input's buffer."""

    def __init__(self, x: Any) -> None:
        import jax

        self.x = x
        self.jitted = jax.jit(lambda v: 2 * v, donate_argnums=0)

    def __call__(self) -> Any:
        self.x = self.jitted(self.x)
        return self.x


def memory_roofs(sizes: list[int], runs: dict[str, Any]
                 ) -> dict[str, dict[str, Any]]:
    """kind ('read and write', 'read only') -> library -> {"sizes",
    "timings": latency per call at each size, "cpu_per_wall": at the
    largest}."""
    import jax
    import jax.numpy as jnp

    total = jax.jit(jnp.sum)
    found: dict[str, dict[str, Any]] = {
        kind: {lib: {"sizes": list(sizes), "timings": []}
               for lib in ("XLA", "NumPy")}
        for kind in ("read and write", "read only")}
    for size in sizes:
        host = np.ones(size, np.float32)
        cases = {
            ("read and write", "XLA"): (Doubling(jax.device_put(host)),),
            ("read and write", "NumPy"): (_in_place_double, host.copy()),
            ("read only", "XLA"): (total, jax.device_put(host)),
            ("read only", "NumPy"): (np.sum, host)}
        for (kind, lib), (fn, *args) in cases.items():
            entry = found[kind][lib]
            entry["timings"].append(time_call(fn, *args, **runs))
            if size == sizes[-1]:
                entry["cpu_per_wall"] = cpu_per_wall(fn, *args)
    return found


def _in_place_double(x: np.ndarray) -> np.ndarray:
    """x *= 2, in place (one thread: NumPy's ufuncs are serial)."""
    return np.multiply(x, np.float32(2), out=x)


def matmul_rates(n: int = 2048) -> dict[str, dict[str, Any]]:
    """FLOP/s of an n × n float32 product, XLA's and NumPy's (BLAS), and
    their CPU seconds per wall second."""
    import jax

    a = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
    runs = dict(repeats=3, warmup=1, target_s=0)
    xla = jax.jit(lambda x: x @ x)
    ad = jax.device_put(a)
    out = np.empty_like(a)
    timings: dict[str, Timing] = {
        "XLA": time_call(xla, ad, **runs),
        "NumPy": time_call(np.matmul, a, a, out, **runs)}
    loads = {"XLA": cpu_per_wall(xla, ad, min_s=0),
             "NumPy": cpu_per_wall(np.matmul, a, a, out, min_s=0)}
    return {lib: {"flops_per_s": 2 * n**3 / t.median_s, "timing": t,
                  "cpu_per_wall": loads[lib]} for lib, t in timings.items()}


def machine_roofs(sizes: list[int], runs: dict[str, Any],
                  matmul_n: int = 2048) -> dict[str, Any]:
    """The memory roofs at `sizes` and the matmul rates, in one process."""
    return {"memory": memory_roofs(sizes, runs),
            "matmul": matmul_rates(matmul_n), "matmul_n": matmul_n}
