"""Each notebook is a jupytext pair in sync: the .md is the source, the .ipynb is generated and stripped."""

import json
import re
from pathlib import Path

import jupytext
import pytest
from conftest import REPOSITORY

SOURCES = sorted((REPOSITORY / "notebooks").glob("*.md"))


def test_there_are_notebooks() -> None:
    assert SOURCES


def without_ids(cells: list[dict]) -> list[dict]:
    """Cells without their random ids, which jupytext assigns anew on every conversion."""
    return [{key: value for key, value in cell.items() if key != "id"} for cell in cells]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_regenerating_the_ipynb_from_the_md_changes_nothing(source: Path) -> None:
    stored = source.with_suffix(".ipynb")
    assert stored.is_file(), f"{stored.name} is missing: run `make sync`"
    regenerated = json.loads(jupytext.writes(jupytext.read(source), fmt="ipynb"))["cells"]
    assert without_ids(regenerated) == without_ids(json.loads(stored.read_text())["cells"]), f"run `make sync` for {source.name}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_stored_notebooks_carry_no_outputs(source: Path) -> None:
    cells = json.loads(source.with_suffix(".ipynb").read_text())["cells"]
    for cell in cells:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, (
                f"{source.with_suffix('.ipynb').name} was saved with outputs (run in JupyterLab?):"
                " `make sync` clears them")


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_pages_never_time_with_a_bare_clock(source: Path) -> None:
    for cell in jupytext.read(source).cells:
        if cell.cell_type == "code":
            for clock in ("time.time(", "time.perf_counter(", "timeit"):
                assert clock not in cell.source, f"{source.name} uses {clock}; time with perfguide"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_cells_that_only_draw_hide_their_input(source: Path) -> None:
    notebook = jupytext.read(source)
    for cell in notebook.cells:
        if cell.cell_type == "code" and "glue_figure(" in cell.source:
            assert "hide-input" in cell.metadata.get("tags", []), f"{source.name}: draw cell without hide-input"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_page_ends_with_the_environment_record_folded(source: Path) -> None:
    last = [cell for cell in jupytext.read(source).cells if cell.cell_type == "code"][-1]
    assert "environment_table()" in last.source
    assert "hide-output" in last.metadata.get("tags", [])


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_shown_code_lines_fit_the_page_column(source: Path) -> None:
    for cell in jupytext.read(source).cells:
        if cell.cell_type == "code" and "hide-input" not in cell.metadata.get("tags", []):
            long = [line for line in cell.source.splitlines() if len(line) > 78]
            assert not long, f"{source.name}: lines longer than 78 characters are cut on the page: {long}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_page_that_measures_shows_whether_its_run_was_noisy(source: Path) -> None:
    text = source.read_text()
    if "time_call" in text or ".time(" in text or "run_isolated" in text or ".add(" in text:
        assert "show_noise(" in text, f"{source.name} has no noise check (pg.show_noise)"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_speed_pages_keep_gpu_autotuning_on(source: Path) -> None:
    code = "\n".join(c.source for c in jupytext.read(source).cells if c.cell_type == "code")
    assert "set_deterministic_xla_flags(" not in code, f"{source.name} turns autotuning off on a speed page"
    assert "TF_DETERMINISTIC_OPS" not in code, f"{source.name} sets TF_DETERMINISTIC_OPS, which JAX ignores"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_pages_do_not_pin_one_library_in_process(source: Path) -> None:
    code = "\n".join(c.source for c in jupytext.read(source).cells if c.cell_type == "code")
    for pin in ("set_num_threads(", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "threadpool_limits("):
        assert pin not in code, f"{source.name} pins threads in-process ({pin}); use pg.run_isolated"


def _included_lines(page: Path) -> list[tuple[str, str]]:
    """(what, line) for every line a page shows through literalinclude (a :pyobject: or a file)."""
    import ast
    import re

    shown = []
    for match in re.finditer(r"```\{literalinclude\} (\S+)\n((?::\w+: .*\n)*)", page.read_text()):
        path = (page.parent / match.group(1)).resolve()
        options = dict(re.findall(r":(\w+): (.*)", match.group(2)))
        lines = path.read_text().splitlines()
        if "pyobject" in options:
            node = next(n for n in ast.walk(ast.parse(path.read_text()))
                        if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == options["pyobject"])
            start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            lines = lines[start - 1:node.end_lineno]
        shown += [(f"{match.group(1)}:{options.get('pyobject', '')}", line) for line in lines]
    return shown


@pytest.mark.parametrize("source", sorted((REPOSITORY / "notebooks").glob("*.md")), ids=lambda p: p.stem)
def test_code_a_page_includes_fits_the_column(source: Path) -> None:
    long = [(what, len(line)) for what, line in _included_lines(source) if len(line) > 78]
    assert not long, f"{source.name} shows lines over 78 characters: {long}"


def test_figure_and_target_labels_are_unique_across_pages() -> None:
    """Sphinx labels are global: two pages naming a figure alike fail the -W build (late)."""
    seen: dict[str, str] = {}
    for source in sorted((REPOSITORY / "notebooks").glob("*.md")):
        for label in re.findall(r"^:name:\s*(\S+)\s*$", source.read_text(), flags=re.M):
            assert label not in seen, f"label {label!r} in {source.name} and in {seen[label]}"
            seen[label] = source.name
