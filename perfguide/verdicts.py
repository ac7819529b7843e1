"""Outcome sentences chosen from measured numbers, with the thresholds in plain sight.

A page never writes "X is faster" as fixed prose: it glues the words one of these functions
picks, and tests feed each page's verdict functions opposite numbers to check that the words flip.
"""

from perfguide.timing import Timing

TIE = 0.10  # two times within 10% of each other are reported as a tie


def ratio_words(ratio: float, faster: str, slower: str, tie: float = TIE) -> str:
    """'`faster` is N× faster than `slower`' for ratio = slower's time / faster's time, tie-aware."""
    if ratio >= 1 + tie:
        return f"{faster} is {ratio:.1f}× faster than {slower}"
    if ratio <= 1 / (1 + tie):
        return f"{faster} is {1 / ratio:.1f}× slower than {slower}"
    return f"{faster} and {slower} are within {tie:.0%} of each other"


def compare(name_a: str, time_a: float, name_b: str, time_b: float, tie: float = TIE) -> str:
    """Which of two times is faster, by how much, or a tie within `tie`."""
    return ratio_words(time_b / time_a, name_a, name_b, tie)


def fastest(times: dict[str, float]) -> str:
    """Name of the smallest time."""
    return min(times, key=times.__getitem__)


def threshold_words(value: float, threshold: float, at_or_above: str, below: str) -> str:
    """`at_or_above` when value ≥ threshold, else `below`: the threshold is the caller's, in view."""
    return at_or_above if value >= threshold else below


def resolved(a: Timing, b: Timing, tie: float = TIE) -> bool:
    """True when two timings differ by more than `tie` and their spread bands do not overlap.

    A median of 0 (a call as cheap as waiting on its output, the harness's cost subtracted) is
    resolved from another only by bands that do not overlap."""
    if a.median_s <= 0 or b.median_s <= 0:
        return (a.high_s < b.low_s or b.high_s < a.low_s) and a.median_s != b.median_s
    ratio = b.median_s / a.median_s
    apart = a.high_s < b.low_s or b.high_s < a.low_s
    return apart and (ratio >= 1 + tie or ratio <= 1 / (1 + tie))


def compare_timings(name_a: str, a: Timing, name_b: str, b: Timing, tie: float = TIE) -> str:
    """Like `compare`, but a difference inside the run's spread is reported as unresolved."""
    if not resolved(a, b, tie):
        return (
            f"{name_a} and {name_b} are not told apart by this run (medians within {tie:.0%}, "
            f"or their {a.spread} bands overlap)"
        )
    if min(a.median_s, b.median_s) <= 0:  # resolved, but no ratio to a zero latency exists
        faster, slower = (name_a, name_b) if a.median_s <= 0 else (name_b, name_a)
        return (f"{faster} is faster than {slower} (its call cost no more than waiting on its "
                "output, once the harness's own cost is subtracted)")
    return compare(name_a, a.median_s, name_b, b.median_s, tie)


def change_words(what: str, before: float, after: float, fmt: str = "{:.1f}×",
                 tie: float = TIE) -> str:
    """'`what` falls/grows from A to B', or 'stays within tie%' when B/A is within `tie` of 1."""
    a, b = fmt.format(before), fmt.format(after)
    if before >= after * (1 + tie):
        return f"{what} falls from {a} to {b}"
    if after >= before * (1 + tie):
        return f"{what} grows from {a} to {b}"
    return f"{what} stays within {tie:.0%} ({a} and {b})"
