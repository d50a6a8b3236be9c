"""wcc_analysis.run.exporters: the pack's HTML (one linked stylesheet, navigation, alt text) on a tiny notebook."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from wcc_analysis.display import report
from wcc_analysis.run import exporters
from wcc_analysis.run.planning import Execution

REPORTS = (("needs_analysis", "Needs analysis"), ("gap_analysis", "Gap analysis"))
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
ALT = "Chart: Spend per head rose from £10 to £12. Source: MHCLG revenue outturn 2023-24."


def _tiny_notebook(monkeypatch) -> nbformat.NotebookNode:
    shown: list[str] = []
    monkeypatch.setattr(report, "_display", shown.append)
    report.table(pd.DataFrame({"name": ["Worcester"], "spend_per_head_gbp": [12.5]}), title="Spend per head",
                 source="MHCLG RS 2023-24")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Needs analysis"),
        nbformat.v4.new_code_cell("council = 'E07000237'", metadata={"tags": [exporters.INJECTED_TAG]}),
        nbformat.v4.new_code_cell("report.table(...)", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/html": shown[0], "text/plain": "<IPython.core.display.HTML object>"})]),
        nbformat.v4.new_code_cell("plots.spend_trend(...)", outputs=[nbformat.v4.new_output(
            "display_data", data={"image/png": PNG, "text/plain": "<Figure size 900x480 with 1 Axes>"},
            metadata={"image/png": {"alt": ALT}})]),
    ]
    return nb


def _execution(notebook: str, title: str) -> Execution:
    return Execution(service="museums", service_name="Museums", notebook=notebook, notebook_title=title,
                     input_path=Path(f"notebooks/{notebook}.ipynb"), parameters={}, reports=REPORTS)


@pytest.fixture
def pack(tmp_path, monkeypatch) -> Path:
    nb = _tiny_notebook(monkeypatch)
    for notebook, title in REPORTS:
        for exporter in exporters.registered_exporters():
            exporter.export(nb, _execution(notebook, title), tmp_path)
    (tmp_path / "index.html").write_text("<html></html>", encoding="utf-8")
    return tmp_path


def _pages(pack: Path) -> list[Path]:
    return sorted((pack / "museums").glob("*.html"))


def test_every_report_links_the_packs_one_stylesheet_and_inlines_no_big_style(pack):
    assert len(_pages(pack)) == 4
    for page in _pages(pack):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
        assert links == ["../assets/report.css"]
        assert (page.parent / links[0]).resolve() == (pack / exporters.STYLESHEET).resolve()
        assert max(len(style.get_text()) for style in soup.find_all("style")) < 4_000
        assert page.stat().st_size < 60_000, "the ~260 KB of CSS must not be inline"
        assert not soup.find_all("script", src=True), "nothing is fetched from the network"
    assert (pack / exporters.STYLESHEET).read_text(encoding="utf-8") == exporters.stylesheet()
    assert not list((pack / "assets").glob(".*")), "no temporary file left behind"


def test_the_stylesheet_holds_everything_the_template_inlined_so_the_look_is_the_same():
    inline, _ = exporters._nbconvert_html(True).from_notebook_node(nbformat.v4.new_notebook(),
                                                                   resources={"metadata": {"name": "x"}})
    inlined = re.findall(r"<style[^>]*>(.*?)</style>", inline, flags=re.S)
    assert sum(map(len, inlined)) > 200_000  # JupyterLab's theme, as nbconvert inlines it without a pack
    css = exporters.stylesheet()
    assert all(block.strip() in css for block in inlined)
    assert css.index(inlined[-1].strip()) < css.index(exporters.PACK_CSS.strip()), "the pack's rules come last"


def test_the_stylesheet_prints_on_a4_and_keeps_wide_tables_in_their_box():
    css = exporters.stylesheet()
    assert "size: A4" in css and "@media print" in css
    printed = css[css.index("@media print {", css.index("---- wcc-analysis")):]
    assert ".wcc-nav { display: none; }" in printed and "break-inside: avoid" in printed
    assert ".wcc-table-wrap { max-width: 100%; overflow-x: auto; }" in css
    assert "@media only screen and (max-width: 760px)" in css


def test_the_navigation_links_the_front_page_the_services_reports_and_the_other_version(pack):
    for page in _pages(pack):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        nav = soup.find("nav", class_="wcc-nav")
        hrefs = [a["href"] for a in nav.find_all("a")]
        assert hrefs[0] == "../index.html"
        assert all((page.parent / href).is_file() for href in hrefs), hrefs
        code = page.name.endswith(".code.html")
        stem = page.name.removesuffix(".code.html" if code else ".html")
        other = f"{stem}.html" if code else f"{stem}.code.html"
        assert other in hrefs and page.name not in hrefs
        assert nav.find(attrs={"aria-current": "page"}).get_text() == dict(REPORTS)[stem]
        siblings = [n for n, _ in REPORTS if n != stem]
        assert all(f"{n}{'.code.html' if code else '.html'}" in hrefs for n in siblings)


def test_charts_carry_their_alt_text_and_tables_a_caption(pack):
    for page in _pages(pack):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        images = soup.find_all("img")
        assert images and all(img["alt"] == ALT for img in images)
        assert "No description has been provided" not in str(soup)
        tables = soup.find_all("table")
        assert tables and all(t.caption and t.caption.get_text() == "Spend per head" for t in tables)
        assert all(th.get("scope") == "col" for th in soup.select("thead th"))
        assert soup.find(class_="wcc-table-wrap").find("table") is not None


def test_reader_version_still_has_no_code_and_no_injected_cell(pack):
    def text(name: str) -> str:
        return BeautifulSoup((pack / "museums" / name).read_text(encoding="utf-8"), "html.parser").get_text()

    reader, code = text("needs_analysis.html"), text("needs_analysis.code.html")
    assert "report.table(...)" not in reader and "council = " not in reader
    assert "report.table(...)" in code


def test_without_its_reports_a_page_links_only_the_front_page_and_the_other_version():
    ex = Execution("portfolio", "Portfolio", "priority_setting", "Priority setting", Path("x.ipynb"), {})
    nav = exporters.ReaderHTML().navigation(ex)
    assert 'href="../index.html"' in nav and 'href="priority_setting.code.html"' in nav
    assert '<li aria-current="page">Priority setting</li>' in nav


def test_a_pack_path_one_level_down_goes_back_up_once():
    assert exporters._up("museums/needs_analysis.html") == "../"
    assert str(PurePosixPath(exporters._up("museums/x.html")) / exporters.STYLESHEET) == "../assets/report.css"


def test_write_stylesheet_leaves_an_up_to_date_file_alone(tmp_path):
    first = exporters.write_stylesheet(tmp_path)
    before = first.stat().st_mtime_ns
    assert exporters.write_stylesheet(tmp_path).stat().st_mtime_ns == before
    first.write_text("stale", encoding="utf-8")
    assert exporters.write_stylesheet(tmp_path).read_text(encoding="utf-8") == exporters.stylesheet()
