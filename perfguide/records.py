"""Results files: one JSON per notebook with its environment and one record per measured point."""

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from perfguide.environment import environment
from perfguide.isolated import RUNS
from perfguide.profiles import profile
from perfguide.timing import Timing, time_call

REPOSITORY = Path(__file__).resolve().parents[1]
SCHEMA = 1  # the results file format; `perfguide.comparison` refuses files of another version


def results_dir() -> Path:
    """Where results files go: $PERFGUIDE_RESULTS, default `_build/results` in the repository."""
    return Path(os.environ.get("PERFGUIDE_RESULTS", REPOSITORY / "_build" / "results"))


@dataclass
class Record:
    """One measured point: which experiment, which variant, which size, and its timing figures."""

    experiment: str
    variant: str
    size: float | None
    compile_s: float
    median_s: float
    iqr_s: float
    repeats: int
    extra: dict[str, Any] = field(default_factory=dict)


class Recorder:
    """Collects a notebook's records and writes `<results_dir>/<notebook>.json`."""

    def __init__(self, notebook: str) -> None:
        self.notebook = notebook
        self.records: list[Record] = []
        self.timings: list[Timing] = []

    def add(
        self,
        experiment: str,
        variant: str,
        size: float | None,
        timing: Timing,
        compile_s: float | None = None,
        **extra: Any,
    ) -> Timing:
        """Record `timing` (plus any plain-number extras) and return it, so calls can be chained.

        `compile_s` replaces the timing's own estimate (first call minus a steady call) where the
        page measured compilation more directly, so every results file has one compile field."""
        stats = timing.summary()
        fixed = {key: stats.pop(key) for key in ("compile_s", "median_s", "iqr_s", "repeats")}
        if compile_s is not None:
            fixed["compile_s"] = float(compile_s)
        stats["per_call_s"] = list(timing.per_call_s)
        self.records.append(Record(experiment, variant, size, **fixed, extra={**stats, **extra}))
        self.timings.append(timing)
        return timing

    def add_compile(self, experiment: str, variant: str, size: float | None, compile_s: float,
                    **extra: Any) -> None:
        """Record a point where only compilation was measured (no steady state): its one time is
        the compile time, in both `compile_s` and `median_s`, marked `measured: "compile"`; its
        series carry a one-sample Timing of it."""
        seconds = float(compile_s)
        self.records.append(Record(experiment, variant, size, compile_s=seconds,
                                   median_s=seconds, iqr_s=0.0, repeats=1,
                                   extra={"measured": "compile", **extra}))
        self.timings.append(Timing(seconds, (seconds,), 1))

    def series(self, experiment: str, variant: str, **extra: Any) -> "Series":
        """The records of one experiment and variant, in size order, with their timings; keyword
        arguments keep only records whose extras match (e.g. `threads=1`)."""
        rows = sorted(
            ((r.size, r, t) for r, t in zip(self.records, self.timings)
             if r.experiment == experiment and r.variant == variant
             and all(r.extra.get(key) == value for key, value in extra.items())),
            key=lambda row: -1.0 if row[0] is None else float(row[0]),
        )
        return Series([s for s, _, _ in rows], [t for _, _, t in rows], [r for _, r, _ in rows])

    def variants(self, experiment: str) -> list[str]:
        """The variants recorded for `experiment`, in the order first seen."""
        return list(dict.fromkeys(r.variant for r in self.records if r.experiment == experiment))

    def time(
        self, experiment: str, variant: str, size: float | None, fn: Callable[..., Any], *args: Any, **options: Any
    ) -> Timing:
        """Measure `fn(*args)` with `time_call` (keyword `options` go to it) and record it."""
        return self.add(experiment, variant, size, time_call(fn, *args, **options))

    def save(self) -> Path:
        """Write the results file with the environment record and return its path."""
        path = results_dir() / f"{self.notebook}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "schema": SCHEMA,
            "notebook": self.notebook,
            "profile": profile(),
            "environment": environment(),
            "isolated_processes": dict(RUNS),
            "records": [_flat(record) for record in self.records],
        }
        path.write_text(json.dumps(payload, indent=1))
        return path


@dataclass
class Series:
    """One variant of one experiment across sizes: sizes, timings and the records behind them."""

    sizes: list[Any]
    timings: list[Timing]
    records: list[Record]

    @property
    def medians_s(self) -> list[float]:
        """Median seconds per call, one per size."""
        return [t.median_s for t in self.timings]


def _flat(record: Record) -> dict[str, Any]:
    """A record as one flat JSON object: the fixed fields, then its extras."""
    fields = asdict(record)
    return {**{k: v for k, v in fields.items() if k != "extra"}, **fields["extra"]}


def load_results(path: Path | str) -> dict[str, Any]:
    """Read a results file back."""
    return json.loads(Path(path).read_text())
