"""The environment a measurement was taken in, and the XLA flags set before JAX starts."""

import datetime
import importlib.metadata
import os
import platform
import sys
from pathlib import Path
from typing import Any

PACKAGES = ("jax", "jaxlib", "flax", "optax", "numpy", "scipy", "torch", "scikit-fem", "numba")
DETERMINISTIC_XLA_FLAGS = ("--xla_gpu_deterministic_ops=true", "--xla_gpu_autotune_level=0")


def set_deterministic_xla_flags() -> str:
    """Add XLA's deterministic-ops flags to XLA_FLAGS; raise if a JAX backend already started.

    Only for a page that needs bit-identical results on a GPU: the flags slow scatter-adds and turn
    GEMM autotuning off, so pages that measure speed must not set them.
    """
    if "jax" in sys.modules:
        from jax._src import xla_bridge

        if xla_bridge.backends_are_initialized():
            raise RuntimeError(
                "JAX's backend already started, so XLA_FLAGS would be ignored: call "
                "set_deterministic_xla_flags() before the first JAX computation"
            )
    flags = os.environ.get("XLA_FLAGS", "").split()
    flags += [flag for flag in DETERMINISTIC_XLA_FLAGS if flag not in flags]
    os.environ["XLA_FLAGS"] = " ".join(flags)
    return os.environ["XLA_FLAGS"]


def _version(package: str) -> str | None:
    """Installed version of `package`, or None when it is not installed."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    """CPU model name from /proc/cpuinfo, falling back to platform.processor()."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def environment(start_jax: bool = True) -> dict[str, Any]:
    """Versions, backend, devices, CPU, XLA flags, threads, profile and date, as plain JSON-able values.

    With `start_jax=False` a process whose JAX backend never started (a PyTorch or NumPy side)
    records no backend rather than start XLA's pool just to describe it.
    """
    import jax
    from jax._src import xla_bridge

    from perfguide.profiles import profile
    from perfguide.threads import thread_counts

    started = start_jax or xla_bridge.backends_are_initialized()
    devices = jax.devices() if started else []
    return {
        "python": platform.python_version(),
        "versions": {package: _version(package) for package in PACKAGES},
        "backend": jax.default_backend() if started else "not started",
        "device_kind": devices[0].device_kind if devices else None,
        "device_count": len(devices),
        "cpu_model": _cpu_model(),
        "cpu_cores": os.cpu_count(),
        "platform": platform.platform(),
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "threads": thread_counts(xla_started=started),
        "load_average_1min": os.getloadavg()[0],  # other work on the machine skews timings
        "profile": profile(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def environment_table(env: dict[str, Any] | None = None) -> Any:
    """The environment record as a Markdown table for the end of a page."""
    from IPython.display import Markdown

    env = environment() if env is None else env
    rows = [(key, value) for key, value in env.items() if key not in ("versions", "threads")]
    for name, count in env.get("threads", {}).items():
        rows.append((f"threads: {name}", count))
    rows += [(package, version or "not installed") for package, version in env["versions"].items()]
    lines = ["| | |", "|---|---|"] + [f"| {key} | `{value}` |" for key, value in rows]
    lines += _isolated_table()
    return Markdown("\n".join(lines))


def _isolated_table() -> list[str]:
    """Rows on the threads each isolated process of this page really had."""
    from perfguide.isolated import RUNS

    if not RUNS:
        return []
    lines = ["", "Processes started for one side of a comparison each, and their effective threads:", "",
             "| process | cores | XLA:CPU | PyTorch intra/inter | Numba | BLAS/OpenMP pools |",
             "|---|---|---|---|---|---|"]
    for label, env in RUNS.items():
        t = env.get("threads", {})
        torch = f"{t['torch_intra_op']}/{t['torch_inter_op']}" if "torch_intra_op" in t else "not loaded"
        pools = ", ".join(f"{name}: {n}" for name, n in (t.get("pools") or {}).items()) or "none"
        xla = t.get('xla_cpu') or 'not started'
        numba = t.get("numba", "not loaded")
        lines.append(f"| `{label}` | {t.get('cores_allowed')} | {xla} | {torch} | {numba} | {pools} |")
    return lines
