"""Each library's side of the cross-library sweep. A side runs in a process
of its own (`pg.run_isolated`), once per thread setting, over every step
count; every run time is a latency (each call of `steps` steps waited on)."""

from dataclasses import dataclass, field
from typing import Any

import jax
import numpy as np

from perfguide.compilation import compile_log
from perfguide.interleave import pool
from perfguide.timing import Timing, block, time_call
from workloads.advection.loops import (JIT_STEP, ROLLED, jitted,
                                       run_step_calls, run_torch)
from workloads.advection.numba_loop import numba_threads, run_numba
from workloads.advection.numpy_buffers import run_numpy_preallocated
from workloads.advection.problem import DT, run_numpy, step_jax, step_torch


@dataclass(frozen=True)
class SidePoint:
    """One library's run of `steps` steps: timing, compilation, result."""

    timing: Timing  # seconds per call of `steps` steps (latency)
    compile_s: float  # JAX trace+lower+compile, or torch.compile's first call
    result: np.ndarray  # the density after `steps` steps


@dataclass(frozen=True)
class Side:
    """What one process measured: variant -> steps -> point; failures."""

    points: dict[str, dict[int, SidePoint]]
    failed: dict[str, str] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)  # e.g. graph breaks


def merge_sides(sides: list[Side]) -> Side:
    """One side over several rounds of processes: repeats pooled, the first
    round's compile time and result."""
    first = sides[0]
    points = {name: {steps: SidePoint(
        pool([side.points[name][steps].timing for side in sides]),
        point.compile_s, point.result) for steps, point in by_steps.items()}
        for name, by_steps in first.points.items()}
    return Side(points, first.failed, first.notes)


NUMPY = {"NumPy": run_numpy, "NumPy, preallocated": run_numpy_preallocated}


def numpy_side(d: np.ndarray, v: np.ndarray, steps_list: list[int],
               runs: dict[str, Any]) -> Side:
    """NumPy over the step sweep: as in the post (`np.gradient`, which
    allocates every step) and into buffers allocated once per call."""
    return Side({name: {steps: SidePoint(time_call(run, d, v, steps, **runs),
                                         0.0, run(d, v, steps))
                        for steps in steps_list}
                 for name, run in NUMPY.items()})


def numba_side(d: np.ndarray, v: np.ndarray, steps_list: list[int],
               runs: dict[str, Any]) -> Side:
    """Numba's compiled loop over the step sweep; compiled by a call of no
    steps, timed as its compile time."""
    compile_s = time_call(run_numba, d, v, 0, repeats=1, warmup=0,
                          target_s=0.0).first_call_s
    points = {steps: SidePoint(time_call(run_numba, d, v, steps, **runs),
                               compile_s, run_numba(d, v, steps))
              for steps in steps_list}
    return Side({"Numba": points}, notes={"parallel": numba_threads() > 1})


def torch_side(d: np.ndarray, v: np.ndarray, steps_list: list[int],
               runs: dict[str, Any], device: str = "cpu",
               explain: bool = False) -> Side:
    """PyTorch eager and a `torch.compile`d step, compiled by its first call.

    Inductor's caches live in $TORCHINDUCTOR_CACHE_DIR: the page gives the
    first process an empty folder, so that its first call compiles.
    """
    import torch

    from perfguide.devices import to_torch

    dt, vt = to_torch(d, device), to_torch(v, device)
    steps_by = {"PyTorch eager": step_torch}
    failed, compile_s, notes = {}, 0.0, {}
    if explain:  # graph breaks would split the step into several graphs
        explained = torch._dynamo.explain(step_torch)(dt, vt)
        notes["graph_breaks"] = explained.graph_break_count
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


def jax_side(d: np.ndarray, v: np.ndarray, steps_list: list[int],
             runs: dict[str, Any]) -> Side:
    """`fori_loop` and `scan`, each jitted anew for every step count and
    measured alternately (the order swapped from one count to the next), and
    a jitted step called in a Python loop."""
    d0, v0 = jax.device_put(d), jax.device_put(v)
    step = jax.jit(step_jax)
    with compile_log() as log:
        block(step(d0, v0))
    step_compile_s = log.total_s
    names = (*ROLLED, JIT_STEP)
    points: dict[str, dict[int, SidePoint]] = {name: {} for name in names}
    for i, steps in enumerate(steps_list):
        for name in (list(ROLLED) if i % 2 == 0 else list(ROLLED)[::-1]):
            fn = jitted(ROLLED[name], steps)
            with compile_log() as log:
                timing = time_call(fn, d0, v0, **runs)
            points[name][steps] = SidePoint(timing, log.total_s,
                                            np.asarray(fn(d0, v0)))
        timing = time_call(run_step_calls, d0, v0, steps, step, **runs)
        result = np.asarray(run_step_calls(d0, v0, steps, step))
        points[JIT_STEP][steps] = SidePoint(timing, step_compile_s, result)
    return Side(points)
