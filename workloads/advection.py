"""The loops chapter's problem: a density field carried along axis 0."""

from collections.abc import Callable
from dataclasses import dataclass, field
import re
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

SHAPE = (512, 128)
DT = 0.01  # grid units; see growth_bound for why not the post's 0.1


def initial_fields(shape: tuple[int, int] = SHAPE) -> dict[str, np.ndarray]:
    """Coordinates x, y; float32 density (a blob) and velocity (a jet)."""
    x = np.linspace(-32, 32, shape[0])
    y = np.linspace(-16, 16, shape[1])
    xm, ym = np.meshgrid(x, y, indexing="ij")
    density = np.exp(-0.05 * (xm + 12) ** 2 - 0.01 * (ym - 2) ** 2)
    velocity = np.exp(-0.02 * ym**2)
    return {
        "x": x,
        "y": y,
        "density": density.astype(np.float32),
        "velocity": velocity.astype(np.float32),
    }


def step_numpy(d: np.ndarray, v: np.ndarray, dt: float = DT) -> np.ndarray:
    """One explicit step of dd/dt = -v dd/dx in NumPy."""
    return d + dt * (-v * np.gradient(d, axis=0))


def run_numpy(d: np.ndarray, v: np.ndarray, steps: int,
              dt: float = DT) -> np.ndarray:
    """`steps` steps in a NumPy loop."""
    for _ in range(steps):
        d = step_numpy(d, v, dt)
    return d


def step_jax(d: jax.Array, v: jax.Array, dt: float = DT) -> jax.Array:
    """One explicit step of dd/dt = -v dd/dx in JAX."""
    return d + dt * (-v * jnp.gradient(d, axis=0))


def run_python_for(d: jax.Array, v: jax.Array, steps: int,
                   dt: float = DT) -> jax.Array:
    """`steps` steps in a Python loop: under jit, `steps` traced copies."""
    for _ in range(steps):
        d = step_jax(d, v, dt)
    return d


def run_fori_loop(d: jax.Array, v: jax.Array, steps: int,
                  dt: float = DT) -> jax.Array:
    """`steps` steps in `lax.fori_loop`: the step is traced once."""
    return jax.lax.fori_loop(0, steps, lambda _, d: step_jax(d, v, dt), d)


def run_scan(d: jax.Array, v: jax.Array, steps: int, dt: float = DT,
             unroll: int = 1) -> jax.Array:
    """`steps` steps in `lax.scan`, `unroll` steps per loop iteration."""
    d, _ = jax.lax.scan(lambda d, _: (step_jax(d, v, dt), None), d,
                        length=steps, unroll=unroll)
    return d


def run_step_calls(d: Any, v: Any, steps: int, step: Callable[..., Any]) -> Any:
    """`steps` calls of a compiled `step` in a Python loop: one dispatch per step."""
    for _ in range(steps):
        d = step(d, v)
    return d


def jitted(run: Callable[..., jax.Array], steps: int,
           **options: Any) -> Callable[..., jax.Array]:
    """A new `jax.jit` of `run` for a fixed number of steps."""
    return jax.jit(partial(run, steps=steps, **options))


def step_torch(d: Any, v: Any, dt: float = DT) -> Any:
    """One explicit step of dd/dt = -v dd/dx in PyTorch."""
    import torch

    return d + dt * (-v * torch.gradient(d, dim=0)[0])


def run_torch(d: Any, v: Any, steps: int, dt: float = DT,
              step: Callable[..., Any] = step_torch) -> Any:
    """`steps` calls of `step` (eager or compiled), in inference mode."""
    import torch

    with torch.inference_mode():
        for _ in range(steps):
            d = step(d, v, dt)
    return d


def measurement_cost_s(timing: Any) -> float:
    """Seconds a `time_call` measurement took: the first call and the calls after it."""
    return timing.first_call_s + (timing.repeats * timing.calls_per_repeat + 1) * timing.median_s


def predicted_cost_s(timings: dict[int, Any], steps: int) -> float:
    """The cost of measuring `steps`, extrapolated from the last two counts measured (by steps) as
    a power law at least linear in the steps; 0 before two counts are known."""
    if len(timings) < 2:
        return 0.0
    (s1, t1), (s2, t2) = sorted(timings.items())[-2:]
    c1, c2 = measurement_cost_s(t1), measurement_cost_s(t2)
    power = max(float(np.log(c2 / c1) / np.log(s2 / s1)), 1.0)
    return c2 * (steps / s2) ** power


def growth_bound(velocity: np.ndarray, steps: int, dt: float = DT) -> float:
    """Worst growth of a grid mode in `steps` steps: (1 + (v dt)^2)^(n/2)."""
    courant = float(np.max(np.abs(velocity))) * dt
    return float((1 + courant**2) ** (steps / 2))


def tolerance(velocity: np.ndarray, steps: int, dt: float = DT) -> float:
    """Allowed float32 difference: 16 eps sqrt(steps) x growth bound."""
    eps = float(np.finfo(np.float32).eps)
    growth = growth_bound(velocity, steps, dt)
    return 16 * eps * float(np.sqrt(max(steps, 1))) * growth


# One side of the cross-library sweep: each runs in a process of its own (`pg.run_isolated`),
# once per thread setting, over every step count. Every run time is a latency: each call of
# `steps` steps is waited on before the next starts.


@dataclass(frozen=True)
class SidePoint:
    """One library's run of `steps` steps: its timing, its compilation, its result."""

    timing: Any  # perfguide.Timing, seconds per call of `steps` steps (latency)
    compile_s: float  # before the first call: JAX trace+lower+compile, torch.compile's
    result: np.ndarray  # the density after `steps` steps, to check against NumPy


@dataclass(frozen=True)
class Side:
    """What one isolated process measured: variant -> steps -> point; variants that failed."""

    points: dict[str, dict[int, SidePoint]]
    failed: dict[str, str] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)  # e.g. torch's graph break count


def merge_timings(timings: list[Any]) -> Any:
    """One Timing over the repeats of several runs (e.g. of two processes): the band spans them."""
    from perfguide.timing import Timing

    first = timings[0]
    return Timing(first.first_call_s, tuple(t for x in timings for t in x.per_call_s),
                  first.calls_per_repeat, first.mode, first.harness_s)


def merge_sides(sides: list[dict[str, dict[int, SidePoint]]]) -> dict[str, dict[int, SidePoint]]:
    """Variant -> steps -> point over several rounds: repeats pooled, the first round's result."""
    return {name: {steps: SidePoint(merge_timings([side[name][steps].timing for side in sides]),
                                    point.compile_s, point.result)
                   for steps, point in points.items()}
            for name, points in sides[0].items()}


def same_program(a: Callable[..., Any], b: Callable[..., Any], *args: Any) -> bool:
    """Whether two jitted functions compile to the same optimised HLO, names and metadata aside."""
    def text(fn: Callable[..., Any]) -> str:
        lines = fn.lower(*args).compile().as_text().splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith(("%", "ENTRY")))
        return re.sub(r", metadata=\{[^}]*\}", "", "\n".join(lines[start:]))

    return text(a) == text(b)


def cost_per_step(fn: Callable[..., Any], steps_in_program: int, *args: Any) -> tuple[float, float]:
    """XLA's cost analysis of a compiled function: (flops, bytes accessed) per step.

    `steps_in_program` is how many steps the program text holds: a loop's body is counted once,
    so it is `unroll` for a `scan` and `steps` for an unrolled Python loop.
    """
    cost = fn.lower(*args).compile().cost_analysis()
    cost = cost[0] if isinstance(cost, list) else cost
    return (float(cost["flops"]) / steps_in_program,
            float(cost["bytes accessed"]) / steps_in_program)


def numpy_side(d: np.ndarray, v: np.ndarray, steps_list: list[int],
               runs: dict[str, Any]) -> Side:
    """NumPy over the step sweep."""
    from perfguide.timing import time_call

    points = {steps: SidePoint(time_call(run_numpy, d, v, steps, **runs), 0.0,
                               run_numpy(d, v, steps))
              for steps in steps_list}
    return Side({"NumPy": points})


def torch_side(d: np.ndarray, v: np.ndarray, steps_list: list[int],
               runs: dict[str, Any], device: str = "cpu", explain: bool = False) -> Side:
    """PyTorch eager and a `torch.compile`d step, compiled once (its first call).

    Inductor's caches live in $TORCHINDUCTOR_CACHE_DIR: the page gives the first process an
    empty folder, so that its first call is a real compilation.
    """
    import torch

    from perfguide.devices import to_torch
    from perfguide.timing import block, time_call

    dt, vt = to_torch(d, device), to_torch(v, device)
    steps_by = {"PyTorch eager": step_torch}
    failed, compile_s, notes = {}, 0.0, {}
    if explain:  # graph breaks would split the compiled step into several graphs
        notes["graph_breaks"] = torch._dynamo.explain(step_torch)(dt, vt).graph_break_count
        torch._dynamo.reset()
    try:
        compiled = torch.compile(step_torch)
        with torch.inference_mode():
            compile_s = time_call(lambda: block(compiled(dt, vt)), repeats=1,
                                  warmup=0, target_s=0.0).first_call_s
        steps_by["torch.compile"] = compiled
    except Exception as error:  # e.g. no C++ compiler: the page says so
        failed["torch.compile"] = f"{type(error).__name__}: {error}"[:300]
    points: dict[str, dict[int, SidePoint]] = {name: {} for name in steps_by}
    for name, step in steps_by.items():
        for steps in steps_list:
            timing = time_call(run_torch, dt, vt, steps, DT, step, **runs)
            result = run_torch(dt, vt, steps, DT, step).cpu().numpy()
            points[name][steps] = SidePoint(
                timing, compile_s if name == "torch.compile" else 0.0, result)
    return Side(points, failed, notes)


ROLLED = {"fori_loop": run_fori_loop, "scan": run_scan}
JIT_STEP = "jax.jit(step)"  # the counterpart of torch.compile of the step: a Python loop of calls


def jax_side(d: np.ndarray, v: np.ndarray, steps_list: list[int],
             runs: dict[str, Any]) -> Side:
    """`fori_loop` and `scan` (each jitted anew for every step count, measured alternately, the
    order swapped from one count to the next) and a jitted step called in a Python loop."""
    from perfguide.compilation import compile_log
    from perfguide.timing import block, time_call

    d0, v0 = jax.device_put(d), jax.device_put(v)
    step = jax.jit(step_jax)
    with compile_log() as log:
        block(step(d0, v0))
    step_compile_s = log.total_s
    points: dict[str, dict[int, SidePoint]] = {name: {} for name in (*ROLLED, JIT_STEP)}
    for i, steps in enumerate(steps_list):
        for name in (list(ROLLED) if i % 2 == 0 else list(ROLLED)[::-1]):
            fn = jitted(ROLLED[name], steps)
            with compile_log() as log:
                timing = time_call(fn, d0, v0, **runs)
            points[name][steps] = SidePoint(timing, log.total_s, np.asarray(fn(d0, v0)))
        timing = time_call(run_step_calls, d0, v0, steps, step, **runs)
        points[JIT_STEP][steps] = SidePoint(
            timing, step_compile_s, np.asarray(run_step_calls(d0, v0, steps, step)))
    return Side(points)
