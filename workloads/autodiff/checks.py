"""How far a float32 derivative may be from its float64 reference."""

import numpy as np

TOLERANCE = 1e-5  # max |result - exact| over max |exact|: ~84 float32 eps


def relative_error(result: np.ndarray, exact: np.ndarray) -> float:
    """Largest difference from the reference, over its largest value."""
    exact = np.asarray(exact, dtype=np.float64)
    diff = np.abs(np.asarray(result, dtype=np.float64) - exact)
    return float(diff.max() / np.abs(exact).max())


def assert_close(result: np.ndarray, exact: np.ndarray, what: str,
                 tolerance: float = TOLERANCE) -> float:
    """Raise unless `result` is within `tolerance` of `exact`; the error."""
    if np.shape(result) != np.shape(exact):
        raise AssertionError(f"{what}: shape {np.shape(result)} is not "
                             f"the reference's {np.shape(exact)}")
    error = relative_error(result, exact)
    if not error <= tolerance:
        raise AssertionError(f"{what}: relative error {error:.1e} is over "
                             f"{tolerance:.0e}")
    return error
