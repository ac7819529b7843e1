"""A reader's JupyterLab runs a page top to bottom: real server, headless Chromium, Run > Run All Cells.

The pages glue their figures for the book (`{glue:figure}` places them); in a Jupyter server session
`pg.glue_figure` also shows each in place. The test checks that figures rendered as images in Lab,
saves the notebook from Lab and checks that every figure the text places was produced.
"""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import REPOSITORY, chromium_or_skip

pytestmark = pytest.mark.slow  # runs a whole page in a kernel: `make test`, not `make check`

PAGE = "habits"  # under a minute in the quick profile on 2 cores, 2 figures
SCREENSHOT = REPOSITORY / "_build" / "screenshots" / "lab.png"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SERVER_START_S = 120.0  # jupyter lab imports a lot; a loaded 2-core machine needs a while
KERNEL_IDLE_S = 180.0
RUN_ALL_S = 15 * 60.0  # the quick page takes about 2 min on 2 idle cores; leave room for load
POLL_S = 2.0
IMAGE_TYPES = {"image/png", "image/svg+xml"}
GLUE_FIGURE = re.compile(r"\{glue:figure\}(?:`([\w.-]+)`|[ \t]+([\w.-]+))")
# Lab settings for a test: every cell in the DOM (no windowing), no news or update toasts.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


@dataclass
class Lab:
    """A running JupyterLab: where it listens, its token, its notebook folder and its log."""

    url: str
    token: str
    folder: Path
    log: Path
    process: subprocess.Popen

    def api(self, path: str) -> Any:
        """GET a server REST endpoint with the token; the decoded JSON."""
        request = urllib.request.Request(f"{self.url}{path}", headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def kernel_states(self) -> list[str]:
        """Execution state of every kernel the server runs ('idle', 'busy', 'starting')."""
        return [kernel["execution_state"] for kernel in self.api("/api/kernels")]

    def log_tail(self) -> str:
        """The end of the server's log, for failure messages."""
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else "(no log)"


def free_port() -> int:
    """A localhost port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def copy_without_outputs(source: Path, target: Path) -> list[str]:
    """Copy a notebook with every output and execution count cleared; return its non-empty code sources."""
    notebook = json.loads(source.read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    target.write_text(json.dumps(notebook, indent=1))
    codes = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    return [code for code in codes if code.strip()]


def write_settings(folder: Path) -> None:
    """Lab user settings that make the test independent of the reader's own."""
    for plugin, values in LAB_SETTINGS.items():
        path = folder / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def wait_for(condition: Any, timeout_s: float, what: str, lab: Lab) -> Any:
    """Poll `condition()` until it returns something truthy; fail with the server log when the time runs out."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            pytest.fail(f"jupyter lab exited ({lab.process.returncode}) while waiting for {what}:\n{lab.log_tail()}")
        value = condition()
        if value:
            return value
        time.sleep(POLL_S)
    pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}:\n{lab.log_tail()}")


def stop(lab: Lab) -> None:
    """Ask the server to shut down (kernels included); kill its process group if it does not."""
    try:
        request = urllib.request.Request(
            f"{lab.url}/api/shutdown", method="POST", headers={"Authorization": f"token {lab.token}"}
        )
        urllib.request.urlopen(request, timeout=10).close()
        lab.process.wait(timeout=30)
    except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
        pass
    if lab.process.poll() is None:
        os.killpg(lab.process.pid, signal.SIGTERM)
        try:
            lab.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(lab.process.pid, signal.SIGKILL)
            lab.process.wait()
    try:  # kernels that outlived the server are still in its group
        os.killpg(lab.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium; skipped where it is missing, except under CI."""
    return chromium_or_skip()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    """JupyterLab from this environment on a copy of the page, localhost, a free port and a random token."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    bin_dir = Path(sys.executable).parent
    token = secrets.token_hex(24)
    port = free_port()
    write_settings(tmp_path / "lab-settings")
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PERFGUIDE_PROFILE": "quick",
        "PERFGUIDE_RESULTS": str(tmp_path / "results"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),  # not the reader's ~/.jupyter
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    command = [
        str(bin_dir / "jupyter"), "lab",
        "--no-browser",
        "--ServerApp.open_browser=False",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--notebook-dir={folder}",
        f"--LabApp.user_settings_dir={tmp_path / 'lab-settings'}",
        f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
    ]  # fmt: skip
    if os.geteuid() == 0:  # CI containers run as root, which jupyter refuses unless told
        command.append("--allow-root")
    log = tmp_path / "lab.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            command, env=env, cwd=folder, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    running = Lab(f"http://127.0.0.1:{port}", token, folder, log, process)
    try:

        def answers() -> bool:
            try:
                return "started" in running.api("/api/status")
            except (OSError, urllib.error.URLError, ValueError):
                return False

        wait_for(answers, SERVER_START_S, "/api/status to answer", running)
        yield running
    finally:
        stop(running)


def read_notebook(path: Path) -> dict:
    """A notebook file as JSON; empty while it is missing or half written."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {"cells": []}


def executed(notebook: dict) -> int:
    """How many code cells of a saved notebook carry an execution count."""
    return sum(cell["cell_type"] == "code" and cell["execution_count"] is not None for cell in notebook["cells"])


def figure_references(notebook: dict) -> set[str]:
    """The figure names the page's text places with `{glue:figure}` (directive or role)."""
    text = "".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")
    return {a or b for a, b in GLUE_FIGURE.findall(text)}


def glued_figures(outputs: list[dict]) -> set[str]:
    """Names of the glued outputs that carry an image (myst-nb prefixes hidden ones' MIME types)."""
    return {
        output["metadata"]["scrapbook"]["name"]
        for output in outputs
        if "scrapbook" in output.get("metadata", {})
        and any(kind.endswith(tuple(IMAGE_TYPES)) for kind in output.get("data", {}))
    }


def prompts(tab: Any) -> list[str]:
    """The input prompt of every code cell, e.g. '[3]:', '[*]:', '[ ]:'."""
    return tab.eval_on_selector_all(".jp-CodeCell .jp-InputPrompt", "ps => ps.map(p => p.textContent.trim())")


def test_a_page_runs_top_to_bottom_in_jupyterlab_with_figures_and_no_error(chromium: str, lab: Lab) -> None:
    codes = copy_without_outputs(REPOSITORY / "notebooks" / f"{PAGE}.ipynb", lab.folder / f"{PAGE}.ipynb")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            page_errors: list[str] = []
            tab.on("pageerror", lambda error: page_errors.append(str(error)))
            tab.goto(f"{lab.url}/lab/tree/{PAGE}.ipynb?token={lab.token}", timeout=180_000)
            tab.wait_for_selector(".jp-NotebookPanel .jp-CodeCell", timeout=180_000)
            wait_for(lambda: lab.kernel_states() == ["idle"], KERNEL_IDLE_S, "the kernel to start and be idle", lab)

            tab.click(".jp-NotebookPanel .jp-Notebook")  # the notebook is the current widget
            tab.click("#jp-MainMenu .lm-MenuBar-item:has-text('Run')")
            tab.click(".lm-Menu-item[data-command='runmenu:run-all']")
            wait_for(lambda: any(p != "[ ]:" for p in prompts(tab)), 60, "Run All Cells to queue the cells", lab)

            def finished() -> bool:
                shown = prompts(tab)
                return "[*]:" not in shown and lab.kernel_states() == ["idle"]

            wait_for(finished, RUN_ALL_S, "every cell to finish", lab)
            wait_for(finished, 10, "the kernel to stay idle", lab)  # a second look: no cell left in the queue

            errors = tab.eval_on_selector_all(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']",
                "os => os.map(o => o.textContent)",
            )
            stderr = tab.eval_on_selector_all(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
                "os => os.map(o => o.textContent)",
            )
            rendered = tab.eval_on_selector_all(
                ".jp-OutputArea-output img", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)"
            )
            shown = prompts(tab)
            numbered = [p for p in shown if re.fullmatch(r"\[\d+\]:", p)]
            last = tab.locator(".jp-OutputArea-output img") if rendered else tab.locator(".jp-Cell")
            last.last.scroll_into_view_if_needed()  # the screenshot shows the last figure
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=SCREENSHOT)

            tab.click("#jp-MainMenu .lm-MenuBar-item:has-text('File')")
            tab.click(".lm-Menu-item[data-command='docmanager:save']")
            saved = lab.folder / f"{PAGE}.ipynb"
            wait_for(lambda: executed(read_notebook(saved)) == len(numbered), 60, "Lab to save", lab)
        finally:
            browser.close()

    tracebacks = errors + [text for text in stderr if "Traceback" in text]
    assert not tracebacks, f"{PAGE} shows errors in Lab:\n" + "\n---\n".join(t[-2000:] for t in tracebacks)
    assert len(numbered) == len(codes), f"{PAGE}: {len(numbered)} of {len(codes)} code cells ran; prompts {shown}"
    notebook = read_notebook(saved)
    outputs = [output for cell in notebook["cells"] for output in cell.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"], f"{PAGE}: the saved notebook holds an error"
    expected = figure_references(notebook)
    missing = expected - glued_figures(outputs)
    assert expected and not missing, f"{PAGE}: figures {sorted(missing)} of {sorted(expected)} were not produced"
    in_place = [o for o in outputs if set(o.get("data", {})) & IMAGE_TYPES]
    assert rendered and all(rendered) and len(rendered) >= len(in_place), (
        f"{PAGE}: {rendered.count(True)} of {len(in_place)} figures shown in place rendered in Lab"
    )
    results = lab.folder.parent / "results" / f"{PAGE}.json"
    assert results.is_file(), f"{PAGE} wrote no results file under {results.parent}"
    assert json.loads(results.read_text())["profile"] == "quick", "the kernel did not get PERFGUIDE_PROFILE=quick"
    assert not page_errors, f"Lab raised in the browser: {page_errors}"
