"""Simulated CPU devices: run a function in a fresh process that sees N of
them, through the book's isolated runner.

XLA:CPU can split one host into N devices, but only when its backend
starts, so each device count needs a process of its own. jax 0.10.2 has
two switches, both read at start-up: the config option
`jax_num_cpu_devices` (the modern one, also settable from the environment
as JAX_NUM_CPU_DEVICES, and it wins when both are set) and the XLA flag
`--xla_force_host_platform_device_count`. The child gets both, so an
inherited value of either cannot change the count.
"""

import os
from collections.abc import Callable
from typing import Any

import perfguide as pg
from perfguide.isolated import target_name

DEVICE_COUNT_FLAG = "--xla_force_host_platform_device_count"


def xla_flags(devices: int, existing: str | None = None) -> str:
    """XLA_FLAGS asking for `devices` host devices, keeping the other flags
    already set (an earlier device count is replaced)."""
    flags = (os.environ.get("XLA_FLAGS", "") if existing is None
             else existing).split()
    kept = [f for f in flags if not f.startswith(DEVICE_COUNT_FLAG)]
    return " ".join(kept + [f"{DEVICE_COUNT_FLAG}={devices}"])


def device_environment(devices: int) -> dict[str, str]:
    """Environment variables that give a fresh JAX process `devices` CPU
    devices (and keep it on the CPU even where a GPU is present)."""
    if devices < 1:
        raise ValueError(f"need at least one device, got {devices}")
    return {"XLA_FLAGS": xla_flags(devices),
            "JAX_NUM_CPU_DEVICES": str(devices),
            "JAX_PLATFORMS": "cpu"}


def call_on_devices(devices: int, target: str, args: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Any:
    """In the child: check that JAX sees `devices` CPU devices, then call
    `target` ('module:name')."""
    import importlib

    import jax

    found = jax.device_count()
    if found != devices or jax.default_backend() != "cpu":
        raise RuntimeError(f"asked for {devices} CPU devices, JAX started "
                           f"with {found} on {jax.default_backend()}")
    module, _, name = target.partition(":")
    fn: Any = importlib.import_module(module)
    for part in name.split("."):
        fn = getattr(fn, part)
    return fn(*args, **kwargs)


def run_on_devices(fn: Callable[..., Any], devices: int, *args: Any,
                   threads: int, timeout_s: float = 600,
                   **kwargs: Any) -> pg.Isolated:
    """`fn(*args, **kwargs)` in a fresh process with `devices` simulated
    CPU devices sharing `threads` cores."""
    target = fn if isinstance(fn, str) else target_name(fn)
    return pg.run_isolated(call_on_devices, devices, target, args, kwargs,
                           threads=threads, env=device_environment(devices),
                           timeout_s=timeout_s)
