"""The plain route works: `pip install -r requirements.txt` alone makes the guide importable."""

import subprocess
import sys
from pathlib import Path

from conftest import REPOSITORY


def test_requirements_install_the_guides_own_packages_editable() -> None:
    lines = (REPOSITORY / "requirements.txt").read_text().split("\n")
    assert "-e ." in lines


def test_makefile_environment_is_exactly_the_requirements() -> None:
    """`make venv` runs the same pip line a reader would, so CI's build proves the plain route."""
    makefile = (REPOSITORY / "Makefile").read_text()
    assert "pip install --quiet -r requirements.txt" in makefile
    assert "-e ." not in makefile


def test_the_packages_import_from_any_folder(tmp_path: Path) -> None:
    code = "import perfguide, workloads, chapters; print(perfguide.__file__)"
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True)
    assert str(REPOSITORY) in run.stdout


def test_the_core_imports_neither_workloads_nor_chapters() -> None:
    """perfguide/ measures; it must not depend on what is measured or on the book."""
    for module in (REPOSITORY / "perfguide").glob("*.py"):
        text = module.read_text()
        assert "import workloads" not in text and "from workloads" not in text, module.name
        assert "import chapters" not in text and "from chapters" not in text, module.name


def test_the_landing_page_and_the_readme_list_every_page_of_the_toc() -> None:
    from conftest import book_pages

    intro = (REPOSITORY / "book" / "intro.md").read_text()
    readme = (REPOSITORY / "README.md").read_text()
    for page in book_pages()[1:]:
        name = Path(page).name
        assert f"`../{page}`" in intro or f"`{name}`" in intro, f"book/intro.md does not link {page}"
        assert f"`{page}.md`" in readme or f"`{page}.ipynb`" in readme, f"README.md does not list {page}"
