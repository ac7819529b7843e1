"""perfguide: measure, record and plot JAX performance the way the guide's pages need it."""

from perfguide.compilation import CompileLog, compile_log, hlo_instructions, jaxpr_equations
from perfguide.environment import environment, environment_table, set_deterministic_xla_flags
from perfguide.memory import device_memory_stats, peak_rss_mib
from perfguide.plotting import glue_figure, glue_number, glue_timing, glue_words, plain_log, timing_bars, use_style
from perfguide.profiles import pick, profile
from perfguide.records import Recorder, load_results, results_dir
from perfguide.timing import Timing, block, time_call

__all__ = [
    "CompileLog",
    "Recorder",
    "Timing",
    "block",
    "compile_log",
    "device_memory_stats",
    "environment",
    "environment_table",
    "glue_figure",
    "glue_number",
    "glue_timing",
    "glue_words",
    "hlo_instructions",
    "jaxpr_equations",
    "load_results",
    "peak_rss_mib",
    "pick",
    "plain_log",
    "profile",
    "results_dir",
    "set_deterministic_xla_flags",
    "time_call",
    "timing_bars",
    "use_style",
]
