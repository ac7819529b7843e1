"""The bytes a sharded program's collectives move, read from the compiled
program's HLO text: each all-reduce, all-gather, reduce-scatter,
all-to-all and collective-permute, counted with the size of its result.

For an all-reduce the result has the operand's size: the bytes each
device contributes and gets back summed. For an all-gather the result is
the gathered (full) array; for a reduce-scatter it is one device's share.
Asynchronous pairs (`-start`/`-done`, as on GPUs) are counted once, at
`-start`, by their largest shape (the result of an all-gather).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KINDS = ("all-reduce", "all-gather", "reduce-scatter", "all-to-all",
         "collective-permute")
ITEMSIZE = {"pred": 1, "s8": 1, "u8": 1, "s16": 2, "u16": 2, "f16": 2,
            "bf16": 2, "s32": 4, "u32": 4, "f32": 4, "s64": 8, "u64": 8,
            "f64": 8, "c64": 8, "c128": 16}
SHAPE = re.compile(r"\b(" + "|".join(ITEMSIZE) + r")\[([\d,]*)\]")
INSTRUCTION = re.compile(
    r"^\s*(?:ROOT\s+)?%?[\w.\-]+\s*=\s*(?P<shape>.*?)\s+"
    r"(?P<op>" + "|".join(KINDS) + r")(?P<start>-start)?\(")


@dataclass
class Collectives:
    """Per kind of collective: how many there are and the bytes of their
    results."""

    counts: dict[str, int] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)

    @property
    def total_bytes(self) -> int:
        """Bytes of every collective's result, all kinds together."""
        return sum(self.bytes.values())


def shape_bytes(shape_text: str) -> list[int]:
    """Bytes of each array shape written in `shape_text` (a tuple lists
    several)."""
    sizes = []
    for dtype, dims in SHAPE.findall(shape_text):
        count = 1
        for d in filter(None, dims.split(",")):
            count *= int(d)
        sizes.append(count * ITEMSIZE[dtype])
    return sizes


def collectives(hlo_text: str) -> Collectives:
    """Count the collectives in an HLO module's text and add up their
    result bytes."""
    found = Collectives()
    for line in hlo_text.splitlines():
        match = INSTRUCTION.match(line)
        if not match:
            continue
        op, sizes = match["op"], shape_bytes(match["shape"])
        moved = max(sizes, default=0) if match["start"] else sum(sizes)
        found.counts[op] = found.counts.get(op, 0) + 1
        found.bytes[op] = found.bytes.get(op, 0) + moved
    return found


def compiled_collectives(jitted: Callable[..., Any], *args: Any
                         ) -> Collectives:
    """The collectives of `jitted` (a `jax.jit` function) compiled for
    `args`: what XLA's partitioner inserted."""
    lowered = jitted.lower(*args)  # type: ignore[attr-defined]
    return collectives(lowered.compile().as_text())


def ring_all_reduce_bytes(size_bytes: float, devices: int) -> float:
    """Bytes each device sends (and receives) in a ring all-reduce of
    `size_bytes`: 2 (N - 1) / N of it, a reduce-scatter then an
    all-gather."""
    return 2 * (devices - 1) / devices * size_bytes


def all_reduce_program(mesh: Any, axis: str) -> Callable[[Any], Any]:
    """A jitted program that only sums one vector per device across
    `axis` (`psum` in `shard_map`): the collective's cost alone."""
    import jax
    from jax.sharding import PartitionSpec as P

    def summed(x: Any) -> Any:
        return jax.lax.psum(x, axis)

    return jax.jit(jax.shard_map(summed, mesh=mesh, in_specs=P(axis),
                                 out_specs=P()))


def timed_all_reduce(size_bytes: int, devices: int | None = None,
                     target_s: float | None = None) -> Any:
    """A `Timing` of one all-reduce of `size_bytes` (float32) per device
    over `devices` devices: call it through `devices.run_on_devices`."""
    import jax
    import numpy as np
    from jax.sharding import NamedSharding, PartitionSpec as P

    import perfguide as pg
    from workloads.sharding.data_parallel import DATA, data_mesh

    mesh = data_mesh(devices)
    rows = np.ones((mesh.size, max(size_bytes // 4, 1)), np.float32)
    x = jax.device_put(rows, NamedSharding(mesh, P(DATA)))
    return pg.time_call(all_reduce_program(mesh, DATA), x, target_s=target_s)
