"""Run mypy on small files and read what it reveals and reports, line by line."""

import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
TYPING = REPOSITORY / "tests" / "typing"  # the small files the page and the tests check
CACHE = Path(tempfile.gettempdir()) / "perfguide-mypy-cache"  # shared by the page and tests
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<kind>note|error): (?P<text>.*?)"
                  r"(?:  \[(?P<code>[a-z-]+)\])?$")


@dataclass(frozen=True)
class Finding:
    """One line of mypy's report: where, note or error, the message and its error code."""

    file: str
    line: int
    kind: str
    text: str
    code: str | None

    @property
    def revealed(self) -> str | None:
        """The type in a `reveal_type` note, or None."""
        match = re.match(r'Revealed type is "(.*)"$', self.text)
        return match.group(1) if match else None


@dataclass(frozen=True)
class Report:
    """mypy's exit status and findings for one run."""

    returncode: int
    findings: tuple[Finding, ...]
    text: str

    def revealed(self, file: str) -> dict[int, str]:
        """Line number -> revealed type, for one file."""
        return {f.line: f.revealed for f in self.findings
                if Path(f.file).name == file and f.revealed is not None}

    def errors(self, file: str) -> dict[int, str]:
        """Line number -> error message (with its code), for one file."""
        return {f.line: f"{f.text} [{f.code}]" for f in self.findings
                if Path(f.file).name == file and f.kind == "error"}


def run_mypy(files: list[Path], cache: Path = CACHE) -> Report:
    """`python -m mypy` on `files` from the repository root; imported modules are followed
    silently, so only the named files report."""
    command = [sys.executable, "-m", "mypy", "--cache-dir", str(cache), "--follow-imports=silent",
               "--no-error-summary", "--show-error-codes", "--hide-error-context",
               "--no-color-output", "--no-pretty", *map(str, files)]
    run = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True)
    findings = tuple(Finding(m["file"], int(m["line"]), m["kind"], m["text"], m["code"])
                     for m in map(LINE.match, run.stdout.splitlines()) if m)
    return Report(run.returncode, findings, run.stdout)


def labelled_lines(path: Path) -> dict[int, tuple[str, str]]:
    """Line number -> (label, code) for each line of `path` with code and a `# label` comment."""
    found = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        code, _, label = line.partition("  # ")
        if label and code.strip() and not code.startswith("#"):
            found[number] = (label.strip(), code.strip())
    return found


def versions() -> dict[str, str]:
    """The versions behind mypy's answers: mypy itself (as `python -m mypy` runs), jax and flax."""
    from importlib.metadata import version

    mypy = subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True,
                          text=True).stdout.split()
    return {"mypy": mypy[1] if len(mypy) > 1 else "?", "jax": version("jax"),
            "flax": version("flax")}
