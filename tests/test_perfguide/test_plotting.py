"""The median-and-spread band every sweep figure draws."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import perfguide as pg  # noqa: E402


def test_band_draws_medians_and_shades_the_spread_per_unit_of_work() -> None:
    timings = [pg.Timing(first_call_s=1.0, per_call_s=(1.0, 2.0, 3.0, 4.0, 5.0), calls_per_repeat=1),
               pg.Timing(first_call_s=1.0, per_call_s=(2.0, 4.0, 6.0, 8.0, 10.0), calls_per_repeat=1)]
    fig, ax = plt.subplots()
    line = pg.timing_band(ax, [1, 2], timings, unit="s", per=[1, 2], label="x")
    np.testing.assert_allclose(line.get_ydata(), [3.0, 3.0])  # median per unit
    [band] = ax.collections
    assert band.get_paths()  # the IQR band is drawn
    pg.timing_band(ax, [1, 2], timings, unit="ms", bars=True)
    assert len(ax.lines) >= 2
    plt.close(fig)


def test_unit_label_prints_micro_as_mu() -> None:
    assert pg.unit_label("us") == "µs" and pg.unit_label("ms") == "ms"


def test_figures_show_in_place_only_in_an_interactive_session(monkeypatch) -> None:
    from perfguide.glue import interactive

    monkeypatch.delenv("PERFGUIDE_SHOW_FIGURES", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert not interactive()  # a book build: the page places the glued figure
    monkeypatch.setenv("JPY_SESSION_NAME", "/notebooks/measuring.ipynb")
    assert interactive()  # JupyterLab names the session
    monkeypatch.setenv("PERFGUIDE_SHOW_FIGURES", "0")
    assert not interactive()
