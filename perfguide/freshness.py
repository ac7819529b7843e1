"""Keep the book's execution cache honest: a page re-runs when the code it measures changes.

Jupyter Book's cache keys a notebook on its own code cells only, so an edit to a package a page
imports (or a new pin, or another profile) would otherwise render the old numbers. This Sphinx
extension fingerprints each page by the project modules it imports (transitively, read from
source), `requirements.txt` and `PERFGUIDE_PROFILE`; when the fingerprint changes it drops the
page's cached execution and asks Sphinx to read the page again.
"""

from __future__ import annotations

import ast
import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

PACKAGES = ("perfguide", "workloads", "chapters")
FINGERPRINTS = "perfguide-fingerprints.json"


def _module_file(root: Path, name: str) -> Path | None:
    """Return the source file of a project module name, or None outside the project."""
    if name.split(".")[0] not in PACKAGES:
        return None
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported_names(source: str, module: str = "", is_package: bool = False) -> set[str]:
    """Return the absolute module names a piece of source imports (relative imports resolved)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join(parts[:keep] + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _with_parents(name: str) -> list[str]:
    """Return a module name and every package above it (importing one runs their __init__)."""
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def project_files(sources: Iterable[str], root: Path) -> set[Path]:
    """Return every project source file that code importing `sources` loads, transitively."""
    pending = [n for s in sources for n in _imported_names(s)]
    seen: set[str] = set()
    files: set[Path] = set()
    while pending:
        name = pending.pop()
        for full in _with_parents(name):
            if full in seen:
                continue
            seen.add(full)
            path = _module_file(root, full)
            if path is None:
                continue
            files.add(path)
            pending.extend(_imported_names(path.read_text(), full, path.name == "__init__.py"))
    return files


def code_cells(page: Path) -> list[str]:
    """Return the code cells of a notebook page (MyST or .ipynb), IPython magics left out."""
    import jupytext

    notebook = jupytext.read(page)
    if "kernelspec" not in notebook.metadata:  # a Markdown page, not executed
        return []
    return [
        "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


def fingerprint(page: Path, root: Path, profile: str) -> str:
    """Return a hash of what a page's numbers depend on beyond its own code cells."""
    digest = hashlib.sha256(f"profile={profile}\n".encode())
    extra = [root / "requirements.txt"]
    for path in sorted(project_files(code_cells(page), root)) + extra:
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\n" + path.read_bytes())
    return digest.hexdigest()


def _same_page(uri: str, page: Path) -> bool:
    """Is a cache record's page this page, here or in another checkout (same folder and file
    name)? The cache reuses a record by its cells' hash, wherever the record was made."""
    there = Path(uri)
    return there.resolve() == page.resolve() or there.parts[-2:] == page.resolve().parts[-2:]


def _drop_cached(cache_path: Path, page: Path) -> int:
    """Remove the cached executions of one page; return how many were removed."""
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_path))
    stale = [r.pk for r in cache.list_cache_records() if _same_page(r.uri, page)]
    for pk in stale:
        cache.remove_cache(pk)
    return len(stale)


def refresh(cache_path: Path, pages: dict[str, Path], root: Path, profile: str) -> list[str]:
    """Drop cached runs of pages whose fingerprint changed; return those pages' names."""
    store = cache_path / FINGERPRINTS
    known: dict[str, str] = json.loads(store.read_text()) if store.is_file() else {}
    changed = []
    for name, page in sorted(pages.items()):
        key = str(page.resolve())
        now = fingerprint(page, root, profile)
        if known.get(key) != now:
            if cache_path.is_dir():
                _drop_cached(cache_path, page)
            known[key] = now
            changed.append(name)
    cache_path.mkdir(parents=True, exist_ok=True)
    store.write_text(json.dumps(known, indent=1, sort_keys=True))
    return changed


def _outdated(app: Any, env: Any, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """Sphinx `env-get-outdated` hook: pages to re-read because the code they measure changed."""
    from perfguide.profiles import profile
    from sphinx.util import logging

    config = env.mystnb_config  # myst-nb has resolved the cache folder by now
    if config.execution_mode != "cache" or not config.execution_cache_path:
        return []
    cache_path = config.execution_cache_path
    root = Path(app.srcdir)
    pages = {name: Path(env.doc2path(name)) for name in env.found_docs}
    pages = {name: page for name, page in pages.items() if page.suffix in (".md", ".ipynb") and code_cells(page)}
    stale = refresh(Path(cache_path), pages, root, profile())
    if stale:
        logging.getLogger(__name__).info("re-running (code, pins or profile changed): " + ", ".join(stale))
    return [name for name in stale if name not in added]


def setup(app: Any) -> dict[str, Any]:
    """Register the hook with Sphinx."""
    app.connect("env-get-outdated", _outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
