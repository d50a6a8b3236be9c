"""The "dask" executor on the tiny project (tests/conftest.py): the same results as the process executor, a
LocalCluster run through the command line, and a cluster started by the test reached with ``--scheduler``."""

from __future__ import annotations

import json
import logging
import sys

import nbformat
import pytest
from test_cli import invoke

from wcc_analysis.core.config import load_config
from wcc_analysis.core.errors import ParameterError
from wcc_analysis.run import dask_executor, executors, planning, runner

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    """One LocalCluster (2 workers, 1 thread each) for the tests that pass ``--scheduler``."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.CRITICAL) as local:
        yield local


class Recorder:
    """Progress that records ("started" | "finished", key) events."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []

    def started(self, ex) -> None:
        self.events.append(("started", ex.key))

    def finished(self, result) -> None:
        self.events.append(("finished", result.execution.key))


def _cell_outputs(nb) -> list:
    """Each cell's outputs and execution count: what a reader sees, without papermill's timing metadata."""
    return [(c.get("execution_count"), c.get("outputs")) for c in nb.cells]


def _run(plan, out, executor, options=None):
    recorder = Recorder()
    results = runner.execute(plan, out, jobs=2, progress=recorder, executor=executor, executor_options=options)
    for key in (ex.key for ex in plan):  # each announced once, started before finished
        assert [e for e in recorder.events if e[1] == key] == [("started", key), ("finished", key)], executor
    cells = {r.execution.key: _cell_outputs(nbformat.read(out / r.outputs["ipynb"], as_version=4)) for r in results}
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    # attempts left out: a kernel that failed to start (a port clash under load) is retried, by either executor
    rows = [(r.execution.key, r.status, r.headline, r.outputs, r.error) for r in results]
    return rows, cells, files


def test_dask_on_a_cluster_gives_the_same_results_as_the_process_executor(project, tmp_path, cluster):
    plan = planning.plan(load_config(), services=["museums", "revenues_benefits"], extra_params={"year": 2023})
    process = _run(plan, tmp_path / "process", "process")
    dask = _run(plan, tmp_path / "dask", "dask", {"scheduler": cluster.scheduler_address})
    assert dask == process
    assert [row[1] for row in dask[0]] == ["ok", "failed", "ok"]
    assert dask[0][0][2]["spend_per_head_gbp"] == 12.5
    assert "assets/report.css" in dask[2]
    # the run closed only its client: the cluster and both its workers are still there for the next
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        assert len(client.scheduler_info()["workers"]) == 2 and client.submit(sum, [1, 2]).result() == 3


def test_a_localcluster_run_through_the_command_line_writes_a_complete_pack(project, tmp_path):
    out = tmp_path / "packs"
    result = invoke("run", "-s", "museums", "-s", "portfolio", "-n", "needs_analysis", "-n", "priority_setting",
                    "--executor", "dask", "-j", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "2 notebook run(s), 2 at a time (dask)" in result.output and "Traceback" not in result.output
    manifest = json.loads((out / "latest" / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["selection"]["executor"] == "dask"
    assert [e["status"] for e in manifest["executions"]] == ["ok", "ok"]
    for entry in manifest["executions"]:
        assert set(entry["outputs"]) == {"ipynb", "html", "code_html"}
        for rel in entry["outputs"].values():
            assert (out / "latest" / rel).is_file(), rel
    assert manifest["executions"][0]["headline"]["spend_per_head_gbp"] == 12.5
    assert (out / "latest" / "assets" / "report.css").is_file() and (out / "latest" / "index.html").is_file()
    assert not list(out.glob(".incomplete-*")) and not list((out / "latest").rglob("*.part"))
    assert not runner.kernels_of(), "a kernel of the run is still running"


def test_scheduler_with_the_process_executor_is_refused_in_one_line(project, tmp_path):
    result = invoke("run", "-s", "museums", "--scheduler", "tcp://127.0.0.1:8786", "--out", str(tmp_path / "p"))
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the 'process' executor does not take --scheduler"), lines
    assert "What to do:" in lines[0] and not (tmp_path / "p").exists()


def test_dask_without_dask_installed_says_how_to_install_it(project, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed: find_spec gives None
    with pytest.raises(ParameterError, match=r'pip install "\.\[dask\]"'):
        executors.get_executor("dask")
    result = invoke("run", "-s", "museums", "--executor", "dask", "--out", str(tmp_path / "p"))
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and 'pip install ".[dask]"' in lines[0] and "Traceback" not in result.output, lines


def test_an_empty_scheduler_address_is_refused():
    with pytest.raises(ParameterError, match="--scheduler was given an empty address"):
        executors.get_executor("dask", {"scheduler": " "})


@pytest.mark.parametrize("bad", ["/etc/passwd", "../outside.txt", "a/../../b", ""])
def test_a_returned_file_outside_the_pack_is_refused(tmp_path, bad):
    with pytest.raises(ValueError, match="not inside the pack"):
        dask_executor.write_files(tmp_path, {bad: b"x"})
    assert list(tmp_path.iterdir()) == []


def test_without_jobs_a_remote_cluster_runs_as_many_at_once_as_it_has_threads(cluster):
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        assert dask_executor.cluster_threads(client) == 2


def test_an_unreachable_scheduler_is_one_line_and_leaves_no_pack(project, tmp_path, monkeypatch):
    import socket

    with socket.socket() as free:  # a port nothing listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    monkeypatch.setattr(dask_executor, "CONNECT_TIMEOUT_S", 1)
    out = tmp_path / "packs"
    result = invoke("run", "-s", "museums", "--executor", "dask", "--scheduler", f"tcp://127.0.0.1:{port}",
                    "--out", str(out))
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.strip().splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "could not reach the Dask scheduler" in lines[0] and "What to do:" in lines[0], lines
    assert "Traceback" not in result.output
    assert not out.exists() or [p.name for p in out.iterdir()] == []
