"""The array-programs page: every library's program matches the float64 reference within the
stated tolerance, the sides measure what the page records, the polynomial sine is accurate,
XLA's kernel for jnp.sin is read back, and the page's glue reads a Recorder."""

import tempfile

import jax
import matplotlib
import numpy as np
import pytest

import perfguide as pg
from chapters import array_programs as page
from workloads import arrays as arr
from workloads.arrays import jax_programs, numpy_programs, sine

matplotlib.use("Agg")
SIZES, MATMUL = [1_000, 4_096], [16, 33]
QUICK_RUNS = {"repeats": 2, "warmup": 0, "target_s": 0.005}


def cases() -> list[tuple[str, int]]:
    return [(p, n) for p in arr.PROGRAMS for n in (MATMUL if p == "matmul" else SIZES)]


@pytest.mark.parametrize(("program", "size"), cases())
def test_numpy_and_jax_programs_match_the_float64_reference(program: str, size: int) -> None:
    host = arr.inputs(program, size)
    assert all(a.dtype == np.float32 for a in host)
    results = {
        "NumPy": numpy_programs.PROGRAMS[program](*numpy_programs.arguments(program, host)),
        "JAX op by op": jax_programs.PROGRAMS[program](*host),
        "jax.jit": jax.jit(jax_programs.PROGRAMS[program])(*host)}
    for name, result in results.items():
        assert np.asarray(result).dtype == np.float32, name
        assert arr.error(program, result, *host) <= arr.tolerance(program, size), name


def test_a_wrong_result_exceeds_the_tolerance() -> None:
    (x,) = arr.inputs("chain", 1_000)
    wrong = np.asarray(jax_programs.chain(x)) * (1 + 1e-4)
    assert arr.error("chain", wrong, x) > arr.tolerance("chain", 1_000)


def test_the_stencil_grid_has_about_the_asked_number_of_points() -> None:
    (u,) = arr.inputs("laplacian", 10_000)
    assert u.shape == (100, 100)


def test_fusion_leaves_one_read_and_one_write_per_element_of_the_chain() -> None:
    (x,) = arr.inputs("chain", 4_096)
    kernels, moved = jax_programs.eager_traffic(jax_programs.chain, x)
    cost = jax_programs.compiled_cost(jax_programs.chain, x)
    assert kernels >= 5 and moved / x.size > 4 * arr.bytes_per_element("chain")
    assert cost["bytes accessed"] / x.size == pytest.approx(arr.bytes_per_element("chain"))
    assert cost["transcendentals"] / x.size == pytest.approx(2)


def test_sin_poly_is_within_a_few_ulp_of_the_exact_sine_and_cosine() -> None:
    x = np.linspace(-30, 30, 100_001, dtype=np.float32)
    exact = np.sin(x.astype(np.float64))
    assert np.max(np.abs(np.asarray(jax.jit(sine.sin_poly)(x)) - exact)) <= 2 * 1.2e-7
    cos = np.asarray(jax.jit(lambda v: sine.sin_poly(v, 1))(x))
    assert np.max(np.abs(cos - np.cos(x.astype(np.float64)))) <= 2 * 1.2e-7
    (chain_x,) = arr.inputs("chain", 4_096)
    assert arr.error("chain", jax.jit(sine.chain_poly)(chain_x), chain_x) <= arr.tolerance(
        "chain", 4_096)


def test_numpy_names_the_simd_target_of_its_float32_sine() -> None:
    dispatch = sine.numpy_dispatch()
    assert dispatch["float32"]["current"] and "baseline" in dispatch["float32"]["available"]


@pytest.mark.slow  # a process of its own, with XLA's dump flag
def test_the_kernel_report_reads_xlas_dump_for_both_sines() -> None:
    folder = tempfile.mkdtemp()
    report = pg.run_isolated(sine.kernel_report, folder, 256, threads=1,
                             env={"XLA_FLAGS": f"--xla_dump_to={folder}"}).value
    assert report["jnp.sin"]["files"] and report["sin_poly"]["files"]
    assert not report["sin_poly"]["intrinsics"] and not report["sin_poly"]["symbols"]
    page.sine_cause_verdict(report["jnp.sin"])  # words for whatever this jaxlib emits


def assert_side(side: arr.Side, variants: set[str]) -> None:
    assert set(side.points) == variants and variants <= set(side.floors)
    for variant, programs in side.points.items():
        for program, points in programs.items():
            assert sorted(points) == (MATMUL if program == "matmul" else SIZES)
            for size, p in points.items():
                assert p.timing.mode == "latency"
                assert p.error <= arr.tolerance(program, size), (variant, program, size)


def test_numpy_side_times_every_program_and_size() -> None:
    assert_side(arr.numpy_side(SIZES, MATMUL, QUICK_RUNS), {"NumPy"})


@pytest.mark.slow
def test_jax_side_times_eager_and_jitted() -> None:
    assert_side(arr.jax_side(SIZES, MATMUL, QUICK_RUNS), {"JAX op by op", "jax.jit"})


@pytest.mark.slow  # compiles every kernel
def test_numba_side_keeps_float32_and_matches() -> None:
    pytest.importorskip("numba")
    assert_side(arr.numba_side(SIZES, MATMUL, QUICK_RUNS), {"Numba"})


@pytest.mark.slow  # imports torch, compiles with inductor
def test_torch_side_runs_eager_and_compiled_and_matches() -> None:
    pytest.importorskip("torch")
    side = arr.torch_side(SIZES, MATMUL, QUICK_RUNS)
    if "torch.compile" in side.failed:
        pytest.skip(f"torch.compile does not work here: {side.failed['torch.compile']}")
    assert_side(side, {"PyTorch eager", "torch.compile"})


def timing(median_s: float) -> pg.Timing:
    return pg.Timing(2 * median_s, tuple(median_s * (1 + 0.01 * i) for i in range(5)), 1)


@pytest.mark.slow  # draws the page's figures
def test_the_pages_glue_reads_its_recorder() -> None:
    recorder = pg.Recorder("array_programs")
    cost = {"NumPy": 2e-9, "JAX op by op": 9e-9, "jax.jit": 1e-9, "PyTorch eager": 3e-9,
            "torch.compile": 1.5e-9, "Numba": 1.2e-9}
    for threads in (1, 2):
        for name, per in cost.items():
            recorder.add("floor", name, 1, timing(per * 1e4), threads=threads)
            for program in arr.PROGRAMS:
                for size in (MATMUL if program == "matmul" else SIZES):
                    recorder.add("sweep", name, size, timing(per * size),
                                 program=program, threads=threads, compile_s=0.1)
        for name in page.SINE_ORDER:
            recorder.add("sine", name, 4_096, timing(1e-4 * (1 + len(name) % 3)),
                         threads=threads)
    roofs = {t: {"peak_flops": 1e11, "stream_bytes_per_s": 2e10} for t in (1, 2)}
    costs = {p: {"kernels": 5, "eager_bytes": 40, "flops": 4, "bytes accessed": 8,
                 "transcendentals": 2, "must_move": 8} for p in page.ELEMENTWISE}
    page.glue_sweep(recorder, [1, 2], roofs, costs,
                    {p: arr.bytes_per_element(p) for p in page.ELEMENTWISE})
    report = {"intrinsics": ["llvm.sin.v8f32"], "vector_types": ["8 x float"],
              "intrinsic_calls": 2, "symbols": ["sinf"], "calls": 16}
    page.glue_sine(recorder, [1, 2], sine.numpy_dispatch(),
                   {"jnp.sin": report, "sin_poly": {**report, "intrinsics": [],
                                                    "symbols": []}},
                   {"sin_poly float32": 1e-7, "jnp.sin float32": 3e-8})
    table = page.winners_table(recorder, [1, 2])
    assert table.count("\n") == 2 + 2 * len(arr.PROGRAMS) - 1
    assert "`jax.jit`, 1.2× ahead of Numba `@njit`" in table
