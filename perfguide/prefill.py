"""Execute the quick build's notebooks on every core at once, one core each, into the build's cache.

`jupyter-book build` runs one notebook at a time. The tests' quick build runs them first on one
worker per core, each worker (its kernel and every process it starts) pinned to a core of its
own, so pages never compete for a core: each page sees a one-core machine and reports its
one-core setting only. Executed notebooks go into Jupyter Book's cache under the key the build
computes, so the build then only renders them. The full build (`make book`) and `make quick`
stay serial and unpinned: they report both thread settings.

    python -m perfguide.prefill BUILD_DIR [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent
FORCED = ("notebooks/your_machine",)  # reads the other pages' results: executed by the build, last
TIMEOUT_S = 1800


def toc_pages(root: Path = REPOSITORY) -> list[str]:
    """The toc's notebook pages as 'notebooks/name', in toc order."""
    import yaml

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    pages = [chapter["file"] for part in toc.get("parts", []) for chapter in part["chapters"]]
    return [p for p in pages if p.startswith("notebooks/")]


def read_notebook(path: Path) -> Any:
    """A MyST notebook read as Jupyter Book reads it, so that its cache key is the build's."""
    import yaml
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    config = yaml.safe_load((REPOSITORY / "_config.yml").read_text())
    extensions = set(config.get("parse", {}).get("myst_enable_extensions", []))
    return read_myst_markdown_notebook(path.read_text(), config=MdParserConfig(enable_extensions=extensions),
                                       add_source_map=True, path=path)


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
    """Where each page's last prefill seconds are kept: beside the build folder, which tests remove."""
    return build_dir.parent / f"{build_dir.name}.seconds.json"


def execute(pages: list[str], out_dir: Path) -> None:
    """Worker: execute `pages` in order, each in notebooks/, into out_dir/<name>.ipynb."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    for page in pages:
        source = REPOSITORY / f"{page}.md"
        notebook = read_notebook(source)
        result = single_nb_execution(notebook, cwd=str(source.parent), timeout=TIMEOUT_S,
                                     allow_errors=False, meta_override=True)
        if result.err is not None:  # the build executes it again and reports the error
            print(f"prefill: {page} failed: {type(result.err).__name__}: {result.err}", file=sys.stderr)
            continue
        notebook.metadata["prefill_seconds"] = result.time
        nbformat.write(notebook, out_dir / f"{Path(page).name}.ipynb")
        print(f"prefill: {page} executed in {result.time:.0f} s on core {sorted(os.sched_getaffinity(0))}",
              flush=True)


def _cached(cache: Any, page: str) -> bool:
    """Whether the cache already holds this page's current code."""
    try:
        cache.match_cache_notebook(read_notebook(REPOSITORY / f"{page}.md"))
    except KeyError:
        return False
    return True


def prefill(build_dir: Path, jobs: int) -> dict[str, float]:
    """Execute the toc's notebooks (but FORCED) on `jobs` pinned workers, cached under build_dir."""
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    from perfguide import freshness
    from perfguide.profiles import profile

    cache_path = build_dir / "_build" / ".jupyter_cache"
    pages = toc_pages()
    freshness.refresh(cache_path, {p: REPOSITORY / f"{p}.md" for p in pages}, REPOSITORY, profile())
    cache = get_cache(str(cache_path))
    pending = [p for p in pages if p not in FORCED and not _cached(cache, p)]
    known = json.loads(seconds_file(build_dir).read_text()) if seconds_file(build_dir).exists() else {}
    cores = sorted(os.sched_getaffinity(0))
    work = split_work(pending, known, min(jobs, len(cores)))
    with tempfile.TemporaryDirectory() as tmp:
        workers = [
            subprocess.Popen([sys.executable, "-m", "perfguide.prefill", "--worker", tmp, *chunk],
                             preexec_fn=lambda core=core: os.sched_setaffinity(0, {core}))
            for core, chunk in zip(cores, work)
        ]
        for worker in workers:
            worker.wait()
        seconds = {}
        for page in pending:
            executed = Path(tmp) / f"{Path(page).name}.ipynb"
            if not executed.exists():
                continue
            notebook = nbformat.read(executed, as_version=4)
            seconds[page] = notebook.metadata.pop("prefill_seconds")
            cache.cache_notebook_bundle(
                CacheBundleIn(notebook, str(REPOSITORY / f"{page}.md"),
                              data={"execution_seconds": seconds[page]}),
                check_validity=False, overwrite=True)
    seconds_file(build_dir).write_text(json.dumps({**known, **seconds}, indent=1))
    return seconds


def main() -> None:
    """Command line: prefill BUILD_DIR [--jobs N], or a worker's --worker OUT PAGE..."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
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
