"""Verdicts and speed goals of the page notebooks/loops_under_jit.md.

Every outcome sentence of the page is picked here from measured numbers; the thresholds are the
named constants below and each sentence states the one it used.
"""

from typing import Any

from perfguide.goals import Goal, Results
from perfguide.timing import Timing
from perfguide.verdicts import compare_timings, ratio_words, resolved

TIE = 0.10  # two times within 10% of each other are a tie
SHORT_LOOP_TIE = 0.25  # a 10-step call's time per step within 25% of the longest run's: no fixed cost seen
COMPILE_FLAT_TIE = 0.25  # median compile times within 25% of each other over the sweep: flat
UNROLL_BODY_FACTOR = 1.5  # an unrolled body over 1.5x k copies of one step: XLA added work
COMPILE_SHARE = 0.5  # compilation over half of a first call: the compiler dominated it


def _x(ratio: float) -> str:
    return f"{ratio:.2f}×" if ratio < 10 else f"{ratio:,.0f}×"


def program_growth_verdict(per_step_first: float, per_step_last: float, tie: float = TIE) -> str:
    """Does the optimised program of the unrolled loop grow faster than the steps?"""
    ratio = per_step_last / per_step_first
    if ratio >= 1 + tie:
        return (f"The compiled program grows faster than the steps: its HLO instructions per step "
                f"rose {_x(ratio)} from one step to the largest count (more than {tie:.0%})")
    if ratio <= 1 / (1 + tie):
        return (f"The compiled program grows more slowly than the steps: its HLO instructions per "
                f"step fell {_x(1 / ratio)} from one step to the largest count (more than {tie:.0%})")
    return (f"The compiled program grows in proportion to the steps: its HLO instructions per step "
            f"stayed within {tie:.0%} from one step to the largest count")


def unrolled_slowdown_verdict(ratio: float, tie: float = TIE) -> str:
    """Time per step at the largest unrolled count over the time of a one-step call."""
    if ratio >= 1 + tie:
        return (f"each step got slower as the unrolled loop grew ({_x(ratio)} the time of a lone "
                f"step, more than {tie:.0%})")
    if ratio <= 1 / (1 + tie):
        return (f"each step got cheaper as the unrolled loop grew (a lone step took {_x(1 / ratio)} "
                f"as long, more than {tie:.0%}): the call's fixed cost is shared among more steps")
    return f"a step costs the same, within {tie:.0%}, alone or in the longest unrolled loop"


def rolled_vs_numpy_verdict(numpy: Timing, jax: Timing, jax_name: str, tie: float = TIE) -> str:
    """The fastest rolled JAX loop against NumPy: a ratio only when the run tells them apart."""
    return compare_timings(jax_name, jax, "NumPy", numpy, tie)


def compiled_vs_compiled_verdict(torch: Timing | None, jax: Timing, jax_name: str,
                                 tie: float = TIE) -> str:
    """The two compiled sides: the fastest rolled JAX loop against the `torch.compile`d step."""
    if torch is None:
        return "`torch.compile` failed here, so there is no compiled PyTorch side to compare"
    return compare_timings(jax_name, jax, "`torch.compile`", torch, tie)


def threads_verdict(library: str, one: Timing, every: Timing, cores: int, tie: float = TIE) -> str:
    """One library at all cores against the same library at one thread, each in its own process."""
    ratio = one.median_s / every.median_s
    if not resolved(one, every, tie):
        return (f"{library} on {cores} cores and on one are not told apart (medians within "
                f"{tie:.0%}, or {one.spread} bands that overlap)")
    if ratio >= 1 + tie:
        return f"{library} gains {_x(ratio)} from {cores} cores"
    if ratio <= 1 / (1 + tie):
        return f"{library} is {_x(1 / ratio)} slower on {cores} cores than on one"
    return f"{library} runs within {tie:.0%} on {cores} cores and on one"


def fori_vs_scan_verdict(fori: Timing, scan: Timing, tie: float = TIE) -> str:
    """`fori_loop` against `scan`, which it becomes: not told apart, or a gap to look at."""
    if not resolved(fori, scan, tie):
        return (f"`fori_loop` and `scan`, which trace to the same loop (the jaxpr above), are not "
                f"told apart (medians within {tie:.0%}, or {fori.spread} bands that overlap)")
    return (f"{ratio_words(scan.median_s / fori.median_s, '`fori_loop`', '`scan`', tie)}, although "
            "both trace to a `scan` (the jaxpr above)")


def short_loop_verdict(short: Timing, long: Timing, tie: float = SHORT_LOOP_TIE) -> str:
    """Per-step time of the shortest call over the longest: a fixed cost per call shows."""
    ratio = short.median_s / long.median_s
    if ratio >= 1 + tie and resolved(short, long, tie):
        return (f"{_x(ratio)} its time in the longest run (more than {tie:.0%} above): a call also "
                "pays a fixed cost (dispatch, handing over the arguments), which a short loop "
                "shares among fewer steps")
    return (f"{_x(ratio)} its time in the longest run, not more than {tie:.0%} above it beyond the "
            "spread of the repeats: the fixed cost of a call (dispatch, handing over the arguments) "
            "does not show at this size")


def torch_compile_verdict(compile_s: float | None, error: str | None) -> str:
    """Whether `torch.compile` worked here, and what its first call cost."""
    if error is not None or compile_s is None:
        return f"`torch.compile` failed here ({error}), so the figure has no line for it."
    return (f"`torch.compile` works offline here: its first call took {compile_s:.1f} s (loading the "
            "compiler, generating and building C++), which is kept apart from its time per step.")


def compile_flat_verdict(name: str, times: list[Timing], tie: float = COMPILE_FLAT_TIE) -> str:
    """Compile times over the step sweep (repeated compilations per count): flat, or not."""
    slowest = max(times, key=lambda t: t.median_s)
    fastest = min(times, key=lambda t: t.median_s)
    ratio = slowest.median_s / fastest.median_s
    if ratio <= 1 + tie:
        return (f"`{name}`'s median compile time stays within {tie:.0%} over the sweep "
                f"(largest over smallest {ratio:.2f}): the count is only the loop's trip count")
    if not resolved(slowest, fastest, tie):
        return (f"`{name}`'s median compile time varies by {ratio:.2f}× over the sweep, more than "
                f"{tie:.0%}, but the {slowest.spread} bands of its slowest and fastest counts "
                "overlap: no trend with the count is resolved")
    return (f"`{name}`'s median compile time varies by {ratio:.2f}× over the sweep, more than "
            f"{tie:.0%} and beyond the spread of its repeats: it changed with the step count here")


def breakeven_verdict(compile_s: float, numpy_step_s: float, jax_step_s: float,
                      tie: float = TIE) -> str:
    """When a compiled `scan` run once catches up with NumPy, counting its compilation."""
    if numpy_step_s >= (1 + tie) * jax_step_s:
        steps = compile_s / (numpy_step_s - jax_step_s)
        return (f"with a step {_x(numpy_step_s / jax_step_s)} faster than NumPy's, a `scan` run once "
                f"catches up with NumPy, compilation included, after about {steps:,.0f} steps")
    return (f"with a step not faster than NumPy's by more than {tie:.0%}, compiling never pays "
            "for a `scan` run once here")


def unroll_verdict(best_k: int, best_high_s: float, one_low_s: float, spread: str) -> str:
    """A clear gain from `unroll=k`: the best k's upper band edge below `unroll=1`'s lower edge."""
    if best_k != 1 and best_high_s < one_low_s:
        return (f"unrolling pays: `unroll={best_k}` is the fastest, and its {spread} lies wholly "
                "below that of `unroll=1`")
    return (f"unrolling brings no clear gain: no `k` beats `unroll=1` by more than the spread of "
            f"the repeats ({spread})")


def unroll_body_verdict(instructions: float, copies: float, factor: float = UNROLL_BODY_FACTOR) -> str:
    """Is the unrolled body much bigger than k copies of one step?"""
    if instructions > factor * copies:
        return (f"That is over {factor:g}× the copies: as with the Python loop, XLA fuses the "
                "unrolled steps and recomputes shifted copies of the intermediate fields, extra "
                "work per step which the saved loop iterations have to pay for.")
    return (f"That is no more than {factor:g}× the copies, so the unrolled body adds little work "
            "of its own.")


def post_reason_verdict(share: float, threshold: float = COMPILE_SHARE) -> str:
    """Was the unrolled script's first call mostly compilation?"""
    if share > threshold:
        return (f"over {threshold:.0%}: most of the unrolled script's time was the compiler, not "
                "the loop")
    return (f"at most {threshold:.0%}: the unrolled script's first call was mostly running, not "
            "compiling")


def post_advice_verdict(unrolled_compile_s: float, scan_compile_s: float, steps: int,
                        tie: float = TIE) -> str:
    """Does the post's advice (a loop construct JAX does not unroll) buy compile time here?"""
    ratio = unrolled_compile_s / scan_compile_s
    if ratio >= 1 + tie:
        return (f"The post's advice, to use a loop construct that JAX does not unroll, holds: at "
                f"{steps:,} steps the unrolled loop compiles {_x(ratio)} as long as the `scan` "
                f"(more than {tie:.0%}), and the `scan`'s bill does not grow with the loop.")
    return (f"At {steps:,} steps the post's advice buys no compile time here: the unrolled loop "
            f"compiles in {_x(ratio)} the `scan`'s time (a gain needs over {tie:.0%}).")


def _t(median_s: float) -> Timing:
    """A synthetic timing with a narrow band around `median_s`, for the flip tests."""
    return Timing(median_s, tuple(median_s * f for f in (0.98, 0.99, 1.0, 1.01, 1.02)), 1)


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (program_growth_verdict, dict(per_step_first=20, per_step_last=60), dict(per_step_first=20, per_step_last=20)),
    (unrolled_slowdown_verdict, dict(ratio=3.0), dict(ratio=1.0)),
    (rolled_vs_numpy_verdict, dict(numpy=_t(3.0), jax=_t(1.0), jax_name="scan"),
     dict(numpy=_t(1.0), jax=_t(3.0), jax_name="scan")),
    (compiled_vs_compiled_verdict, dict(torch=_t(3.0), jax=_t(1.0), jax_name="scan"),
     dict(torch=_t(1.0), jax=_t(3.0), jax_name="scan")),
    (threads_verdict, dict(library="NumPy", one=_t(2.0), every=_t(1.0), cores=2),
     dict(library="NumPy", one=_t(1.0), every=_t(1.0), cores=2)),
    (fori_vs_scan_verdict, dict(fori=_t(1.0), scan=_t(1.02)), dict(fori=_t(1.0), scan=_t(2.0))),
    (short_loop_verdict, dict(short=_t(2.0), long=_t(1.0)), dict(short=_t(1.0), long=_t(1.0))),
    (torch_compile_verdict, dict(compile_s=5.0, error=None), dict(compile_s=None, error="no compiler")),
    (compile_flat_verdict, dict(name="scan", times=[_t(1.0), _t(1.05)]),
     dict(name="scan", times=[_t(1.0), _t(3.0)])),
    (breakeven_verdict, dict(compile_s=0.1, numpy_step_s=2e-4, jax_step_s=1e-4),
     dict(compile_s=0.1, numpy_step_s=1e-4, jax_step_s=1e-4)),
    (unroll_verdict, dict(best_k=4, best_high_s=1.0, one_low_s=2.0, spread="IQR"),
     dict(best_k=1, best_high_s=1.0, one_low_s=1.0, spread="IQR")),
    (unroll_body_verdict, dict(instructions=100, copies=10), dict(instructions=10, copies=10)),
    (post_reason_verdict, dict(share=0.9), dict(share=0.1)),
    (post_advice_verdict, dict(unrolled_compile_s=2.0, scan_compile_s=0.1, steps=100),
     dict(unrolled_compile_s=0.1, scan_compile_s=0.1, steps=100)),
]


# Speed goals, read by `make bench` from the page's results file. Records: experiment "rolled"
# (variant, steps, threads: seconds per call of `steps` steps, each side in its own process) and
# "compile" (variant, steps: seconds per compilation, median of several).
ROLLED_JAX = ("fori_loop", "scan")


def rolled_over_numpy(threads: str) -> Any:
    """NumPy's time over the fastest rolled JAX loop's at the largest step count; 'one' or 'all' threads."""

    def measure(results: Results) -> float:
        pick = (min if threads == "one" else max)
        counts = {r["threads"] for r in results.records if r["experiment"] == "rolled"}
        n = pick(counts)
        steps = max(results.sizes("rolled", "NumPy"))
        best = min(results.median("rolled", name, steps, threads=n) for name in ROLLED_JAX)
        return results.median("rolled", "NumPy", steps, threads=n) / best

    return measure


def compile_spread(name: str) -> Any:
    """Largest over smallest median compile time of `name` across the step sweep."""

    def measure(results: Results) -> float:
        times = [results.median("compile", name, steps) for steps in results.sizes("compile", name)]
        return max(times) / min(times)

    return measure


GOALS: list[Goal] = [
    Goal("rolled loops ≥ NumPy per step at the largest step count, 1 thread each "
         "(NumPy time / fastest of fori_loop and scan)", rolled_over_numpy("one"), at_least=1),
    Goal("rolled loops ≥ NumPy per step at the largest step count, all cores each "
         "(NumPy time / fastest of fori_loop and scan)", rolled_over_numpy("all"), at_least=1),
    Goal("fori_loop compile time flat from 10 to 10,000 steps (largest / smallest median)",
         compile_spread("fori_loop"), at_most=1.5),
    Goal("scan compile time flat from 10 to 10,000 steps (largest / smallest median)",
         compile_spread("scan"), at_most=1.5),
]
