"""Program-size counters: jaxpr equations (nested ones included) and HLO instructions."""

import jax
import jax.numpy as jnp

import perfguide as pg


def test_jaxpr_equations_count_the_body_of_a_loop() -> None:
    def body(i, x):
        return jnp.sin(x) + i

    flat = jax.make_jaxpr(lambda x: jnp.sin(x) + 1.0)(1.0).jaxpr
    looped = jax.make_jaxpr(lambda x: jax.lax.fori_loop(0, 3, body, x))(1.0).jaxpr
    assert pg.jaxpr_equations(flat) == 2
    assert pg.jaxpr_equations(looped) > len(looped.eqns)


def test_hlo_instructions_grow_with_an_unrolled_python_loop() -> None:
    def unrolled(steps: int):
        def f(x):
            for _ in range(steps):
                x = jnp.sin(x) * 2.0
            return x

        return jax.jit(f).lower(jnp.ones(4)).as_text(dialect="hlo")

    assert pg.hlo_instructions(unrolled(8)) > pg.hlo_instructions(unrolled(2)) > 0
