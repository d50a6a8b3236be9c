"""validate: an errored cell is reported by its exception, and an error (not a difference) is re-run once."""

from pathlib import Path

from wcc_analysis.run import validate
from wcc_analysis.run.validate import ERROR, FAIL, PASS, NotebookValidation

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="museums.market_analysis" name="Cell 0">
<error message="failed on setup with &quot;RuntimeError: Kernel died before replying to kernel_info&quot;">cls = &lt;class '_pytest.runner.CallInfo'&gt;
func = &lt;function call_and_report&gt;
    def from_call(cls, func):
E   RuntimeError: Kernel died before replying to kernel_info</error>
</testcase>
<testcase classname="museums.gap_analysis" name="Cell 3"><failure message="output differs">Cell 3 output differs
- 12 of 16
+ 11 of 16</failure></testcase>
<testcase classname="museums.gap_analysis" name="Cell 4"/>
</testsuite></testsuites>
"""


def test_an_error_is_shown_by_its_exception_and_a_failure_by_its_difference(tmp_path):
    xml = tmp_path / "junit.xml"
    xml.write_text(JUNIT, encoding="utf-8")
    results = validate._parse_junit(xml, tmp_path, ["museums/market_analysis.ipynb", "museums/gap_analysis.ipynb"])
    market, gap = results["museums/market_analysis.ipynb"], results["museums/gap_analysis.ipynb"]
    assert market.status == ERROR and "Kernel died before replying" in market.first_difference
    assert "CallInfo" not in market.first_difference  # not the start of pytest's own traceback
    assert gap.status == FAIL and gap.cells_checked == 2 and "+ 11 of 16" in gap.first_difference


def test_a_notebook_that_errored_is_re_run_once_and_the_first_error_kept(tmp_path, monkeypatch):
    pack = tmp_path / "pack"
    (pack / "museums").mkdir(parents=True)
    for name in ("market_analysis", "gap_analysis"):
        (pack / "museums" / f"{name}.ipynb").write_text("{}", encoding="utf-8")
    calls = []

    def fake_run(chunks, pack_dir, tmpdir, env, tag):
        calls.append((tag, [nb for chunk in chunks for nb in chunk]))
        out = {}
        for nb in (nb for chunk in chunks for nb in chunk):
            kernel_failed = tag == "first" and nb.endswith("market_analysis.ipynb")
            out[nb] = NotebookValidation(nb, ERROR if kernel_failed else PASS, cells_checked=0 if kernel_failed else 5,
                                         first_difference="Cell 0: kernel died" if kernel_failed else None)
        return out

    monkeypatch.setattr(validate, "_run_nbval", fake_run)
    results = {r.path: r for r in validate.validate_pack(pack, jobs=2)}
    assert calls[1] == ("retry", ["museums/market_analysis.ipynb"])  # only the errored one, once
    market = results["museums/market_analysis.ipynb"]
    assert market.passed and market.retried == "Cell 0: kernel died"
    assert results["museums/gap_analysis.ipynb"].retried is None


def test_a_difference_is_never_re_run(tmp_path, monkeypatch):
    pack = tmp_path / "pack"
    (pack / "waste").mkdir(parents=True)
    (pack / "waste" / "gap_analysis.ipynb").write_text("{}", encoding="utf-8")
    calls = []

    def fake_run(chunks, pack_dir, tmpdir, env, tag):
        calls.append(tag)
        return {nb: NotebookValidation(nb, FAIL, 3, 1, "Cell 2: differs") for chunk in chunks for nb in chunk}

    monkeypatch.setattr(validate, "_run_nbval", fake_run)
    [result] = validate.validate_pack(Path(pack), jobs=1)
    assert calls == ["first"] and result.status == FAIL
