"""The sharding page as the quick book build ran it: every device count at
every thread setting was measured, the compiled step's all-reduces are the
same for every count above one, and the sharded results the page checked
equal one device's within the workloads' tolerances.

The build already runs every device count in its own process; this reads
its results file instead of starting those processes again."""

from pathlib import Path
from typing import Any

import pytest
from conftest import QUICK

import perfguide as pg
from workloads.sharding import data_parallel as dp, fe_sharded as fs

pytestmark = pytest.mark.slow  # reads what the quick book build wrote
COUNTS = [1, 2, 4, 8]


def steps_by_threads(results: dict[str, Any]) -> dict[int, dict[int, dict[str, Any]]]:
    """threads -> devices -> the page's "step" record."""
    found: dict[int, dict[int, dict[str, Any]]] = {}
    for record in results["records"]:
        if record["experiment"] == "step":
            found.setdefault(record["threads"], {})[int(record["size"])] = record
    return found


def assert_sharded_equals_one_device(results: dict[str, Any]) -> None:
    """The checks, on a results file of the page run in the quick profile."""
    assert results["profile"] == "quick"
    found = steps_by_threads(results)
    for experiment in ("all-reduce", "latency", "residual"):
        sizes = {(r["threads"], int(r["size"])) for r in results["records"]
                 if r["experiment"] == experiment}
        assert sizes == {(t, d) for t in found for d in COUNTS}, experiment
    checked = found[max(found)]  # the checks ran on the all-cores setting
    for threads, steps in found.items():
        assert sorted(steps) == COUNTS, threads
        volumes = {(r["all_reduces"], r["all_reduce_bytes"]) for d, r in steps.items() if d > 1}
        assert len(volumes) == 1 and steps[1]["all_reduces"] == 0, volumes
    for devices in COUNTS[1:]:
        record = checked[devices]
        assert record["max_diff_data"] <= dp.ATOL, record
        assert record["max_diff_model"] <= dp.ATOL, record
        assert record["max_diff_residual"] <= fs.RTOL, record


def test_sharded_runs_equal_one_device_in_the_quick_build(quick_book: Path) -> None:
    assert_sharded_equals_one_device(pg.load_results(QUICK / "results" / "sharding.json"))
