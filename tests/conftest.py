"""Shared fixtures: the quick-profile book build that several tests inspect."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
QUICK = REPOSITORY / "_build" / "quick"
CHECK_LIMIT_S = 3.0  # a test slower than this under `make check` must be marked slow


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """Under `make check` (PERFGUIDE_CHECK=1), fail an unmarked test that takes over the limit,
    so the fast target stays well under a minute."""
    outcome = yield
    report = outcome.get_result()
    slow = item.get_closest_marker("slow") is not None
    if os.environ.get("PERFGUIDE_CHECK") and call.when == "call" and not slow and report.passed:
        if call.duration > CHECK_LIMIT_S:
            report.outcome = "failed"
            report.longrepr = (f"{item.nodeid} took {call.duration:.1f} s, over the "
                               f"{CHECK_LIMIT_S:.0f} s limit of `make check`: mark it "
                               "@pytest.mark.slow (it still runs in `make test`)")


@pytest.fixture(autouse=True)
def _x64_left_as_found() -> object:
    """JAX's x64 mode is process-wide: a test that switches it on (the FE sides do, as their
    processes do) must not change the dtypes of the tests after it."""
    import jax

    before = jax.config.jax_enable_x64
    yield
    if jax.config.jax_enable_x64 != before:
        jax.config.update("jax_enable_x64", before)


def chromium_or_skip() -> str:
    """Debian's chromium; the test is skipped where it is missing, except under CI."""
    path = shutil.which("chromium")
    if path is None:
        reason = "Debian's chromium is not installed (apt-get install chromium; .ci/run does it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def book_pages() -> list[str]:
    """Every page named in _toc.yml, as a path without suffix ('book/intro', 'notebooks/measuring')."""
    import yaml

    toc = yaml.safe_load((REPOSITORY / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [chapter["file"] for chapter in part["chapters"]]
    return pages


def notebook_pages() -> list[str]:
    """The pages that are executed notebooks (notebooks/*.md)."""
    return [page for page in book_pages() if page.startswith("notebooks/")]


@pytest.fixture(scope="session")
def quick_book() -> Path:
    """Build the book from scratch in the quick profile with -W; return the HTML folder."""
    shutil.rmtree(QUICK, ignore_errors=True)
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PERFGUIDE_PROFILE": "quick",
        "PERFGUIDE_RESULTS": str(QUICK / "results"),
    }
    # The notebooks first, one pinned worker per core (perfguide.prefill); the build then renders.
    prefill = [sys.executable, "-m", "perfguide.prefill", str(QUICK)]
    filled = subprocess.run(prefill, env=env, capture_output=True, text=True, cwd=REPOSITORY)
    command = [str(bin_dir / "jupyter-book"), "build", str(REPOSITORY), "-W", "--keep-going", "--path-output", str(QUICK)]
    build = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPOSITORY)
    build.stdout = filled.stdout + filled.stderr[-4000:] + build.stdout
    log = QUICK / "build.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(build.stdout + build.stderr)
    if build.returncode != 0:
        reports = "\n".join(p.read_text()[-3000:] for p in (QUICK / "_build" / "html" / "reports").glob("**/*.err.log"))
        pytest.fail(f"jupyter-book build failed (log: {log}):\n{build.stdout[-4000:]}\n{build.stderr[-4000:]}\n{reports}")
    return QUICK / "_build" / "html"
