"""Every outcome sentence flips when the numbers do; speed goals live in `make bench`, not the pages."""

import json
from pathlib import Path

import pytest

import perfguide as pg
from chapters.bench import bench_rows, main
from chapters import PAGES, page_module

REPOSITORY = Path(__file__).resolve().parents[2]


def test_ratio_words_flip_and_tie() -> None:
    assert "faster" in pg.ratio_words(2.0, "A", "B")
    assert "slower" in pg.ratio_words(0.5, "A", "B")
    assert "within 10%" in pg.ratio_words(1.05, "A", "B")


def test_compare_names_the_faster_side() -> None:
    assert pg.compare("JAX", 1.0, "NumPy", 3.0).startswith("JAX is 3.0× faster")
    assert pg.compare("JAX", 3.0, "NumPy", 1.0).startswith("JAX is 3.0× slower")


@pytest.mark.parametrize("page", PAGES)
def test_each_page_has_a_verdict_module(page: str) -> None:
    assert (REPOSITORY / "notebooks" / f"{page}.md").exists()
    module = page_module(page)
    assert isinstance(module.VERDICT_FLIPS, list) and isinstance(module.GOALS, list)


@pytest.mark.parametrize("page", PAGES)
def test_verdicts_flip_with_opposite_numbers(page: str) -> None:
    for fn, one, other in page_module(page).VERDICT_FLIPS:
        assert fn(**one) != fn(**other), f"{page}: {fn.__name__} says the same for opposite numbers"


@pytest.mark.parametrize("page", PAGES)
def test_every_public_verdict_function_of_a_page_is_checked(page: str) -> None:
    module = page_module(page)
    checked = {fn.__name__ for fn, _, _ in module.VERDICT_FLIPS}
    public = {name for name, value in vars(module).items()
              if callable(value) and getattr(value, "__module__", None) == module.__name__
              and not name.startswith("_") and name.endswith("_verdict")}
    assert public <= checked, f"{page}: verdict functions without a flip test: {public - checked}"


@pytest.mark.parametrize("page", PAGES)
def test_pages_do_not_grade_themselves(page: str) -> None:
    text = (REPOSITORY / "notebooks" / f"{page}.md").read_text().lower()
    for phrase in ("speed target", "the target of", "target met", "targets met", "meets the target"):
        assert phrase not in text, f"{page} grades itself ({phrase!r}); goals belong in chapters/{page}.py"


def _write(folder: Path, page: str, records: list[dict]) -> None:
    (folder / f"{page}.json").write_text(json.dumps({"notebook": page, "records": records}))


def test_bench_reports_met_missed_and_missing(tmp_path: Path) -> None:
    goal_met = pg.Goal("a is 2x b", lambda r: r.median("e", "b") / r.median("e", "a"), at_least=2)
    goal_missed = pg.Goal("a ≤ b", lambda r: r.median("e", "a") / r.median("e", "b"), at_most=0.1)
    records = [{"experiment": "e", "variant": v, "size": 1, "median_s": s} for v, s in (("a", 1.0), ("b", 3.0))]
    results = pg.Results({"records": records})
    assert goal_met.met(goal_met.measure(results)) and not goal_missed.met(goal_missed.measure(results))
    with pytest.raises(KeyError):
        results.median("e", "c")


def test_bench_command_runs_on_an_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = bench_rows(tmp_path)
    assert all(row[4] == "MISSING" for row in rows)
    assert main([str(tmp_path)]) == int(bool(rows))
    assert "Speed goals" in capsys.readouterr().out


def test_one_sided_goals_state_their_bound() -> None:
    assert pg.Goal("x", lambda r: 1.0, at_least=30).bound == "≥ 30"
    assert pg.Goal("x", lambda r: 1.0, at_most=2).bound == "≤ 2"


def test_differences_inside_the_spread_are_not_called_a_winner() -> None:
    tight_fast = pg.Timing(1, (1.0, 1.0, 1.0, 1.0, 1.0), 1)
    tight_slow = pg.Timing(1, (2.0, 2.0, 2.0, 2.0, 2.0), 1)
    wide_slow = pg.Timing(1, (0.5, 1.0, 2.0, 3.0, 4.0), 1)
    assert "faster" in pg.compare_timings("A", tight_fast, "B", tight_slow)
    assert "not told apart" in pg.compare_timings("A", tight_fast, "B", wide_slow)
