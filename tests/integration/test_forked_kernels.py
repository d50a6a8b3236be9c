"""Kernels forked from the template (wcc_analysis.run.forked_kernels): fresh, seeded apart, gone with the pool."""

from __future__ import annotations

import time

import nbformat
import psutil
import pytest
from notebook_kit import make_notebook

from wcc_analysis.core import paths
from wcc_analysis.core.config import load_config
from wcc_analysis.run import forked_kernels, planning, runner, warm_kernels

PROBE = make_notebook(
    "import os, random, sys\n"
    "print('stack imported:', all(m in sys.modules for m in ('pandas', 'matplotlib.pyplot', 'wcc_analysis.assemble')))\n"
    "print('left over:', 'left_over' in globals())\n"
    "left_over = 1\n"
    "print('draw:', random.random())\n"
    "print('pid:', os.getpid(), os.getppid())\n"
    "print('cwd:', os.getcwd())",
    "import wcc_analysis\nwcc_analysis.record(population=1)",
)

pytestmark = pytest.mark.skipif(not forked_kernels.enabled(), reason="kernels are forked on Linux only")


@pytest.fixture
def fresh_template():
    forked_kernels.close_template()
    forked_kernels._given_up = False
    yield
    forked_kernels.close_template()
    forked_kernels._given_up = False


def _printed(result, pack) -> dict[str, str]:
    nb = nbformat.read(pack / result.outputs["ipynb"], as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    return dict(line.split(": ", 1) for line in text.strip().splitlines())


def test_each_notebook_gets_a_fresh_fork_with_the_stack_imported_and_its_own_seed(project, tmp_path, fresh_template):
    nbformat.write(PROBE, project / "notebooks" / "priority_setting.ipynb")
    execution = planning.plan(load_config(), services=["portfolio"])[0]
    pool = warm_kernels.KernelPool(paths.notebooks_dir())
    pool.prime()
    seen = []
    try:
        for n in range(2):
            result = runner.run_execution(execution, tmp_path / f"pack{n}", exporters=[], kernels=pool, prime=n == 0)
            assert result.ok, result.error
            assert result.timing["forked_kernel"] is True and result.timing["imports_s"] < 0.5
            seen.append(_printed(result, tmp_path / f"pack{n}"))
        template = forked_kernels._template.process
    finally:
        pool.close()
    for printed in seen:
        assert printed["stack imported"] == "True" and printed["left over"] == "False"
        assert printed["cwd"] == str(paths.notebooks_dir())
        assert int(printed["pid"].split()[1]) == template.pid  # a child of the template
    assert seen[0]["draw"] != seen[1]["draw"]  # reseeded after the fork, as a new process would be
    assert seen[0]["pid"] != seen[1]["pid"]
    assert template.poll() is not None  # the pool's close ended the template ...
    deadline = time.monotonic() + 5
    pids = [int(p["pid"].split()[0]) for p in seen]
    while any(psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE for pid in pids):
        assert time.monotonic() < deadline, "a forked kernel outlived the pool"
        time.sleep(0.1)


def test_a_template_that_cannot_fork_leaves_kernels_started_as_processes(project, tmp_path, monkeypatch,
                                                                          fresh_template):
    def broken(self, cmd, env, cwd):
        raise RuntimeError("the kernel template did not answer")

    monkeypatch.setattr(forked_kernels.Template, "fork", broken)
    pool = warm_kernels.KernelPool(paths.notebooks_dir())
    pool.prime()  # the fork fails: no spare, and forking is given up in this process
    assert pool.spare is None and forked_kernels.template(paths.notebooks_dir(), (), {}) is None
    try:
        pool.prime()
        assert pool.spare is not None and pool.spare.forked is False and pool.spare.alive()
    finally:
        pool.close()


def test_forking_is_off_when_asked(monkeypatch):
    monkeypatch.setenv(forked_kernels.FORK_ENV, "0")
    assert not forked_kernels.enabled()
    assert forked_kernels.template(paths.notebooks_dir(), (), {}) is None
