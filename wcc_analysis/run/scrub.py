"""Take out of a pack's text what identifies the machine and the person who ran it.

Tracebacks and library warnings carry absolute paths (the clone, the virtual environment's site-packages,
the home folder) and may carry the user's and the host's names or an environment variable's value. Packs
are shared, failed ones included, so every output a pack writes — the executed notebook's outputs and
metadata, each HTML page, the manifest and the index page — goes through :func:`scrub` first.

What is replaced (:class:`Scrubber`, built by :func:`current_scrubber` from this process):

========================  ==============================================================================
``<python>/site-packages``  every site-packages folder (``site.getsitepackages()``, the user site, and
                            sysconfig's ``purelib`` / ``platlib``)
``<python>/lib``            the standard library folders (sysconfig ``stdlib`` / ``platstdlib``)
``<python>``                ``sys.prefix``, ``sys.exec_prefix``, ``sys.base_prefix``,
                            ``sys.base_exec_prefix`` — unless a shared folder such as ``/usr`` or
                            ``/usr/local`` (:data:`SHARED_PREFIXES`), which identifies nobody
``<project>``               the project root (``WCC_ANALYSIS_HOME`` or the clone) and the checkout the
                            ``wcc_analysis`` package is imported from
``~``                       the home folder (``~`` and ``$HOME``)
``<env:NAME>``              the value of the environment variables in :data:`PATH_VARIABLES` (paths) and
                            of every variable whose name contains one of :data:`SECRET_MARKERS` (``TOKEN``,
                            ``SECRET``, ``PASSWORD``, ``PASSWD``, ``PASSPHRASE``, ``KEY``, ``CREDENTIAL``,
                            ``AUTH``, ``COOKIE``), when the value is at least :data:`MIN_ENV_VALUE`
                            characters long
``<user>``                  the user name (``getpass.getuser()``, ``$USER``, ``$LOGNAME``, ``$USERNAME``,
                            the account's name, the home folder's last part) and the account's full name
``<host>``                  the host name (``socket.gethostname()``, its first label, ``platform.node()``,
                            ``$HOSTNAME``)
========================  ==============================================================================

Paths are replaced with their whole path components only: ``/home/alice`` is replaced in
``/home/alice/x.py`` and at the end of a sentence (``… in /home/alice.``) but not in ``/home/alicebob``;
the real path (symlinks resolved) is replaced as well as the given one. Longer paths win, so a
site-packages folder inside the project becomes ``<python>/site-packages``, not ``<project>/…``.

**The rule for names.** A user or host name is replaced only as a whole word — not next to a letter, a
digit or ``_`` (Unicode ``\\w``) — so the user ``ann`` leaves ``annual``, ``planning`` and ``ann_total``
alone while ``ann`` in ``ann@vm:`` or ``/Users/ann/`` goes; and only a name of at least :data:`MIN_NAME`
(3) characters with at least one letter, since a one- or two-letter name (``vm``) or an all-digit one (a
container's uid ``1000``) would eat ordinary words and numbers in the tables. User names are matched with
their case (user names are case-sensitive, so ``Mark`` in a sentence survives a user ``mark``); host names
in any case (DNS is case-insensitive). Generic account and host names (:data:`GENERIC_ACCOUNTS`: ``root``,
``admin``, ``runner``, ``jovyan``, …; :data:`GENERIC_HOSTS`: ``localhost``, …; compared in any case) are not
replaced as words, whether they are the user's or the host's: they identify nobody and
are ordinary words (``square root``); their home folders are still replaced as paths. Text already
scrubbed is left as it is (``<user>`` is not a word to replace), so scrubbing twice gives the same text.

Environment values are replaced wherever they stand as a whole token (not next to a letter or digit),
paths with the path rule above. A base64 payload (``data:…;base64,…`` as in an HTML page's images) is
never touched, so an image cannot be corrupted by a chance match; terminal colour codes (IPython's coloured
tracebacks) are kept and the text on either side is scrubbed on its own.

Scrubbing is deterministic: the same text in the same environment always gives the same result, so a
notebook scrubbed in one run compares equal with the same notebook scrubbed in another. A re-run by nbval
(``wcc-analysis validate``) sees the real paths, so an output of a *successful* notebook that shows a
scrubbed path differs from its re-run unless the sanitize file masks the same things:
:func:`nbval_sanitize` gives those sections. Not handled: Windows paths with backslashes, a path written
with ``~`` or relative to the current folder, a name split across lines.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: A name shorter than this, or without a letter, is never replaced as a word (see the module docstring).
MIN_NAME = 3
#: An environment variable's value shorter than this is never replaced (``1``, ``true``, ``/tmp``).
MIN_ENV_VALUE = 6
#: Account names that identify nobody and are ordinary words: not replaced as words (their paths still are).
GENERIC_ACCOUNTS = frozenset({
    "root", "admin", "administrator", "user", "users", "runner", "ubuntu", "debian", "jovyan", "vscode",
    "codespace", "codespaces", "docker", "nobody", "guest", "default", "app", "build", "builder", "ci",
    "jenkins", "gitlab-runner", "ec2-user", "python", "project", "host",
})
#: Host names that identify no machine.
GENERIC_HOSTS = frozenset({"localhost", "localhost.localdomain", "localdomain", "host", "ip6-localhost"})
#: Python prefixes shared by every user of a machine: not replaced (their stdlib and site-packages still are).
SHARED_PREFIXES = frozenset({"/", "/usr", "/usr/local", "/opt", "/opt/local", "/opt/homebrew", "/bin"})
#: Environment variables whose values are paths (replaced as paths, ``HOME`` as ``~``).
PATH_VARIABLES = ("HOME", "USERPROFILE", "PWD", "OLDPWD", "VIRTUAL_ENV", "CONDA_PREFIX", "PYENV_ROOT",
                  "TMPDIR", "TMP", "TEMP", "XDG_RUNTIME_DIR", "WCC_ANALYSIS_HOME")
#: Environment variables holding a user or host name (treated by the rule for names).
USER_VARIABLES = ("USER", "LOGNAME", "USERNAME")
HOST_VARIABLES = ("HOSTNAME", "COMPUTERNAME")
#: A variable whose name contains one of these (in any case) holds a secret: its value is replaced anywhere.
SECRET_MARKERS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "KEY", "CREDENTIAL", "AUTH", "COOKIE")

PROJECT, PYTHON, HOME, USER, HOST = "<project>", "<python>", "~", "<user>", "<host>"

# Boundaries: a path is whole components (not inside a longer name, ``/a/b.`` at a sentence end is fine);
# a name is a whole word and not inside an already-scrubbed ``<token>``; a value is a whole token.
_PATH_BEFORE, _PATH_AFTER = r"(?<![\w.\-])", r"(?![\w\-]|\.\w)"
_WORD_BEFORE, _WORD_AFTER = r"(?<![\w<])", r"(?![\w>])"
_TOKEN_BEFORE, _TOKEN_AFTER = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"
# Left exactly as they are, and the text either side scrubbed on its own: a base64 payload (an image cannot be
# corrupted by a chance match) and a terminal colour code (``\x1b[0;32m/home/ann/x.py``: the path still starts
# a path although an ``m`` precedes it).
_UNTOUCHED = re.compile(r"data:[\w.+\-]+/[\w.+\-]+;base64,[A-Za-z0-9+/=\s]*|\x1b\[[0-9;?]*[A-Za-z]")


_PRIORITY = {f"{PYTHON}/site-packages": 0, f"{PYTHON}/lib": 1, PYTHON: 2, PROJECT: 3, HOME: 4, USER: 6, HOST: 7}


def _rule_order(rule: tuple[str, str, str]) -> tuple:
    kind, text, replacement = rule
    return (-len(text), _PRIORITY.get(replacement, 5), kind, replacement, text)


@dataclass(frozen=True)
class Scrubber:
    """The replacements, as ``(kind, text, replacement)`` with kind ``"path"``, ``"user"``, ``"host"`` or
    ``"value"``; :meth:`__call__` applies them all in one pass (so a replacement is never scrubbed again)."""

    rules: tuple[tuple[str, str, str], ...]
    _pattern: re.Pattern | None = field(default=None, init=False, repr=False, compare=False)
    _replacements: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        seen: set[tuple[str, str]] = set()
        parts: list[str] = []
        replacements: list[str] = []
        # Longest first: at one position the longer text wins (a venv inside the project is <python>). For the
        # same text, :data:`_PRIORITY` decides (the home folder is ``~`` even if $HOME is also an env value), so
        # the result never depends on the order the rules were given in.
        for kind, text, replacement in sorted(self.rules, key=_rule_order):
            key = (kind, text.lower() if kind == "host" else text)
            if not text or key in seen:
                continue
            seen.add(key)
            escaped = re.escape(text)
            if kind == "path":
                parts.append(f"{_PATH_BEFORE}({escaped}){_PATH_AFTER}")
            elif kind == "user":
                parts.append(f"{_WORD_BEFORE}({escaped}){_WORD_AFTER}")
            elif kind == "host":
                parts.append(f"{_WORD_BEFORE}((?i:{escaped})){_WORD_AFTER}")
            else:
                parts.append(f"{_TOKEN_BEFORE}({escaped}){_TOKEN_AFTER}")
            replacements.append(replacement)
        object.__setattr__(self, "_pattern", re.compile("|".join(parts)) if parts else None)
        object.__setattr__(self, "_replacements", tuple(replacements))

    def _sub(self, text: str) -> str:
        assert self._pattern is not None
        return self._pattern.sub(lambda m: self._replacements[m.lastindex - 1], text)

    def __call__(self, text: str) -> str:
        """``text`` with every rule applied; base64 payloads and terminal colour codes are left as they are."""
        if self._pattern is None or not text:
            return text
        out: list[str] = []
        end = 0
        for payload in _UNTOUCHED.finditer(text):
            out.append(self._sub(text[end:payload.start()]))
            out.append(payload.group())
            end = payload.end()
        out.append(self._sub(text[end:]))
        return "".join(out)


# --------------------------------------------------------------------------- the rules from this process


def _path_forms(path: str | os.PathLike | None) -> list[str]:
    """A path as given and with symlinks resolved, without a trailing separator ("" for none or ``/``)."""
    if not path:
        return []
    given = os.path.normpath(os.fspath(path))
    forms = [given]
    try:
        forms.append(os.path.realpath(given))
    except OSError:
        pass
    return [f for f in dict.fromkeys(forms) if f not in ("/", ".", "") and os.path.isabs(f)]


def is_replaceable_name(name: str | None) -> bool:
    """True if ``name`` is replaced as a word: at least :data:`MIN_NAME` characters, a letter, and not one of
    :data:`GENERIC_ACCOUNTS` or :data:`GENERIC_HOSTS`."""
    return bool(name) and len(name) >= MIN_NAME and any(c.isalpha() for c in name) and (
        name.lower() not in GENERIC_ACCOUNTS | GENERIC_HOSTS)


def is_secret_variable(name: str) -> bool:
    upper = name.upper()
    return any(marker in upper for marker in SECRET_MARKERS)


def build_rules(
    *,
    project_roots: Iterable[str | os.PathLike] = (),
    python_prefixes: Iterable[str | os.PathLike] = (),
    stdlib_dirs: Iterable[str | os.PathLike] = (),
    site_dirs: Iterable[str | os.PathLike] = (),
    homes: Iterable[str | os.PathLike] = (),
    users: Iterable[str | None] = (),
    hosts: Iterable[str | None] = (),
    environ: Mapping[str, str] | None = None,
) -> tuple[tuple[str, str, str], ...]:
    """The rules for the given facts (pure: nothing is read from the process). ``environ`` adds the
    values of :data:`PATH_VARIABLES`, the names of :data:`USER_VARIABLES` / :data:`HOST_VARIABLES` and the
    values of secret-looking variables."""
    environ = dict(environ or {})
    rules: list[tuple[str, str, str]] = []
    rules += [("path", p, f"{PYTHON}/site-packages") for d in site_dirs for p in _path_forms(d)]
    rules += [("path", p, f"{PYTHON}/lib") for d in stdlib_dirs for p in _path_forms(d)]
    rules += [("path", p, PYTHON) for d in python_prefixes for p in _path_forms(d) if p not in SHARED_PREFIXES]
    rules += [("path", p, PROJECT) for d in project_roots for p in _path_forms(d)]
    rules += [("path", p, HOME) for d in [*homes, environ.get("HOME")] for p in _path_forms(d)]
    for name in PATH_VARIABLES:
        value = environ.get(name)
        if value and len(value) >= MIN_ENV_VALUE:
            rules += [("path", p, f"<env:{name}>") for p in _path_forms(value)]
    user_names = [*users, *(environ.get(n) for n in USER_VARIABLES)]
    host_names = [*hosts, *(environ.get(n) for n in HOST_VARIABLES)]
    for host in list(host_names):
        if host and "." in host:
            host_names.append(host.split(".", 1)[0])
    rules += [("user", u.strip(), USER) for u in user_names if u and is_replaceable_name(u.strip())]
    rules += [("host", h.strip(), HOST) for h in host_names if h and is_replaceable_name(h.strip())]
    for name, value in sorted(environ.items()):
        if is_secret_variable(name) and value and len(value) >= MIN_ENV_VALUE:
            kind = "path" if os.path.isabs(value) and "\n" not in value else "value"
            rules.append((kind, value, f"<env:{name}>"))
    return tuple(rules)


def _account() -> tuple[str | None, str | None]:
    """The account's name and full name (the first GECOS field), where the OS says."""
    try:
        import pwd

        entry = pwd.getpwuid(os.getuid())
    except (ImportError, KeyError, OSError, AttributeError):
        return None, None
    full = entry.pw_gecos.split(",", 1)[0].strip() if entry.pw_gecos else None
    return entry.pw_name, full


def current_scrubber(project_root: str | os.PathLike | None = None) -> Scrubber:
    """The scrubber for this process: its project, Python, home, user, host and environment."""
    import getpass
    import platform
    import site
    import socket
    import sys
    import sysconfig

    if project_root is None:
        try:
            from wcc_analysis.core import paths

            project_root = paths.project_root()
        except Exception:  # noqa: BLE001 - no project: the other rules still apply
            project_root = None
    import wcc_analysis

    checkout = Path(wcc_analysis.__file__).resolve().parent.parent
    config = sysconfig.get_paths()
    site_dirs = list(getattr(site, "getsitepackages", lambda: [])())
    try:
        site_dirs.append(site.getusersitepackages())
    except Exception:  # noqa: BLE001
        pass
    site_dirs += [config.get("purelib"), config.get("platlib")]
    home = os.path.expanduser("~")
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name known
        user = None
    account, full_name = _account()
    try:
        host = socket.gethostname()
    except OSError:
        host = None
    rules = build_rules(
        project_roots=[p for p in (project_root, checkout) if p],
        python_prefixes=[sys.prefix, sys.exec_prefix, sys.base_prefix, getattr(sys, "base_exec_prefix", None)],
        stdlib_dirs=[config.get("stdlib"), config.get("platstdlib")],
        site_dirs=[d for d in site_dirs if d],
        homes=[home] if home != "~" else [],
        users=[user, account, full_name, os.path.basename(home.rstrip("/")) if home != "~" else None],
        hosts=[host, platform.node()],
        environ=os.environ,
    )
    return Scrubber(rules)


def scrub(text: str, scrubber: Scrubber | None = None) -> str:
    """``text`` scrubbed with ``scrubber`` (default: :func:`current_scrubber`). Pure given ``scrubber``."""
    return (scrubber or current_scrubber())(text)


# --------------------------------------------------------------------------- structures


def scrub_data(value: Any, scrubber: Scrubber) -> Any:
    """A copy of a JSON-like value (dicts, lists, strings, numbers) with every string scrubbed, keys too."""
    if isinstance(value, str):
        return scrubber(value)
    if isinstance(value, Mapping):
        return {scrubber(k) if isinstance(k, str) else k: scrub_data(v, scrubber) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub_data(v, scrubber) for v in value]
    return value


def _scrub_in_place(node: Any, scrubber: Scrubber) -> bool:
    """Scrub every string inside a dict / list in place; True if anything changed."""
    changed = False
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in list(items):
        if isinstance(value, str):
            new = scrubber(value)
            if new != value:
                node[key] = new
                changed = True
        elif isinstance(value, (dict, list)):
            changed |= _scrub_in_place(value, scrubber)
    return changed


def _is_base64_mime(mime: str) -> bool:
    return mime.startswith(("image/", "audio/", "video/", "application/pdf")) and mime != "image/svg+xml"


def scrub_notebook(nb: Any, scrubber: Scrubber) -> bool:
    """Scrub an executed notebook in place: every cell's outputs (stream text, results, displays, error
    names, values and tracebacks; not base64 images) and the notebook's and cells' metadata. Cell sources
    are left alone: they are the project's code, and nbval re-runs them. True if anything changed."""
    changed = _scrub_in_place(nb.get("metadata", {}), scrubber)
    for cell in nb.get("cells", []):
        changed |= _scrub_in_place(cell.get("metadata", {}), scrubber)
        for output in cell.get("outputs", []) or []:
            for key, value in list(output.items()):
                if key == "data" and isinstance(value, dict):
                    for mime, payload in list(value.items()):
                        if _is_base64_mime(mime):
                            continue
                        if isinstance(payload, str):
                            new = scrubber(payload)
                            if new != payload:
                                value[mime] = new
                                changed = True
                        elif isinstance(payload, (dict, list)):
                            changed |= _scrub_in_place(payload, scrubber)
                elif isinstance(value, str) and key != "output_type":
                    new = scrubber(value)
                    if new != value:
                        output[key] = new
                        changed = True
                elif isinstance(value, (dict, list)):
                    changed |= _scrub_in_place(value, scrubber)
    return changed


def nbval_sanitize(scrubber: Scrubber | None = None) -> str:
    """Sections for an nbval sanitize file that mask the same paths, names and values, so a successful
    notebook whose scrubbed outputs showed any of them still compares equal with its re-run."""
    scrubber = scrubber or current_scrubber()
    sections = []
    for n, (kind, text, replacement) in enumerate(sorted(set(scrubber.rules), key=_rule_order)):
        escaped = re.escape(text)
        regex = {"path": f"{_PATH_BEFORE}{escaped}{_PATH_AFTER}", "user": f"{_WORD_BEFORE}{escaped}{_WORD_AFTER}",
                 "host": f"{_WORD_BEFORE}(?i:{escaped}){_WORD_AFTER}"}.get(kind, f"{_TOKEN_BEFORE}{escaped}{_TOKEN_AFTER}")
        sections.append(f"[scrub_{n}]\nregex: {regex}\nreplace: {replacement}\n")
    return "\n".join(sections)


__all__ = [
    "GENERIC_ACCOUNTS",
    "MIN_ENV_VALUE",
    "MIN_NAME",
    "PATH_VARIABLES",
    "SECRET_MARKERS",
    "Scrubber",
    "build_rules",
    "current_scrubber",
    "is_replaceable_name",
    "nbval_sanitize",
    "scrub",
    "scrub_data",
    "scrub_notebook",
]
