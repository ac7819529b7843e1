"""On a GPU rebuild both sides run on the GPU; the noise box tells a noisy run from a quiet one."""

import pytest

import perfguide as pg
from perfguide.noise import NoiseCheck


def test_torch_follows_jax_to_the_gpu() -> None:
    assert pg.torch_device("gpu", cuda_available=True) == "cuda"
    assert pg.torch_device("cpu", cuda_available=True) == "cpu"


def test_gpu_against_cpu_is_refused() -> None:
    with pytest.raises(RuntimeError, match="GPU against a CPU"):
        pg.torch_device("gpu", cuda_available=False)


def test_memory_figures_name_what_they_measure() -> None:
    assert pg.memory_kind("cpu") == "host RSS"
    assert pg.memory_kind("gpu") == "device memory"


def test_noise_check_warns_on_wide_spread_or_busy_machine() -> None:
    quiet = NoiseCheck(load_1min=0.5, cores=2, widest="x", widest_spread=0.05)
    wide = NoiseCheck(load_1min=0.5, cores=2, widest="x", widest_spread=0.5)
    busy = NoiseCheck(load_1min=3.0, cores=2, widest="x", widest_spread=0.05)
    assert not quiet.noisy and "quiet" in quiet.message()
    assert wide.noisy and busy.noisy and "warning" in wide.html()


def test_noise_check_names_the_widest_figure() -> None:
    timings = {"a": pg.Timing(1, (1.0, 1.0, 1.0, 1.0, 1.0), 1), "b": pg.Timing(1, (1.0, 1.5, 2.0, 2.5, 3.0), 1)}
    assert pg.noise_check(timings).widest == "b"
