"""The quick build executes its notebooks on every core first; the build then finds them cached."""

from pathlib import Path

from conftest import REPOSITORY, notebook_pages

from chapters import prefill


def test_work_is_split_longest_first_onto_the_least_loaded_worker() -> None:
    seconds = {"a": 100.0, "b": 60.0, "c": 50.0, "d": 10.0}
    work = prefill.split_work(["d", "c", "b", "a"], seconds, 2)
    assert work == [["a", "d"], ["b", "c"]]
    assert prefill.split_work(["a"], seconds, 4) == [["a"]]


def test_every_notebook_but_the_forced_one_is_prefilled() -> None:
    assert prefill.toc_notebooks() == [p for p in notebook_pages() if p not in prefill.FORCED]
    assert "notebooks/your_machine" in notebook_pages()  # executed by the build, after the others


def test_a_prefilled_notebook_has_the_key_the_build_looks_up(tmp_path: Path) -> None:
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(tmp_path / "cache"))
    source = REPOSITORY / "notebooks" / "loops_under_jit.md"
    notebook = prefill.read_notebook(source)
    cache.cache_notebook_bundle(CacheBundleIn(notebook, str(source)), check_validity=False)
    again = prefill.read_notebook(source)
    assert cache.match_cache_notebook(again).uri == str(source)
