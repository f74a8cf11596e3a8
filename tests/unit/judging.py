"""What the classify tests share: one task judged on a frame with only ``task`` and ``progress``,
and the rules with one family's notices read (its ``read_from``) switched off."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from src.classify import load_rules
from src.classify.rules import families_read_from, rules_without
from src.helpers import classify_tasks


def judge_at(default_as_of: str) -> Callable[..., pd.Series]:
    """``judge(task, progress, as_of=default_as_of, **classify_kwargs)`` → the classified row."""

    def judge(task: str, progress: str, as_of: str = default_as_of, **kwargs) -> pd.Series:
        frame = pd.DataFrame({"task_id": [1], "task": [task], "progress": [progress]})
        return classify_tasks(frame, as_of=as_of, **kwargs).iloc[0]

    return judge


def without(*families: str):
    """The rules as a notice each family ``families.<family>`` was read from sees them (those families off,
    with every other family read from the same notices)."""
    rules = load_rules()
    read_from = families_read_from(rules)
    for family in families:
        rules = rules_without(rules, read_from[f"families.{family}"][0])
    return rules
