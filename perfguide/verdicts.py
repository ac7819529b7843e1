"""Outcome sentences chosen from measured numbers, with the thresholds in plain sight.

A page never writes "X is faster" as fixed prose: it glues the words one of these functions
picks, and tests feed each page's verdict functions opposite numbers to check that the words flip.
"""

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
