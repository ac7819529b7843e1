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
from workloads.calibration.batched import (batched_solver, fits_of,
                                           make_problems, solve_each)
from workloads.calibration.counting import Counter, counting_loss
from workloads.calibration.fit import Fit
from workloads.calibration.problem import (START, gradient_max, loss_jax,
                                           loss_torch, make_data,
                                           starts_grid)
from workloads.calibration.scipy_routes import (jax_objective,
                                                solve_scipy_fd,
                                                solve_scipy_jax)
from workloads.calibration.torch_routes import lbfgs_torch, solve_torch

SCIPY_FD = "SciPy BFGS, finite differences"
SCIPY_JAX = "SciPy BFGS, JAX gradient"
TORCH_EAGER = "PyTorch L-BFGS, eager"
TORCH_COMPILED = "PyTorch L-BFGS, torch.compile"
VMAPPED = "JAX vmap(Optax L-BFGS)"
LOOP_JITTED = "Python loop, jitted Optax L-BFGS"
LOOP_FD = "SciPy loop, finite differences"
LOOP_JAX = "SciPy loop, JAX gradient"
COMPILE_LOG = "compile log"  # JAX: trace + lower + XLA compile seconds
FIRST_LESS_STEADY = "first − steady"  # torch.compile: first fit − median


@dataclass(frozen=True)
class RoutePoint:
    """One route's single fit: timing, compilation, counts, robustness."""

    timing: Timing  # seconds per solve from START (latency)
    compile_s: float  # see `compile_how`; 0 where nothing is compiled
    fit: Fit  # from START, with its evaluations counted
    from_starts: tuple[Fit, ...]  # from each grid start (not counted)
    compile_how: str = ""  # COMPILE_LOG or FIRST_LESS_STEADY
    call: Timing | None = None  # SciPy + JAX: one objective call alone


@dataclass(frozen=True)
class BatchPoint:
    """A batch of independent fits solved at once or in a loop."""

    timing: Timing  # seconds per batch (latency); first call compiles
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


def _from_starts(solve: Callable[[np.ndarray], Fit]) -> tuple[Fit, ...]:
    """The fit from each start of the grid."""
    return tuple(solve(start) for start in starts_grid())


def _loop_point(solve: Callable[..., Any], x0: Any, t: Any, ys: list[Any],
                runs: dict[str, Any], *args: Any) -> BatchPoint:
    """Time a Python loop of single solves over the data sets `ys`."""
    kept: list[Any] = []
    timing = time_call(_keeping(solve_each, kept), solve, x0, t, ys, *args,
                       **runs)
    return BatchPoint(timing, 0.0, *fits_of(kept[0]))


def scipy_side(runs: dict[str, Any], loop_sizes: list[int],
               batch_runs: dict[str, Any]) -> Side:
    """SciPy with finite differences: the single fit, then the loop."""
    _warm_scipy()
    t, y = make_data()
    x0 = np.array(START)
    point = RoutePoint(
        time_call(solve_scipy_fd, x0, t, y, **runs), 0.0,
        solve_scipy_fd(x0, t, y),
        _from_starts(lambda s: solve_scipy_fd(s, t, y)))
    tb, ys, _ = make_problems(max(loop_sizes))
    loop = {n: _loop_point(solve_scipy_fd, x0, tb, list(ys[:n]), batch_runs)
            for n in loop_sizes}
    return Side({SCIPY_FD: point}, {LOOP_FD: loop})


def _jax_fit(name: str, out: tuple, t: np.ndarray, y: np.ndarray,
             counter: Counter | None = None) -> Fit:
    """A jitted JAX route's output as a Fit, its status in words."""
    from workloads.calibration.jax_routes import status_words

    p, objective, iterations, code = (np.asarray(a) for a in out)
    success, status = status_words(name, int(code))
    return Fit(p, float(objective), int(iterations),
               counter.values if counter else None,
               counter.gradients if counter else None,
               gradient_max(p, t, y), success, status)


def jax_side(runs: dict[str, Any], batch_sizes: list[int],
             loop_sizes: list[int], batch_runs: dict[str, Any],
             count: bool = True) -> Side:
    """Every JAX route jitted whole, SciPy driven by a jitted JAX gradient,
    then the vmapped solver over the batch sizes, a Python loop of the
    jitted single-fit solver, and SciPy's loop. With `count`, each route
    is compiled again with a counting objective."""
    import jax

    from workloads.calibration.jax_routes import JAX_ROUTES, jitted

    jax.config.update("jax_enable_x64", True)  # this process only
    t_np, y_np = make_data()
    t, y = (jax.device_put(a) for a in (t_np, y_np))
    x0 = jax.device_put(np.array(START))
    _warm_jax(x0)
    _warm_scipy()
    routes = {}
    for name, route in JAX_ROUTES.items():
        solve = jitted(route)
        with compile_log() as log:
            timing = time_call(solve, x0, t, y, **runs)
        counter = Counter()  # an untimed run that counts evaluations
        if count:
            block(jitted(route, counting_loss(counter))(x0, t, y))
            jax.effects_barrier()
        fit = _jax_fit(name, solve(x0, t, y), t_np, y_np,
                       counter if count else None)
        routes[name] = RoutePoint(
            timing, log.total_s, fit, _from_starts(
                lambda s: _jax_fit(name, solve(jax.device_put(s), t, y),
                                   t_np, y_np)), COMPILE_LOG)
    value_and_grad = jax.jit(jax.value_and_grad(loss_jax))
    x0_host = np.array(START)
    with compile_log() as log:
        timing = time_call(solve_scipy_jax, x0_host, t, y, value_and_grad,
                           **runs)
    call = time_call(jax_objective(value_and_grad, t, y), x0_host, **runs)
    routes[SCIPY_JAX] = RoutePoint(
        timing, log.total_s, solve_scipy_jax(x0_host, t, y, value_and_grad),
        _from_starts(lambda s: solve_scipy_jax(s, t, y, value_and_grad)),
        COMPILE_LOG, call)
    tb, ys, _ = make_problems(max(batch_sizes + loop_sizes))
    tb = jax.device_put(tb)
    solver, vmapped = batched_solver(), {}
    for n in batch_sizes:
        yb, kept = jax.device_put(ys[:n]), []
        with compile_log() as log:
            timing = time_call(_keeping(solver, kept), x0, tb, yb,
                               **batch_runs)
        _, objectives, iterations, _ = kept[0]
        vmapped[n] = BatchPoint(timing, log.total_s, np.asarray(objectives),
                                np.asarray(iterations))
    rows = [jax.device_put(row) for row in ys[:max(loop_sizes)]]
    single = jitted(JAX_ROUTES["Optax L-BFGS"])
    block(single(x0, tb, rows[0]))  # compiled once, before the loop
    looped = {n: _loop_point(single, x0, tb, rows[:n], batch_runs)
              for n in loop_sizes}
    loop = {n: _loop_point(solve_scipy_jax, x0_host, tb, rows[:n],
                           batch_runs, value_and_grad) for n in loop_sizes}
    return Side(routes, {VMAPPED: vmapped, LOOP_JITTED: looped,
                         LOOP_JAX: loop})


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
            timing = time_call(lbfgs_torch, x0, t, y, loss, **runs)
        except Exception as error:  # e.g. no C++ compiler: the page says so
            failed[name] = f"{type(error).__name__}: {error}"[:300]
            continue
        eager = loss is loss_torch
        routes[name] = RoutePoint(
            timing, 0.0 if eager else timing.compile_s,
            solve_torch(x0, t, y, loss),
            _from_starts(lambda s: solve_torch(s, t, y, loss)),
            "" if eager else FIRST_LESS_STEADY)
    return Side(routes, failed=failed)


@dataclass(frozen=True)
class ShapesRun:
    """Fitting data sets of several lengths, each once, one after another."""

    timing: Timing  # all the fits: first call cold (compiling), then warm
    compilations: int  # compilations of the solver itself, from the log
    compile_s: float  # all trace + lower + compile seconds in the timing
    x: np.ndarray  # fitted (a, b) per data set
    objectives: np.ndarray  # final objective per data set
    log_lines: tuple[str, ...]  # the solver's 'Compiling ...' log lines


SHAPES_WAYS = ("one program per length", "padded to buckets")


def _fit_lengths(solve: Callable[..., tuple], x0: Any, data: list[tuple]
                 ) -> list[tuple]:
    """Fit every data set in turn and wait for the results."""
    return [block(solve(x0, *arrays)) for arrays in data]


def shapes_side(lengths: list[int], runs: dict[str, Any], way: str
                ) -> ShapesRun:
    """The jitted Optax solver on data of every length, as it comes (one
    program per length), or padded to a few buckets with a mask: one way
    per process, so that neither finds the other's programs cached."""
    import logging

    import jax

    from workloads.calibration.buckets import bucket, pad, solve_padded
    from workloads.calibration.jax_routes import solve_optax

    jax.config.update("jax_enable_x64", True)  # this process only
    x0 = jax.device_put(np.array(START))
    _warm_jax(x0)
    raw = [make_data(n, seed=n) for n in lengths]
    solve, data = {
        SHAPES_WAYS[0]: (jax.jit(solve_optax), raw),
        SHAPES_WAYS[1]: (jax.jit(solve_padded),
                         [pad(t, y, bucket(len(t))) for t, y in raw]),
    }[way]
    name = solve.__wrapped__.__name__
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logging.getLogger("jax").addHandler(handler)
    data = [tuple(jax.device_put(a) for a in arrays) for arrays in data]
    kept: list[Any] = []
    with jax.log_compiles(True), compile_log() as log:
        timing = time_call(_keeping(_fit_lengths, kept), solve, x0, data,
                           **runs)
    logging.getLogger("jax").removeHandler(handler)
    compiling = tuple(line.split(" with ")[0] + " " + _shapes(line)
                      for line in lines if line.startswith("Compiling")
                      and f"({name})" in line.split(" with ")[0])
    return ShapesRun(
        timing, len(compiling), log.total_s,
        np.array([np.asarray(out[0]) for out in kept[0]]),
        np.array([float(out[1]) for out in kept[0]]), compiling)


def _shapes(line: str) -> str:
    """The argument shapes named in a 'Compiling ...' log line."""
    return line.split("types ")[-1].split(".")[0] if "types " in line else ""
