"""The template process that forks kernels: ``python -m wcc_analysis.run.kernel_template MODULE …``.

It imports ipykernel and ``MODULE …`` (the notebooks' stack) once, says ``ready`` on stdout, then reads one JSON
request a line on stdin — ``{"cmd": [...], "env": {...}, "cwd": "..."}``, a kernel's command line as
jupyter_client builds it — and answers each with ``{"pid": N}``: a child forked from itself that becomes that
kernel. The child starts from the template's state just after the imports (as a fresh kernel would be after them,
nothing of any notebook in it), in a session of its own, with its own environment, folder and random seeds, and
dies with the template. When stdin closes (the worker that started it ended, however it ended) the template kills
the kernels it forked and exits. Used by :mod:`wcc_analysis.run.forked_kernels`; Linux only.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import json
import os
import random
import signal
import sys
import threading

_PR_SET_PDEATHSIG = 1
_children: set[int] = set()  # the kernels forked that are still running


def _reap(*_: object) -> None:
    """Collect every finished child (SIGCHLD), so a dead kernel leaves no zombie behind."""
    with contextlib.suppress(ChildProcessError):
        while (pid := os.waitpid(-1, os.WNOHANG)[0]) > 0:
            _children.discard(pid)


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent (the template) ends."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _become_kernel(request: dict) -> None:
    """In the forked child: become the kernel ``request`` describes; never returns."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        signal.signal(signal.SIGINT, signal.default_int_handler)  # an interrupt stops the running cell
        os.setsid()  # its own process group, as jupyter_client starts a kernel: an interrupt reaches it alone
        _die_with_parent()
        if os.getppid() == 1:  # the template ended before the line above
            os._exit(1)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # never the template's pipes: the kernel talks over ZeroMQ
            os.dup2(devnull, fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())  # ipykernel's own poller: gone with the template
        random.seed()
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()  # the legacy global generator, as a new process would seed it
        cmd = list(request["cmd"])
        start = cmd.index("ipykernel_launcher") + 1 if "ipykernel_launcher" in cmd else 3
        sys.argv = ["ipykernel_launcher", *cmd[start:]]
        if sys.path and sys.path[0] in ("", os.getcwd()):
            del sys.path[0]  # as ipykernel_launcher does
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=cmd[start:])
        code = 0
    except BaseException:  # noqa: BLE001 - a child must never return into the template's loop
        code = 1
    finally:
        os._exit(code)


def main(modules: list[str]) -> int:
    os.environ.pop("JPY_PARENT_PID", None)
    import ipykernel.kernelapp  # noqa: F401 - imported once here, for every kernel forked

    for name in modules:
        with contextlib.suppress(Exception):  # a module that fails is left for the notebook to fail on
            importlib.import_module(name)
    if threading.active_count() > 1:  # forking a process with threads can deadlock the child
        print(json.dumps({"error": f"{threading.active_count()} threads after the imports"}), flush=True)
        return 1
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is the runner's to handle: it closes stdin
    print("ready", flush=True)
    try:
        for line in sys.stdin:
            request = json.loads(line)
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})  # a child that dies at once is reaped after
            pid = os.fork()
            if pid == 0:
                _become_kernel(request)
            _children.add(pid)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
            print(json.dumps({"pid": pid}), flush=True)
    finally:
        for pid in list(_children):
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
