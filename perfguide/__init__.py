"""perfguide: measure, record and plot JAX performance the way the guide's pages need it."""

from perfguide.compilation import CompileLog, compile_log, hlo_instructions, jaxpr_equations
from perfguide.devices import memory_kind, to_torch, torch_device
from perfguide.environment import environment, environment_table, set_deterministic_xla_flags
from perfguide.goals import Goal, Results
from perfguide.interleave import pool, time_interleaved
from perfguide.isolated import Isolated, run_isolated
from perfguide.memory import Peak, call_peak, device_memory_stats, minor_faults, peak_over, peak_rss_mib
from perfguide.noise import NoiseCheck, noise_check, show_noise
from perfguide.glue import glue_figure, glue_number, glue_timing, glue_words
from perfguide.plotting import plain_log, timing_band, timing_bars, unit_label, use_style
from perfguide.profiles import pick, profile, steady_budget_s
from perfguide.records import Recorder, Series, load_results, results_dir
from perfguide.sweeps import Sweep, budgeted_sweep, measurement_cost_s, predicted_cost_s
from perfguide.threads import all_cores, thread_counts, thread_label, thread_settings
from perfguide.timing import Timing, block, blocking_cost_s, gc_paused, time_call, time_once
from perfguide.verdicts import change_words, compare, compare_timings, fastest, ratio_words, resolved, threshold_words

__all__ = [
    "all_cores",
    "block",
    "budgeted_sweep",
    "blocking_cost_s",
    "change_words",
    "compare",
    "compile_log",
    "compare_timings",
    "CompileLog",
    "device_memory_stats",
    "Peak",
    "call_peak",
    "minor_faults",
    "peak_over",
    "environment",
    "environment_table",
    "fastest",
    "gc_paused",
    "glue_figure",
    "glue_number",
    "glue_timing",
    "glue_words",
    "Goal",
    "hlo_instructions",
    "Isolated",
    "jaxpr_equations",
    "load_results",
    "measurement_cost_s",
    "memory_kind",
    "noise_check",
    "NoiseCheck",
    "peak_rss_mib",
    "pick",
    "steady_budget_s",
    "plain_log",
    "pool",
    "predicted_cost_s",
    "profile",
    "ratio_words",
    "resolved",
    "Recorder",
    "Results",
    "results_dir",
    "Series",
    "Sweep",
    "run_isolated",
    "set_deterministic_xla_flags",
    "show_noise",
    "thread_counts",
    "thread_label",
    "thread_settings",
    "threshold_words",
    "time_call",
    "time_once",
    "time_interleaved",
    "Timing",
    "timing_band",
    "timing_bars",
    "to_torch",
    "unit_label",
    "torch_device",
    "use_style",
]
