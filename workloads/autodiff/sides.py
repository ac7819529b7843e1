"""Each library's side of the page: every way of differentiating, timed
in a process of its own (`pg.run_isolated`) at one thread setting. Both
sides build the same float32 data from the same seeds; every figure is a
latency (each call waited on), compilation apart."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from perfguide.compilation import compile_log
from perfguide.interleave import pool
from perfguide.timing import Timing, block, time_call
from workloads.autodiff import modes, per_example, scalar

JAX, EAGER, COMPILED = "JAX", "PyTorch eager", "torch.compile"


@dataclass(frozen=True)
class Point:
    """One way at one size: its timing, compilation and result."""

    timing: Timing  # seconds per call (latency)
    compile_s: float  # JAX trace+lower+compile, or the compiled first call
    result: np.ndarray  # what the page checks against the reference


@dataclass(frozen=True)
class Side:
    """What one process measured: (section, way, size) -> point."""

    points: dict[tuple[str, str, int], Point]
    failed: dict[str, str] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)


def plan(quick: bool) -> dict[str, Any]:
    """The sizes of every section, for the quick or the full profile."""
    return {
        "points": [scalar.POINTS, 100_000] if quick else [
            scalar.POINTS, 10_000, 100_000, 1_000_000],
        "jacobian_points": scalar.POINTS,  # full n×n Jacobians only here
        "compiled_points": [100_000] if quick else [
            scalar.POINTS, 1_000_000],  # torch.compile: the sweep's ends
        "compiled_batches": [256] if quick else [16, 1024],
        "batches": [16, 256] if quick else [16, 64, 256, 1024],
        "loop_batches": [16] if quick else [16, 64, 256],
        "jac_m": 64,
        "jac_n": [8, 64, 512] if quick else [8, 32, 64, 128, 512, 1024],
        "hvp_m": 16,
        "hvp_n": [64, 512] if quick else [64, 256, 1024],
        "hvp_compiled_n": [512] if quick else [64, 1024],
        "rows": 4,  # per-example gradients checked in full for these
        "rounds": 1 if quick else 2,  # of alternating JAX, PyTorch processes
        "compile_every_setting": not quick,  # quick: torch.compile at 1
        "runs": {"repeats": 5, "warmup": 1, "target_s": 0.04} if quick else
                {"repeats": 5, "warmup": 1, "target_s": 0.2},
    }


def merge_sides(sides: list[Side]) -> Side:
    """One side over several rounds of processes: repeats pooled, the
    first round's compile time, result, failures and notes."""
    first = sides[0]
    points = {key: Point(pool([side.points[key].timing for side in sides
                               if key in side.points]),
                         p.compile_s, p.result)
              for key, p in first.points.items()}
    return Side(points, first.failed, first.notes)


def _jax_point(fn: Callable[..., Any], args: tuple[Any, ...],
               runs: dict[str, Any], to_numpy: Callable[[Any], np.ndarray]
               ) -> Point:
    """Time a jitted `fn`, its first call's compilation logged apart."""
    with compile_log() as log:
        timing = time_call(fn, *args, **runs)
    return Point(timing, log.total_s, to_numpy(fn(*args)))


def _cost(fn: Any, *args: Any) -> tuple[float, float]:
    """XLA's cost analysis of a jitted function: flops, bytes accessed."""
    cost = fn.lower(*args).compile().cost_analysis()
    cost = cost[0] if isinstance(cost, list) else cost
    return float(cost["flops"]), float(cost["bytes accessed"])


def jax_side(plan: dict[str, Any]) -> Side:
    """Every JAX way, jitted, over every section's sizes."""
    import jax
    import jax.numpy as jnp

    runs, points = plan["runs"], {}
    costs = {}
    for n in plan["points"]:
        x = jax.device_put(scalar.points(n))
        fn = jax.jit(scalar.f)
        points["scalar_floor", f"{JAX}: {scalar.FLOOR}", n] = _jax_point(
            fn, (x,), runs, np.asarray)
        for name, way in scalar.JAX_WAYS.items():
            if name in scalar.FULL_JACOBIAN and n != plan["jacobian_points"]:
                continue
            fn = jax.jit(way)
            points["scalar", f"{JAX}: {name}", n] = _jax_point(
                fn, (x,), runs, scalar.derivative)
            if n == plan["jacobian_points"]:
                costs[name] = _cost(fn, x)
    mlp = per_example.init_mlp()
    params = jax.device_put(mlp)
    kernels = jax.device_put(per_example.kernels(mlp))
    vmapped = jax.jit(per_example.per_example_grads)
    vmapped_kernels = jax.jit(per_example.per_example_grads_kernels)
    one = jax.jit(jax.grad(per_example.loss))

    def checked(grads: Any, transposed: bool = False) -> np.ndarray:
        return per_example.check_rows(
            per_example.flat(grads, transposed), plan["rows"])

    copied: dict[int, dict[str, float]] = {}  # batch -> layout -> per example
    for size in plan["batches"]:
        xb, yb = (jnp.asarray(a) for a in per_example.batch(size))
        points["per_example", f"{JAX}: vmap(grad), jit", size] = _jax_point(
            vmapped, (params, xb, yb), runs, checked)
        points["per_example", f"{JAX}: same, (in, out) kernels", size] = (
            _jax_point(vmapped_kernels, (kernels, xb, yb), runs,
                       lambda g: checked(g, transposed=True)))
        if size in plan["loop_batches"]:
            points["per_example", f"{JAX}: loop of jit(grad)", size] = (
                _jax_point(lambda *a: per_example.per_example_loop(one, *a),
                           (params, xb, yb), runs, checked))
        copied[size] = {layout: per_example.copied_elements(
            fn.lower(p, xb, yb).compile().as_text()) / size
            for layout, fn, p in (("(out, in)", vmapped, params),
                                  ("(in, out)", vmapped_kernels, kernels))}
        if not any(copied[size].values()):
            raise ValueError(f"no layout copy found in either program at "
                             f"batch {size}: has XLA renamed its copies?")
    for n in plan["jac_n"]:
        cp = jax.device_put(modes.init_chain(n, plan["jac_m"]))
        xv, _ = modes.vectors(n)
        for name, way in modes.JAX_JACOBIANS.items():
            points["jacobian", f"{JAX}: {name}", n] = _jax_point(
                jax.jit(way), (cp, jnp.asarray(xv)), runs, np.asarray)
    memory = {}
    for n in plan["hvp_n"]:
        cp = jax.device_put(modes.init_chain(n, plan["hvp_m"]))
        xv, v = (jnp.asarray(a) for a in modes.vectors(n))
        for name, way in modes.JAX_HVPS.items():
            fn = jax.jit(way)
            points["hvp", f"{JAX}: {name}", n] = _jax_point(
                fn, (cp, xv, v), runs, np.asarray)
            stats = fn.lower(cp, xv, v).compile().memory_analysis()
            memory[name, n] = float(stats.temp_size_in_bytes
                                    + stats.output_size_in_bytes)
    return Side(points, notes={"memory_bytes": memory, "costs": costs,
                                "copied_per_example": copied,
                                "backend": jax.default_backend()})


def _torch_point(fn: Callable[..., Any], args: tuple[Any, ...],
                 runs: dict[str, Any], to_numpy: Callable[[Any], np.ndarray],
                 compiled: bool = False) -> Point:
    """Time `fn`. A compiled one's first call (its compilation) is kept
    as compile time; an eager one's first-call extra is not compilation,
    so it is recorded as 0."""
    timing = time_call(fn, *args, **runs)
    return Point(timing, timing.compile_s if compiled else 0.0,
                 to_numpy(fn(*args)))


def _graph_breaks() -> int:
    """Graph breaks torch.compile has counted in this process so far."""
    from torch._dynamo.utils import counters

    return sum(counters["graph_break"].values())


def _compiled(points: dict[tuple[str, str, int], Point],
              failed: dict[str, str], breaks: dict[str, int],
              key: tuple[str, str, int], way: Callable[..., Any],
              args: tuple[Any, ...], runs: dict[str, Any],
              to_numpy: Callable[[Any], np.ndarray]) -> None:
    """Compile `way` afresh for this shape (`dynamic=False`, as `jax.jit`
    specialises) and measure it; a failure is kept for the page to say,
    and the graph breaks it caused are counted."""
    import torch

    if key[1] in failed:
        return
    before = _graph_breaks()
    try:
        points[key] = _torch_point(torch.compile(way, dynamic=False), args,
                                   runs, to_numpy, compiled=True)
    except Exception as error:  # e.g. no C++ compiler, an unsupported op
        failed[key[1]] = f"{type(error).__name__}: {error}"[:300]
    breaks[key[1]] = breaks.get(key[1], 0) + _graph_breaks() - before


def torch_side(plan: dict[str, Any], device: str = "cpu",
               with_compile: bool = True) -> Side:
    """Every PyTorch way, eager and (`with_compile`) under `torch.compile`
    recompiled for every shape, over every section's sizes. Gradients are
    needed, so no `inference_mode`.

    Inductor's caches live in $TORCHINDUCTOR_CACHE_DIR: the page gives
    the first process an empty folder, so that its first calls compile.
    """
    import torch

    def tensor(a: np.ndarray) -> Any:
        return torch.from_numpy(np.ascontiguousarray(a)).to(device)

    def numpy(t: Any) -> np.ndarray:
        return t.detach().cpu().numpy()

    def derivative(t: Any) -> np.ndarray:
        return scalar.derivative(numpy(t))

    runs, points, failed, breaks = plan["runs"], {}, {}, {}
    for n in plan["points"]:
        x = tensor(scalar.points(n))
        points["scalar_floor", f"{EAGER}: {scalar.FLOOR}", n] = (
            _torch_point(scalar.f_torch, (x,), runs, numpy))
        for name, way in scalar.TORCH_WAYS.items():
            if name in scalar.FULL_JACOBIAN and n != plan["jacobian_points"]:
                continue
            points["scalar", f"{EAGER}: {name}", n] = _torch_point(
                way, (x,), runs, derivative)
            if (with_compile and name in scalar.TORCH_COMPILED
                    and n in plan["compiled_points"]):
                _compiled(points, failed, breaks,
                          ("scalar", f"{COMPILED}: {name}", n), way, (x,),
                          runs, derivative)
    model = per_example.torch_model(per_example.init_mlp()).to(device)
    params = {k: p.detach() for k, p in model.named_parameters()}
    vmapped = per_example.torch_per_example(model)

    def checked(grads: Any) -> np.ndarray:
        return per_example.check_rows(per_example.torch_flat(grads),
                                      plan["rows"])

    for size in plan["batches"]:
        xb, yb = (tensor(a) for a in per_example.batch(size))
        points["per_example", f"{EAGER}: func.vmap(grad)", size] = (
            _torch_point(vmapped, (params, xb, yb), runs, checked))
        if with_compile and size in plan["compiled_batches"]:
            _compiled(points, failed, breaks,
                      ("per_example", f"{COMPILED}: func.vmap(grad)", size),
                      vmapped, (params, xb, yb), runs, checked)
        if size in plan["loop_batches"]:
            points["per_example", f"{EAGER}: loop of autograd", size] = (
                _torch_point(per_example.torch_loop, (model, xb, yb), runs,
                             checked))
    for n in plan["jac_n"]:
        cp = {k: tensor(a) for k, a in modes.init_chain(
            n, plan["jac_m"]).items()}
        xv = tensor(modes.vectors(n)[0])
        for name, way in modes.TORCH_JACOBIANS.items():
            points["jacobian", f"{EAGER}: {name}", n] = _torch_point(
                way, (cp, xv), runs, numpy)
    for n in plan["hvp_n"]:
        cp = {k: tensor(a) for k, a in modes.init_chain(
            n, plan["hvp_m"]).items()}
        xv, v = (tensor(a) for a in modes.vectors(n))
        for name, way in modes.TORCH_HVPS.items():
            points["hvp", f"{EAGER}: {name}", n] = _torch_point(
                way, (cp, xv, v), runs, numpy)
            if with_compile and n in plan["hvp_compiled_n"]:
                _compiled(points, failed, breaks,
                          ("hvp", f"{COMPILED}: {name}", n), way,
                          (cp, xv, v), runs, numpy)
    return Side(points, failed, notes={"graph_breaks": breaks})
