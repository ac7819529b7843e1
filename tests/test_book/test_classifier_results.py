"""The classifier page as the quick book build ran it: every implementation
it trains reaches the test accuracy the page times to, within the quick
profile's epochs, and all end within the page's tolerance of each other.

The build already trains every implementation for the quick epochs; this
reads its results file instead of training them again in a unit test."""

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import QUICK

import perfguide as pg
from chapters import classifier as page

pytestmark = pytest.mark.slow  # reads what the quick book build wrote


def torch_compile_expected() -> bool:
    """`torch.compile` (Inductor on the CPU) needs a C++ compiler; where
    there is none the page says so and trains PyTorch eager only."""
    return any(shutil.which(c) for c in (os.environ.get("CXX", "g++"),
                                         "g++", "c++", "clang++"))


def final_accuracies(results: dict[str, Any]) -> dict[tuple[str, int],
                                                     dict[str, list[float]]]:
    """(model, threads) -> implementation -> test accuracy after each
    epoch, from the page's `epoch` records."""
    found: dict[tuple[str, int], dict[str, list[float]]] = {}
    for record in results["records"]:
        if record["experiment"] == "epoch":
            key = (record["model"], record["threads"])
            found.setdefault(key, {})[record["variant"]] = record["accuracy"]
    return found


def assert_every_implementation_trained(results: dict[str, Any]) -> None:
    """The checks, on a results file of the page run in the quick
    profile."""
    assert results["profile"] == "quick"
    want = {*page.QUICK_LOOPS, page.TORCH[0]}
    if torch_compile_expected():
        want.add(page.TORCH[1])
    found = final_accuracies(results)
    assert {model for model, _ in found} == set(page.MODELS)
    for (model, threads), curves in found.items():
        where = f"{model}, {threads} thread(s)"
        assert want <= set(curves), f"{where}: missing {want - set(curves)}"
        for name, accuracy in curves.items():
            assert len(accuracy) == page.QUICK_EPOCHS, (where, name)
            assert page.epochs_to(accuracy) is not None, (
                f"{where}: {name} never reached "
                f"{page.TARGET_ACCURACY:.0%} (best {max(accuracy):.1%})")
        finals = {name: accuracy[-1] for name, accuracy in curves.items()}
        spread = max(finals.values()) - min(finals.values())
        assert spread <= page.ACCURACY_TOLERANCE + 1e-12, (where, finals)


def test_every_classifier_implementation_reaches_the_pages_accuracy(
        quick_book: Path) -> None:
    results = pg.load_results(QUICK / "results" / "classifier.json")
    assert_every_implementation_trained(results)
