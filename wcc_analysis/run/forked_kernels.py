"""Kernels forked from a template that has imported the stack once: no kernel pays for the imports again.

Importing pandas, matplotlib and the package costs about a second of CPU in every kernel — on two cores, running
two notebooks at a time, that is CPU taken from the notebooks, whether it happens before the kernel is needed or
not. A worker of the process executor therefore starts one :class:`Template` (:mod:`wcc_analysis.run.kernel_template`)
and every kernel it uses is a fork of it: started in a few milliseconds, the stack already imported, the memory of
those imports shared with the template until written. Each kernel still runs one notebook only, from the state
just after the imports. jupyter_client drives it as any kernel (:func:`use_template` gives its manager a
provisioner that asks the template instead of starting a process).

Linux only (fork after these imports is safe there; the template refuses if any thread is running). Off with
``WCC_ANALYSIS_FORK_KERNELS=0``, and whenever the template cannot start: kernels are then started as processes.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

FORK_ENV = "WCC_ANALYSIS_FORK_KERNELS"
#: How long a template may take to import the stack before it is given up (the kernels are then started normally).
TEMPLATE_READY_TIMEOUT_S = 60.0


def enabled() -> bool:
    """Whether kernels are forked from a template here (Linux, and not turned off)."""
    return sys.platform.startswith("linux") and os.environ.get(FORK_ENV, "1") != "0"


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time) of a process from one read of /proc; the start time tells a pid from a later process
    given the same number. None when there is no such process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return fields[0], fields[19]
    except (OSError, IndexError):
        return None


class ForkedProcess:
    """What jupyter_client needs of a ``Popen`` for a kernel that is the template's child, not ours."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        stat = _stat(pid)
        self._started = stat[1] if stat else None

    def poll(self) -> int | None:
        if self.returncode is None:
            stat = _stat(self.pid)
            if stat is None or stat[0] in ("Z", "X") or stat[1] != self._started:
                self.returncode = 1  # its exit status went to the template, which collected it
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class Template:
    """One worker's template process: started at once, asked for kernels with :meth:`fork`."""

    def __init__(self, cwd: Path, modules: tuple[str, ...], env: dict[str, str]) -> None:
        self._lock = threading.Lock()
        self._ready = False
        self._pending = b""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "wcc_analysis.run.kernel_template", *modules],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=str(cwd), env=env,
            start_new_session=True)

    def _read_line(self, timeout: float) -> str:
        """The template's next line, waiting at most ``timeout`` seconds for it."""
        deadline = time.monotonic() + timeout
        fd = self.process.stdout.fileno()  # read unbuffered: select must see every byte not yet taken
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise RuntimeError(f"the kernel template did not answer in {timeout:g} s")
            chunk = os.read(fd, 4096)
            if not chunk:
                raise RuntimeError("the kernel template ended")
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line.decode(errors="replace").strip()

    def fork(self, cmd: list[str], env: dict[str, str], cwd: str) -> int:
        """A new kernel forked from the template, started with ``cmd``'s arguments, ``env`` and ``cwd``: its pid."""
        with self._lock:
            if self.process.poll() is not None:
                raise RuntimeError("the kernel template has ended")
            if not self._ready:
                line = self._read_line(TEMPLATE_READY_TIMEOUT_S)
                if line != "ready":
                    raise RuntimeError(f"the kernel template could not start: {line}")
                self._ready = True
            self.process.stdin.write(json.dumps({"cmd": cmd, "env": env, "cwd": cwd}).encode() + b"\n")
            self.process.stdin.flush()
            return int(json.loads(self._read_line(10.0))["pid"])

    def close(self) -> None:
        """End the template, and with it every kernel it forked that is still running."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_template: Template | None = None
_given_up = False


def template(cwd: Path, modules: tuple[str, ...], env: dict[str, str]) -> Template | None:
    """This process's template, started on first use; None when forking is off or has failed here."""
    global _template
    if not enabled() or _given_up:
        return None
    if _template is None or _template.process.poll() is not None:
        try:
            _template = Template(cwd, modules, env)
        except OSError:
            return None
    return _template


def give_up() -> None:
    """A kernel could not be forked: end the template, and start this process's kernels as processes from now."""
    global _given_up
    _given_up = True
    close_template()


def close_template() -> None:
    """End this process's template (a worker's last step)."""
    global _template
    if _template is not None:
        _template.close()
        _template = None


@functools.cache
def _provisioner_class() -> type:
    """jupyter_client's local provisioner, launching by asking the template instead of starting a process."""
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    class ForkedProvisioner(LocalProvisioner):
        template: Template | None = None

        async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
            assert self.template is not None
            env = dict(kwargs.get("env") or os.environ)
            cwd = str(kwargs.get("cwd") or os.getcwd())
            pid = self.template.fork(cmd, env, cwd)
            self.process = ForkedProcess(pid)
            self.pid = self.pgid = pid  # a session of its own: its group is its pid
            self.cwd = cwd
            return self.connection_info

    return ForkedProvisioner


def use_template(manager: Any, source: Template) -> None:
    """Have ``manager`` (a jupyter_client kernel manager, not yet started) fork its kernel from ``source``."""
    manager.kernel_id = manager.kernel_id or str(uuid.uuid4())
    provisioner = _provisioner_class()(kernel_id=manager.kernel_id, kernel_spec=manager.kernel_spec, parent=manager)
    provisioner.template = source
    manager.provisioner = provisioner


__all__ = ["FORK_ENV", "ForkedProcess", "Template", "close_template", "enabled", "give_up", "template",
           "use_template"]
