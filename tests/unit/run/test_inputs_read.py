"""What a kernel records it read (core.run_facts), how the runner signs it (run.inputs_read) and the time split."""

from __future__ import annotations

import os

import nbformat
import pytest

from wcc_analysis.core import run_facts
from wcc_analysis.run import inputs_read
from wcc_analysis.run.runner import time_split


@pytest.fixture
def recording(project, tmp_path, monkeypatch):
    facts = tmp_path / "facts.jsonl"
    monkeypatch.setenv(run_facts.FACTS_ENV, str(facts))
    assert run_facts.install()
    yield facts
    run_facts.stop()


def test_the_kernel_records_reads_listings_and_probes_but_not_writes_or_the_package(project, recording):
    council = project / "data" / "raw" / "council" / "E07000237"
    (council / "budget.csv").read_text()
    (council / "budget.csv").read_text()  # once is enough
    (project / "data" / "processed" / "out.csv").write_text("written, not read")
    os.listdir(project / "data" / "raw" / "public")
    run_facts.probe(council / "kpis.csv")
    (project / "notebooks" / "needs_analysis.ipynb").read_bytes()  # hashed whole by the runner: not an input
    run_facts.stop()
    facts = inputs_read.read_facts(recording)
    assert facts.complete
    assert facts.reads == [("file", "data/raw/council/E07000237/budget.csv"), ("dir", "data/raw/public"),
                           ("probe", "data/raw/council/E07000237/kpis.csv")]


def test_a_signature_changes_with_the_bytes_the_names_in_a_folder_or_a_file_appearing(project):
    reads = [("file", "data/raw/council/E07000237/budget.csv"), ("dir", "data/raw/public"),
             ("probe", "data/raw/council/E07000237/kpis.csv")]
    recorded = inputs_read.signatures(reads, project)
    assert recorded["probe:data/raw/council/E07000237/kpis.csv"] == inputs_read.ABSENT
    assert inputs_read.changed(recorded, project) == []
    (project / "data" / "raw" / "public" / ".hidden").write_text("a lock, say")  # hidden names are left out
    assert inputs_read.changed(recorded, project) == []
    (project / "data" / "raw" / "council" / "E07000237" / "budget.csv").write_text("line,gbp\nmuseums,2\n")
    (project / "data" / "raw" / "public" / "y.csv").write_text("new")
    (project / "data" / "raw" / "council" / "E07000237" / "kpis.csv").write_text("supplied now")
    assert sorted(inputs_read.changed(recorded, project)) == sorted(f"{kind}:{path}" for kind, path in reads)


def test_facts_cut_short_by_a_killed_kernel_keep_the_whole_lines(tmp_path):
    file = tmp_path / "facts.jsonl"
    file.write_text('{"kind": "time", "what": "imports", "s": 1.5}\n{"kind": "file", "path": "a"}\n{"kind": "fi')
    facts = inputs_read.read_facts(file)
    assert facts.reads == [("file", "a")] and facts.times == {"imports": 1.5}
    assert not inputs_read.read_facts(tmp_path / "absent.jsonl").complete


def _timed_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"start_time": "2026-12-02T10:00:00.000000"}
    for start, duration in (("2026-12-02T10:00:02.500000", 1.0), ("2026-12-02T10:00:03.500000", 2.0)):
        cell = nbformat.v4.new_code_cell("pass")
        cell.metadata["papermill"] = {"start_time": start, "duration": duration}
        nb.cells.append(cell)
    return nb


def test_the_time_split_adds_up_to_the_total():
    facts = inputs_read.KernelFacts(times={"imports": 1.5, "data_loading": 0.5}, complete=True)
    cold = time_split(_timed_notebook(), facts, total=6.0, html_export=0.3, warm=False)
    # 2.5 s to the first cell, of which 1.5 s imports; cells 3.0 s, of which 0.5 s loading; 6.0 - 5.8 left over
    assert cold == {"total_s": 6.0, "kernel_start_s": 1.0, "imports_s": 1.5, "imports_on_critical_path": True,
                    "data_loading_s": 0.5, "cell_execution_s": 2.5, "html_export_s": 0.3,
                    "runner_overhead_s": 0.2, "warm_kernel": False, "forked_kernel": False}
    warm = time_split(_timed_notebook(), facts, total=6.0, html_export=0.3, warm=True)
    # a pooled kernel imported before it was needed: the 2.5 s wait is kernel start, imports are off the path
    assert warm["kernel_start_s"] == 2.5 and warm["imports_on_critical_path"] is False
    assert warm["runner_overhead_s"] == 0.2 and warm["forked_kernel"] is False
    forked = time_split(_timed_notebook(), facts, total=6.0, html_export=0.3, warm=True, forked=True)
    assert forked["forked_kernel"] is True and forked["kernel_start_s"] == 2.5
