"""Verdicts, figures and glue of the page notebooks/habits.md.

Every outcome sentence of the page is picked here from measured numbers (or from what mypy
reported); the thresholds are the named constants below. The page's `Recorder` holds
- "rng": way (a `workloads.habits.rng.STREAMS` key), size = samples per call: latency per call;
- "config": "static" / "traced", size = None: latency per call of one configuration;
- "check": "unchecked" / "checked" / "jax.jit(affine)" / "jax.jit(checked affine)": latency;
- "habit": "<habit>, kept" / "<habit>, broken", size = None, extra `per` (calls per figure, e.g.
  steps per loop): latency per call of the loop or function.
"""

import re
from typing import Any

from perfguide.records import Recorder
from perfguide.timing import Timing
from perfguide.verdicts import compare_timings, resolved

TIE = 0.10  # two times within 10% of each other are a tie
CHECK_NOTICEABLE = 0.10  # a run-time check adding over 10% to a call is worth keeping out of timed code
PARAMS = ("x", "scale")  # the parameters of the typed example, `loss(x, scale)`

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
    """True when the revealed type names the function's parameters and does not end in `Any`."""
    return all(f"{p}:" in revealed for p in params[1:]) and not revealed.endswith("-> Any")


def signature_verdict(transform: str, revealed: str, flagged: bool,
                      params: tuple[str, ...] = PARAMS) -> str:
    """What mypy keeps of a transformed function's signature, and whether it caught a misuse."""
    if keeps_signature(revealed, params) and flagged:
        return (f"mypy keeps the signature through `{transform}` and flags a string passed for "
                "`scale`")
    if keeps_signature(revealed, params):
        return (f"mypy keeps the signature through `{transform}`, but did not flag a string passed "
                "for `scale`")
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
    if checks <= 2 * traces and calls > traces:
        return (f"under `jit`, {calls} calls ran the checker {checks} time(s) (arguments and "
                f"result), all during the {traces} trace(s): it checks shapes once per "
                "compilation and costs nothing per call")
    return f"under `jit`, {calls} calls ran the check {checks} times: it ran on every call"


def habit_verdict(habit: str, kept: Timing, broken: Timing, tie: float = TIE) -> str:
    """The cost of breaking a habit: the broken way against the kept one."""
    good, bad = HABITS[habit]
    if not resolved(kept, broken, tie):
        return (f"breaking it costs nothing this run resolves ({bad} and {good} within {tie:.0%} "
                f"or {kept.spread} bands overlapping)")
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
    f16 = ("identical programs" if same_float16 else
           "different programs (a float32 product and output)")
    return (f"with a float32 array the two scalars compile to {f32}; with a float16 array, to "
            f"{f16}")


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
]
GOALS: list[Any] = []  # speed goals belong in `make bench`; this page sets none


# Figures, tables and glue: plumbing, kept out of the notebook.
def types_table(report: Any, transforms: dict[int, tuple[str, str]],
                misuse: dict[int, tuple[str, str]]) -> tuple[str, dict[str, bool]]:
    """A Markdown table of what mypy revealed per transform and whether it flagged the misuse;
    returns the table and, per transform, whether it keeps the signature."""
    revealed = report.revealed("transforms.py")
    errors = report.errors("misuse.py")
    flagged = {label: line in errors for line, (label, _) in misuse.items()}
    rows, keeps = ["| transform | mypy reveals (module paths cut) | misuse flagged? |",
                   "|---|---|---|"], {}
    types = {label: revealed.get(line, "(nothing)") for line, (label, _) in transforms.items()}
    for label, type_ in types.items():
        if label.endswith(", called"):
            continue
        called = types.get(f"{label}, called")
        shown = f"`{short_type(type_)}`" + (f"; called: `{short_type(called)}`" if called else "")
        mark = "yes" if flagged.get(label) else "no"
        rows.append(f"| `{label}` | {shown} | {mark} |")
        keeps[label] = keeps_signature(type_)
    return "\n".join(rows), keeps


def glue_types(report: Any, transforms: dict[int, tuple[str, str]],
               misuse: dict[int, tuple[str, str]]) -> None:
    """Section 1: the table of revealed types and the verdicts per transform."""
    from IPython.display import Markdown
    from myst_nb import glue

    from perfguide.glue import glue_words

    table, keeps = types_table(report, transforms, misuse)
    glue("types_table", Markdown(table), display=False)
    revealed = report.revealed("transforms.py")
    errors = report.errors("misuse.py")
    by_label = {label: line for line, (label, _) in transforms.items()}
    flagged = {label: line in errors for line, (label, _) in misuse.items()}
    for label in ("jax.jit", "jax.grad", "nnx.jit", "typed_jit", "typed_grad"):
        key = label.replace(".", "_")
        glue_words(f"sig_{key}", signature_verdict(label, revealed[by_label[label]],
                                                   flagged[label]))
    raw = [name for name in ("jax.jit", "jax.grad", "nnx.jit")]
    glue_words("wrapper_verdict", wrapper_verdict([n for n in raw if not keeps[n]],
                                                  [n for n in raw if keeps[n]]))
    glue_words("lower_verdict", lower_verdict(flagged.get("typed_jit, .lower", False)))


RNG_STYLES = {"explicit keys": ("C0", "o"), "nnx.Rngs, tree mode": ("C1", "s"),
              "nnx.Rngs, graph mode": ("C2", "^"), "key provider": ("C3", "x")}


def glue_rng(recorder: Recorder, same: dict[str, bool], repeats: bool) -> None:
    """Section 2: reproducibility and time per call of each way of drawing."""
    from perfguide.glue import glue_number, glue_words

    glue_words("reproducible", reproducible_verdict(same))
    glue_words("baked_key", baked_key_verdict(repeats))
    explicit = recorder.series("rng", "explicit keys")
    for which, index in (("small", 0), ("large", -1)):
        n = int(explicit.sizes[index])
        glue_number(f"rng_n_{which}", n)
        glue_number(f"rng_explicit_{which}_us", explicit.timings[index].median_s * 1e6)
        for name in recorder.variants("rng"):
            if name == "explicit keys":
                continue
            way = recorder.series("rng", name).timings[index]
            key = name.split(",")[0].replace(".", "_").replace(" ", "_").lower()
            key += "_graph" if "graph" in name else "_tree" if "tree" in name else ""
            glue_number(f"rng_{key}_{which}_us", way.median_s * 1e6)
            glue_words(f"rng_{key}_{which}", rng_cost_verdict(
                name, way, explicit.timings[index], n))
    compile_ms = {name: recorder.series("rng", name).records[0].compile_s * 1e3
                  for name in recorder.variants("rng")}
    glue_number("rng_compile_ms", max(compile_ms.values()))


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
        label = habit + (" (per step)" if habit == "host sync" else "")
        rows.append(f"| {label} | {good} | {bad} | {kept.median_s * 1e6:,.1f} | "
                    f"{broken.median_s * 1e6:,.1f} | {words} |")
    glue("habits_table", Markdown("\n".join(rows)), display=False)


def per_call(recorder: Recorder, habit: str, how: str) -> Timing:
    """A habit's timing per call, or per step where the recorded call ran several."""
    series = recorder.series("habit", f"{habit}, {how}")
    return series.timings[0].scaled(1 / series.records[0].extra.get("per", 1))


def headline(recorder: Recorder) -> dict[str, Timing]:
    """The timings the page's verdicts read, for the noise check."""
    largest = {f"{name}, largest n": recorder.series("rng", name).timings[-1]
               for name in recorder.variants("rng")}
    habits = {f"{habit}, {how}": per_call(recorder, habit, how)
              for habit in HABITS for how in ("kept", "broken")}
    checks = {name: recorder.series("check", name).timings[0]
              for name in recorder.variants("check")}
    return {**largest, **habits, **checks}


def figure(recorder: Recorder) -> Any:
    """Left: time per call of each way of drawing against samples per call. Right: each habit
    kept and broken, µs per call (per step for the training loop)."""
    import matplotlib.pyplot as plt
    import numpy as np

    from perfguide.plotting import plain_log, timing_band

    fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 4.0), layout="constrained",
                                      gridspec_kw={"width_ratios": [1, 1.15]})
    for name in recorder.variants("rng"):
        series = recorder.series("rng", name)
        color, marker = RNG_STYLES.get(name, ("k", "o"))
        timing_band(left, series.sizes, series.timings, unit="us", color=color, marker=marker,
                    label=name)
    plain_log(left)
    sizes = recorder.series("rng", "explicit keys").sizes
    left.set_xticks(sizes, [f"{int(n):,}" for n in sizes])
    left.set(xlabel="normal samples per call", ylabel="time per call (µs)",
             title="random numbers inside jit")
    left.legend()
    habits = list(HABITS)
    y = np.arange(len(habits))[::-1]
    for offset, how, color in ((0.18, "kept", "C0"), (-0.18, "broken", "C3")):
        timings = [per_call(recorder, habit, how) for habit in habits]
        mid = np.array([t.median_s for t in timings]) * 1e6
        low = mid - np.array([t.low_s for t in timings]) * 1e6
        high = np.array([t.high_s for t in timings]) * 1e6 - mid
        right.barh(y + offset, mid, height=0.34, color=color, label=f"habit {how}",
                   xerr=[low, high], capsize=3)
    right.set_yticks(y, [h + (" (per step)" if h == "host sync" else "") for h in habits])
    right.set_xscale("log")
    right.set(xlabel="time per call (µs), median and spread", title="habits kept and broken")
    right.grid(axis="y", visible=False)
    right.legend(loc="center right")
    return fig
