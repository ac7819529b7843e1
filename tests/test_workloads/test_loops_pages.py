"""The two loops pages: their figures and glue read a Recorder back, their goals read the results
file, and each page keeps to its own results and its own process rules."""

import jupytext
import matplotlib
import pytest
from conftest import REPOSITORY

import perfguide as pg
from chapters import loops_under_jit, rolled_loops
from workloads import advection as adv

matplotlib.use("Agg")
PAGES = ("loops_under_jit", "rolled_loops")


def timing(median_s: float, repeats: int = 5) -> pg.Timing:
    return pg.Timing(2 * median_s, tuple(median_s * (1 + 0.01 * i) for i in range(repeats)), 1)


def program_fields(steps: int, per_step: float) -> dict[str, float]:
    return {"compile_s": 0.1 * steps ** per_step, "rss_increase_mib": steps * per_step,
            "jaxpr_eqns": 19 * steps, "hlo_instructions": 24 * steps ** per_step,
            "max_abs_error": 0.0}


@pytest.fixture
def under_jit() -> pg.Recorder:
    """What the first page records: the Python loop as far as its budget went, and scan."""
    recorder = pg.Recorder("loops_under_jit")
    for steps in (1, 2, 5, 10):
        recorder.add("program", loops_under_jit.PYTHON_FOR, steps, timing(1e-4 * steps, 3),
                     **program_fields(steps, 1.5))
    for steps in (1, 10, 100):
        recorder.add("program", loops_under_jit.SCAN, steps, timing(5e-5 * steps, 3),
                     **program_fields(1, 1.0))
    return recorder


@pytest.fixture
def rolled() -> pg.Recorder:
    """What the second page records: isolated sides, compilations, unroll and the post."""
    recorder = pg.Recorder("rolled_loops")
    costs = {"NumPy": 7e-5, "NumPy, preallocated": 5e-5, "Numba": 2.5e-5, "scan": 2e-5,
             "fori_loop": 2e-5, "jax.jit(step)": 3e-5, "PyTorch eager": 8e-5,
             "torch.compile": 4e-5}
    for threads in (1, 2):
        for name, per_step in costs.items():
            for steps in (10, 100, 1000):
                recorder.add("rolled", name, steps, timing(per_step * steps), threads=threads,
                             compile_s=0.0 if name.startswith("NumPy") else 0.1)
    for name in adv.ROLLED:
        for steps in (10, 100, 1000):
            recorder.add("compile", name, steps, timing(0.1), compile_s=0.1)
    for k in (1, 2, 4, 8, 16):
        recorder.add("unroll", "scan", k, timing(0.02 * k ** 0.5), steps=1000,
                     **program_fields(k, 1.0))
    recorder.add("post", "scan", 10, timing(2e-4, 3), steps=10, **program_fields(1, 1.0))
    for steps in (2, 10, 100):
        recorder.add("post", "Python for", steps, timing(1e-4 * steps, 3), steps=steps,
                     **program_fields(steps, 1.5))
    return recorder


def test_the_first_pages_glue_reads_its_recorder(under_jit: pg.Recorder) -> None:
    sweep = pg.Sweep(20.0, {1: None, 2: None, 5: None, 10: None}, 6.0, (20, 30.0))
    loops_under_jit.glue_program(under_jit, sweep)
    loops_under_jit.glue_run_time(under_jit)
    assert set(loops_under_jit.headline(under_jit)) == {
        "Python for, 1 step", "Python for, 10 steps", "scan, 10 steps"}


def test_the_second_pages_glue_reads_its_recorder(rolled: pg.Recorder) -> None:
    side = adv.Side({}, notes={"graph_breaks": 0})
    rolled_loops.glue_rolled(rolled, [1, 2], True, 1, side, "cpu", "cpu")
    assert rolled_loops.glue_compile(rolled, 2)  # flat compile times
    rolled_loops.glue_unroll(rolled, {1: (1.0, 1.0), 16: (4.0, 1.5)})
    numpy_10 = rolled.series("rolled", "NumPy", threads=2).timings[0]
    rolled_loops.glue_post(rolled, numpy_10, numpy_10.scaled(0.5), True)
    table = rolled_loops.per_step_table(rolled, [1, 2])
    assert table.count("\n") == 9 and "| `scan` | 20.4 | 20.4 | 0.10 |" in table
    assert rolled_loops.best_numpy(rolled, 1) == "NumPy, preallocated"


def test_goals_read_numpy_over_the_best_rolled_loop_and_the_compile_spread() -> None:
    def record(experiment: str, variant: str, size: int, median_s: float, **extra: object) -> dict:
        return {"experiment": experiment, "variant": variant, "size": size, "median_s": median_s,
                **extra}

    records = [
        *[record("rolled", name, 1000, t, threads=n) for n in (1, 2)
          for name, t in (("NumPy", 3.0), ("NumPy, preallocated", 2.0), ("fori_loop", 0.5),
                          ("scan", 1.0))],
        record("rolled", "NumPy", 10, 1.0, threads=1),
        *[record("compile", name, steps, t) for name in ("fori_loop", "scan")
          for steps, t in ((10, 0.2), (1000, 0.3))],
    ]
    values = [goal.measure(pg.Results({"records": records})) for goal in rolled_loops.GOALS]
    assert values == pytest.approx([2.0, 2.0, 1.5, 1.5])  # scan stands for the rolled loops
    assert [goal.met(v) for goal, v in zip(rolled_loops.GOALS, values)] == [True] * 4


@pytest.mark.parametrize("page", PAGES)
def test_each_page_writes_its_own_results_and_reads_no_other(page: str) -> None:
    text = (REPOSITORY / "notebooks" / f"{page}.md").read_text()
    assert f'pg.Recorder("{page}")' in text and "recorder.save()" in text
    assert "load_results" not in text and ".json" not in text.replace(f"{page}.json", "")


@pytest.mark.parametrize("page", PAGES)
def test_page_leaves_threads_and_xla_flags_to_the_isolated_processes(page: str) -> None:
    text = (REPOSITORY / "notebooks" / f"{page}.md").read_text()
    for call in ("set_deterministic_xla_flags", "set_num_threads", "import torch", "note_process"):
        assert call not in text, f"{page} calls {call}"
    assert "pg.show_noise(" in text


def test_the_cross_library_page_runs_each_library_in_its_own_process() -> None:
    assert "pg.run_isolated(" in (REPOSITORY / "notebooks" / "rolled_loops.md").read_text()


@pytest.mark.parametrize("page", PAGES)
def test_every_code_line_of_a_page_fits_the_column_hidden_or_not(page: str) -> None:
    notebook = jupytext.read(REPOSITORY / "notebooks" / f"{page}.md")
    for cell in notebook.cells:
        if cell.cell_type == "code":
            for line in cell.source.splitlines():
                assert len(line) <= 78, f"code line of {len(line)} characters: {line!r}"


def test_the_included_workload_code_fits_the_column() -> None:
    for path in (REPOSITORY / "workloads" / "advection").glob("*.py"):
        long = [line for line in path.read_text().splitlines() if len(line) > 78]
        assert not long, f"{path.name}: {long}"
