"""Finding the cost from inside, one module per tool.

- `trace`: a `jax.profiler` trace of a few calls, parsed from its
  Perfetto/Chrome JSON into per-op rows and timeline lanes;
- `steps`: the nnx-overhead MLP step, as `nnx.jit` calls and as a scan;
- `pyside`: the Python side of a call, by `cProfile`, in phases;
- `programs`: XLA's cost and memory analyses, fusions, the pass dump;
- `recompile`: three causes of recompilation, counted from JAX's logs;
- `cache`: the persistent compilation cache across fresh processes;
- `callbacks`: printing and calling back from inside a `lax.scan`.
"""

from workloads.profiling import (cache, callbacks, programs, pyside,
                                 recompile, steps, trace)

__all__ = ["cache", "callbacks", "programs", "pyside", "recompile",
           "steps", "trace"]
