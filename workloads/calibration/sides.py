"""Each library's side of the comparison, run in a process of its own
(`pg.run_isolated`) once per thread setting: the single fit by every route
(timed, counted, and repeated from twenty starts), and the batched fits.
The JAX side switches float64 on in its own process."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from perfguide.compilation import compile_log
from perfguide.timing import Timing, block, time_call
from workloads.calibration.batched import (batched_solver, make_problems,
                                           solve_each)
from workloads.calibration.counting import Counter, counting_loss
from workloads.calibration.fit import Fit
from workloads.calibration.problem import (START, loss_jax, loss_torch,
                                           make_data, starts_grid)
from workloads.calibration.scipy_routes import solve_scipy_fd, solve_scipy_jax
from workloads.calibration.torch_routes import solve_torch

SCIPY_FD = "SciPy BFGS, finite differences"
SCIPY_JAX = "SciPy BFGS, JAX gradient"
TORCH_EAGER = "PyTorch L-BFGS, eager"
TORCH_COMPILED = "PyTorch L-BFGS, torch.compile"
VMAPPED = "JAX vmap(Optax L-BFGS)"
LOOP_FD = "SciPy loop, finite differences"
LOOP_JAX = "SciPy loop, JAX gradient"


@dataclass(frozen=True)
class RoutePoint:
    """One route's single fit: timing, compilation, counts, robustness."""

    timing: Timing  # seconds per solve from START (latency)
    compile_s: float  # JAX trace+lower+compile, torch.compile's first call
    fit: Fit  # from START, with its evaluations counted
    from_starts: tuple[float, ...]  # final objective from each grid start


@dataclass(frozen=True)
class BatchPoint:
    """A batch of independent fits solved at once or in a loop."""

    timing: Timing  # seconds per batch (latency)
    compile_s: float  # compilation for this batch size (JAX), else 0
    objectives: np.ndarray  # final objective of each problem
    iterations: np.ndarray  # iterations of each problem


@dataclass(frozen=True)
class Side:
    """What one process measured."""

    routes: dict[str, RoutePoint]
    batched: dict[str, dict[int, BatchPoint]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def _keeping(fn: Callable[..., Any], kept: list[Any]) -> Callable[..., Any]:
    """`fn`, keeping its last output in `kept` (so it need not run again)."""
    def call(*args: Any) -> Any:
        kept[:] = [fn(*args)]
        return kept[0]
    return call


def _warm_scipy() -> None:
    """Import SciPy's optimiser and run it once on a toy problem, so that
    no first fit is billed for imports."""
    from scipy.optimize import minimize

    minimize(lambda x: float(x @ x), np.ones(2), method="BFGS")


def _warm_jax(x0: Any) -> None:
    """Start XLA's backend and import the solver libraries outside any
    measured compilation (tracing would otherwise bill their imports)."""
    import jax
    import jax.scipy.optimize  # noqa: F401
    import optax  # noqa: F401
    import optimistix  # noqa: F401

    block(jax.jit(lambda a: a + 1)(x0))


def _warm_torch() -> None:
    """Run PyTorch's L-BFGS once on a toy problem (lazy imports, autograd
    start-up) so that the first measured fit is a fit."""
    import torch

    p = torch.ones(2, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([p], line_search_fn="strong_wolfe")

    def closure() -> Any:
        opt.zero_grad()
        value = (p * p).sum()
        value.backward()
        return value

    opt.step(closure)


def _from_starts(solve: Callable[[np.ndarray], float]) -> tuple[float, ...]:
    """The final objective from each start of the grid."""
    return tuple(float(solve(start)) for start in starts_grid())


def _loop_point(solve: Callable[..., Fit], x0: np.ndarray, t: Any,
                ys: np.ndarray, runs: dict[str, Any], *args: Any
                ) -> BatchPoint:
    """Time a Python loop of single solves over the data sets `ys`."""
    kept: list[Any] = []
    timing = time_call(_keeping(solve_each, kept), solve, x0, t, ys, *args,
                       **runs)
    fits = kept[0]
    return BatchPoint(timing, 0.0, np.array([f.objective for f in fits]),
                      np.array([f.iterations for f in fits]))


def scipy_side(runs: dict[str, Any], loop_sizes: list[int],
               batch_runs: dict[str, Any]) -> Side:
    """SciPy with finite differences: the single fit, then the loop."""
    _warm_scipy()
    t, y = make_data()
    x0 = np.array(START)
    point = RoutePoint(
        time_call(solve_scipy_fd, x0, t, y, **runs), 0.0,
        solve_scipy_fd(x0, t, y),
        _from_starts(lambda s: solve_scipy_fd(s, t, y).objective))
    tb, ys, _ = make_problems(max(loop_sizes))
    loop = {n: _loop_point(solve_scipy_fd, x0, tb, ys[:n], batch_runs)
            for n in loop_sizes}
    return Side({SCIPY_FD: point}, {LOOP_FD: loop})


def jax_side(runs: dict[str, Any], batch_sizes: list[int],
             loop_sizes: list[int], batch_runs: dict[str, Any],
             count: bool = True) -> Side:
    """Every JAX route jitted whole, SciPy driven by a jitted JAX gradient,
    then the vmapped solver over the batch sizes and SciPy's loop. With
    `count`, each route is compiled again with a counting objective."""
    import jax

    from workloads.calibration.jax_routes import JAX_ROUTES, jitted

    jax.config.update("jax_enable_x64", True)  # this process only
    t, y = (jax.device_put(a) for a in make_data())
    x0 = jax.device_put(np.array(START))
    _warm_jax(x0)
    _warm_scipy()
    routes = {}
    for name, route in JAX_ROUTES.items():
        solve = jitted(route)
        with compile_log() as log:
            timing = time_call(solve, x0, t, y, **runs)
        p, objective, iterations = solve(x0, t, y)
        counter = Counter()  # an untimed run that counts evaluations
        if count:
            block(jitted(route, counting_loss(counter))(x0, t, y))
            jax.effects_barrier()
        fit = Fit(np.asarray(p), float(objective), int(iterations),
                  counter.values if count else None,
                  counter.gradients if count else None)
        routes[name] = RoutePoint(timing, log.total_s, fit, _from_starts(
            lambda s: solve(jax.device_put(s), t, y)[1]))
    value_and_grad = jax.jit(jax.value_and_grad(loss_jax))
    x0_host = np.array(START)
    with compile_log() as log:
        timing = time_call(solve_scipy_jax, x0_host, t, y, value_and_grad,
                           **runs)
    routes[SCIPY_JAX] = RoutePoint(
        timing, log.total_s, solve_scipy_jax(x0_host, t, y, value_and_grad),
        _from_starts(lambda s: solve_scipy_jax(s, t, y,
                                               value_and_grad).objective))
    tb, ys, _ = make_problems(max(batch_sizes + loop_sizes))
    tb = jax.device_put(tb)
    solver, vmapped = batched_solver(), {}
    for n in batch_sizes:
        yb, kept = jax.device_put(ys[:n]), []
        with compile_log() as log:
            timing = time_call(_keeping(solver, kept), x0, tb, yb,
                               **batch_runs)
        _, objectives, iterations = kept[0]
        vmapped[n] = BatchPoint(timing, log.total_s, np.asarray(objectives),
                                np.asarray(iterations))
    loop = {n: _loop_point(solve_scipy_jax, x0_host, tb, ys[:n], batch_runs,
                           value_and_grad) for n in loop_sizes}
    return Side(routes, {VMAPPED: vmapped, LOOP_JAX: loop})


def torch_side(runs: dict[str, Any], compiled: bool = True) -> Side:
    """PyTorch's L-BFGS on the eager objective and on a compiled one."""
    import torch

    _warm_torch()
    t, y = (torch.from_numpy(a) for a in make_data())
    x0 = np.array(START)
    losses: dict[str, Callable[..., Any]] = {TORCH_EAGER: loss_torch}
    if compiled:
        losses[TORCH_COMPILED] = torch.compile(loss_torch)
    routes, failed = {}, {}
    for name, loss in losses.items():
        try:
            timing = time_call(solve_torch, x0, t, y, loss, **runs)
        except Exception as error:  # e.g. no C++ compiler: the page says so
            failed[name] = f"{type(error).__name__}: {error}"[:300]
            continue
        routes[name] = RoutePoint(
            timing, timing.compile_s if loss is not loss_torch else 0.0,
            solve_torch(x0, t, y, loss),
            _from_starts(lambda s: solve_torch(s, t, y, loss).objective))
    return Side(routes, failed=failed)


@dataclass(frozen=True)
class ShapesRun:
    """Fitting data sets of several lengths, each once, one after another."""

    timing: Timing  # all the fits: first call cold (compiling), then warm
    compilations: int  # XLA compilations seen over the whole timing
    compile_s: float  # their trace + lower + compile seconds
    x: np.ndarray  # fitted (a, b) per data set
    objectives: np.ndarray  # final objective per data set
    log_lines: tuple[str, ...]  # what `jax_log_compiles` printed


def _fit_lengths(solve: Callable[..., tuple], x0: Any, data: list[tuple]
                 ) -> list[tuple]:
    """Fit every data set in turn and wait for the results."""
    return [block(solve(x0, *arrays)) for arrays in data]


def shapes_side(lengths: list[int], runs: dict[str, Any]
                ) -> dict[str, ShapesRun]:
    """The jitted Optax solver on data of every length, as it comes (one
    program per length), then padded to a few buckets with a mask."""
    import logging

    import jax

    from workloads.calibration.buckets import bucket, pad, solve_padded
    from workloads.calibration.jax_routes import solve_optax

    jax.config.update("jax_enable_x64", True)  # this process only
    x0 = jax.device_put(np.array(START))
    _warm_jax(x0)
    raw = [make_data(n, seed=n) for n in lengths]
    cases = {
        "one program per length": (jax.jit(solve_optax), raw),
        "padded to buckets": (jax.jit(solve_padded), [
            pad(t, y, bucket(len(t))) for t, y in raw]),
    }
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logging.getLogger("jax").addHandler(handler)
    out = {}
    for name, (solve, data) in cases.items():
        data = [tuple(jax.device_put(a) for a in arrays) for arrays in data]
        lines.clear()
        kept: list[Any] = []
        with jax.log_compiles(True), compile_log() as log:
            timing = time_call(_keeping(_fit_lengths, kept), solve, x0, data,
                               **runs)
        compiling = tuple(line.split(" with ")[0] + " " + _shapes(line)
                          for line in lines if line.startswith("Compiling"))
        out[name] = ShapesRun(
            timing, log.compilations, log.total_s,
            np.array([np.asarray(p) for p, _, _ in kept[0]]),
            np.array([float(v) for _, v, _ in kept[0]]), compiling)
    logging.getLogger("jax").removeHandler(handler)
    return out


def _shapes(line: str) -> str:
    """The argument shapes named in a 'Compiling ...' log line."""
    return line.split("types ")[-1].split(".")[0] if "types " in line else ""
