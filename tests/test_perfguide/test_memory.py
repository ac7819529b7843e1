"""Peak resident memory sees a large temporary allocation; device statistics are optional."""

import numpy as np

import perfguide as pg


def test_peak_rss_sees_a_large_allocation() -> None:
    def allocate() -> float:
        return float(np.ones(64 * 2**20 // 8).sum())  # 64 MiB, freed on return

    peak, increase, result = pg.peak_rss_mib(allocate)
    assert result == 64 * 2**20 // 8
    assert increase > 40 and peak > increase


def test_device_memory_stats_is_a_dict_or_none() -> None:
    stats = pg.device_memory_stats()
    assert stats is None or "bytes_in_use" in stats
