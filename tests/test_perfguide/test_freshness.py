"""A page's cached run is dropped when the code it imports, the pins or the profile change."""

from pathlib import Path

import nbformat
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn

from perfguide import freshness

PAGE = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---
# A page

```{code-cell} ipython3
%matplotlib inline
from chapters import demo as page
```
"""


def project(root: Path) -> Path:
    """Write a tiny project: a page, a chapter importing a workload, and an unrelated module."""
    for package in ("chapters", "workloads", "workloads/fem", "perfguide"):
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").write_text("")
    (root / "chapters/demo.py").write_text("from workloads.fem import sides\nimport numpy\n")
    (root / "workloads/fem/sides.py").write_text("from . import mesh\n\ndef f():\n    import perfguide.timing\n")
    (root / "workloads/fem/mesh.py").write_text("N = 1\n")
    (root / "perfguide/timing.py").write_text("")
    (root / "workloads/unrelated.py").write_text("")
    (root / "requirements.txt").write_text("jax==0.10.2\n")
    (root / "notebooks").mkdir()
    page = root / "notebooks/demo.md"
    page.write_text(PAGE)
    return page


def test_project_files_follow_relative_lazy_and_package_imports(tmp_path: Path) -> None:
    page = project(tmp_path)
    files = {str(p.relative_to(tmp_path)) for p in freshness.project_files(freshness.code_cells(page), tmp_path)}
    assert files == {
        "chapters/__init__.py", "chapters/demo.py", "workloads/__init__.py", "workloads/fem/__init__.py",
        "workloads/fem/sides.py", "workloads/fem/mesh.py", "perfguide/__init__.py", "perfguide/timing.py",
    }


def test_fingerprint_changes_with_imported_code_pins_and_profile_only(tmp_path: Path) -> None:
    page = project(tmp_path)
    before = freshness.fingerprint(page, tmp_path, "full")
    (tmp_path / "workloads/unrelated.py").write_text("X = 2\n")
    assert freshness.fingerprint(page, tmp_path, "full") == before
    assert freshness.fingerprint(page, tmp_path, "quick") != before
    (tmp_path / "workloads/fem/mesh.py").write_text("N = 2\n")
    after_code = freshness.fingerprint(page, tmp_path, "full")
    assert after_code != before
    (tmp_path / "requirements.txt").write_text("jax==0.10.3\n")
    assert freshness.fingerprint(page, tmp_path, "full") != after_code


def test_refresh_drops_the_cached_run_once_per_change(tmp_path: Path) -> None:
    page = project(tmp_path)
    cache_path = tmp_path / "_build/.jupyter_cache"
    cache = get_cache(str(cache_path))

    def cache_page() -> None:
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
        cache.cache_notebook_bundle(CacheBundleIn(notebook, str(page)), check_validity=False, overwrite=True)

    cache_page()
    assert freshness.refresh(cache_path, {"notebooks/demo": page}, tmp_path, "full") == ["notebooks/demo"]
    assert cache.list_cache_records() == []  # unknown provenance: re-run
    cache_page()
    assert freshness.refresh(cache_path, {"notebooks/demo": page}, tmp_path, "full") == []
    assert len(cache.list_cache_records()) == 1  # nothing changed: the cached run stays
    (tmp_path / "workloads/fem/mesh.py").write_text("N = 3\n")
    assert freshness.refresh(cache_path, {"notebooks/demo": page}, tmp_path, "full") == ["notebooks/demo"]
    assert cache.list_cache_records() == []


def test_markdown_pages_without_a_kernel_have_no_code_to_run(tmp_path: Path) -> None:
    page = tmp_path / "intro.md"
    page.write_text("# Intro\n\n```python\nimport chapters.demo\n```\n")
    assert freshness.code_cells(page) == []


def test_refresh_drops_a_cached_run_of_the_page_made_in_another_checkout(tmp_path: Path) -> None:
    # The cache matches records by their cells' hash, so a run recorded from a copy of the
    # repository elsewhere would be replayed here unless it is dropped too.
    page = project(tmp_path)
    cache_path = tmp_path / "_build/.jupyter_cache"
    cache = get_cache(str(cache_path))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    elsewhere = tmp_path / "snapshot" / "notebooks" / page.name
    other = tmp_path / "snapshot" / "notebooks" / "other.md"
    for uri in (elsewhere, other):
        notebook.cells[0].source = f"# {uri.name}"
        cache.cache_notebook_bundle(CacheBundleIn(notebook, str(uri)), check_validity=False,
                                    overwrite=True)
    freshness.refresh(cache_path, {"notebooks/demo": page}, tmp_path, "full")
    assert [Path(r.uri).name for r in cache.list_cache_records()] == ["other.md"]
