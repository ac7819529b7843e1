"""`python -m perfguide compare` matches two runs' records and prints both medians and the ratio."""

from pathlib import Path

import pytest

import perfguide as pg
from perfguide.__main__ import main
from perfguide.comparison import compare_runs, geometric_mean, load_run


def _run(folder: Path, monkeypatch: pytest.MonkeyPatch, scale: float, profile: str) -> Path:
    monkeypatch.setenv("PERFGUIDE_RESULTS", str(folder))
    monkeypatch.setenv("PERFGUIDE_PROFILE", profile)
    recorder = pg.Recorder("page")
    for size in (8, 64):
        recorder.add("sweep", "jit", size,
                     pg.Timing(1.0, (size * scale * 1e-6,) * 3, 1), threads=1)
    if scale == 1.0:
        recorder.add("only in A", "eager", None, pg.Timing(1.0, (1e-3,) * 3, 1))
    recorder.save()
    return folder


def test_runs_match_by_page_experiment_variant_size_and_threads(tmp_path, monkeypatch) -> None:
    a = load_run(_run(tmp_path / "a", monkeypatch, 1.0, "quick"))
    b = load_run(_run(tmp_path / "b", monkeypatch, 2.0, "quick"))
    rows = compare_runs(a, b)
    assert [(r.experiment, r.variant, r.size) for r in rows] == [
        ("sweep", "jit (1 core)", "8"), ("sweep", "jit (1 core)", "64")]
    assert [r.ratio for r in rows] == [pytest.approx(2.0), pytest.approx(2.0)]
    assert geometric_mean([r.ratio for r in rows]) == pytest.approx(2.0)


def test_command_prints_table_and_saves_figure(tmp_path, monkeypatch, capsys) -> None:
    _run(tmp_path / "a", monkeypatch, 1.0, "quick")
    _run(tmp_path / "b", monkeypatch, 2.0, "full")
    figure = tmp_path / "compare.png"
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"),
                 "--figure", str(figure)]) == 0
    out = capsys.readouterr().out
    assert "| page | sweep | jit (1 core) | 64 | 64 µs | 128 µs | 2.00 |" in out
    assert "Profiles differ" in out
    assert figure.stat().st_size > 0


def test_an_empty_folder_says_what_to_do(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="build the book first"):
        load_run(tmp_path)


def test_bad_input_gives_a_clear_error_and_exit_status(tmp_path, monkeypatch, capsys) -> None:
    import json

    assert main(["compare", str(tmp_path / "missing"), str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err

    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"schema": 99, "notebook": "page", "records": []}))
    with pytest.raises(ValueError, match="schema 99"):
        load_run(newer)
    stray = tmp_path / "stray.json"
    stray.write_text(json.dumps({"hello": 1}))
    with pytest.raises(ValueError, match="not a results file"):
        load_run(stray)

    _run(tmp_path / "a", monkeypatch, 1.0, "quick")
    monkeypatch.setenv("PERFGUIDE_RESULTS", str(tmp_path / "other"))
    other = pg.Recorder("another page")
    other.add("e", "v", 1, pg.Timing(1.0, (1e-3,) * 3, 1))
    other.save()
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "other")]) == 1
    assert "no point was measured in both runs" in capsys.readouterr().err


def test_results_files_carry_their_schema_version(tmp_path, monkeypatch) -> None:
    from perfguide.records import SCHEMA

    run = load_run(_run(tmp_path / "a", monkeypatch, 1.0, "quick"))
    assert run["page"]["schema"] == SCHEMA
