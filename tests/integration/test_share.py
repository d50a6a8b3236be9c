"""``wcc-analysis pack``: one zip per service of a pack, that opens on its own when unzipped.

One real pack is built once for the module on the tiny project (two services,
one notebook each, run by the serial executor), then given what a shared
stylesheet and a report header would add: ``test-shared.css`` (which itself links a font
under ``test-assets/``), an image under ``test-assets/`` and links to the front page and to
the service's other report. Each test zips it and unzips the result elsewhere.
"""

from __future__ import annotations

import importlib.util
import json
import posixpath
import re
import shutil
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from typer.testing import CliRunner

from wcc_analysis.core import config as config_module
from wcc_analysis.core import paths
from wcc_analysis.run import cli, share

runner = CliRunner()


def _shared_conftest():
    """tests/conftest.py (the tiny project), by path: ``import conftest`` may find another folder's conftest."""
    spec = importlib.util.spec_from_file_location("_wcc_tests_conftest", Path(__file__).parents[1] / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_tiny = _shared_conftest()
make_project, point_at = _tiny.make_project, _tiny.point_at

def invoke(*args: str):
    return runner.invoke(cli.app, list(args), catch_exceptions=False)


HEADER = (
    '<link rel="stylesheet" href="../test-shared.css">'
    '<nav><a href="../index.html">Front page</a> <a href="needs_analysis.code.html#top">with code</a> '
    '<a href="https://www.gov.uk/">GOV.UK</a> <a href="#findings">findings</a></nav>'
    '<img alt="logo" src="../test-assets/logo%20small.png" srcset="../test-assets/logo%20small.png 1x, ../test-assets/logo2x.png 2x">'
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(project root, pack folder): a two-service pack with shared assets linked from its reports."""
    base = tmp_path_factory.mktemp("share")
    root = make_project(base / "project")
    public = root / "data" / "raw" / "public"
    (public / "SOURCES.md").write_text("# Sources\n\n- x.csv: a test source\n", encoding="utf-8")
    (public / "src_a").mkdir()
    (public / "src_a" / "PROVENANCE.md").write_text("# src_a\n\nDownloaded from example.org.\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        point_at(mp, root)
        out = base / "packs"
        result = invoke("run", "-n", "needs_analysis", "--executor", "serial", "--out", str(out))
        assert result.exit_code == 0, result.output
        pack_dir = (out / "latest").resolve()
        (pack_dir / "test-shared.css").write_text(
            "body{font-family:Test}\n@font-face{font-family:Test;src:url('test-assets/font.woff2')}\n", encoding="utf-8"
        )
        (pack_dir / "test-assets").mkdir()
        for name in ("logo small.png", "logo2x.png", "font.woff2", "unused.png"):
            (pack_dir / "test-assets" / name).write_bytes(b"\x89PNG fake")
        for html in (pack_dir / "museums").glob("*.html"):
            text = html.read_text(encoding="utf-8")
            html.write_text(text.replace("</body>", HEADER + "</body>", 1), encoding="utf-8")
        yield root, pack_dir
    paths.project_root.cache_clear()
    config_module.load_config.cache_clear()


@pytest.fixture
def here(built, monkeypatch):
    root, pack_dir = built
    point_at(monkeypatch, root)
    yield pack_dir
    paths.project_root.cache_clear()
    config_module.load_config.cache_clear()


def unzip(path: Path, into: Path) -> Path:
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        zf.extractall(into)
    (folder,) = list(into.iterdir())
    return folder


def relative_links(html: Path) -> list[str]:
    text = html.read_text(encoding="utf-8")
    links = re.findall(r'(?:href|src)="([^"]*)"', text)
    links += [part.strip().split()[0] for s in re.findall(r'srcset="([^"]*)"', text) for part in s.split(",")]
    out = []
    for link in links:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or not parts.path or link.startswith("#"):
            continue
        out.append(unquote(parts.path))
    return out


def test_one_zip_per_service_that_opens_on_its_own(here, tmp_path):
    result = invoke("pack", str(here))
    assert result.exit_code == 0, result.output
    zips = sorted((here / "zips").glob("*.zip"))
    run_id = here.name
    assert [z.name for z in zips] == [f"worcester-museums-{run_id}.zip", f"worcester-revenues_benefits-{run_id}.zip"]
    assert "museums:" in result.output and "bytes" in result.output
    assert not [p for p in (here / "zips").iterdir() if p.suffix != ".zip"]  # no temporary file left

    folder = unzip(zips[0], tmp_path / "museums")
    assert folder.name == f"worcester-museums-{run_id}"
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    for rel in ("museums/needs_analysis.ipynb", "museums/needs_analysis.html", "museums/needs_analysis.code.html",
                "test-shared.css", "test-assets/logo small.png", "test-assets/logo2x.png", "test-assets/font.woff2", "index.html",
                "manifest.json", "inputs.sha256", "README.txt",
                "sources/data/raw/public/SOURCES.md", "sources/data/raw/public/src_a/PROVENANCE.md"):
        assert rel in files, rel
    assert "test-assets/unused.png" not in files  # only what the reports link to
    assert not any(f.startswith("revenues_benefits/") for f in files)

    # every relative link of every page resolves inside the unzipped folder
    pages = sorted(folder.rglob("*.html"))
    assert len(pages) == 3  # the two reports and the zip's own front page
    for page in pages:
        for link in relative_links(page):
            target = Path(posixpath.normpath((page.parent / link).as_posix()))
            assert target.is_file(), f"{page.relative_to(folder)}: {link}"
            assert folder in target.parents, f"{page.relative_to(folder)}: {link} leaves the folder"

    # the same bytes as in the pack
    assert (folder / "museums/needs_analysis.ipynb").read_bytes() == (here / "museums/needs_analysis.ipynb").read_bytes()


def test_the_zip_manifest_holds_only_that_service_and_the_hashes(here, tmp_path):
    (z,) = share.share_pack(here, ["revenues_benefits"])
    folder = unzip(z.path, tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    pack_manifest = json.loads((here / "manifest.json").read_text(encoding="utf-8"))
    assert {e["service"] for e in pack_manifest["executions"]} == {"museums", "revenues_benefits"}
    assert [e["service"] for e in manifest["executions"]] == ["revenues_benefits"]
    assert manifest["selection"]["services"] == ["revenues_benefits"]
    for key in ("run_id", "council", "started", "finished", "package", "versions", "python", "git"):
        assert manifest[key] == pack_manifest[key], key
    assert manifest["inputs"] == pack_manifest["inputs"]
    assert manifest["inputs"]["data/raw/public/x.csv"] == pack_manifest["inputs"]["data/raw/public/x.csv"]
    assert len(manifest["inputs"]["data/raw/public/x.csv"]) == 64
    lines = (folder / "inputs.sha256").read_text().splitlines()
    assert f"{manifest['inputs']['data/raw/public/x.csv']}  data/raw/public/x.csv" in lines
    assert len(lines) == len(manifest["inputs"])

    readme = (folder / "README.txt").read_text(encoding="utf-8")
    assert here.name in readme and "Worcester (E07000237)" in readme
    assert "illustrative" in readme.lower() and "revenues_benefits/needs_analysis.html" in readme
    # the test's extra assets are linked from museums' reports only
    assert "test-shared.css" not in z.files and not any(f.startswith("test-assets/") for f in z.files)


def test_zipping_again_gives_the_same_bytes(here):
    (first,) = share.share_pack(here, ["museums"])
    data = first.path.read_bytes()
    (second,) = share.share_pack(here, ["museums"])
    assert second.path.read_bytes() == data


def test_a_missing_link_is_reported_not_fatal(built, tmp_path):
    root, pack_dir = built
    copy = tmp_path / "pack"
    shutil.copytree(pack_dir, copy)
    page = copy / "museums" / "needs_analysis.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</body>", '<img alt="x" src="../test-assets/gone.png"><a href="../../elsewhere.html">x</a></body>'),
        encoding="utf-8")
    (z,) = share.share_pack(copy, ["museums"], project=root)
    assert any("test-assets/gone.png (not in the pack)" in u for u in z.unresolved)
    assert any("elsewhere.html (outside the pack folder)" in u for u in z.unresolved)


def test_local_path():
    assert share.local_path("../test-shared.css") == "../test-shared.css"
    assert share.local_path("a%20b.png?v=1#x") == "a b.png"
    for link in ("https://x.org/a.css", "data:image/png;base64,AAA", "#top", "//cdn/x.js", "/abs.css",
                 "mailto:a@b", "javascript:void(0)", ""):
        assert share.local_path(link) is None, link
    assert share.css_links("a{b:url(x.png)} @import 'y.css'; c{d:url(\"z.woff\")}") == ["x.png", "z.woff", "y.css"]


def test_not_a_pack_exits_2_naming_the_folder(here, tmp_path):
    result = invoke("pack", str(tmp_path))
    assert result.exit_code == 2
    assert f"{tmp_path} is not an evidence pack: it has no manifest.json" in " ".join(result.output.split())
    assert "What to do:" in result.output and "Traceback" not in result.output
    missing = invoke("pack", str(tmp_path / "nope"))
    assert missing.exit_code == 2 and "is not a folder" in missing.output


def test_unknown_service_exits_2_naming_it_and_writes_nothing(here, tmp_path):
    zips = here / "zips"
    before = sorted(p.name for p in zips.iterdir()) if zips.is_dir() else []
    result = invoke("pack", str(here), "-s", "museums", "--service", "libraries")
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "service 'libraries' is not in the pack" in text and "museums, revenues_benefits" in text
    assert "What to do:" in text
    after = sorted(p.name for p in zips.iterdir()) if zips.is_dir() else []
    assert after == before


def test_pack_help_names_the_zip_path():
    result = invoke("pack", "--help")
    assert result.exit_code == 0
    assert "zips/<council>-<service>-<run-id>.zip" in result.output and "--service" in result.output
