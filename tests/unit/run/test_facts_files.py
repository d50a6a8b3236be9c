"""Facts files: named after their maker, and deleted by the next run once their maker has ended."""

import os
import subprocess
import sys
from pathlib import Path

from wcc_analysis.run.runner import remove_orphaned_facts
from wcc_analysis.run.warm_kernels import FACTS_PREFIX, new_facts_file


def _ended_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_facts_file_carries_the_id_of_the_process_that_made_it():
    path = new_facts_file()
    try:
        assert path.name.startswith(f"{FACTS_PREFIX}{os.getpid()}-") and path.suffix == ".jsonl"
        assert path.stat().st_size == 0 and oct(path.stat().st_mode & 0o777) == "0o600"
    finally:
        path.unlink()


def test_only_files_whose_maker_has_ended_are_deleted(tmp_path: Path):
    orphan = tmp_path / f"{FACTS_PREFIX}{_ended_pid()}-abc123.jsonl"
    mine = tmp_path / f"{FACTS_PREFIX}{os.getpid()}-def456.jsonl"
    older_name = tmp_path / f"{FACTS_PREFIX}03n_nlrx.jsonl"  # before makers were named: whose, cannot be told
    other = tmp_path / "something-else-123-x.jsonl"
    for path in (orphan, mine, older_name, other):
        path.write_text("{}\n", encoding="utf-8")
    assert remove_orphaned_facts(tmp_path) == 1
    assert not orphan.exists()
    assert mine.exists() and older_name.exists() and other.exists()
    assert remove_orphaned_facts(tmp_path) == 0
