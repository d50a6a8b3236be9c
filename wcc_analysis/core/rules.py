"""Rule tables: one table both decides a rating and prints the rule a reader checks it by.

A :class:`RuleTable` is an ordered tuple of :class:`Rule` s; the first rule whose
``holds`` test is true for the facts gives the outcome (a RAG rating, a band, a
word). The report prints the same table (``outcome``, ``text``), so the rule a
reader sees is, by construction, the rule that ran — never a second copy in
prose. The facts are whatever the rating function measured (a small
dataclass or a mapping); each rule's test reads only those facts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pandas as pd

Facts = TypeVar("Facts")


@dataclass(frozen=True)
class Rule(Generic[Facts]):
    """One rule: the outcome it gives, how it reads, and the test that decides whether it holds."""

    outcome: str
    text: str
    holds: Callable[[Facts], bool]


@dataclass(frozen=True)
class RuleTable(Generic[Facts]):
    """Rules tried in order; the first that holds decides. ``columns`` label the printed table."""

    rules: tuple[Rule[Facts], ...]
    columns: tuple[str, str] = ("rating", "rule")

    def __post_init__(self) -> None:
        if not self.rules:
            raise ValueError("a rule table needs at least one rule")

    def __iter__(self) -> Iterator[Rule[Facts]]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def first(self, facts: Facts) -> Rule[Facts]:
        """The first rule that holds for ``facts``; a table whose rules all fail is a programming error."""
        for rule in self.rules:
            if rule.holds(facts):
                return rule
        raise RuntimeError(f"no rule holds for {facts!r}; the table's last rule must be a catch-all")

    def decide(self, facts: Facts) -> str:
        """The outcome of the first rule that holds."""
        return self.first(facts).outcome

    def frame(self) -> pd.DataFrame:
        """The table as a reader sees it: one row per rule, in the order they are tried."""
        return pd.DataFrame([(r.outcome, r.text) for r in self.rules], columns=list(self.columns))


def always(_facts: Any) -> bool:
    """The test of a catch-all rule ("otherwise")."""
    return True
