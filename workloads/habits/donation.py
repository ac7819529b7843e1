"""A large in-place update, with the old array donated to the new one or not."""

import jax


def update(p: jax.Array, g: jax.Array) -> jax.Array:
    """One SGD-like update of a large array."""
    return p - 0.01 * g


update_donated = jax.jit(update, donate_argnums=0)
update_copied = jax.jit(update)


def memory_mib(fn: jax.stages.Wrapped, *args: jax.Array) -> dict[str, float]:
    """XLA's memory analysis of the compiled `fn`: MiB of arguments, outputs, temporaries and
    of outputs aliased to (written into) donated arguments."""
    stats = fn.lower(*args).compile().memory_analysis()
    fields = {"arguments": "argument_size_in_bytes", "outputs": "output_size_in_bytes",
              "temporaries": "temp_size_in_bytes", "aliased": "alias_size_in_bytes"}
    return {name: getattr(stats, attr) / 2 ** 20 for name, attr in fields.items()}
