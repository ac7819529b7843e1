"""A `jax.profiler` trace of a few calls, written to a folder and parsed
from the Perfetto/Chrome JSON that JAX writes beside its own format.

Each call runs inside a `jax.profiler.TraceAnnotation` named
`"<label> <i>"`, so the trace marks where a call starts and ends on the
Python thread; XLA's events carry `hlo_op` and `hlo_module` in their
arguments and say which compiled operation ran, on which thread, when.
"""

import gzip
import json
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jax
import numpy as np

from perfguide.interleave import pool
from perfguide.timing import Timing, block, gc_paused, time_call


@dataclass(frozen=True)
class Event:
    """One complete event ('X') of the trace: times in µs from its start."""

    name: str
    thread: str
    start_us: float
    dur_us: float
    op: str | None = None  # the HLO operation, for XLA's events
    module: str | None = None  # the compiled program it belongs to

    @property
    def end_us(self) -> float:
        """Where the event ends."""
        return self.start_us + self.dur_us


@dataclass
class Trace:
    """The parsed trace: its events, the annotated calls and the file."""

    path: Path
    events: list[Event]
    calls: list[Event] = field(default_factory=list)

    def ops(self, call: Event) -> list[Event]:
        """XLA's operation events that start inside one call."""
        return [e for e in self.events if e.op is not None
                and call.start_us <= e.start_us < call.end_us]

    def spans_us(self) -> list[float]:
        """Duration of each annotated call, µs."""
        return [c.dur_us for c in self.calls]

    def busy_us(self) -> list[float]:
        """Per call, the µs with at least one XLA op running."""
        return [union_us(self.ops(c), c.start_us, c.end_us)
                for c in self.calls]

    def events_per_call(self) -> list[int]:
        """Per call, the trace events inside it."""
        return [sum(c.start_us <= e.start_us < c.end_us for e in self.events)
                for c in self.calls]


def median_of(traces: list[Trace], per_call: str) -> float:
    """Median over every call of several traces of `spans_us`,
    `busy_us` or `events_per_call`."""
    return statistics.median(
        v for t in traces for v in getattr(t, per_call)())


def union_us(events: list[Event], start: float, end: float) -> float:
    """µs covered by at least one of `events`, clipped to [start, end]
    (ops on several threads at once count once)."""
    total, reach = 0.0, start
    for e in sorted(events, key=lambda e: e.start_us):
        lo, hi = max(e.start_us, reach), min(e.end_us, end)
        if hi > lo:
            total += hi - lo
            reach = hi
    return total


def parse(path: Path, label: str) -> Trace:
    """Read a `perfetto_trace.json.gz` into events; the calls are the
    events named `"<label> <i>"`."""
    with gzip.open(path, "rt") as f:
        raw = json.load(f)["traceEvents"]
    threads = {e["tid"]: e["args"]["name"] for e in raw
               if e.get("ph") == "M" and e.get("name") == "thread_name"}
    events = []
    for e in raw:
        if e.get("ph") != "X":
            continue
        args = e.get("args", {})
        events.append(Event(e["name"], threads.get(e["tid"], str(e["tid"])),
                            float(e["ts"]), float(e["dur"]),
                            args.get("hlo_op"), args.get("hlo_module")))
    calls = sorted((e for e in events if e.name.startswith(f"{label} ")
                    and e.name[len(label) + 1:].isdigit()),
                   key=lambda e: e.start_us)
    return Trace(path, events, calls)


def options(python: bool = False) -> jax.profiler.ProfileOptions:
    """Host events on; the Python tracer (every Python call an event)
    only when asked."""
    chosen = jax.profiler.ProfileOptions()
    chosen.python_tracer_level = int(python)
    return chosen


def record(fn: Callable[..., Any], *args: Any, folder: Path | str,
           calls: int = 5, label: str = "call",
           python: bool = False) -> Trace:
    """Trace `calls` calls of `fn(*args)`, each waited on inside its
    annotation, after one untraced call (compilation stays out); the
    garbage collector off, as under the clock."""
    block(fn(*args))
    before = set(Path(folder).rglob("perfetto_trace.json.gz"))
    with jax.profiler.trace(folder, create_perfetto_trace=True,
                            profiler_options=options(python)):
        for i in range(calls):
            with jax.profiler.TraceAnnotation(f"{label} {i}"), gc_paused():
                block(fn(*args))
    (path,) = set(Path(folder).rglob("perfetto_trace.json.gz")) - before
    return parse(path, label)


def fast_quarter_us(clock: Timing, traces: list[Trace]
                    ) -> tuple[float, float]:
    """Lower quartile of the clocked calls and of the traced spans, µs.
    Another process on the core only adds time, to some calls of either
    kind: the fastest quarter of each is the call undisturbed."""
    spans = [s for trace in traces for s in trace.spans_us()]
    return (float(np.percentile(clock.per_call_s, 25)) * 1e6,
            float(np.percentile(spans, 25)))


def agrees(clock: Timing, traces: list[Trace], tolerance: float) -> bool:
    """Do the fast quarters of trace and clock agree within `tolerance`?"""
    clock_us, span_us = fast_quarter_us(clock, traces)
    return abs(span_us / clock_us - 1) <= tolerance


def clock_and_trace(fn: Callable[..., Any], *args: Any,
                    folder: Path | None, calls: int, rounds: int = 5,
                    most: int = 0, tolerance: float = 0.0
                    ) -> tuple[Timing, list[Trace]]:
    """Rounds of `calls` clocked calls (`time_call`, one call per repeat,
    latency) and `calls` traced calls, in turn, so that a slow spell of
    the machine falls on both; the clock's calls pooled, one trace per
    round. Past `rounds`, rounds go on, up to `most`, while trace and
    clock differ by more than `tolerance`: more rounds shrink the noise,
    a real gap stays. Only the first trace's files stay in `folder`."""
    clocks: list[Timing] = []
    traces: list[Trace] = []
    while len(traces) < rounds or (len(traces) < most and not agrees(
            pool(clocks), traces, tolerance)):
        clocks.append(time_call(fn, *args, repeats=calls, warmup=0,
                                target_s=0))
        with tempfile.TemporaryDirectory(prefix="trace-") as scratch:
            keep = folder if folder is not None and not traces else scratch
            traces.append(record(fn, *args, folder=keep, calls=calls))
    return pool(clocks), traces


KINDS = (  # (kind, words in an op's name), first match wins
    ("library call", ("ynn", "xnn", "onednn", "custom-call")),
    ("dot", ("dot", "convolution")),
    ("scatter/gather", ("scatter", "gather")),
    ("fusion", ("fusion",)),
    ("copy/layout", ("copy", "transpose", "broadcast", "bitcast")),
    ("loop/control", ("while", "conditional", "call")),
)


def op_kind(op: str) -> str:
    """A coarse kind for an HLO op's name (XLA:CPU's thunk names)."""
    lowered = op.lower()
    for kind, words in KINDS:
        if any(word in lowered for word in words):
            return kind
    return "other"


@dataclass(frozen=True)
class OpRow:
    """One HLO op of the traced program, per call."""

    op: str
    kind: str
    us_per_call: float
    runs_per_call: float
    share: float  # of every op's time in the calls


def op_rows(traces: list[Trace]) -> list[OpRow]:
    """Every op's time per call over the calls of `traces`, largest
    first."""
    total: dict[str, float] = {}
    runs: dict[str, int] = {}
    for trace in traces:
        for call in trace.calls:
            for e in trace.ops(call):
                assert e.op is not None
                total[e.op] = total.get(e.op, 0.0) + e.dur_us
                runs[e.op] = runs.get(e.op, 0) + 1
    n = sum(len(t.calls) for t in traces)
    everything = sum(total.values()) or 1.0
    rows = [OpRow(op, op_kind(op), us / n, runs[op] / n, us / everything)
            for op, us in total.items()]
    return sorted(rows, key=lambda r: -r.us_per_call)


def kind_shares(rows: list[OpRow]) -> dict[str, float]:
    """Share of op time by kind, largest first."""
    shares: dict[str, float] = {}
    for row in rows:
        shares[row.kind] = shares.get(row.kind, 0.0) + row.share
    return dict(sorted(shares.items(), key=lambda kv: -kv[1]))


def lanes(trace: Trace, call: Event) -> dict[str, list[Event]]:
    """One call's events by thread, for a timeline: the Python thread's
    events inside the call, and each XLA thread's ops."""
    found: dict[str, list[Event]] = {}
    for e in trace.events:
        inside = call.start_us <= e.start_us < call.end_us and e.dur_us > 0
        if inside and (e.op is not None or e.thread == call.thread):
            found.setdefault(e.thread, []).append(e)
    return found


def xplane_ops(trace: Trace) -> int:
    """XLA op events in JAX's own file of the same trace (`.xplane.pb`),
    read with `jax.profiler.ProfileData`: a check on the JSON's parse."""
    (path,) = trace.path.parent.glob("*.xplane.pb")
    data = jax.profiler.ProfileData.from_file(str(path))
    return sum(1 for plane in data.planes for line in plane.lines
               for event in line.events
               if any(name == "hlo_op" for name, _ in event.stats))
