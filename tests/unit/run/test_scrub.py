"""wcc_analysis.run.scrub: paths, names and secret values out of a pack's text, ordinary words left alone."""

from __future__ import annotations

import nbformat
import pytest

from wcc_analysis.run import scrub as s

PROJECT = "/srv/clones/wcc-main"
VENV = f"{PROJECT}/.venv"
SITE = f"{VENV}/lib/python3.11/site-packages"
STDLIB = "/opt/pythons/3.11.7/lib/python3.11"
HOME = "/home/ann"


@pytest.fixture
def scrubber():
    rules = s.build_rules(
        project_roots=[PROJECT],
        python_prefixes=[VENV, "/opt/pythons/3.11.7", "/usr"],
        stdlib_dirs=[STDLIB],
        site_dirs=[SITE],
        homes=[HOME],
        users=["ann", "Ann Archer"],
        hosts=["build-box7.example.org"],
        environ={"HOME": HOME, "GITHUB_TOKEN": "ghp_abcdef123456", "API_KEY": "k3y", "SHELL": "/bin/bash",
                 "TMPDIR": "/var/folders/xy/T", "LANG": "en_GB.UTF-8", "USER": "ann"},
    )
    return s.Scrubber(rules)


def test_paths_inside_a_traceback(scrubber):
    traceback = (
        f'File {SITE}/pandas/core/indexing.py:1342, in _LocationIndexer.__getitem__(self, key)\n'
        f'File {PROJECT}/wcc_analysis/ingest/tables.py:164, in table(name)\n'
        f'File {STDLIB}/json/decoder.py:355, in raw_decode\n'
        f'  warnings.warn(msg)  # {VENV}/bin/python\n'
        f'FileNotFoundError: [Errno 2] No such file: \'{HOME}/Downloads/budget.csv\''
    )
    assert scrubber(traceback) == (
        'File <python>/site-packages/pandas/core/indexing.py:1342, in _LocationIndexer.__getitem__(self, key)\n'
        'File <project>/wcc_analysis/ingest/tables.py:164, in table(name)\n'
        'File <python>/lib/json/decoder.py:355, in raw_decode\n'
        '  warnings.warn(msg)  # <python>/bin/python\n'
        "FileNotFoundError: [Errno 2] No such file: '~/Downloads/budget.csv'"
    )


def test_a_path_is_replaced_by_whole_components_only(scrubber):
    assert scrubber(f"saved in {HOME}.") == "saved in ~."
    assert scrubber(f"{HOME}/x and ({HOME}) and '{PROJECT}'") == "~/x and (~) and '<project>'"
    assert scrubber(f"file://{PROJECT}/reports/index.html") == "file://<project>/reports/index.html"
    # a longer name, or the same path under another folder, is another path (as paths: no user names here)
    paths_only = s.Scrubber(s.build_rules(project_roots=[PROJECT], homes=[HOME]))
    assert paths_only("/home/anna/x /home/ann2 /home/ann.bak /data/home/ann") == (
        "/home/anna/x /home/ann2 /home/ann.bak /data/home/ann")
    assert paths_only(f"{PROJECT}-old/x {PROJECT}2") == f"{PROJECT}-old/x {PROJECT}2"
    # ... but the user name in them is still a word
    assert scrubber("/home/anna/x /home/ann.bak /data/home/ann") == "/home/anna/x /home/<user>.bak /data/home/<user>"


def test_a_terminal_colour_code_before_a_path_does_not_hide_it(scrubber):
    coloured = f"\x1b[0;32mFile \x1b[0;32m{SITE}/numpy/x.py:3\x1b[0m, in \x1b[0;36mf\x1b[0m ann\x1b[0m"
    assert scrubber(coloured) == (
        "\x1b[0;32mFile \x1b[0;32m<python>/site-packages/numpy/x.py:3\x1b[0m, in \x1b[0;36mf\x1b[0m <user>\x1b[0m")


def test_a_user_name_is_replaced_as_a_whole_word_only(scrubber):
    text = "ann@build-box7:~$ annual planning, ann_total, Joanne, annex-b, Ann, ANN, 'ann', /Users/ann/"
    assert scrubber(text) == (
        "<user>@<host>:~$ annual planning, ann_total, Joanne, annex-b, Ann, ANN, '<user>', /Users/<user>/")
    assert scrubber("Run by Ann Archer on Tuesday") == "Run by <user> on Tuesday"


def test_a_host_name_in_any_case_and_its_first_label(scrubber):
    assert scrubber("BUILD-BOX7.example.org, build-box7 and build-box70") == "<host>, <host> and build-box70"


@pytest.mark.parametrize("name", ["vm", "al", "1000", "12345", "root", "admin", "jovyan", "runner", "localhost"])
def test_short_numeric_and_generic_names_are_never_replaced_as_words(name):
    scrubber = s.Scrubber(s.build_rules(users=[name], hosts=[name]))
    text = f"the square root of {name} is 1000 vm-s; 12345 admin jovyan runner localhost:8888"
    assert scrubber(text) == text


def test_a_generic_accounts_home_is_still_a_path():
    scrubber = s.Scrubber(s.build_rules(users=["root"], homes=["/root"]))
    assert scrubber("/root/.cache/x and the square root") == "~/.cache/x and the square root"


def test_secret_looking_and_path_environment_values(scrubber):
    assert scrubber("Authorization: token ghp_abcdef123456;") == "Authorization: token <env:GITHUB_TOKEN>;"
    assert scrubber("tmp /var/folders/xy/T/ipykernel_1/2.py") == "tmp <env:TMPDIR>/ipykernel_1/2.py"
    # too short to be a secret, or not a variable that holds one: left alone
    assert scrubber("k3y /bin/bash en_GB.UTF-8") == "k3y /bin/bash en_GB.UTF-8"
    assert not s.is_secret_variable("LANG") and s.is_secret_variable("aws_secret_access_key")


def test_a_shared_prefix_is_not_a_python_path():
    scrubber = s.Scrubber(s.build_rules(python_prefixes=["/usr", "/usr/local"]))
    assert scrubber("/usr/bin/git and /usr/local/bin/x") == "/usr/bin/git and /usr/local/bin/x"


def test_a_base64_image_is_never_touched(scrubber):
    payload = "data:image/png;base64,iVBORw0KGgo+ann/AAAA/home/ann/ghp_abcdef123456=="
    page = f'<img src="{payload}"> {HOME}'
    assert scrubber(page) == f'<img src="{payload}"> ~'


def test_scrubbing_twice_changes_nothing_and_is_deterministic(scrubber):
    text = f"{SITE}/x.py ann {HOME} build-box7 ghp_abcdef123456 <user> <host> <project> <python> ~"
    once = scrubber(text)
    assert scrubber(once) == once
    again = s.Scrubber(tuple(reversed(scrubber.rules)))  # the order rules are given in does not matter
    assert again(text) == once


def test_the_token_words_are_safe_even_as_names():
    scrubber = s.Scrubber(s.build_rules(users=["wcc-user"], hosts=["wcc-host"]))
    assert scrubber(scrubber("wcc-user on wcc-host")) == "<user> on <host>"


def test_a_notebooks_outputs_and_metadata_are_scrubbed_but_not_its_code(scrubber):
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell(f"open('{HOME}/x.csv')  # ann's code")
    code.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text=f"{SITE}/pandas/io.py:12: FutureWarning: ann\n"),
        nbformat.v4.new_output("display_data", data={"text/plain": f"'{PROJECT}'", "image/png": "iVBORann+ann/=",
                                                     "text/html": f"<td>{HOME}</td>"}),
        nbformat.v4.new_output("error", ename="FileNotFoundError", evalue=f"{HOME}/x.csv",
                               traceback=[f"\x1b[0;31mFile {SITE}/a.py\x1b[0m", "ann"]),
    ]
    nb.cells = [code]
    nb.metadata["papermill"] = {"input_path": f"{PROJECT}/notebooks/x.ipynb", "parameters": {"out": HOME}}
    assert s.scrub_notebook(nb, scrubber) is True
    out = nb.cells[0].outputs
    assert out[0].text == "<python>/site-packages/pandas/io.py:12: FutureWarning: <user>\n"
    assert out[1].data == {"text/plain": "'<project>'", "image/png": "iVBORann+ann/=", "text/html": "<td>~</td>"}
    assert out[2].evalue == "~/x.csv" and out[2].traceback == [
        "\x1b[0;31mFile <python>/site-packages/a.py\x1b[0m", "<user>"]
    assert out[2].ename == "FileNotFoundError"
    assert nb.metadata["papermill"] == {"input_path": "<project>/notebooks/x.ipynb", "parameters": {"out": "~"}}
    assert nb.cells[0].source == f"open('{HOME}/x.csv')  # ann's code"  # the code nbval re-runs
    nbformat.validate(nb)
    assert s.scrub_notebook(nb, scrubber) is False  # nothing left to change


def test_scrub_data_scrubs_keys_and_nested_values(scrubber):
    data = {"error": {"evalue": f"{HOME}/x", "n": 3, "ok": True}, f"{PROJECT}/a": [f"{SITE}/b", None, 1.5]}
    assert s.scrub_data(data, scrubber) == {"error": {"evalue": "~/x", "n": 3, "ok": True},
                                            "<project>/a": ["<python>/site-packages/b", None, 1.5]}


def test_the_current_scrubber_reads_this_process(monkeypatch, tmp_path):
    monkeypatch.setenv("USER", "wccprobeuser")
    monkeypatch.setenv("LOGNAME", "wccprobeuser")
    monkeypatch.setenv("HOSTNAME", "wccprobehost")
    monkeypatch.setenv("WCC_PROBE_TOKEN", "tok-5ecret-value-42")
    import sys

    scrubber = s.current_scrubber(project_root=tmp_path)
    text = f"{tmp_path}/data {sys.prefix}/bin wccprobeuser@wccprobehost tok-5ecret-value-42"
    assert scrubber(text) == "<project>/data <python>/bin <user>@<host> <env:WCC_PROBE_TOKEN>"
    assert s.scrub(text, scrubber) == scrubber(text)


def test_nbval_sanitize_sections_mask_the_same_text(scrubber):
    import configparser
    import re

    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(s.nbval_sanitize(scrubber))
    text = f"{SITE}/x.py by ann"
    for section in parser.sections():
        text = re.sub(parser[section]["regex"], parser[section]["replace"], text)
    assert text == "<python>/site-packages/x.py by <user>"
