"""JAX's own account of each compilation and cache miss, captured as text instead of stderr."""

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import jax

FLAGS = ("jax_log_compiles", "jax_explain_cache_misses")


@contextmanager
def compile_messages() -> Iterator[io.StringIO]:
    """Turn on `jax_log_compiles` and `jax_explain_cache_misses`, collect what JAX logs, and
    restore both flags afterwards."""
    text = io.StringIO()
    handler = logging.StreamHandler(text)
    logger = logging.getLogger("jax")
    before = {flag: getattr(jax.config, flag) for flag in FLAGS}
    logger.addHandler(handler)
    for flag in FLAGS:
        jax.config.update(flag, True)
    try:
        yield text
    finally:
        for flag, value in before.items():
            jax.config.update(flag, value)
        logger.removeHandler(handler)


def misses(text: str) -> list[str]:
    """The cache-miss explanations in captured text: each from 'TRACING CACHE MISS' up to the
    next tracing message, with file paths cut to their last part."""
    blocks, current = [], None
    for line in text.splitlines():
        if line.startswith("TRACING CACHE MISS"):
            current = [line]
            blocks.append(current)
        elif line.startswith(("Finished", "Compiling")):
            current = None
        elif current is not None:
            current.append(line)
    return ["\n".join(_short_paths(line) for line in block) for block in blocks]


def _short_paths(line: str) -> str:
    """'/long/path/to/file.py:12' -> 'file.py:12'."""
    return " ".join(word.rsplit("/", 1)[-1] if "/" in word and ".py" in word else word
                    for word in line.split(" "))


def compilations(text: str) -> list[str]:
    """The 'Compiling jit(name) ...' lines of captured text, each cut after its shapes."""
    return [line.split(". Argument mapping")[0] for line in text.splitlines()
            if line.startswith("Compiling ")]
