"""The two finite-element pages: their goals, figures and verdicts, and the code they include."""

import inspect
import re
from pathlib import Path

import matplotlib
import pytest

import perfguide as pg
from chapters import fe_assembly, fe_limits
from perfguide.goals import Results
from workloads import fem

matplotlib.use("Agg")
REPOSITORY = Path(__file__).resolve().parents[2]
PAGES = {"fe_assembly": fe_assembly, "fe_limits": fe_limits}


def _timing(seconds: float) -> pg.Timing:
    return pg.Timing(seconds, (seconds,) * 5, 1)


@pytest.mark.parametrize("page", PAGES)
def test_each_fe_page_shows_whole_functions_that_fit_the_page_column(page: str) -> None:
    source = (REPOSITORY / "notebooks" / f"{page}.md").read_text()
    shown = re.findall(r"literalinclude\} \.\./(\S+)\.py\n:pyobject: (\w+)", source)
    assert shown
    for path, name in shown:
        module = __import__(path.replace("/", "."), fromlist=[name])  # the real module file
        code = inspect.getsource(getattr(module, name))
        long = [line for line in code.splitlines() if len(line) > 78]
        assert not long, f"{path}.py:{name}: {long}"


def test_the_assembly_page_shows_the_csr_pattern() -> None:
    source = (REPOSITORY / "notebooks" / "fe_assembly.md").read_text()
    assert "fem/pattern.py\n:pyobject: csr_pattern" in source


@pytest.mark.parametrize("page", PAGES)
def test_each_fe_page_writes_its_own_results_and_reads_no_other(page: str) -> None:
    source = (REPOSITORY / "notebooks" / f"{page}.md").read_text()
    assert f'pg.Recorder("{page}")' in source
    assert "load_results" not in source and ".json" not in source.replace(f"{page}.json", "")
    # XLA:CPU fixes loop parallelism at compile time and JAX's cache key ignores the core count:
    # no page may hand a persistent cache from the 1-thread process to the all-cores one
    assert "COMPILATION_CACHE" not in source and "note_process" not in source and "jit_s" not in source


def test_fe_limits_verdicts_flip_with_opposite_numbers() -> None:
    # until fe_limits is listed in chapters.PAGES, where tests/test_book/test_verdicts.py runs this
    checked = {fn.__name__ for fn, _, _ in fe_limits.VERDICT_FLIPS}
    public = {name for name, value in vars(fe_limits).items() if name.endswith("_verdict")
              and getattr(value, "__module__", None) == fe_limits.__name__}
    assert public <= checked
    for fn, one, other in fe_limits.VERDICT_FLIPS:
        assert fn(**one) != fn(**other), fn.__name__
    assert fe_limits.GOALS == []


def test_goals_read_n_20_or_the_largest_below_and_the_fastest_jax_method() -> None:
    def record(experiment: str, variant: str, size: int, seconds: float, threads: int) -> dict:
        return {"experiment": experiment, "variant": variant, "size": size, "median_s": seconds, "threads": threads}

    records = [record("jacobian", "scikit_fem", n, 60.0 * n, k) for n in (12, 20, 32) for k in (1, 4)]
    records += [record("jacobian", "jax_vmap", n, 1.0 * n, k) for n in (12, 20, 32) for k in (1, 4)]
    records += [record("jacobian", "jax_autodiff", n, 2.0 * n, k) for n in (12, 20, 32) for k in (1, 4)]
    full = Results({"records": records})
    assert fe_assembly.speedup(full, "jacobian", "scikit_fem", fe_assembly.JAX_JACOBIAN, "all cores") == 60.0
    quick = Results({"records": [r for r in records if r["size"] == 12]})
    assert fe_assembly.speedup(quick, "jacobian", "scikit_fem", fe_assembly.JAX_JACOBIAN, "1 thread") == 60.0
    jacobian_goal = fe_assembly.GOALS[0]
    assert jacobian_goal.met(jacobian_goal.measure(full)) and "1 thread" in jacobian_goal.text
    with pytest.raises(KeyError):
        fe_assembly.GOALS[2].measure(full)  # no residual records: the goal is missing, not met


def test_the_goals_and_the_page_pick_the_fastest_jax_method_from_the_registry() -> None:
    assert set(fe_assembly.JAX_JACOBIAN) == set(fem.methods_of("jax", fem.STIFFNESS_METHODS))
    recorder = pg.Recorder("example")
    for method, seconds in (("jax_vmap", 2.0), ("jax_autodiff", 1.0)):
        for threads in (1, 2):
            recorder.add("jacobian", method, 4, _timing(seconds * threads), threads=threads)
    assert fe_assembly.fastest_jax(recorder, "jacobian", [1, 2], 4) == {1: "jax_autodiff", 2: "jax_autodiff"}
    with pytest.raises(KeyError, match="n = 8"):
        fe_assembly.timing(recorder, "jacobian", "jax_vmap", 1, 8)


def test_on_a_gpu_the_time_figure_draws_the_host_bound_from_numpy_and_names_the_device() -> None:
    recorder = pg.Recorder("example")
    for threads in (1, 2):
        recorder.add("jacobian", "jax_vmap", 2, _timing(1e-3), threads=threads)
    roofs = {k: {"bandwidth": 1e12, "numpy_bandwidth": 1e10, "backend": "gpu"} for k in (1, 2)}
    fig = fe_assembly.time_figure(recorder, "jacobian", {2: 1e6}, roofs, "Jacobian")
    ax = fig.axes[0]
    assert "GPU" in ax.get_title()
    bound = [line for line in ax.get_lines() if "host" in line.get_label()]
    assert bound and bound[0].get_ydata()[0] == pytest.approx(1e6 / 1e10 / 8 * 1e6)  # µs per element
    median = [line for line in ax.get_lines() if line.get_label() == fem.LABELS["jax_vmap"]]
    assert median[0].get_ydata()[0] == pytest.approx(1e-3 / 8 * 1e6)


def test_the_roofline_reads_the_cost_and_time_of_each_jax_step() -> None:
    n = 2
    side = fem.Side(roofs={"peak_flops": 1e10, "bandwidth": 1e9, "stream_mb": 100.0})
    for experiment, methods in fe_limits.JAX_METHODS.items():
        for i, method in enumerate(methods):
            side.cost[experiment, method, n] = {"flops": 1e6, "bytes": 1e6 * (i + 1)}
            side.timings[experiment, method, n] = _timing(1e-3 * (i + 1))
            side.streams[experiment, method] = (1.0, 2e9)
    points = fe_limits.roofline_points(side, "jacobian", n)
    assert points["jax_vmap"] == pytest.approx((1.0, 1e9))
    assert fe_limits.fastest(side, "residual", n) == "jax_vmap"  # jvp is not a residual method
    fig = fe_limits.roofline_figure({1: side, 2: side}, n)
    assert len(fig.axes) == 2
    table = fe_limits.summary_table  # needs the solves: checked on the executed page
    assert callable(table)


def test_the_compute_roof_is_the_faster_matrix_product_and_its_rise_is_glued() -> None:
    roofs = {threads: {"bandwidth": 1e10, "stream_mb": 100.0, "xla_peak_flops": 4e10,
                       "blas_peak_flops": 5e10 * threads, "peak_flops": 5e10 * threads}
             for threads in (1, 2)}
    fe_limits.glue_roofs({threads: fem.Side(roofs=r) for threads, r in roofs.items()})
    words = fe_limits.roof_rise_verdict("compute roof", 5e10, 1e11, 2)
    assert "rises 2.00×" in words


def test_the_jax_process_measures_both_matrix_products_and_keeps_the_faster() -> None:
    side = fem.Side()
    fem.sides.measure_peak(side, 128)
    assert side.roofs["peak_flops"] == max(side.roofs["xla_peak_flops"],
                                           side.roofs["blas_peak_flops"])
    assert {key[1] for key in side.timings} == {"float64 matmul", "float64 matmul (BLAS)"}


def test_csr_memory_formula_matches_the_pattern() -> None:
    pattern = fem.csr_pattern(fem.box_mesh(3))
    expected = (12 * pattern.nnz + 4 * (pattern.num_dofs + 1)) / 2**20
    assert fe_limits.csr_mib(3) == pytest.approx(expected)
