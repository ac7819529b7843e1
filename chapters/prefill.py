"""Execute the book's notebooks on several workers into Jupyter Book's execution cache.

`jupyter-book build` executes one notebook at a time. On a machine with N cores, a page's
one-core side processes leave the other cores idle, so the quick build (what the tests build)
runs its notebooks on N workers first, each worker's one-core processes pinned to a core of
its own (`PERFGUIDE_CORE_OFFSET`), and stores each executed notebook in the cache under the
key Jupyter Book computes; the build then only renders. Only for the quick profile: pages that
run side by side disturb each other's timings, so the full build (`make book`) stays serial.

    python -m chapters.prefill BUILD_DIR [--jobs N]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPOSITORY = Path(__file__).resolve().parent.parent
FORCED = ("notebooks/your_machine",)  # executed by the build itself, after every other page
TIMEOUT_S = 1800


def toc_notebooks(root: Path = REPOSITORY) -> list[str]:
    """The toc's notebook pages, as 'notebooks/name', except those the build always executes."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    pages = [chapter["file"] for part in toc.get("parts", []) for chapter in part["chapters"]]
    return [p for p in pages if p.startswith("notebooks/") and p not in FORCED]


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """A MyST notebook read as Jupyter Book reads it, so that its cache key is the build's."""
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    config = MdParserConfig(enable_extensions={"dollarmath", "amsmath", "colon_fence",
                                               "deflist", "substitution"})
    return read_myst_markdown_notebook(path.read_text(), config=config, add_source_map=True,
                                       path=path)


def split_work(pages: list[str], seconds: dict[str, float], jobs: int) -> list[list[str]]:
    """Pages over `jobs` workers, longest first onto the least loaded (last known seconds)."""
    bins: list[list[str]] = [[] for _ in range(jobs)]
    load = [0.0] * jobs
    for page in sorted(pages, key=lambda p: -seconds.get(p, 120.0)):
        i = load.index(min(load))
        bins[i].append(page)
        load[i] += seconds.get(page, 120.0)
    return [b for b in bins if b]


def seconds_file(build_dir: Path) -> Path:
    """Where the last prefill of build_dir kept each page's seconds: beside the folder, so that
    a build from scratch (the folder removed) still splits its work well."""
    return build_dir.parent / f"{build_dir.name}.seconds.json"


def last_seconds(build_dir: Path) -> dict[str, float]:
    """Each page's execution seconds in the last prefill of build_dir, where known."""
    path = seconds_file(build_dir)
    return json.loads(path.read_text()) if path.exists() else {}


def execute(pages: list[str], out_dir: Path) -> None:
    """Worker: execute `pages` in order, each in notebooks/, into out_dir/<name>.ipynb."""
    from jupyter_cache.executors.utils import single_nb_execution

    for page in pages:
        source = REPOSITORY / f"{page}.md"
        notebook = read_notebook(source)
        result = single_nb_execution(notebook, cwd=str(source.parent), timeout=TIMEOUT_S,
                                     allow_errors=False, meta_override=True)
        if result.err is not None:  # the build executes it again and reports the error
            print(f"prefill: {page} failed: {type(result.err).__name__}", file=sys.stderr)
            continue
        notebook.metadata["prefill_seconds"] = result.time
        nbformat.write(notebook, out_dir / f"{Path(page).name}.ipynb")
        print(f"prefill: {page} executed in {result.time:.0f} s", flush=True)


def prefill(build_dir: Path, jobs: int) -> dict[str, float]:
    """Execute every toc notebook on `jobs` workers and cache the results under build_dir."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(build_dir / "_build" / ".jupyter_cache"))
    pending = [p for p in toc_notebooks() if not _cached(cache, p)]
    known = last_seconds(build_dir)
    work = split_work(pending, known, jobs)
    with tempfile.TemporaryDirectory() as tmp:
        workers = [subprocess.Popen(
            [sys.executable, "-m", "chapters.prefill", "--worker", tmp, *pages],
            env={**os.environ, "PERFGUIDE_CORE_OFFSET": str(i)}) for i, pages in enumerate(work)]
        for worker in workers:
            worker.wait()
        seconds = {}
        for page in pending:
            executed = Path(tmp) / f"{Path(page).name}.ipynb"
            if not executed.exists():
                continue
            notebook = nbformat.read(executed, as_version=4)
            seconds[page] = notebook.metadata.pop("prefill_seconds")
            uri = str(REPOSITORY / f"{page}.md")
            cache.cache_notebook_bundle(
                CacheBundleIn(notebook, uri, data={"execution_seconds": seconds[page]}),
                check_validity=False, overwrite=True)
    seconds_file(build_dir).write_text(json.dumps({**known, **seconds}, indent=1))
    return seconds


def _cached(cache: object, page: str) -> bool:
    """Whether the cache already holds this page's current code."""
    try:
        cache.match_cache_notebook(read_notebook(REPOSITORY / f"{page}.md"))  # type: ignore[attr-defined]
    except KeyError:
        return False
    return True


def main() -> None:
    """Command line: prefill BUILD_DIR [--jobs N], or a worker's --worker OUT PAGE..."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("target", help="the build folder (--path-output), or a worker's output")
    parser.add_argument("pages", nargs="*")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args()
    if args.worker:
        execute(args.pages, Path(args.target))
        return
    start = time.monotonic()
    seconds = prefill(Path(args.target).resolve(), max(args.jobs, 1))
    print(f"prefill: {len(seconds)} notebooks in {time.monotonic() - start:.0f} s wall, "
          f"{sum(seconds.values()):.0f} s of execution")


if __name__ == "__main__":
    main()
