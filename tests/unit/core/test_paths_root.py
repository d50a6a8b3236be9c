"""The project root is found from the installed package wherever the command runs from."""

from pathlib import Path

from wcc_analysis.core import paths


def test_the_root_is_found_from_outside_the_checkout(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.HOME_ENV, raising=False)
    monkeypatch.chdir(tmp_path)  # a folder with no config/services.toml above it
    root = paths.project_root()
    assert (root / "config" / "services.toml").is_file()
    assert root == Path(paths.__file__).resolve().parents[2]
