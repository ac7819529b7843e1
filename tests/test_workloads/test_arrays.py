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
from workloads.arrays import jax_programs, numpy_programs, roofs, sine, torch_programs

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
    if program in numpy_programs.ALLOCATING:
        results["NumPy, allocating"] = numpy_programs.ALLOCATING[program](*host)
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


def test_numpy_stencil_allocates_nothing_per_call() -> None:
    (u,) = arr.inputs("laplacian", 250_000)
    args = numpy_programs.arguments("laplacian", (u,))
    assert numpy_programs.laplacian(*args) is args[1]
    import tracemalloc

    tracemalloc.start()
    numpy_programs.laplacian(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < u.nbytes / 4  # no temporary the size of the grid


@pytest.mark.parametrize("program", list(arr.PROGRAMS))
def test_pytorch_eager_writes_into_its_outputs_and_matches(program: str) -> None:
    torch = pytest.importorskip("torch")
    size = MATMUL[-1] if program == "matmul" else SIZES[-1]
    host = arr.inputs(program, size)
    args = tuple(torch.from_numpy(a) for a in numpy_programs.arguments(program, host))
    with torch.inference_mode():
        result = torch_programs.EAGER[program](*args)
        compiled_like = torch_programs.PROGRAMS[program](*args[:len(host)])
    if len(args) > len(host):  # an output buffer: the result is written into it
        assert result.data_ptr() == args[len(host)].data_ptr()
    for out in (result, compiled_like):
        assert out.dtype == torch.float32
        assert arr.error(program, out.numpy(), *host) <= arr.tolerance(program, size)


def test_floors_are_the_programs_on_their_smallest_input() -> None:
    side = arr.numpy_side(SIZES, MATMUL, QUICK_RUNS)
    assert set(side.floors["NumPy"]) == {"chain", "sum_of_squares", "laplacian"}
    assert set(side.floors["NumPy, allocating"]) == {"chain", "laplacian"}
    assert arr.inputs("laplacian", 1)[0].shape == (3, 3)


def test_the_largest_point_reports_cpu_seconds_per_wall_second() -> None:
    side = arr.numpy_side(SIZES, MATMUL, QUICK_RUNS)
    points = side.points["NumPy"]["chain"]
    assert points[SIZES[0]].cpu_per_wall is None
    assert 0 < points[SIZES[-1]].cpu_per_wall < 1.5  # NumPy's ufuncs: one thread


@pytest.mark.slow  # a process of its own for the roofs, at one thread
def test_roofs_are_measured_at_every_size_read_write_and_read_only() -> None:
    found = pg.run_isolated(roofs.machine_roofs, [1_000, 10_000], QUICK_RUNS, 256,
                            threads=1, env={"JAX_PLATFORMS": "cpu"}).value
    for kind in ("read and write", "read only"):
        for lib in ("XLA", "NumPy"):
            entry = found["memory"][kind][lib]
            assert entry["sizes"] == [1_000, 10_000] and len(entry["timings"]) == 2
            assert entry["cpu_per_wall"] < 1.5
    assert set(found["matmul"]) == {"XLA", "NumPy"} and found["matmul_n"] == 256


def test_the_vector_width_is_read_from_the_intrinsics_name() -> None:
    assert sine.vector_width("llvm.sin.v8f32") == 8
    assert sine.vector_width("llvm.sin.v16f32") == 16
    assert sine.vector_width("llvm.sin.f32") == 1


def test_a_missing_dump_is_said_not_explained() -> None:
    words = page.sine_cause_verdict({"intrinsics": [], "symbols": [], "calls": -1, "files": []})
    assert "not found" in words and "inline" not in words


def test_sin_poly_is_within_a_few_ulp_of_the_exact_sine_and_cosine() -> None:
    x = np.linspace(-1e4, 1e4, 400_001, dtype=np.float32)  # the range the page claims
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
                             env={"XLA_FLAGS": f"--xla_dump_to={folder}",
                                  "JAX_PLATFORMS": "cpu"}).value
    assert report["jnp.sin"]["files"] and report["sin_poly"]["files"]
    assert report["jnp.sin"]["length"] == 256
    assert not report["sin_poly"]["intrinsics"] and not report["sin_poly"]["symbols"]
    page.sine_cause_verdict(report["jnp.sin"])  # words for whatever this jaxlib emits


def assert_side(side: arr.Side, variants: set[str]) -> None:
    assert set(side.points) == variants and variants <= set(side.floors)
    for variant, programs in side.points.items():
        for program, points in programs.items():
            swept = MATMUL if program == "matmul" else SIZES
            expect = swept if program == "matmul" else [arr.elements(program, n) for n in swept]
            assert sorted(points) == expect
            for size, p in points.items():
                assert p.timing.mode == "latency"
                assert p.error <= arr.tolerance(program, size), (variant, program, size)


def test_numpy_side_times_every_program_and_size() -> None:
    assert_side(arr.numpy_side(SIZES, MATMUL, QUICK_RUNS), {"NumPy", "NumPy, allocating"})


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
    cost = {"NumPy": 2e-9, "NumPy, allocating": 2.5e-9, "JAX op by op": 9e-9, "jax.jit": 1e-9,
            "PyTorch eager": 3e-9, "torch.compile": 1.5e-9, "Numba": 1.2e-9}
    for threads in (1, 2):
        for name, per in cost.items():
            for program in arr.PROGRAMS:
                if name == "NumPy, allocating" and program == "sum_of_squares":
                    continue
                if program != "matmul":
                    recorder.add("floor", name, 1, timing(per * 1e4), program=program,
                                 threads=threads)
                swept = MATMUL if program == "matmul" else SIZES
                for size in swept:
                    extra = {"cpu_per_wall": 1.0 * threads} if size == swept[-1] else {}
                    recorder.add("sweep", name, size, timing(per * size),
                                 program=program, threads=threads, compile_s=0.1, **extra)
        for lib in ("XLA", "NumPy"):
            for kind in ("read and write", "read only"):
                for size in SIZES:
                    recorder.add("roof", f"{lib}, {kind}", size, timing(0.5e-9 * size),
                                 threads=threads, cpu_per_wall=1.0)
            recorder.add("matmul rate", lib, 2048, timing(0.1), threads=threads,
                         cpu_per_wall=1.0)
        for name in page.SINE_ORDER:
            recorder.add("sine", name, 4_096, timing(1e-4 * (1 + len(name) % 3)),
                         threads=threads)
    costs = {p: {"kernels": 5, "eager_bytes": 40, "flops": 4, "bytes accessed": 8,
                 "transcendentals": 2, "must_move": 8} for p in page.ELEMENTWISE}
    page.glue_sweep(recorder, [1, 2], costs)
    report = {"intrinsics": ["llvm.sin.v8f32"], "width": 8, "intrinsic_calls": 2,
              "symbols": ["sinf"], "calls": 16, "files": ["a.ll", "a.o"]}
    page.glue_sine(recorder, [1, 2], sine.numpy_dispatch(),
                   {"jnp.sin": report, "sin_poly": {**report, "intrinsics": [],
                                                    "symbols": []}},
                   {"sin_poly float32": 1e-7, "jnp.sin float32": 3e-8,
                    "jnp.sin float32, fast math": 3e-8})
    table = page.winners_table(recorder, [1, 2])
    assert table.count("\n") == 2 + 2 * len(arr.PROGRAMS) - 1
    assert "`jax.jit`, 1.2× ahead of Numba `@njit`" in table
    assert "a @ b` calls BLAS" in page.winners_table(recorder, [1, 2])
    assert page.roof_at(recorder, "chain", 1, 2_000) == pytest.approx(0.5e-9, rel=0.05)
    assert page.best_rate(recorder, 1)[1] == pytest.approx(2 * 2048**3 / 0.1, rel=0.05)
