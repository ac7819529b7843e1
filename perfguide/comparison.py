"""Two runs of the book side by side: matched records, both medians and their ratio."""

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfguide.records import SCHEMA, load_results

Key = tuple[str, str, str, str]  # page, experiment, variant, size (threads appended when recorded)


@dataclass(frozen=True)
class Row:
    """One measured point found in both runs."""

    page: str
    experiment: str
    variant: str
    size: str
    a_s: float
    b_s: float

    @property
    def ratio(self) -> float:
        """Run B's median over run A's: above 1, B took longer."""
        return self.b_s / self.a_s


def load_run(path: Path | str) -> dict[str, dict[str, Any]]:
    """A run's results files by page: a results folder, or one results file."""
    path = Path(path)
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: give a results folder or file")
    if not files:
        raise FileNotFoundError(f"no results files (*.json) in {path}: build the book first")
    run = {}
    for file in files:
        results = load_results(file)
        if not isinstance(results, dict) or "records" not in results:
            raise ValueError(f"{file} is not a results file of this guide (no records)")
        schema = results.get("schema", 1)  # files before the field are version 1
        if schema != SCHEMA:
            raise ValueError(f"{file} has results schema {schema}; this perfguide reads schema "
                             f"{SCHEMA}: compare runs made with the same version of the guide")
        run[results["notebook"]] = results
    return run


def _key(page: str, record: dict[str, Any]) -> Key:
    """How a record is matched across runs: page, experiment, variant, size and thread setting
    (1 core, or all cores however many a machine has)."""
    variant = str(record["variant"])
    threads = record.get("threads")
    if threads is not None:  # by role, so that "all cores" matches across machines
        variant = f"{variant} ({'1 core' if threads == 1 else 'all cores'})"
    size = "" if record.get("size") is None else f"{record['size']:g}"
    return page, str(record["experiment"]), variant, size


def _medians(run: dict[str, dict[str, Any]]) -> dict[Key, float]:
    """Median seconds of every record in a run, by key (the last one wins if a key repeats)."""
    return {_key(page, r): float(r["median_s"])
            for page, results in run.items() for r in results["records"]}


def compare_runs(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> list[Row]:
    """The points measured in both runs, in run A's order."""
    b_medians = _medians(b)
    rows = []
    for key, a_s in _medians(a).items():
        b_s = b_medians.get(key)
        if b_s is not None and a_s > 0 and b_s > 0:
            rows.append(Row(*key, a_s=a_s, b_s=b_s))
    return rows


def summary(run: dict[str, dict[str, Any]]) -> str:
    """One line per run: device, cores, profile, date and the versions that matter."""
    env = next(iter(run.values()))["environment"]
    versions = env.get("versions", {})
    named = ", ".join(f"{p} {versions[p]}" for p in ("jax", "flax", "torch", "numpy")
                      if versions.get(p))
    return (f"{env.get('device_kind')} ({env.get('backend')}), {env.get('cpu_model')}, "
            f"{env.get('cpu_cores')} cores, profile {env.get('profile')}, "
            f"{str(env.get('date', ''))[:10]}; {named}")


def geometric_mean(values: list[float]) -> float:
    """The typical ratio: the geometric mean (NaN for no values)."""
    return math.exp(sum(map(math.log, values)) / len(values)) if values else math.nan


def _seconds(value: float) -> str:
    """A duration with a unit that keeps 3 significant digits readable."""
    for unit, scale in (("s", 1.0), ("ms", 1e3), ("µs", 1e6)):
        if value * scale >= 1.0:
            return f"{value * scale:.3g} {unit}"
    return f"{value * 1e9:.3g} ns"


def table(rows: list[Row], a: dict[str, Any], b: dict[str, Any]) -> str:
    """The comparison as a Markdown table, with both environments above it."""
    lines = [f"A: {summary(a)}", f"B: {summary(b)}"]
    profiles = {results["profile"] for run in (a, b) for results in run.values()}
    if len(profiles) > 1:
        lines.append("Profiles differ: a point may stand for a different amount of work in "
                     "each run; compare runs of one profile.")
    lines += ["",
             "| page | experiment | variant | size | A | B | B / A |",
             "|---|---|---|---|---:|---:|---:|"]
    lines += [f"| {r.page} | {r.experiment} | {r.variant} | {r.size} | {_seconds(r.a_s)} | "
              f"{_seconds(r.b_s)} | {r.ratio:.2f} |" for r in rows]
    lines += ["", f"{len(rows)} points in both runs; typical B / A (geometric mean) "
                  f"{geometric_mean([r.ratio for r in rows]):.2f}"]
    return "\n".join(lines)


def figure(rows: list[Row], label_a: str = "A", label_b: str = "B") -> Any:
    """Run B's median against run A's for every matched point, log-log, with the line B = A."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import plain_log

    fig, ax = plt.subplots(figsize=(6.0, 5.0))
    pages = sorted({r.page for r in rows})
    for i, page in enumerate(pages):
        mine = [r for r in rows if r.page == page]
        ax.scatter([r.a_s for r in mine], [r.b_s for r in mine], s=14, color=f"C{i}",
                   label=page)
    low = min(min(r.a_s, r.b_s) for r in rows) / 2
    high = max(max(r.a_s, r.b_s) for r in rows) * 2
    ax.plot([low, high], [low, high], "k--", linewidth=1, label="B = A")
    ax.set(xlim=(low, high), ylim=(low, high))
    plain_log(ax)
    ax.set_xlabel(f"{label_a}: median time per call (s)")
    ax.set_ylabel(f"{label_b}: median time per call (s)")
    ax.legend(loc="upper left")
    return fig
