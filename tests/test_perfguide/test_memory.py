"""Peak resident memory sees a large temporary allocation; device statistics are optional."""

import numpy as np
import pytest

import perfguide as pg
from perfguide.memory import high_water_mark_resets


def test_peak_rss_sees_a_large_allocation() -> None:
    def allocate() -> float:
        return float(np.ones(64 * 2**20 // 8).sum())  # 64 MiB, freed on return

    peak, increase, result = pg.peak_rss_mib(allocate)
    assert result == 64 * 2**20 // 8
    assert increase > 40 and peak > increase


def test_device_memory_stats_is_a_dict_or_none() -> None:
    stats = pg.device_memory_stats()
    assert stats is None or "bytes_in_use" in stats


def test_peak_over_sees_a_fresh_allocation_and_not_the_baseline() -> None:
    if pg.device_memory_stats() is not None:
        pytest.skip("on a device the peak is the device allocator's, not the host's")
    if not high_water_mark_resets():
        pytest.skip("this system cannot reset a process's peak RSS")
    with pg.peak_over() as found:
        big = np.ones(16 * 2**20 // 8)  # 16 MiB, touched
    assert found.how == "kernel high-water mark"
    assert 15.5 <= found.mib <= 20 and big.sum() == big.size
    with pg.peak_over() as idle:
        pass
    assert idle.mib < 2
