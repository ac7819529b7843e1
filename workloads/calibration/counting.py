"""Counting objective evaluations honestly: a counter around the NumPy and
PyTorch objectives, and a JAX objective that reports every value and every
gradient through a callback (used in an untimed counting run only)."""

from collections.abc import Callable
from typing import Any

import jax

from workloads.calibration.problem import loss_jax


class Counter:
    """Calls of an objective: values and gradients."""

    def __init__(self) -> None:
        self.values = 0
        self.gradients = 0

    def wrap(self, fn: Callable[..., Any], gradients: bool = False
             ) -> Callable[..., Any]:
        """`fn`, counting one value (and a gradient) per call."""
        def counted(*args: Any) -> Any:
            self.values += 1
            self.gradients += gradients
            return fn(*args)
        return counted


def counting_loss(counter: Counter) -> Callable[..., Any]:
    """loss_jax that tells `counter` of each value and gradient it computes,
    jitted or not, inside loops and line searches."""
    def value(*_: Any) -> None:
        counter.values += 1

    def gradient(*_: Any) -> None:
        counter.gradients += 1

    @jax.custom_vjp
    def loss(p: Any, t: Any, y: Any) -> Any:
        jax.debug.callback(value, p)
        return loss_jax(p, t, y)

    def forward(p: Any, t: Any, y: Any) -> Any:
        jax.debug.callback(value, p)
        out, pullback = jax.vjp(loss_jax, p, t, y)
        return out, pullback

    def backward(pullback: Any, cotangent: Any) -> Any:
        jax.debug.callback(gradient, cotangent)
        return pullback(cotangent)

    loss.defvjp(forward, backward)
    return loss
