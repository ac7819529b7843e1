"""Verdicts, figures and glue of the page notebooks/habits.md.

Every outcome sentence of the page is picked here from measured numbers (or from what mypy
reported); the thresholds are the named constants below. The page's `Recorder` holds
- "rng": way (a `workloads.habits.rng.STREAMS` key), size = samples per call: latency per call;
- "config": "static" / "traced", size = None: latency per call of one configuration;
- "check": "unchecked" / "checked" / "jax.jit(affine)" / "jax.jit(checked affine)": latency;
- "habit": "<habit>, kept" / "<habit>, broken", size = None, extra `per` (calls per figure, e.g.
  steps per loop; `compilations` and `compile_total_s`, summed over the rounds): latency per
  call of the loop or function; "host sync, blocked" is the third variant of the host sync.
"""

import re
from typing import Any

from perfguide.records import Recorder
from perfguide.timing import Timing
from perfguide.verdicts import compare_timings, resolved

TIE = 0.10  # two times within 10% of each other are a tie
COMPILE_MOSTLY = 0.5  # compilation over half of a call's time: the call is "mostly compile time"
ACCOUNTS = 0.5  # a part within a factor of 2 of a difference is said to account for it
CHECK_NOTICEABLE = 0.10  # a run-time check adding over 10% to a call is worth keeping out of timed code
PARAMS = ("x", "scale")
PROVIDER = "key provider (modernised: jax.random.key keys)"  # as workloads.habits.rng.PROVIDER  # the parameters of the typed example, `loss(x, scale)`

# The habits of section 5: name -> (kept, broken), as the page and the table show them.
HABITS = {
    "static scalar": ("a changing scalar passed traced", "a changing scalar passed as static"),
    "weak-typed constant": ("float16 array × Python float 2.0",
                            "float16 array × `jnp.float32(2.0)`"),
    "host sync": ("loss kept on the device, read once at the end",
                  "`float(loss)` every step"),
    "donation": ("update with its input donated", "update without donation"),
}


def _x(ratio: float) -> str:
    return f"{ratio:.2f}×" if ratio < 10 else f"{ratio:,.0f}×"


def short_type(revealed: str) -> str:
    """A revealed type with module paths cut: 'jax._src.basearray.Array' -> 'Array'."""
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", revealed)


def keeps_signature(revealed: str, params: tuple[str, ...] = PARAMS) -> bool:
    """True when the revealed type names every parameter and does not end in `Any`."""
    return all(f"{p}:" in revealed for p in params) and not revealed.endswith("-> Any")


def positional_only(revealed: str, params: tuple[str, ...] = PARAMS) -> list[str]:
    """The parameters a revealed callable type keeps by type but not by name (positional-only),
    when it names the others and keeps the result type; [] otherwise."""
    if revealed.endswith("-> Any") or not revealed.startswith("def ("):
        return []
    named = [p for p in params if f"{p}:" in revealed]
    arguments = revealed[5:].split(") ->")[0].split(", ")
    if not named or len(arguments) != len(params):
        return []
    return [p for p in params if p not in named]


def signature_verdict(transform: str, revealed: str, flagged: bool,
                      params: tuple[str, ...] = PARAMS) -> str:
    """What mypy keeps of a transformed function's signature, and whether it caught a misuse."""
    if keeps_signature(revealed, params) and flagged:
        return (f"mypy keeps the signature through `{transform}` and flags a string passed for "
                "`scale`")
    if keeps_signature(revealed, params):
        return (f"mypy keeps the signature through `{transform}`, but did not flag a string passed "
                "for `scale`")
    unnamed = positional_only(revealed, params)
    if unnamed:
        names = ", ".join(f"`{p}`" for p in unnamed)
        return (f"mypy keeps the parameter types through `{transform}`, but {names} becomes "
                f"positional-only (it sees `{short_type(revealed)}`), and "
                + ("flags" if flagged else "does not flag") + " a string passed for `scale`")
    caught = "yet flags" if flagged else "and lets"
    tail = "a string passed for `scale`" + ("" if flagged else " through")
    return (f"mypy loses the signature through `{transform}` (it sees "
            f"`{short_type(revealed)}`), {caught} {tail}")


def wrapper_verdict(lost: list[str], kept: list[str]) -> str:
    """Which transforms need a typed wrapper today: those whose signature mypy loses."""
    if not lost:
        return (f"every transform checked here ({', '.join(kept)}) keeps the signature: no typed "
                "wrapper is needed")
    needed = ", ".join(f"`{name}`" for name in lost)
    keeps = ", ".join(f"`{name}`" for name in kept) or "none of the others"
    return (f"a typed wrapper is still needed for {needed}; {keeps} keep(s) the signature without "
            "one")


def versions_words(versions: dict[str, str]) -> str:
    """The versions mypy's answers hold for."""
    return f"mypy {versions['mypy']}, jax {versions['jax']} and flax {versions['flax']}"


def graph_overload_verdict(tree: str, graph: str) -> str:
    """Does the type mypy infers through `nnx.jit` depend on `graph=`?"""
    if tree == graph:
        return ("Flax's overloads of `nnx.jit` do not depend on `graph=`: `graph=True` and "
                "`graph=False` reveal the same type")
    return (f"the type depends on `graph=`: `graph=False` reveals `{short_type(tree)}`, "
            f"`graph=True` `{short_type(graph)}`")


def lower_verdict(hidden: bool) -> str:
    """The price of the wrapper's type: `.lower` (and `.trace`) hidden from the checker or not."""
    if hidden:
        return ("the wrapper's type hides the jitted object's methods: mypy rejects "
                "`typed_jit(loss).lower(...)`, though the object still has it at run time")
    return "mypy still sees `.lower` on the wrapped function"


def annotation_verdict(error: str | None) -> str:
    """Can a module still annotate with `jax.random.PRNGKeyArray`?"""
    if error:
        return (f"is gone: defining a function annotated with it raises `AttributeError: {error}`, "
                "so the provider as published fails at import")
    return "still exists, so the provider as published still imports"


def reproducible_verdict(same: dict[str, bool]) -> str:
    """Same seed, same numbers (and another seed, other numbers), for every way of drawing."""
    failed = [name for name, ok in same.items() if not ok]
    if not failed:
        return (f"all {len(same)} ways give the same numbers from the same seed, over several calls, "
                "and other numbers from another seed")
    return f"{', '.join(failed)} did not reproduce its numbers from the same seed"


def baked_key_verdict(repeats: bool) -> str:
    """A key closed over by a jitted function: a constant of the program, so the same draws."""
    if repeats:
        return ("a key closed over by a jitted function is a constant of the compiled program: "
                "every call returns the same numbers")
    return "a key closed over by a jitted function gave new numbers on each call here"


def inside_jit_verdict(repeats: bool, error: str | None) -> str:
    """The provider's `next()` called inside `jit`: split at trace time, key baked in."""
    if repeats:
        tail = (f", and the provider is left holding a tracer: its next `next()` raises `{error}`"
                if error else "")
        return ("calling the provider's `next()` inside `jit` splits once, at trace time: the key "
                f"is baked into the program and every call returns the same numbers{tail}")
    return "calling the provider's `next()` inside `jit` gave new numbers on each call here"


def provider_next_verdict(next_us: float, extra_us: float, accounts: float = ACCOUNTS) -> str:
    """The provider's `next()` timed alone against what the provider adds per call."""
    alone = f"its `next()` alone (one eager split, dispatched from Python) takes {next_us:,.0f} µs"
    if extra_us <= 0:
        return f"{alone}, yet the provider added nothing over explicit keys at this size"
    if accounts <= next_us / extra_us <= 1 / accounts:
        return f"{alone}, which accounts for the {extra_us:,.0f} µs it adds per call"
    return (f"{alone}, which does not account for the {extra_us:,.0f} µs it adds per call "
            "(not broken down further here)")


def rng_cost_verdict(name: str, way: Timing, explicit: Timing, n: int, tie: float = TIE) -> str:
    """One way of drawing against explicit keys split inside `jit`, at `n` samples per call."""
    return f"at {n:,} samples per call, " + compare_timings(
        "explicit keys", explicit, name, way, tie)


def recompile_verdict(name: str, compilations: int, calls: int, distinct: int) -> str:
    """Compilations over `calls` calls with `distinct` different configurations."""
    if compilations >= calls:
        return f"{name}: {compilations} compilations for {calls} calls, one per call"
    if compilations >= distinct:
        return (f"{name}: {compilations} compilations for {calls} calls, one per distinct "
                "configuration; an equal configuration is a cache hit")
    return f"{name}: {compilations} compilation(s) for {calls} calls of {distinct} configurations"


def miss_verdict(miss: str) -> str:
    """What JAX's explanation of the static way's second compilation names."""
    found = re.findall(r"Static\(val=(\w+\([^)]*\))\)", miss)
    if len(found) >= 2 and found[0] != found[1]:
        return (f"the second call of the static way missed the cache, and JAX's explanation names "
                f"the change: now `{found[0]}`, before `{found[1]}`")
    return "JAX's explanation of the static way's cache miss does not name the configuration"


def traced_dtype_words(compiling: str) -> str:
    """How the traced `lr` was compiled, read from JAX's 'Compiling' line."""
    shapes = re.findall(r"ShapedArray\((\w+)\[([^\]]*)\](, weak_type=True)?\)", compiling)
    if not shapes:
        return "the traced way compiled once"
    dtype, shape, weak = shapes[-1]
    what = "scalar" if not shape else f"array of shape ({shape})"
    return (f"the traced way compiled once, for `lr` as a {'weakly typed ' if weak else ''}"
            f"{dtype} {what}")


def config_advice(static_compiles: int, distinct: int, traced_compiles: int, calls: int,
                  traced_cost: str) -> str:
    """The configuration habit, from the compilation counts and the traced way's cost."""
    if traced_compiles < static_compiles:
        return (f"keep in static fields only what changes the program (shapes, loop counts, code "
                f"paths): here the static way compiled {static_compiles} times for {distinct} "
                f"values, the traced one {traced_compiles} time(s) for {calls} calls; once "
                f"compiled, {traced_cost}")
    return (f"passing numbers traced saved no compilation here ({traced_compiles} against "
            f"{static_compiles}): static fields cost nothing more in this run")


def traced_cost_verdict(static: Timing, traced: Timing, tie: float = TIE) -> str:
    """At run time, once compiled: does passing the numbers traced cost anything?"""
    return compare_timings("the traced configuration", traced, "the static one", static, tie)


def check_cost_verdict(unchecked: Timing, checked: Timing,
                       noticeable: float = CHECK_NOTICEABLE) -> str:
    """What checking the annotations on every Python call adds to a call."""
    extra_us = (checked.median_s - unchecked.median_s) * 1e6
    share = checked.median_s / unchecked.median_s - 1
    if not resolved(unchecked, checked, noticeable) or share <= noticeable:
        return (f"checking adds no cost that this run resolves ({extra_us:+.1f} µs per call, within "
                f"{noticeable:.0%} or the spread)")
    return (f"checking adds {extra_us:,.1f} µs per call, {_x(1 + share)} the unchecked call: "
            "keep it to tests and to code outside timed loops")


def trace_only_verdict(checks: int, traces: int, calls: int) -> str:
    """Under `jit`: did the check run at trace time only, or on every call?"""
    # at most two checks per trace: one of the arguments, one of the result
    if checks <= 2 * traces and calls > traces:
        return (f"under `jit`, {calls} calls ran the checker {checks} time(s) (arguments and "
                f"result), all during the {traces} trace(s): it checks shapes once per "
                "compilation and runs no check per call")
    return f"under `jit`, {calls} calls ran the check {checks} times: it ran on every call"


def check_advice(checks: int, traces: int, calls: int) -> str:
    """Where to run jaxtyping's checks, from how often they ran under `jit`."""
    if checks <= 2 * traces and calls > traces:
        return ("check shapes in tests and under `jit`, where the check ran once per trace here; "
                "keep checked Python wrappers out of timed loops")
    return "the check ran on every call under `jit` here: keep it to tests"


def habit_verdict(habit: str, kept: Timing, broken: Timing, tie: float = TIE) -> str:
    """The cost of breaking a habit: the broken way against the kept one."""
    good, bad = HABITS[habit]
    if not resolved(kept, broken, tie):
        return (f"breaking it costs nothing this run resolves ({bad} and {good} within {tie:.0%} "
                f"or their bands overlapping: {kept.spread} kept, {broken.spread} broken)")
    ratio = broken.median_s / kept.median_s
    if ratio > 1:
        return f"breaking it costs {_x(ratio)}: {bad} takes {_x(ratio)} the time of {good}"
    return f"breaking it was {_x(1 / ratio)} faster here: {bad} against {good}"


def promotion_verdict(weak_dtype: str, strong_dtype: str) -> str:
    """A float16 array times a weak and a strong float32 constant: promoted or not."""
    if weak_dtype == strong_dtype:
        return f"both products stay {weak_dtype}: no promotion"
    return (f"the Python float is weakly typed and the product stays {weak_dtype}; "
            f"`jnp.float32(2.0)` is strongly typed and promotes the product to {strong_dtype}")


def program_verdict(same_float32: bool, same_float16: bool) -> str:
    """Does a weak or strong scalar argument change the compiled program?"""
    f32 = ("identical programs" if same_float32 else "different programs")
    f16 = ("identical programs" if same_float16 else "different programs")
    return (f"with a float32 array the two scalars compile to {f32}; with a float16 array, to "
            f"{f16}")


def _plan_words(plan: dict[str, Any]) -> str:
    converts = [f"the whole array to {t}" if shape else f"the scalar to {t}"
                for t, shape in plan["converts"]]
    head = f"converts {' and '.join(converts)} and multiplies" if converts else "multiplies"
    return f"{head} in {plan['multiply']}, writing {plan['output_bytes'] / 2**20:,.1f} MiB"


def plan_verdict(kept: dict[str, Any], broken: dict[str, Any]) -> str:
    """The two compiled programs, from their HLO: what each converts, multiplies in and writes."""
    if kept == broken:
        return f"both compiled programs do the same: each {_plan_words(kept)}"
    ratio = broken["output_bytes"] / kept["output_bytes"]
    return (f"the Python float's program {_plan_words(kept)}; `jnp.float32(2.0)`'s "
            f"{_plan_words(broken)}, {ratio:.2f}× the bytes")


def precision_verdict(rounded: dict[float, float]) -> str:
    """What keeping the constant weak costs in precision: it is rounded to the array's dtype."""
    changed = {v: r for v, r in rounded.items() if r != v}
    if not changed:
        return "float16 holds these constants exactly"
    said = " and ".join(f"{v:g} becomes {r:.4g}" for v, r in changed.items())
    return f"the kept way rounds the constant to float16: {said}"


def alternative_verdict(same_output: bool, dtype: str) -> str:
    """`jnp.float16(2.0)`, a strong constant in the array's dtype, against the Python float."""
    if same_output:
        return (f"`jnp.float16(2.0)`, strongly typed in the array's own dtype, gives the same "
                f"{dtype} output as the Python float")
    return f"`jnp.float16(2.0)` gives a different output ({dtype}) from the Python float"


def static_compile_verdict(broken: Timing, calls: int, compiles: int,
                           compile_total_s: float, mostly: float = COMPILE_MOSTLY) -> str:
    """How much of the broken static scalar's time per call is compilation."""
    per_call_s = compile_total_s / max(calls, 1)
    head = (f"{calls} calls compiled {compiles} times, {per_call_s * 1e3:,.1f} ms of "
            "compilation per call")
    if per_call_s >= mostly * broken.median_s:
        return f"{head}: the broken figure is mostly compile time"
    return f"{head}: compilation is not most of the broken figure"


def sync_cause_verdict(pipelined: Timing, blocked: Timing, synced: Timing,
                       tie: float = TIE) -> str:
    """Which part of `float(loss)` costs: the wait (`block_until_ready`) or the copy to Python."""
    waits = resolved(pipelined, blocked, tie) and blocked.median_s > pipelined.median_s
    copies = resolved(blocked, synced, tie) and synced.median_s > blocked.median_s
    us = f"({pipelined.median_s * 1e6:,.0f}, {blocked.median_s * 1e6:,.0f} and " \
        f"{synced.median_s * 1e6:,.0f} µs per step: pipelined, blocked, `float(loss)`)"
    if waits and not copies:
        return f"the cost is the wait: blocking each step without copying costs about as much as `float(loss)` {us}"
    if copies and not waits:
        return f"the cost is the copy: blocking each step without copying costs nothing this run resolves {us}"
    if waits and copies:
        return f"both the wait and the copy add to each step {us}"
    return f"this run does not tell the wait from the copy {us}"


def donation_plan_verdict(aliased_mib: float, output_mib: float) -> str:
    """XLA's compile-time memory plan for the donated update: aliased bytes against the output."""
    if aliased_mib >= output_mib > 0:
        return (f"XLA's compile-time plan writes the whole {output_mib:,.1f} MiB output into the "
                "donated input. In a chained loop `p = update(p, g)` the old buffer is freed "
                "on rebinding anyway, so what donation saves is one array of peak memory during "
                "the call")
    if aliased_mib > 0:
        return (f"XLA's plan writes {aliased_mib:,.1f} of the {output_mib:,.1f} MiB output into "
                "the donated input")
    return "XLA's plan aliases nothing: the donation was not used"


def rng_advice(tree_words: str, repeats: bool) -> str:
    """The random-key habit, with `nnx.Rngs` in tree mode priced by this run."""
    tail = "; never close over a key" if repeats else ""
    return (f"carry keys explicitly into jitted code, or use `nnx.Rngs` inside `nnx.jit` in tree "
            f"mode ({tree_words}){tail}")


def habits_advice(static: str, constant: str, sync: str, donate: str) -> str:
    """The section 5 habits, each kept only where this run priced breaking it."""
    return "; ".join([static, constant, sync, donate])


def habit_advice(habit: str, kept: Timing, broken: Timing, advice: str, tie: float = TIE) -> str:
    """One habit's advice where breaking it cost a resolved amount here, else what was seen."""
    if resolved(kept, broken, tie) and broken.median_s > kept.median_s:
        return f"{advice} (breaking it cost {_x(broken.median_s / kept.median_s)} here)"
    return f"{habit}: breaking the habit cost nothing this run resolves"


def constant_advice(kept: dict[str, Any], broken: dict[str, Any], precision: str) -> str:
    """The constants habit, from the two compiled programs' output bytes."""
    if broken["output_bytes"] > kept["output_bytes"]:
        return ("write constants as Python scalars or in the array's dtype (`jnp.float16(2.0)`), "
                f"not as `jnp.float32`, on narrower arrays ({precision})")
    return "a strong float32 constant wrote no more bytes here than a Python scalar"


def donate_advice(aliased_mib: float, output_mib: float) -> str:
    """Donation, advised only when XLA's plan actually aliases the output."""
    if aliased_mib >= output_mib > 0:
        return ("donate what a step replaces where peak memory matters (XLA's plan writes the "
                "update in place)")
    return "donation: XLA's plan did not alias the output here"


def weak_recompile_verdict(compilations: int) -> str:
    """One jitted function called with a Python float, then with `jnp.float32`: compilations."""
    if compilations > 1:
        return (f"passing a Python float and then `jnp.float32` of the same value to one jitted "
                f"function compiled it {compilations} times: the weak type is part of the cache "
                "key")
    return ("passing a Python float and then `jnp.float32` compiled the function once: the weak "
            "type did not change the cache key")


def _t(median_s: float) -> Timing:
    """A synthetic timing with a narrow band around `median_s`, for the flip tests."""
    return Timing(median_s, tuple(median_s * f for f in (0.98, 0.99, 1.0, 1.01, 1.02)), 1)


PLAN16 = {"multiply": "f16", "converts": [("f16", "")], "output_bytes": 2000}
PLAN32 = {"multiply": "f32", "converts": [("f32", "1000")], "output_bytes": 4000}
JIT_TYPE = "jax._src.pjit.JitWrapped"
NNX_TYPE = ("flax.nnx.transforms.compilation.JitWrapped[[x: jax._src.basearray.Array, "
            "scale: float], jax._src.basearray.Array]")

VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (signature_verdict, dict(transform="jax.jit", revealed=JIT_TYPE, flagged=False),
     dict(transform="jax.jit", revealed=NNX_TYPE, flagged=True)),
    (signature_verdict, dict(transform="f", revealed=NNX_TYPE, flagged=True),
     dict(transform="f", revealed=NNX_TYPE, flagged=False)),
    (wrapper_verdict, dict(lost=["jax.jit"], kept=["nnx.jit"]),
     dict(lost=[], kept=["jax.jit", "nnx.jit"])),
    (lower_verdict, dict(hidden=True), dict(hidden=False)),
    (reproducible_verdict, dict(same={"a": True}), dict(same={"a": False})),
    (annotation_verdict, dict(error="no attribute"), dict(error=None)),
    (baked_key_verdict, dict(repeats=True), dict(repeats=False)),
    (rng_cost_verdict, dict(name="p", way=_t(2.0), explicit=_t(1.0), n=10),
     dict(name="p", way=_t(1.0), explicit=_t(1.0), n=10)),
    (recompile_verdict, dict(name="s", compilations=3, calls=4, distinct=3),
     dict(name="s", compilations=1, calls=4, distinct=3)),
    (recompile_verdict, dict(name="s", compilations=4, calls=4, distinct=3),
     dict(name="s", compilations=3, calls=4, distinct=3)),
    (traced_cost_verdict, dict(static=_t(1.0), traced=_t(1.0)),
     dict(static=_t(1.0), traced=_t(2.0))),
    (check_cost_verdict, dict(unchecked=_t(1.0), checked=_t(2.0)),
     dict(unchecked=_t(1.0), checked=_t(1.0))),
    (trace_only_verdict, dict(checks=2, traces=1, calls=10),
     dict(checks=20, traces=1, calls=10)),
    (habit_verdict, dict(habit="host sync", kept=_t(1.0), broken=_t(2.0)),
     dict(habit="host sync", kept=_t(1.0), broken=_t(1.0))),
    (habit_verdict, dict(habit="host sync", kept=_t(1.0), broken=_t(2.0)),
     dict(habit="host sync", kept=_t(2.0), broken=_t(1.0))),
    (promotion_verdict, dict(weak_dtype="float16", strong_dtype="float32"),
     dict(weak_dtype="float16", strong_dtype="float16")),
    (program_verdict, dict(same_float32=True, same_float16=False),
     dict(same_float32=True, same_float16=True)),
    (weak_recompile_verdict, dict(compilations=2), dict(compilations=1)),
    (signature_verdict, dict(transform="g", revealed="def (Array, scale: float) -> Array",
                             flagged=True),
     dict(transform="g", revealed="def (x: Array, scale: float) -> Array", flagged=True)),
    (graph_overload_verdict, dict(tree="A", graph="A"), dict(tree="A", graph="B")),
    (inside_jit_verdict, dict(repeats=True, error="E"), dict(repeats=False, error=None)),
    (provider_next_verdict, dict(next_us=10.0, extra_us=10.0),
     dict(next_us=1.0, extra_us=10.0)),
    (miss_verdict, dict(miss="Static(val=C(lr=0.2)) and Static(val=C(lr=0.1))"),
     dict(miss="")),
    (traced_dtype_words, dict(compiling="(ShapedArray(float32[], weak_type=True))"),
     dict(compiling="(ShapedArray(float64[]))")),
    (config_advice, dict(static_compiles=3, distinct=3, traced_compiles=1, calls=4,
                         traced_cost="t"),
     dict(static_compiles=1, distinct=3, traced_compiles=1, calls=4, traced_cost="t")),
    (plan_verdict, dict(kept=PLAN16, broken=PLAN32), dict(kept=PLAN16, broken=PLAN16)),
    (precision_verdict, dict(rounded={0.1: 0.09998}), dict(rounded={0.5: 0.5})),
    (alternative_verdict, dict(same_output=True, dtype="float16"),
     dict(same_output=False, dtype="float32")),
    (static_compile_verdict, dict(broken=_t(0.01), calls=10, compiles=10, compile_total_s=0.09),
     dict(broken=_t(0.01), calls=10, compiles=10, compile_total_s=0.01)),
    (sync_cause_verdict, dict(pipelined=_t(1.0), blocked=_t(2.0), synced=_t(2.0)),
     dict(pipelined=_t(1.0), blocked=_t(1.0), synced=_t(2.0))),
    (sync_cause_verdict, dict(pipelined=_t(1.0), blocked=_t(2.0), synced=_t(4.0)),
     dict(pipelined=_t(1.0), blocked=_t(1.0), synced=_t(1.0))),
    (donation_plan_verdict, dict(aliased_mib=4.0, output_mib=4.0),
     dict(aliased_mib=0.0, output_mib=4.0)),
    (donate_advice, dict(aliased_mib=4.0, output_mib=4.0), dict(aliased_mib=0.0, output_mib=4.0)),
    (constant_advice, dict(kept=PLAN16, broken=PLAN32, precision="p"),
     dict(kept=PLAN16, broken=PLAN16, precision="p")),
    (habit_advice, dict(habit="h", kept=_t(1.0), broken=_t(2.0), advice="a"),
     dict(habit="h", kept=_t(1.0), broken=_t(1.0), advice="a")),
    (check_advice, dict(checks=2, traces=1, calls=10), dict(checks=20, traces=1, calls=10)),
    (rng_advice, dict(tree_words="w", repeats=True), dict(tree_words="w", repeats=False)),
]
GOALS: list[Any] = []  # speed goals belong in `make bench`; this page sets none


# Figures, tables and glue: plumbing, kept out of the notebook.
def types_table(report: Any, transforms: dict[int, tuple[str, str]],
                misuse: dict[int, tuple[str, str]],
                versions: dict[str, str] | None = None) -> tuple[str, dict[str, bool]]:
    """A Markdown table of what mypy revealed per transform and whether it flagged the misuse;
    returns the table and, per transform, whether it keeps the signature."""
    revealed = report.revealed("transforms.py")
    errors = report.errors("misuse.py")
    flagged = {label: line in errors for line, (label, _) in misuse.items()}
    who = versions_words(versions) if versions else "mypy"
    rows, keeps = [f"| transform | what {who} reveal (module paths cut) | misuse flagged? |",
                   "|---|---|---|"], {}
    types = {label: revealed.get(line, "(nothing)") for line, (label, _) in transforms.items()}
    for label, type_ in types.items():
        if label.endswith(", called"):
            continue
        called = types.get(f"{label}, called")
        shown = f"`{short_type(type_)}`" + (f"; called: `{short_type(called)}`" if called else "")
        mark = "yes" if flagged.get(label) else "no" if label in flagged else "(not tried)"
        rows.append(f"| `{label}` | {shown} | {mark} |")
        keeps[label] = keeps_signature(type_)
    return "\n".join(rows), keeps


def glue_types(report: Any, transforms: dict[int, tuple[str, str]],
               misuse: dict[int, tuple[str, str]], versions: dict[str, str]) -> None:
    """Section 1: the table of revealed types and the verdicts per transform."""
    from IPython.display import Markdown
    from myst_nb import glue

    from perfguide.glue import glue_words

    table, keeps = types_table(report, transforms, misuse, versions)
    glue("types_table", Markdown(table), display=False)
    glue_words("type_versions", versions_words(versions))
    revealed = report.revealed("transforms.py")
    errors = report.errors("misuse.py")
    by_label = {label: line for line, (label, _) in transforms.items()}
    flagged = {label: line in errors for line, (label, _) in misuse.items()}
    for label in ("jax.jit", "jax.grad", "nnx.jit", "typed_jit", "typed_grad"):
        key = label.replace(".", "_")
        glue_words(f"sig_{key}", signature_verdict(label, revealed[by_label[label]],
                                                   flagged[label]))
    glue_words("graph_overload", graph_overload_verdict(
        revealed[by_label["nnx.jit"]], revealed[by_label["nnx.jit, graph=True"]]))
    raw = ["jax.jit", "jax.grad", "nnx.jit"]
    lost = [n for n in raw if not keeps[n]]
    glue_words("wrapper_verdict", wrapper_verdict(lost, [n for n in raw if keeps[n]]))
    glue_words("lower_verdict", lower_verdict(flagged.get("typed_jit, .lower", False)))


RNG_STYLES = {"explicit keys": ("C0", "o"), "nnx.Rngs, tree mode": ("C1", "s"),
              "nnx.Rngs, graph mode": ("C2", "^"), PROVIDER: ("C3", "x")}
RNG_KEYS = {"nnx.Rngs, tree mode": "nnx_rngs_tree", "nnx.Rngs, graph mode": "nnx_rngs_graph",
            PROVIDER: "key_provider"}  # way -> glue name
RNG_SAID = {PROVIDER: "the key provider"}  # way -> how a sentence names it


def glue_rng(recorder: Recorder, same: dict[str, bool], repeats: bool, inside_repeats: bool,
             leaked: str | None, next_timing: Timing) -> None:
    """Section 2: reproducibility, the traps and time per call of each way of drawing."""
    from perfguide.glue import glue_number, glue_words

    glue_words("reproducible", reproducible_verdict(same))
    glue_words("baked_key", baked_key_verdict(repeats))
    glue_words("inside_jit", inside_jit_verdict(inside_repeats, leaked))
    explicit = recorder.series("rng", "explicit keys")
    for which, index in (("small", 0), ("large", -1)):
        n = int(explicit.sizes[index])
        glue_number(f"rng_n_{which}", n)
        glue_number(f"rng_explicit_{which}_us", explicit.timings[index].median_s * 1e6)
        for name, key in RNG_KEYS.items():
            way = recorder.series("rng", name).timings[index]
            glue_number(f"rng_{key}_{which}_us", way.median_s * 1e6)
            glue_words(f"rng_{key}_{which}", rng_cost_verdict(
                RNG_SAID.get(name, name), way, explicit.timings[index], n))
    small = recorder.series("rng", PROVIDER).timings[0]
    glue_words("provider_next", provider_next_verdict(
        next_timing.median_s * 1e6, (small.median_s - explicit.timings[0].median_s) * 1e6))
    compile_s = [r.compile_s for name in recorder.variants("rng")
                 for r in recorder.series("rng", name).records]
    glue_number("rng_compile_ms", max(compile_s) * 1e3)
    tree = recorder.series("rng", "nnx.Rngs, tree mode").timings[0]
    tree_words = compare_timings("tree mode", tree, "explicit keys", explicit.timings[0])
    glue_words("rng_advice", rng_advice(
        f"{tree_words} at {int(explicit.sizes[0]):,} samples per call", repeats))


def glue_habits(recorder: Recorder) -> None:
    """Section 5: kept and broken timings per habit (µs per call or step) and verdicts."""
    from IPython.display import Markdown
    from myst_nb import glue

    from perfguide.glue import glue_number, glue_words

    rows = ["| habit | kept | broken | µs, kept | µs, broken | what breaking it cost |",
            "|---|---|---|---|---|---|"]
    for habit, (good, bad) in HABITS.items():
        kept, broken = per_call(recorder, habit, "kept"), per_call(recorder, habit, "broken")
        key = habit.replace(" ", "_").replace("-", "_")
        glue_number(f"{key}_kept_us", kept.median_s * 1e6)
        glue_number(f"{key}_broken_us", broken.median_s * 1e6)
        glue_number(f"{key}_ratio", broken.median_s / kept.median_s)
        words = habit_verdict(habit, kept, broken)
        glue_words(f"{key}_verdict", words)
        rows.append(f"| {habit_label(habit)} | {good} | {bad} | {kept.median_s * 1e6:,.1f} | "
                    f"{broken.median_s * 1e6:,.1f} | {words} |")
    glue("habits_table", Markdown("\n".join(rows)), display=False)
    static = recorder.series("habit", "static scalar, broken").records[0].extra
    glue_words("static_compile", static_compile_verdict(
        per_call(recorder, "static scalar", "broken"), static["calls"],
        static["compilations"], static["compile_total_s"]))
    glue_words("sync_cause", sync_cause_verdict(
        *(per_call(recorder, "host sync", how) for how in ("kept", "blocked", "broken"))))


def glue_section5(recorder: Recorder, plans: dict[str, dict[str, Any]], dtypes: dict[str, str],
                  same: tuple[bool, bool], rounded: dict[float, float], alt_same: bool,
                  weak_compiles: int, memory: dict[str, dict[str, float]]) -> None:
    """Section 5's verdicts beyond the timings, and the habits' take-away advice.
    `dtypes`: product dtype per scalar name of `workloads.habits.scalars.scalars()`."""
    from perfguide.glue import glue_words

    glue_habits(recorder)
    glue_words("promotion", promotion_verdict(dtypes["Python float 2.0"],
                                              dtypes["jnp.float32(2.0)"]))
    glue_words("same_program", program_verdict(*same))
    glue_words("weak_recompile", weak_recompile_verdict(weak_compiles))
    glue_words("plan", plan_verdict(plans["kept"], plans["broken"]))
    precision = precision_verdict(rounded)
    glue_words("precision", precision)
    glue_words("alternative", alternative_verdict(alt_same, dtypes["jnp.float16(2.0)"]))
    aliased, output = memory["kept"]["aliased"], memory["kept"]["outputs"]
    glue_words("donation_plan", donation_plan_verdict(aliased, output))
    timed = {h: [per_call(recorder, h, w) for w in ("kept", "broken")] for h in HABITS}
    glue_words("habits_advice", habits_advice(
        habit_advice("static scalar", *timed["static scalar"], "keep changing scalars traced"),
        constant_advice(plans["kept"], plans["broken"], precision),
        habit_advice("host sync", *timed["host sync"],
                     "keep losses on the device until the end"),
        donate_advice(aliased, output)))


def habit_label(habit: str) -> str:
    """A habit's name in the table and the figure, with what its figure is per."""
    return habit + {"host sync": " (per step)",
                    "static scalar": " (broken: compiles every call)"}.get(habit, "")


def per_call(recorder: Recorder, habit: str, how: str) -> Timing:
    """A habit's timing per call, or per step where the recorded call ran several."""
    series = recorder.series("habit", f"{habit}, {how}")
    return series.timings[0].scaled(1 / series.records[0].extra.get("per", 1))


def headline(recorder: Recorder) -> dict[str, Timing]:
    """The timings the page's verdicts read, for the noise check."""
    largest = {f"{name}, largest n": recorder.series("rng", name).timings[-1]
               for name in recorder.variants("rng")}
    habits = {name: per_call(recorder, *name.split(", "))
              for name in recorder.variants("habit")}
    checks = {name: recorder.series("check", name).timings[0]
              for name in recorder.variants("check")}
    return {**largest, **habits, **checks}


def figure(recorder: Recorder) -> Any:
    """Left: time per call of each way of drawing against samples per call. Right: each habit
    kept and broken, µs per call (per step for the training loop), dots with spread bars."""
    import matplotlib.pyplot as plt
    import numpy as np

    from perfguide.plotting import plain_log, timing_band

    fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 4.2), layout="constrained",
                                      gridspec_kw={"width_ratios": [1, 1.15]})
    for name in recorder.variants("rng"):
        series = recorder.series("rng", name)
        color, marker = RNG_STYLES.get(name, ("k", "o"))
        timing_band(left, series.sizes, series.timings, unit="us", color=color, marker=marker,
                    label=name.replace(" (", "\n("))
    plain_log(left)
    sizes = recorder.series("rng", "explicit keys").sizes
    left.set_xticks(sizes, [f"{int(n):,}" for n in sizes])
    left.set(xlabel="normal samples per call", ylabel="time per call (µs)",
             title="random numbers inside jit")
    left.legend(fontsize="small")
    habits = list(HABITS)
    y = np.arange(len(habits))[::-1].astype(float)
    for offset, how, color, marker in ((0.2, "kept", "C0", "o"), (0.0, "blocked", "C7", "D"),
                                       (-0.2, "broken", "C3", "s")):
        at = [(i, per_call(recorder, h, how)) for i, h in enumerate(habits)
              if f"{h}, {how}" in recorder.variants("habit")]
        mid = np.array([t.median_s for _, t in at]) * 1e6
        low = mid - np.array([t.low_s for _, t in at]) * 1e6
        high = np.array([t.high_s for _, t in at]) * 1e6 - mid
        label = {"blocked": "host sync: block_until_ready only"}.get(how, f"habit {how}")
        right.errorbar(mid, y[[i for i, _ in at]] + offset, xerr=[low, high], fmt=marker,
                       color=color, capsize=3, label=label)
    right.set_yticks(y, [habit_label(h).replace(" (", "\n(") for h in habits])
    right.set_xscale("log")
    right.set(xlabel="time per call (µs), median and spread", title="habits kept and broken")
    right.grid(axis="y", visible=False)
    right.legend(fontsize="small", loc="best")
    return fig
