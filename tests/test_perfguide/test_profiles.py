"""PERFGUIDE_PROFILE picks problem sizes and rejects anything but 'quick' and 'full'."""

import pytest

import perfguide as pg


def test_profile_defaults_to_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PERFGUIDE_PROFILE", raising=False)
    assert pg.profile() == "full"
    assert pg.pick(quick=1, full=2) == 2


def test_quick_profile_picks_the_quick_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFGUIDE_PROFILE", "quick")
    assert pg.pick(quick=1, full=2) == 1


def test_bad_profile_value_errors_naming_the_allowed_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFGUIDE_PROFILE", "fast")
    with pytest.raises(ValueError, match=r"PERFGUIDE_PROFILE must be 'quick' or 'full', got 'fast'"):
        pg.pick(quick=1, full=2)


def test_steady_budget_follows_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFGUIDE_PROFILE", "quick")
    assert pg.steady_budget_s() == 0.2
    monkeypatch.setenv("PERFGUIDE_PROFILE", "full")
    assert pg.steady_budget_s() == 0.5
