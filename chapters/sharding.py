"""Verdicts, figures and glue of the page notebooks/sharding.md ("Beyond one device").

Every outcome sentence of the page is picked here from measured numbers; the thresholds are the
named constants below. The page's `Recorder` holds, with size = the number of simulated devices
and extras `threads` (the cores the process may use):
- "step": the data-parallel training step (extras: the all-reduces and their bytes);
- "all-reduce": one all-reduce of the parameters' size alone; "latency": one of a single float;
- "residual": the FE residual partitioned by elements (extra `n`, the mesh's cells per side).
Each device count ran in a process of its own (`workloads.sharding.devices.run_on_devices`).
"""

from typing import Any

from perfguide.goals import Goal
from perfguide.records import Recorder, Series
from perfguide.timing import Timing
from perfguide.verdicts import compare_timings, resolved

TIE = 0.10  # two times within 10% of each other (or bands that overlap) are not told apart
COMM_SHARE = 0.5  # collectives (timed alone) over half the time the devices added: communication
BYTES_TIE = 0.10  # all-reduce bytes within 10% of the parameter bytes: "the parameters, once"
INTERFACE_LARGE = 0.25  # local matrices holding over 25% more entries than K: a thick interface

# Link bandwidths per direction, vendor figures (bytes per second), for the roofline estimate:
# - NVLink 4 on an H100 SXM: 900 GB/s total, 450 GB/s per direction (NVIDIA H100 Tensor Core GPU
#   datasheet, "NVLink: 900GB/s");
# - PCIe 4.0 x16: 16 GT/s per lane, 128b/130b encoding: 31.5 GB/s per direction (PCI-SIG PCIe 4.0
#   specification), ~32 GB/s;
# - 100 Gb/s Ethernet: 100 Gbit/s line rate = 12.5 GB/s per direction (IEEE 802.3).
# The latency term is not a vendor figure: it is this machine's measured all-reduce of one float
# (`sweep.SMALLEST_BYTES`), which a reader should replace by their own measurement.
LINKS = {"NVLink 4 (H100)": 450e9, "PCIe 4.0 x16": 32e9, "100 Gb/s Ethernet": 12.5e9}
LINK_SOURCES = ("NVIDIA's H100 datasheet (NVLink 4: 900 GB/s both directions, so 450 GB/s each "
                "way), the PCIe 4.0 specification (16 GT/s per lane, 16 lanes, 128b/130b "
                "encoding: 31.5 GB/s each way) and the Ethernet line rate (100 Gbit/s = "
                "12.5 GB/s)")


def _x(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio < 10 else f"{ratio:,.0f}×"


def cores_words(cores: int, devices: int) -> str:
    """What the device figures can show on this machine: the simulated devices share its cores."""
    shared = "one core" if cores == 1 else f"{cores} cores"
    return (f"All {devices} simulated devices share this process's {shared}: a device here is a "
            "partition of the program with its own thread, not extra hardware. The figures "
            "therefore show what partitioning and communication cost, not a speed-up; with "
            f"{'a single core, even the threads of one device compete for it' if cores == 1 else 'more devices than cores, the devices take turns on the cores'}.")


def equal_verdict(what: str, difference: float, tolerance: float, relative: bool = False) -> str:
    """A sharded result against one device's: within the tolerance, or not."""
    kind = "max |Δ| / max |r|" if relative else "max |Δ|"
    if difference <= tolerance:
        return (f"{what} equals the one-device result: {kind} = {difference:.1e}, within the "
                f"tolerance {tolerance:.0e} (float32 sums in another order)")
    return (f"{what} differs from the one-device result: {kind} = {difference:.1e}, beyond "
            f"the tolerance {tolerance:.0e}")


def devices_verdict(what: str, one: Timing, many: Timing, devices: int, cores: int,
                    tie: float = TIE, one_on_one_core: Timing | None = None) -> str:
    """One device against `devices` simulated devices on the same cores; `one_on_one_core`
    (one device pinned to one core) tells whether one device used the other cores at all."""
    on = "one core" if cores == 1 else f"{cores} cores"
    if not resolved(one, many, tie):
        return (f"{what} on {devices} simulated devices and on one are not told apart on {on} "
                f"(medians within {tie:.0%}, or {one.spread} bands that overlap)")
    ratio = many.median_s / one.median_s
    if ratio > 1:
        return (f"{what} takes {_x(ratio)} as long on {devices} simulated devices as on one, on "
                f"{on}: partitioning puts {devices} programs and their collectives on "
                f"{'that core' if cores == 1 else 'those cores'} and adds no hardware")
    if cores == 1:
        return (f"{what} is {_x(1 / ratio)} faster on {devices} simulated devices than on one, "
                "on one core: no extra hardware was at work, so the partitioned program itself "
                "ran cheaper here")
    faster = f"{what} is {_x(1 / ratio)} faster on {devices} simulated devices than on one, on {on}"
    if one_on_one_core is not None and not resolved(one_on_one_core, one, tie):
        return (f"{faster}; on one device it gained nothing from {on} over one core "
                f"({one.median_s * 1e3:,.2f} against {one_on_one_core.median_s * 1e3:,.2f} ms), "
                f"so the {devices} partitions, each run by a thread of its own, put cores to work "
                "that one device's program left idle: the same hardware better used, not more "
                "of it")
    return (f"{faster}: the same hardware, used differently by the partitioned program, not "
            "more of it")


def comm_share_verdict(added_s: float, all_reduces: int, gradients_s: float, small_s: float,
                       share: float = COMM_SHARE) -> str:
    """How much of the time the devices added per step the all-reduces (timed alone) explain:
    one of the gradients' size and the rest of one float's."""
    if added_s <= 0:
        return "the devices added no time per step here, so there is nothing for the all-reduces to explain"
    estimate_s = gradients_s + (all_reduces - 1) * small_s
    part = estimate_s / added_s
    estimate = (f"one all-reduce of the parameters' size ({gradients_s * 1e6:,.0f} µs) and "
                f"{all_reduces - 1} of one float ({small_s * 1e6:,.0f} µs each), each timed alone "
                f"as a program of its own, make about {part:.0%} of the {added_s * 1e6:,.0f} µs "
                "added per step")
    if part >= share:
        return (f"{estimate}: the all-reduces are most of the added cost (at least "
                f"{share:.0%})")
    return (f"{estimate}, under the {share:.0%} that would make them most of it: the rest is "
            "what else the partitioned program adds (several programs on the same cores and "
            "their synchronisation), which this run does not split further")


def size_verdict(big: Timing, small: Timing, big_bytes: int, small_bytes: int, devices: int,
                 tie: float = TIE) -> str:
    """An all-reduce of `big_bytes` against one of `small_bytes`, timed alone on `devices`
    simulated devices: does the size show in the time?"""
    what = (f"on {devices} simulated CPU devices an all-reduce of {big_bytes:,} B "
            f"({big.median_s * 1e6:,.0f} µs) and one of {small_bytes:,} B "
            f"({small.median_s * 1e6:,.0f} µs)")
    if not resolved(big, small, tie):
        return (f"{what} are not told apart (medians within {tie:.0%}, or {big.spread} bands "
                "that overlap): at this size an all-reduce here costs a fixed time per "
                "collective (a latency), not a time per byte")
    ratio = big.median_s / small.median_s
    if ratio > 1:
        return (f"{what}: the larger takes {_x(ratio)} as long, so at this size the bytes "
                "already cost time here, on top of a fixed latency")
    return (f"{what}: the larger is the faster, by {_x(1 / ratio)}, which bytes cannot explain; "
            "the size does not set the time here")


def work_per_collective_verdict(residual_s: float, step_s: float, all_reduces: int) -> str:
    """One-device time per collective of the partitioned program: the residual (one psum)
    against the training step (`all_reduces` all-reduces)."""
    residual_each, step_each = residual_s, step_s / all_reduces
    ratio = residual_each / step_each
    more = (f"{_x(ratio)} as much" if ratio >= 1 + TIE else
            f"{_x(1 / ratio)} less" if ratio <= 1 / (1 + TIE) else "about as much")
    return (f"per collective, the residual has {residual_each * 1e6:,.0f} µs of one-device work "
            f"and the step {step_each * 1e6:,.0f} µs ({step_s * 1e6:,.0f} µs over "
            f"{all_reduces} all-reduces): {more} work to hide each collective's cost behind")


def bytes_verdict(all_reduce_bytes: int, parameter_bytes: int, tie: float = BYTES_TIE) -> str:
    """The step's all-reduce bytes against the parameter bytes."""
    ratio = all_reduce_bytes / parameter_bytes
    if abs(ratio - 1) <= tie:
        return (f"the step's all-reduces carry {all_reduce_bytes:,} B, {ratio:.3f}× the "
                f"{parameter_bytes:,} B of parameters (within {tie:.0%}): the gradient "
                "all-reduce is the parameters once, and the rest is small")
    return (f"the step's all-reduces carry {all_reduce_bytes:,} B, {ratio:.2f}× the "
            f"{parameter_bytes:,} B of parameters (more than {tie:.0%} apart): count the extras "
            "before using the parameter size as the volume")


def same_bytes_verdict(by_devices: dict[int, int]) -> str:
    """Do the step's all-reduce bytes change with the device count?"""
    counts = ", ".join(str(d) for d in sorted(by_devices))
    if len(set(by_devices.values())) == 1:
        size = next(iter(by_devices.values()))
        return (f"the same {size:,} B on {counts} devices: the program sums whole gradients "
                "whatever the count; how a library splits that sum into messages is another "
                "matter (a ring sends 2 (N − 1)/N of it per device)")
    return (f"the bytes change with the device count ({counts}): "
            + ", ".join(f"{by_devices[d]:,} B on {d}" for d in sorted(by_devices)))


def model_parallel_verdict(model: Any, data_bytes: int, data_count: int) -> str:
    """The model-parallel step's collectives against the data-parallel step's."""
    kinds = ", ".join(f"{n} {kind}s ({model.bytes[kind]:,} B)" for kind, n in sorted(model.counts.items()))
    count = sum(model.counts.values())
    more = ("more" if count > data_count else "fewer" if count < data_count
            else "as many")
    heavier = (f"{_x(model.total_bytes / data_bytes)} the bytes" if model.total_bytes != data_bytes
               else "the same bytes")
    return (f"the model-parallel step holds {kinds}: {count} collectives per step against the "
            f"data-parallel step's {data_count} ({more}), with {heavier}")


def dominant_term_verdict(latency_s: float, transfer_s: float, link: str) -> str:
    """Latency or bandwidth: which term of the estimate is larger on the slowest link."""
    if latency_s > transfer_s:
        return (f"even on the slowest link ({link}), moving the bytes takes "
                f"{transfer_s * 1e6:,.1f} µs against {latency_s * 1e6:,.0f} µs of this machine's "
                "CPU all-reduce latency: with that latency, the number of all-reduces and their "
                "latency, not the link's bandwidth, decide for a model this small")
    return (f"on the slowest link ({link}), moving the bytes takes {transfer_s * 1e6:,.1f} µs "
            f"against {latency_s * 1e6:,.0f} µs of this machine's CPU all-reduce latency: "
            "bandwidth decides")


def pays_verdict(estimate: dict[str, dict[str, float]], devices: int, latency_s: float,
                 all_reduces: int) -> str:
    """The estimate with this machine's CPU latency on every link: does the compute saved
    exceed the communication, and on which links?"""
    paying = [link for link, e in estimate.items() if e["saved_s"] > e["t_comm_s"]]
    saved = next(iter(estimate.values()))["saved_s"]
    comm = ", ".join(f"{e['t_comm_s'] * 1e6:,.0f} µs on {link}" for link, e in estimate.items())
    given = (f"with this machine's CPU all-reduce latency ({latency_s * 1e6:,.0f} µs, measured "
             f"on simulated CPU devices, not a property of any of these links) for each of the "
             f"{all_reduces} all-reduces, ")
    if not paying:
        outcome = f"{devices} devices would pay on none of the links"
    elif len(paying) == len(estimate):
        outcome = f"{devices} devices would pay on every link"
    else:
        outcome = f"{devices} devices would pay on {' and '.join(paying)} only"
    return (f"{given}{outcome}: {saved * 1e6:,.0f} µs of this machine's compute saved against "
            f"a communication time of {comm}")


def interface_verdict(local_total: int, global_nnz: int, large: float = INTERFACE_LARGE) -> str:
    """Entries held twice at the interfaces: the local matrices against the assembled K."""
    extra = local_total / global_nnz - 1
    words = (f"the local matrices hold {local_total:,} entries against {global_nnz:,} in the "
             f"assembled K, {extra:.0%} more: the rows of the interface nodes, which neighbouring "
             "devices both hold")
    if extra > large:
        return f"{words}; that is over {large:.0%}: slabs this thin spend much of their work at the interfaces"
    return f"{words}; that is under {large:.0%}: the interfaces are a small share of each device's work"


def settings_words(settings: list[int]) -> str:
    """Which thread settings this build measured."""
    if len(settings) == 1:
        return ("This build ran pinned to one core, so every device count was measured at that "
                "one setting only.")
    return (f"Every device count ran at {len(settings)} settings: its process pinned to one core, "
            f"and to all {settings[-1]} cores.")


def _t(median_s: float) -> Timing:
    """A synthetic timing with a narrow band around `median_s`, for the flip tests."""
    return Timing(median_s, tuple(median_s * f for f in (0.98, 0.99, 1.0, 1.01, 1.02)), 1)


class _Model:
    """A stand-in for `comms.Collectives` in the flip tests."""

    def __init__(self, counts: dict[str, int], sizes: dict[str, int]) -> None:
        self.counts, self.bytes = counts, sizes
        self.total_bytes = sum(sizes.values())


VERDICT_FLIPS: list[tuple[Any, dict[str, Any], dict[str, Any]]] = [
    (cores_words, dict(cores=1, devices=8), dict(cores=2, devices=8)),
    (equal_verdict, dict(what="x", difference=1e-8, tolerance=1e-6),
     dict(what="x", difference=1e-3, tolerance=1e-6)),
    (devices_verdict, dict(what="x", one=_t(1.0), many=_t(3.0), devices=8, cores=2),
     dict(what="x", one=_t(1.0), many=_t(1.0), devices=8, cores=2)),
    (devices_verdict, dict(what="x", one=_t(3.0), many=_t(1.0), devices=8, cores=2),
     dict(what="x", one=_t(3.0), many=_t(1.0), devices=8, cores=1)),
    (devices_verdict, dict(what="x", one=_t(3.0), many=_t(1.0), devices=8, cores=2,
                           one_on_one_core=_t(3.0)),
     dict(what="x", one=_t(3.0), many=_t(1.0), devices=8, cores=2, one_on_one_core=_t(6.0))),
    (comm_share_verdict, dict(added_s=1e-3, all_reduces=7, gradients_s=1e-4, small_s=1e-4),
     dict(added_s=1e-3, all_reduces=7, gradients_s=1e-5, small_s=1e-5)),
    (comm_share_verdict, dict(added_s=1e-3, all_reduces=7, gradients_s=1e-4, small_s=1e-4),
     dict(added_s=-1e-3, all_reduces=7, gradients_s=1e-4, small_s=1e-4)),
    (size_verdict, dict(big=_t(1.0), small=_t(1.0), big_bytes=100, small_bytes=4, devices=8),
     dict(big=_t(3.0), small=_t(1.0), big_bytes=100, small_bytes=4, devices=8)),
    (size_verdict, dict(big=_t(3.0), small=_t(1.0), big_bytes=100, small_bytes=4, devices=8),
     dict(big=_t(1.0), small=_t(3.0), big_bytes=100, small_bytes=4, devices=8)),
    (work_per_collective_verdict, dict(residual_s=1e-2, step_s=1e-3, all_reduces=7),
     dict(residual_s=1e-5, step_s=1e-3, all_reduces=7)),
    (bytes_verdict, dict(all_reduce_bytes=105, parameter_bytes=100),
     dict(all_reduce_bytes=200, parameter_bytes=100)),
    (same_bytes_verdict, dict(by_devices={2: 10, 4: 10}), dict(by_devices={2: 10, 4: 20})),
    (model_parallel_verdict, dict(model=_Model({"all-reduce": 3}, {"all-reduce": 10}),
                                  data_bytes=10, data_count=7),
     dict(model=_Model({"all-gather": 12}, {"all-gather": 20}), data_bytes=10, data_count=7)),
    (dominant_term_verdict, dict(latency_s=1e-3, transfer_s=1e-6, link="x"),
     dict(latency_s=1e-6, transfer_s=1e-3, link="x")),
    (pays_verdict, dict(estimate={"x": dict(t_comm_s=1e-5, saved_s=1e-3)}, devices=8,
                        latency_s=1e-6, all_reduces=7),
     dict(estimate={"x": dict(t_comm_s=1e-3, saved_s=1e-5)}, devices=8, latency_s=1e-4,
          all_reduces=7)),
    (pays_verdict, dict(estimate={"x": dict(t_comm_s=1e-5, saved_s=1e-4),
                                  "y": dict(t_comm_s=1e-3, saved_s=1e-4)}, devices=8,
                        latency_s=1e-6, all_reduces=7),
     dict(estimate={"x": dict(t_comm_s=1e-5, saved_s=1e-4),
                    "y": dict(t_comm_s=1e-5, saved_s=1e-4)}, devices=8, latency_s=1e-6,
          all_reduces=7)),
    (interface_verdict, dict(local_total=110, global_nnz=100),
     dict(local_total=200, global_nnz=100)),
    (settings_words, dict(settings=[1]), dict(settings=[1, 2])),
]
GOALS: list[Goal] = []  # speed goals belong in `make bench`; this page measures overhead


# Recording, figures, tables and glue: plumbing, kept out of the notebook.
def record(recorder: Recorder, runs: dict[tuple[int, int], dict[str, Any]], n: int) -> None:
    """Every (threads, devices) process's timings into the recorder."""
    from workloads.sharding.data_parallel import parameter_bytes
    from workloads.sharding.sweep import SMALLEST_BYTES

    size = parameter_bytes()
    for (threads, devices), run in sorted(runs.items()):
        found, check = run["collectives"], run.get("check", {})
        differences = {f"max_diff_{k}": check[k] for k in ("data", "model", "residual")
                       if k in check}  # against the first device alone, where checked
        recorder.add("step", "data parallel", devices, run["step"], threads=threads,
                     all_reduces=found.counts.get("all-reduce", 0),
                     all_reduce_bytes=found.bytes.get("all-reduce", 0), **differences)
        recorder.add("all-reduce", "parameters", devices, run["all_reduce"], threads=threads,
                     bytes=size)
        recorder.add("latency", "one float", devices, run["latency"], threads=threads,
                     bytes=SMALLEST_BYTES)
        recorder.add("residual", f"n={n}", devices, run["residual"], threads=threads, n=n)


def series(recorder: Recorder, experiment: str, threads: int) -> Series:
    """One experiment at one thread setting, over the device counts."""
    variant = recorder.variants(experiment)[0]
    return recorder.series(experiment, variant, threads=threads)


def headline(recorder: Recorder, settings: list[int]) -> dict[str, Timing]:
    """Every step and residual timing, for the noise check."""
    from perfguide.threads import thread_label

    found = {}
    for t in settings:
        for experiment in ("step", "residual"):
            s = series(recorder, experiment, t)
            found.update({f"{experiment}, {d} device{'s' * (d > 1)}, {thread_label(t)}": timing
                          for d, timing in zip(s.sizes, s.timings)})
    return found


def _device_axis(ax: Any, counts: list[int]) -> None:
    """Devices on a log2 x axis labelled 1 2 4 8; log y with plain numbers."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(counts, [str(c) for c in counts])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_locator(LogLocator(subs=(1, 2, 3, 5)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("simulated devices")


def step_figure(recorder: Recorder, settings: list[int]) -> Any:
    """Time per step (left) and one all-reduce alone (right) against the device count."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import timing_band
    from perfguide.threads import thread_label

    fig, (left, right) = plt.subplots(1, 2, figsize=(8.8, 3.8), layout="constrained")
    for i, t in enumerate(settings):
        step = series(recorder, "step", t)
        timing_band(left, step.sizes, step.timings, color=f"C{i}", label=thread_label(t))
        for experiment, style in (("all-reduce", "-"), ("latency", ":")):
            s = series(recorder, experiment, t)
            size = s.records[0].extra["bytes"]
            what = f"{size / 1e3:.1f} kB" if size >= 1000 else f"{size} B"
            timing_band(right, s.sizes[1:], s.timings[1:], color=f"C{i}", linestyle=style,
                        marker="o" if style == "-" else "s",
                        label=f"{what}, {thread_label(t)}")
    left.set(ylabel="time per step (µs), latency", title="data-parallel training step")
    right.set(ylabel="one all-reduce (µs)", title="an all-reduce alone")
    counts = series(recorder, "step", settings[0]).sizes
    for ax in (left, right):
        _device_axis(ax, counts)
        ax.legend(fontsize=8)
    return fig


def residual_figure(recorder: Recorder, settings: list[int], n: int) -> Any:
    """The partitioned FE residual's time against the device count."""
    import matplotlib.pyplot as plt

    from perfguide.plotting import timing_band
    from perfguide.threads import thread_label

    fig, ax = plt.subplots(figsize=(5.6, 3.6), layout="constrained")
    for i, t in enumerate(settings):
        s = series(recorder, "residual", t)
        timing_band(ax, s.sizes, s.timings, unit="ms", color=f"C{i}", label=thread_label(t))
    ax.set(ylabel="one residual (ms), latency", title=f"FE residual, {n}³ elements, psum")
    _device_axis(ax, series(recorder, "residual", settings[0]).sizes)
    ax.legend(fontsize=8)
    return fig


def timings_table(recorder: Recorder, settings: list[int]) -> str:
    """Markdown: medians per device count and thread setting."""
    from perfguide.threads import thread_label

    step, big, small, res = (series(recorder, e, settings[0]) for e in
                             ("step", "all-reduce", "latency", "residual"))
    sizes = [f"{s.records[0].extra['bytes']:,} B" for s in (big, small)]
    rows = [f"| cores | devices | step (µs) | all-reduce, {sizes[0]} (µs) | all-reduce, "
            f"{sizes[1]} (µs) | residual, n = {res.records[0].extra['n']} (ms) |",
            "|---|---|---|---|---|---|"]
    for t in settings:
        step, big, small, res = (series(recorder, e, t) for e in
                                 ("step", "all-reduce", "latency", "residual"))
        for i, d in enumerate(step.sizes):
            alone = "" if d > 1 else " (no collective)"  # psum over one device
            rows.append(f"| {thread_label(t)} | {d} | {step.medians_s[i] * 1e6:,.0f} | "
                        f"{big.medians_s[i] * 1e6:,.0f}{alone} | "
                        f"{small.medians_s[i] * 1e6:,.0f}{alone} | "
                        f"{res.medians_s[i] * 1e3:,.2f} |")
    return "\n".join(rows)


def collectives_table(by_devices: dict[int, Any], model: Any, widest: int) -> str:
    """Markdown: the collectives of the compiled step, per device count and for model parallel."""
    rows = ["| step | devices | collectives | bytes (results) |", "|---|---|---|---|"]
    for d, found in sorted(by_devices.items()):
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(found.counts.items())) or "none"
        rows.append(f"| data parallel | {d} | {kinds} | {found.total_bytes:,} |")
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(model.counts.items()))
    rows.append(f"| model parallel | {widest} | {kinds} | {model.total_bytes:,} |")
    return "\n".join(rows)


def blocks_table(blocks: list[Any]) -> str:
    """Markdown: each device's share of the Jacobian."""
    rows = ["| device | elements | COO triplets | distinct entries | interface dofs |",
            "|---|---|---|---|---|"]
    rows += [f"| {i} | {b.elements:,} | {b.triplets:,} | {b.nnz:,} | {b.interface_dofs:,} |"
             for i, b in enumerate(blocks)]
    return "\n".join(rows)


def roofline(t_1_s: float, latency_s: float, all_reduces: int, size_bytes: int,
             devices: int) -> dict[str, dict[str, float]]:
    """Per link: t_comm = latency · all-reduces + 2 (N − 1)/N · B / bandwidth, the compute saved
    t_1 (1 − 1/N), and the one-device step above which sharding pays."""
    from workloads.sharding.comms import ring_all_reduce_bytes

    saved = t_1_s * (1 - 1 / devices)
    found = {}
    for link, bandwidth in LINKS.items():
        transfer = ring_all_reduce_bytes(size_bytes, devices) / bandwidth
        t_comm = latency_s * all_reduces + transfer
        found[link] = {"bandwidth": bandwidth, "latency_s": latency_s * all_reduces,
                       "transfer_s": transfer, "t_comm_s": t_comm, "saved_s": saved,
                       "pays_above_s": t_comm / (1 - 1 / devices),
                       "bandwidth_only_s": transfer / (1 - 1 / devices),
                       "latency_below_s": max(saved - transfer, 0.0) / all_reduces}
    return found


def roofline_table(estimate: dict[str, dict[str, float]], all_reduces: int) -> str:
    """Markdown: the estimate per link, in µs; the latency column is this machine's CPU
    all-reduce, the same on every row (not the link's)."""
    rows = ["| link | GB/s each way | transfer term (µs) | zero latency: pays from a step of "
            "(µs) | pays if one all-reduce takes under (µs) | with this machine's latency: "
            f"t_comm, {all_reduces} all-reduces (µs) | with this machine's latency: pays from a "
            "step of (µs) |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for link, e in estimate.items():
        rows.append(f"| {link} | {e['bandwidth'] / 1e9:,.1f} | {e['transfer_s'] * 1e6:,.2f} | "
                    f"{e['bandwidth_only_s'] * 1e6:,.2f} | {e['latency_below_s'] * 1e6:,.1f} | "
                    f"{e['t_comm_s'] * 1e6:,.0f} | {e['pays_above_s'] * 1e6:,.0f} |")
    return "\n".join(rows)


def glue_measurements(recorder: Recorder, settings: list[int], n: int) -> dict[str, Any]:
    """Figures, the timings table and the device-count verdicts; returns what the roofline
    needs (all cores): t_1, the latency and all-reduce count at the most devices."""
    from perfguide.glue import glue_figure, glue_number, glue_words

    every = settings[-1]
    step, small = series(recorder, "step", every), series(recorder, "latency", every)
    big, res = series(recorder, "all-reduce", every), series(recorder, "residual", every)
    widest = step.sizes[-1]
    glue_figure("fig_sharding_step", step_figure(recorder, settings))
    glue_figure("fig_sharding_residual", residual_figure(recorder, settings, n))
    glue_words("timings_table", timings_table(recorder, settings))
    glue_words("settings_words", settings_words(settings))
    glue_words("cores_words", cores_words(every, widest))
    pinned = {e: series(recorder, e, settings[0]).timings[0] if len(settings) > 1 else None
              for e in ("step", "residual")}
    glue_words("step_verdict", devices_verdict("the step", step.timings[0], step.timings[-1],
                                               widest, every, one_on_one_core=pinned["step"]))
    glue_words("residual_verdict", devices_verdict("the residual", res.timings[0],
                                                   res.timings[-1], widest, every,
                                                   one_on_one_core=pinned["residual"]))
    all_reduces = int(step.records[-1].extra["all_reduces"])
    added = step.timings[-1].median_s - step.timings[0].median_s
    glue_words("comm_share", comm_share_verdict(added, all_reduces, big.timings[-1].median_s,
                                                small.timings[-1].median_s))
    glue_words("size_verdict", size_verdict(big.timings[-1], small.timings[-1],
                                            int(big.records[-1].extra["bytes"]),
                                            int(small.records[-1].extra["bytes"]), widest))
    glue_words("work_per_collective", work_per_collective_verdict(
        res.timings[0].median_s, step.timings[0].median_s, all_reduces))
    glue_number("step_one_us", step.timings[0].median_s * 1e6)
    glue_number("latency_widest_us", small.timings[-1].median_s * 1e6)
    glue_number("psum_kb", 3 * (n + 1) ** 3 * 4 / 1e3)  # float32, 3 dofs per node
    glue_number("step_bytes_kb", step.records[-1].extra["all_reduce_bytes"] / 1e3)
    return {"t_1_s": step.timings[0].median_s, "latency_s": small.timings[-1].median_s,
            "all_reduces": all_reduces, "devices": widest,
            "bytes": int(step.records[-1].extra["all_reduce_bytes"])}


def glue_roofline(t_1_s: float, latency_s: float, all_reduces: int, bytes: int,
                  devices: int) -> None:
    """The estimate per link, its verdicts and crossovers."""
    from perfguide.glue import glue_number, glue_words

    estimate = roofline(t_1_s, latency_s, all_reduces, bytes, devices)
    glue_words("roofline_table", roofline_table(estimate, all_reduces))
    glue_words("link_sources", LINK_SOURCES)
    glue_words("pays", pays_verdict(estimate, devices, latency_s, all_reduces))
    slowest = min(LINKS, key=LINKS.__getitem__)
    e = estimate[slowest]
    glue_words("dominant", dominant_term_verdict(e["latency_s"], e["transfer_s"], slowest))
    fastest = max(LINKS, key=LINKS.__getitem__)
    glue_number("bandwidth_only_fast_us", estimate[fastest]["bandwidth_only_s"] * 1e6)
    glue_number("bandwidth_only_slow_us", e["bandwidth_only_s"] * 1e6)
    glue_number("latency_below_fast_us", estimate[fastest]["latency_below_s"] * 1e6)
    glue_number("latency_below_slow_us", e["latency_below_s"] * 1e6)
    glue_number("roof_latency_term_us", e["latency_s"] * 1e6)  # the same on every link
    glue_number("roof_saved_us", e["saved_s"] * 1e6)


def glue_checks(checked: dict[int, dict[str, Any]], steps: int, n: int) -> None:
    """Sections 1 and 3: the worst sharded-against-one-device difference of each kind."""
    from perfguide.glue import glue_number, glue_words
    from workloads.sharding.data_parallel import ATOL
    from workloads.sharding.fe_sharded import RTOL

    counts = ", ".join(str(d) for d in sorted(checked))
    worst = {kind: max(c[kind] for c in checked.values()) for kind in ("data", "model", "residual")}
    glue_words("data_equal", equal_verdict(f"the state after {steps} steps on {counts} devices "
                                           "(the worst)", worst["data"], ATOL))
    glue_words("model_equal", equal_verdict(f"the state after {steps} steps, kernels split "
                                            f"over {counts} devices (the worst)",
                                            worst["model"], ATOL))
    glue_words("residual_equal", equal_verdict(f"the residual on {counts} devices (the worst)",
                                               worst["residual"], RTOL, relative=True))
    glue_number("steps", steps)
    glue_number("residual_n", n)


def glue_collectives(runs: dict[tuple[int, int], dict[str, Any]], every: int,
                     checked: dict[int, dict[str, Any]], parameter_bytes: int) -> None:
    """Section 2: the compiled step's collectives, against the parameter bytes."""
    from perfguide.glue import glue_number, glue_words

    by_devices = {d: run["collectives"] for (t, d), run in runs.items() if t == every and d > 1}
    widest = max(by_devices)
    model = checked[widest]["model collectives"]
    data = by_devices[widest]
    glue_words("collectives_table", collectives_table(by_devices, model, widest))
    glue_words("bytes_verdict", bytes_verdict(data.bytes.get("all-reduce", 0), parameter_bytes))
    glue_words("same_bytes", same_bytes_verdict({d: c.total_bytes for d, c in by_devices.items()}))
    glue_words("model_parallel", model_parallel_verdict(model, data.total_bytes,
                                                        sum(data.counts.values())))
    glue_number("all_reduces", data.counts.get("all-reduce", 0))
    glue_number("param_kb", parameter_bytes / 1e3)
    glue_number("widest", widest)


def glue_blocks(blocks: list[Any], global_nnz: int) -> None:
    """Section 3: each device's Jacobian block and the entries held twice."""
    from perfguide.glue import glue_words

    glue_words("blocks_table", blocks_table(blocks))
    words = interface_verdict(sum(b.nnz for b in blocks), global_nnz)
    glue_words("interface", words[0].upper() + words[1:])
