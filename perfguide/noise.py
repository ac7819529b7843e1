"""A visible warning on a page whose run was noisy: wide spreads, or a machine busy with other work."""

import os
from dataclasses import dataclass

from perfguide.threads import all_cores, thread_label
from perfguide.timing import Timing

MAX_RELATIVE_SPREAD = 0.25  # a headline figure whose IQR (or min-max band) exceeds 25% of its median


@dataclass(frozen=True)
class NoiseCheck:
    """The load on the machine and the widest spread among a page's headline figures."""

    load_1min: float
    cores: int
    widest: str
    widest_spread: float
    max_spread: float = MAX_RELATIVE_SPREAD

    @property
    def busy(self) -> bool:
        """More runnable work than cores while the page ran."""
        return self.load_1min > self.cores

    @property
    def noisy(self) -> bool:
        """Either the machine was busy or a headline figure spread wider than the threshold."""
        return self.busy or self.widest_spread > self.max_spread

    def message(self) -> str:
        """One sentence either way, with the thresholds and the measured values."""
        facts = (
            f"load average {self.load_1min:.1f} on {thread_label(self.cores)}; widest spread among the headline "
            f"figures {self.widest_spread:.0%} of its median ({self.widest}; threshold {self.max_spread:.0%})"
        )
        if self.noisy:
            return f"This run was noisy ({facts}). Treat small differences on this page with caution."
        return f"This run was quiet: {facts}."

    def html(self) -> str:
        """The message as an admonition: a warning box when noisy, a plain note otherwise."""
        kind, title = ("warning", "Noisy run") if self.noisy else ("note", "Quiet run")
        return (
            f'<div class="admonition {kind}"><p class="admonition-title">{title}</p>'
            f"<p>{self.message()}</p></div>"
        )


def noise_check(headline: dict[str, Timing], max_spread: float = MAX_RELATIVE_SPREAD) -> NoiseCheck:
    """Check the load (the higher of the 1- and 5-minute averages, so it covers the page's run)
    against the cores this process may use, and the spread of the named headline timings."""
    widest = max(headline, key=lambda name: headline[name].relative_spread)
    load = max(os.getloadavg()[:2])
    return NoiseCheck(load, all_cores(), widest, headline[widest].relative_spread, max_spread)


def show_noise(headline: dict[str, Timing], max_spread: float = MAX_RELATIVE_SPREAD) -> NoiseCheck:
    """Display the noise check as a box on the page (a `hide-input` cell) and return it."""
    from IPython.display import HTML, display

    check = noise_check(headline, max_spread)
    display(HTML(check.html()))
    return check
