"""float32 `sin` in NumPy and in XLA:CPU: timings, which kernel NumPy picks,
what XLA generates, and a sine written in `jax.numpy` that XLA vectorises.

`sin_poly` is the textbook method (Cephes' `sinf`, as in Eigen and SLEEF):
x = n π/2 + r with π/2 split in three parts (Cody-Waite), so n π/2 is exact
for |x| ≤ 10^4 (tested; the inputs here lie in [-10, 10) and [-20, 20)), then a degree-7 polynomial in r for sin
or degree-8 for cos, chosen by the quadrant n mod 4."""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from perfguide.timing import Timing, time_call
from workloads.elementwise import sample

PIO2 = (1.5703125, 4.837512969970703125e-4, 7.54978995489188216e-8)
SIN = (-1.6666654611e-1, 8.3321608736e-3, -1.9515295891e-4)
COS = (4.166664568298827e-2, -1.388731625493765e-3, 2.443315711809948e-5)


def sin_poly(x: Any, quarter_turns: int = 0) -> Any:
    """sin(x + quarter_turns π/2) in float32 with jnp: range reduction and
    a polynomial, all plain arithmetic that XLA fuses and vectorises."""
    import jax.numpy as jnp

    n = jnp.round(x * np.float32(2 / np.pi))
    r = x - n * PIO2[0] - n * PIO2[1] - n * PIO2[2]  # x - n π/2, exactly
    z = r * r
    s = r + r * z * (SIN[0] + z * (SIN[1] + z * SIN[2]))
    c = 1 - 0.5 * z + z * z * (COS[0] + z * (COS[1] + z * COS[2]))
    q = (n.astype(jnp.int32) + quarter_turns) & 3
    y = jnp.where(q & 1, c, s)  # odd quadrants: the cosine polynomial
    return jnp.where(q & 2, -y, y)  # quadrants 2 and 3: negated


def chain_poly(x: Any) -> Any:
    """The element-wise chain with `sin_poly` for sin x and cos 2x."""
    return 0.2 * x + sin_poly(x) + sin_poly(2 * x, quarter_turns=1)


def sin_callback(x: Any) -> Any:
    """NumPy's sin called from a jitted function (`jax.pure_callback`)."""
    import jax

    return jax.pure_callback(np.sin, jax.ShapeDtypeStruct(x.shape, x.dtype),
                             x, vmap_method="expand_dims")


def numpy_dispatch() -> dict[str, Any]:
    """Which SIMD target NumPy's float32 and float64 sin run here, and the
    CPU features NumPy found."""
    from numpy._core._multiarray_umath import __cpu_features__
    from numpy.lib.introspect import opt_func_info

    info = opt_func_info(func_name="^sin$", signature="^float(32|64)$")["sin"]
    return {"float32": info["ff"], "float64": info["dd"],
            "features": sorted(k for k, v in __cpu_features__.items()
                               if v and k.startswith(("AVX", "FMA")))}


def numpy_sine(length: int, runs: dict[str, Any]) -> dict[str, Any]:
    """np.sin over `length` values in float32 and float64, allocating its
    result as `jnp.sin` does, and float32 into `out` as well."""
    x = sample(length, seed=6)
    x64 = x.astype(np.float64)
    timings = {
        "NumPy float32": time_call(np.sin, x, **runs),
        "NumPy float32, out=": time_call(np.sin, x, np.empty_like(x), **runs),
        "NumPy float64": time_call(np.sin, x64, **runs)}
    return {"timings": timings, "dispatch": numpy_dispatch()}


def jax_sine(length: int, runs: dict[str, Any],
             only_float32: bool = False) -> dict[str, Any]:
    """Jitted sines over `length` values: jnp.sin in float32 and float64,
    `sin_poly`, NumPy through `pure_callback`, and the chain both ways;
    each float32 sine's largest error against float64 ("<name> error")."""
    import jax
    import jax.numpy as jnp

    host = sample(length, seed=6)
    x = jax.device_put(host)
    exact = np.sin(host.astype(np.float64))
    found: dict[str, Any] = {}
    ways = {"jnp.sin float32": jnp.sin, "sin_poly float32": sin_poly,
            "pure_callback(np.sin) float32": sin_callback}
    for name, fn in list(ways.items())[:1 if only_float32 else None]:
        jitted = jax.jit(fn)
        found[name] = time_call(jitted, x, **runs)
        found[f"{name} error"] = float(
            np.max(np.abs(np.asarray(jitted(x), np.float64) - exact)))
    if not only_float32:
        with jax.enable_x64(True):
            x64 = jax.device_put(host.astype(np.float64))
            found["jnp.sin float64"] = time_call(jax.jit(jnp.sin), x64, **runs)
        found.update(chain_ways(length, runs))
    return found


def chain_ways(length: int, runs: dict[str, Any]) -> dict[str, Timing]:
    """The jitted chain with jnp.sin and jnp.cos, and with `sin_poly`."""
    import jax

    from workloads.elementwise import f_jax

    x = jax.device_put(sample(length, seed=2))
    return {"chain, jnp.sin and jnp.cos": time_call(jax.jit(f_jax), x, **runs),
            "chain, sin_poly": time_call(jax.jit(chain_poly), x, **runs)}


def kernel_report(folder: str, length: int = 4096) -> dict[str, dict[str, Any]]:
    """Compile jnp.sin and `sin_poly` for `length` values (the timed size),
    with XLA_FLAGS=--xla_dump_to=`folder` set by the caller, and read what
    XLA wrote: the sine and cosine LLVM intrinsics its optimised IR calls
    and their vector width (from the name: v8f32 is 8 floats), the
    external symbols its object files need (`nm -u`), and (with objdump)
    their call instructions. "files" is empty when nothing was dumped."""
    import jax
    import jax.numpy as jnp

    x = jax.device_put(sample(length, seed=6))
    report = {}
    for name, fn in (("jnp.sin", jnp.sin), ("sin_poly", sin_poly)):
        before = set(Path(folder).glob("*"))
        jax.jit(fn).lower(x).compile()
        new = set(Path(folder).glob("*")) - before
        ll = [p for p in new if p.name.endswith("ir-with-opt.ll")]
        objects = [p for p in new if p.name.endswith(".o")]
        ir = "\n".join(p.read_text() for p in ll)
        intrinsics = sorted(set(re.findall(
            r"call [^@]*@(llvm\.(?:sin|cos)[\w.]*)", ir)))
        report[name] = {
            "intrinsics": intrinsics,
            "width": max((vector_width(i) for i in intrinsics), default=0),
            "intrinsic_calls": sum("call" in line and "@llvm.sin" in line
                                   for line in ir.splitlines()),
            "ir_lines": [line.strip() for line in ir.splitlines()
                         if "@llvm.sin" in line and "call" in line][:2],
            "symbols": sorted({s for p in objects for s in undefined(p)}
                              & LIBM),
            "calls": sum(_calls(p) for p in objects) if objects else -1,
            "length": length,
            "files": sorted(p.name for p in ll + objects)}
    return report


LIBM = {"sinf", "cosf", "sin", "cos", "sincosf", "sincos", "__sinf_finite",
        "__cosf_finite"}


def vector_width(intrinsic: str) -> int:
    """Lanes of an LLVM intrinsic from its name: llvm.sin.v8f32 -> 8,
    llvm.sin.f32 -> 1."""
    found = re.search(r"\.v(\d+)f(?:32|64)$", intrinsic)
    return int(found.group(1)) if found else 1


def undefined(obj: Path) -> set[str]:
    """Symbols the object file needs from elsewhere: `nm -u`, or, without
    nm, the C-like words of its string table (a superset)."""
    tool = shutil.which("nm")
    if tool is not None:
        done = subprocess.run([tool, "-u", str(obj)], capture_output=True,
                              text=True)
        if done.returncode == 0:
            return {line.split()[-1].split("@")[0]
                    for line in done.stdout.splitlines() if line.strip()}
    words = re.findall(rb"\x00([A-Za-z_][A-Za-z0-9_]{1,30})(?=\x00)",
                       obj.read_bytes())
    return {w.decode() for w in words}


def _calls(obj: Path) -> int:
    """`call` instructions in the object's disassembly (-1: no objdump)."""
    tool = shutil.which("objdump")
    if tool is None:
        return -1
    text = subprocess.run([tool, "-d", str(obj)], capture_output=True,
                          text=True).stdout
    return len(re.findall(r"\tcall", text))
