"""What XLA compiled: its own count of flops and bytes, its memory plan,
the optimised HLO's fusions, and the dump of its passes."""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfguide.compilation import hlo_instructions

FUSION = re.compile(r"^\s+(ROOT\s+)?%?\S+ = .* fusion\(", re.MULTILINE)


@dataclass(frozen=True)
class ProgramFacts:
    """One compiled program, as XLA describes it."""

    flops: float  # cost_analysis()["flops"]
    bytes_accessed: float  # cost_analysis()["bytes accessed"]
    argument_bytes: int  # memory_analysis()
    output_bytes: int
    temp_bytes: int
    code_bytes: int
    instructions: int  # in the optimised HLO's text
    fusions: int  # of them, fusion instructions

    @property
    def intensity(self) -> float:
        """Flops per byte accessed: where a program sits on a roofline."""
        return self.flops / self.bytes_accessed if self.bytes_accessed else 0.0


def program_facts(compiled: Any) -> ProgramFacts:
    """Facts of `jitted.lower(*args).compile()`."""
    cost = compiled.cost_analysis()
    memory = compiled.memory_analysis()
    text = compiled.as_text()
    return ProgramFacts(
        float(cost.get("flops", 0.0)), float(cost.get("bytes accessed", 0.0)),
        memory.argument_size_in_bytes, memory.output_size_in_bytes,
        memory.temp_size_in_bytes, memory.generated_code_size_in_bytes,
        hlo_instructions(text), count_fusions(text))


def count_fusions(hlo_text: str) -> int:
    """Fusion instructions in an HLO module's text."""
    return len(FUSION.findall(hlo_text))


OPCODE = re.compile(r"=\s+(?:\([^=]*?\)|\S+)\s+([a-z][\w-]*)\(")


def fusion_ops(hlo_text: str, name: str) -> dict[str, int]:
    """Opcodes inside the fusion instruction `name` (an op of the trace),
    counted in the computation it calls; parameters left out."""
    call = re.search(rf"%{re.escape(name)} = .*?calls=%([\w.-]+)", hlo_text)
    if call is None:
        return {}
    body = re.search(rf"^%?{re.escape(call.group(1))} .*?{{\n(.*?)^}}",
                     hlo_text, re.MULTILINE | re.DOTALL)
    counts: dict[str, int] = {}
    for opcode in OPCODE.findall(body.group(1) if body else ""):
        if opcode != "parameter":
            counts[opcode] = counts.get(opcode, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def dump_flags(folder: str, passes: str = ".*") -> str:
    """XLA_FLAGS that write the HLO after every pass matching `passes`."""
    return f"--xla_dump_to={folder} --xla_dump_hlo_pass_re={passes}"


def dumped_files(size: int = 1024) -> dict[str, Any]:
    """Compile `sin(x) * 2 + 1` in this process (started with XLA_FLAGS
    from `dump_flags`) and list what XLA wrote for it: run it in a fresh
    process, since XLA reads its flags once, when its backend starts."""
    import os

    import jax
    import jax.numpy as jnp
    import numpy as np

    def program(x: jax.Array) -> jax.Array:
        return jnp.sin(x) * 2 + 1

    folder = Path(re.search(r"--xla_dump_to=(\S+)",
                            os.environ["XLA_FLAGS"]).group(1))  # type: ignore
    x = jax.device_put(np.ones(size, np.float32))
    jax.jit(program)(x).block_until_ready()
    names = sorted(p.name for p in folder.iterdir()
                   if "jit_program" in p.name)
    passes = [n for n in names if ".after_" in n]
    return {"files": len(names), "pass_files": len(passes),
            "first": passes[0] if passes else "",
            "last": passes[-1] if passes else ""}
