"""Habits that keep JAX code fast and typed, one module per habit.

- `typed`: `jax.jit` and `jax.grad` wrapped so a type checker keeps the signature;
- `typecheck`: mypy run on the small files of tests/typing, its report read back;
- `rng`: explicit keys, `nnx.Rngs` and a key provider drawing samples in a loop;
- `config`: a frozen dataclass as a static argument, closed over, or traced;
- `logs`: JAX's compile and cache-miss messages, captured;
- `checked`: jaxtyping annotations checked by beartype, and counted;
- `scalars`: Python scalars as static arguments and as weakly typed constants;
- `training`: a tiny model's loop, reading the loss every step or at the end;
- `donation`: a large update with its input donated or not.
"""

from workloads.habits import (checked, config, donation, logs, rng, scalars,
                              training, typecheck, typed)

__all__ = ["checked", "config", "donation", "logs", "rng", "scalars",
           "training", "typecheck", "typed"]
