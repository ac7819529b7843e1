"""The book builds in the quick profile the way a reader gets it: every page, figure and number."""

import json
import re
from pathlib import Path

import pytest
from conftest import QUICK, REPOSITORY, book_pages, notebook_pages

pytestmark = pytest.mark.slow  # builds the book: `make test`, not `make check`


def page_html(html_dir: Path, page: str) -> str:
    """The rendered HTML of one toc page."""
    return (html_dir / f"{page}.html").read_text()


@pytest.mark.parametrize("page", book_pages())
def test_every_toc_page_renders(quick_book: Path, page: str) -> None:
    assert (quick_book / f"{page}.html").is_file()


@pytest.mark.parametrize("page", book_pages())
def test_every_image_on_a_page_exists_on_disk(quick_book: Path, page: str) -> None:
    html_file = quick_book / f"{page}.html"
    sources = re.findall(r'<img[^>]*\bsrc="([^"]+)"', html_file.read_text())
    for source in sources:
        assert not source.startswith(("http:", "https:", "//")), f"{page} loads an image from the network: {source}"
        if source.startswith("data:"):
            continue
        assert (html_file.parent / source).resolve().is_file(), f"{page}: missing image {source}"


@pytest.mark.parametrize("page", notebook_pages())
def test_notebook_pages_show_figures(quick_book: Path, page: str) -> None:
    assert re.search(r'<img[^>]*\bsrc="[^"]+\.png"', page_html(quick_book, page)), f"{page} has no figure"


@pytest.mark.parametrize("page", book_pages())
def test_no_page_shows_a_traceback_or_an_unresolved_glue_key(quick_book: Path, page: str) -> None:
    html = page_html(quick_book, page)
    for marker in ("Traceback (most recent call last)", "output traceback", "{glue:", "glue:text", "glue:figure",
                   "IPython.core.display"):  # a glued Markdown object shown through {glue:text}
        assert marker not in html, f"{page} shows {marker!r}"


@pytest.mark.parametrize("page", notebook_pages())
def test_each_notebook_wrote_its_results_file(quick_book: Path, page: str) -> None:
    results = json.loads((QUICK / "results" / f"{Path(page).name}.json").read_text())
    assert results["notebook"] == Path(page).name
    assert results["profile"] == "quick"
    assert results["environment"]["versions"]["jax"]
    source = (REPOSITORY / f"{page}.md").read_text()
    measures = any(call in source for call in ("time_call", "run_isolated", ".add(", ".time("))
    assert results["records"] or not measures, "no measurement was recorded"
    for record in results["records"]:
        assert {"experiment", "variant", "size", "compile_s", "median_s", "iqr_s", "repeats"} <= set(record)
        # A latency may be 0 once the harness's cost is subtracted (a call as cheap as waiting on
        # its output); what was measured before that must still be a positive time.
        assert record["median_s"] >= 0 and record.get("raw_median_s", record["median_s"]) > 0


def test_landing_page_names_the_pinned_stack() -> None:
    from conftest import REPOSITORY

    pins = dict(line.split("==") for line in (REPOSITORY / "requirements.txt").read_text().splitlines() if "==" in line)
    intro = (REPOSITORY / "book" / "intro.md").read_text()
    for package in ("jax", "jaxlib", "flax", "optax", "numpy", "torch", "jupyter-book"):
        assert f"{package} {pins[package]}" in intro, f"book/intro.md does not state {package} {pins[package]}"


@pytest.mark.parametrize("page", notebook_pages())
def test_markdown_tables_from_cell_outputs_render_as_tables(quick_book: Path, page: str) -> None:
    html = page_html(quick_book, page)
    assert "|---|" not in html and "|\u2014|" not in html, f"{page} shows a Markdown table as raw text"
    assert "Processes started for one side" not in html or html.count("<table") >= 2


@pytest.mark.parametrize("page", notebook_pages())
def test_every_notebook_page_offers_its_notebook_and_source_for_download(
        quick_book: Path, page: str) -> None:
    html_file = quick_book / f"{page}.html"
    links = re.findall(r'href="([^"]*_downloads/[^"]+)"', html_file.read_text())
    name = Path(page).name
    for suffix in (".ipynb", ".md"):
        found = [link for link in links if link.endswith(name + suffix)]
        assert found, f"{page}: no download link for {name}{suffix}"
        assert (html_file.parent / found[0]).resolve().is_file(), f"{page}: {found[0]} missing"


def test_the_build_rendered_prefilled_notebooks_and_executed_only_the_forced_one(quick_book: Path) -> None:
    from perfguide.prefill import FORCED

    log = (QUICK / "build.log").read_text()
    executed = re.findall(r"notebooks/(\w+)\.md: Executing notebook", log)
    assert executed == [Path(page).name for page in FORCED], (
        f"the build executed {executed}: the prefill's cache keys no longer match the build's")
