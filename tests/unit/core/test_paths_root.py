"""The project root is found from the installed package wherever the command runs from."""

from pathlib import Path

from wcc_analysis.core import paths


def test_the_root_is_found_from_outside_the_checkout(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.HOME_ENV, raising=False)
    monkeypatch.chdir(tmp_path)  # a folder with no config/services.toml above it
    root = paths.project_root()
    assert (root / "config" / "services.toml").is_file()
    assert root == Path(paths.__file__).resolve().parents[2]


def test_a_linked_file_is_named_by_its_place_in_the_project_not_where_the_link_leads(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere" / "budget.csv"
    elsewhere.parent.mkdir()
    elsewhere.write_text("x\n", encoding="utf-8")
    project = tmp_path / "project"
    (project / "config").mkdir(parents=True)
    (project / "config" / "services.toml").write_text("", encoding="utf-8")
    (project / "data" / "raw" / "council").mkdir(parents=True)
    link = project / "data" / "raw" / "council" / "budget.csv"
    link.symlink_to(elsewhere)
    monkeypatch.setenv(paths.HOME_ENV, str(project))
    paths.project_root.cache_clear()
    try:
        assert paths.relative_to_root(link) == "data/raw/council/budget.csv"
        assert paths.relative_to_root(elsewhere) == "budget.csv"  # outside the project: the name, never a path
        assert paths.relative_to_root(project / "data" / ".." / "data" / "raw") == "data/raw"
    finally:
        monkeypatch.undo()
        paths.project_root.cache_clear()
