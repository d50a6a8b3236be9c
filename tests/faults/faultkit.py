"""Helpers for the fault-injection tests of the runner: hanging notebooks, killed kernels, interrupted and killed runs.

Every test uses its own copy of the tiny project (tests/conftest.py ``project``) with a few notebooks added by
:func:`add_notebooks`; runs in a separate process go through ``_run_cli.py`` (the CLI with the tiny project's
ingest stubbed out, as ``point_at`` does in process). Each such run carries a unique ``WCC_FAULT_MARKER`` in its
environment, which every worker and kernel inherits, so :func:`marked_processes` finds any that survive.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from notebook_kit import make_notebook

from wcc_analysis.core import config as config_module

DRIVER = Path(__file__).with_name("_run_cli.py")
MARKER = "WCC_FAULT_MARKER"
PARAMETERS = 'council = "E07000237"\nservice = "faulty"\n'

#: name -> (title, cell sources); each becomes notebooks/<name>.ipynb: markdown, parameters, then the cells.
NOTEBOOKS = {
    "quick": ("Quick", ["print('quick', service)"]),
    "hang": ("Hangs for ever", ["print('before the hang')", "import time\nwhile True:\n    time.sleep(0.2)",
                                "print('never reached')"]),
    "kill_kernel": ("Kills its own kernel", ["print('before the kill')", "import os\nos.kill(os.getpid(), 9)",
                                             "print('never reached')"]),
    # sleeps a little in each of several cells: long enough to interrupt or kill a run part-way
    "slow": ("Slow", ["import time\ntime.sleep(0.5)"] * 6),
    "slower": ("Slower", ["import time\ntime.sleep(1.5)"] * 4),
}


def add_notebooks(root: Path, service_notebooks: dict[str, list[str]]) -> None:
    """Write every notebook of :data:`NOTEBOOKS` into ``root`` and add services running them to its config."""
    toml = root / "config" / "services.toml"
    text = toml.read_text(encoding="utf-8")
    for name, (title, sources) in NOTEBOOKS.items():
        nbformat.write(make_notebook(*sources, parameters=PARAMETERS, heading="# A fault test"), root / "notebooks" / f"{name}.ipynb")
        text += f'\n[notebooks.{name}]\ntitle = "{title}"\nscope = "service"\n'
    for service, notebooks in service_notebooks.items():
        text += (f'\n[services.{service}]\nname = "{service.title()}"\nrs_block = "Central services"\n'
                 f"notebooks = {notebooks!r}\n".replace("'", '"'))
    toml.write_text(text, encoding="utf-8")
    config_module.load_config.cache_clear()


def start_run(project: Path, *args: str, marker: str | None = None) -> tuple[subprocess.Popen, str]:
    """``wcc-analysis run ARGS`` on ``project`` in a new process; (the process, its marker)."""
    marker = marker or uuid.uuid4().hex
    env = {**os.environ, "WCC_ANALYSIS_HOME": str(project), MARKER: marker, "PYTHONUNBUFFERED": "1"}
    # --force: a fault test is about the run it interrupts, never about copying an earlier pack
    proc = subprocess.Popen([sys.executable, str(DRIVER), "run", "--force", *args], env=env, cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=_interruptible)
    return proc, marker


def _interruptible() -> None:
    """Start the run as a terminal would, with Ctrl-C at its default.

    A command started in the background by a non-interactive shell (``cmd &``, as a scheduler or CI wrapper
    may start the suite) inherits SIGINT *ignored*, and so would every run a test starts; the SIGINT tests
    would then watch a run that cannot be interrupted finish normally (exit 0, not 130).
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def marked_processes(marker: str) -> list[tuple[int, str]]:
    """(pid, command line) of every live process whose environment holds ``MARKER=marker`` (Linux /proc)."""
    needle = f"{MARKER}={marker}".encode()
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                if f.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                    continue  # a zombie waiting for its parent: already dead
            env = Path(f"/proc/{entry.name}/environ").read_bytes().split(b"\0")
            if needle in env:
                cmd = Path(f"/proc/{entry.name}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                found.append((int(entry.name), cmd))
        except (OSError, IndexError):
            continue
    return found


def wait_until_gone(marker: str, within_s: float) -> list[tuple[int, str]]:
    """The marked processes still alive after waiting up to ``within_s`` for them all to end."""
    deadline = time.monotonic() + within_s
    while True:
        alive = marked_processes(marker)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def wait_for(predicate, within_s: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


needs_proc = pytest.mark.skipif(not Path("/proc/self/environ").is_file(), reason="needs Linux /proc")
