"""The tests' quick build executes its notebooks on every core first; the build then finds them cached."""

from pathlib import Path

from conftest import REPOSITORY, notebook_pages

from perfguide import prefill


def test_work_is_split_longest_first_onto_the_least_loaded_worker() -> None:
    seconds = {"a": 100.0, "b": 60.0, "c": 50.0, "d": 10.0}
    assert prefill.split_work(["d", "c", "b", "a"], seconds, 2) == [["a", "d"], ["b", "c"]]
    assert prefill.split_work(["a"], seconds, 4) == [["a"]]


def test_the_prefill_knows_every_notebook_page_and_leaves_the_comparison_page_to_the_build() -> None:
    assert prefill.toc_pages() == notebook_pages()
    assert set(prefill.FORCED) <= set(notebook_pages())


def test_a_prefilled_notebook_has_the_key_the_build_looks_up(tmp_path: Path) -> None:
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(tmp_path / "cache"))
    source = REPOSITORY / "notebooks" / "loops_under_jit.md"
    cache.cache_notebook_bundle(CacheBundleIn(prefill.read_notebook(source), str(source)), check_validity=False)
    assert cache.match_cache_notebook(prefill.read_notebook(source)).uri == str(source)
