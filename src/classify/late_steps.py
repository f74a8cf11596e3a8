"""Stage 5a, the decision steps added in the seventh round (issue 22): shares and dates read from
half A of corpus batch 6 — a coverage share for a task of full coverage, a start rate for a task to
start works, works planned for an earlier year. Each is a family of ``status_rules.toml`` with its
``read_from``; switched off, a step returns None."""
from __future__ import annotations

import re

from src.classify.spans import evidence_phrase
from src.classify.steps import Decision, Facts


def coverage_share(f: Facts) -> Decision | None:
    """3b. A task of full coverage (全覆盖) judged by the coverage share the row states (覆盖 77.3%
    的建制镇) before any count built ([families.coverage_share])."""
    family = f.rules.family("coverage_share")
    pattern = family.get("pattern")
    if not pattern or not any(w in f.row["task"] for w in family.get("task_words", [])):
        return None
    match = re.search(pattern, f.row["progress"])
    if match is None:
        return None
    value = float(match.group(1))
    evidence = evidence_phrase(f.row["progress"], match.start(), match.end())
    if value >= 100:
        return Decision("completed", "target-met", evidence, ratio=1.0)
    below = value - f.schedule * 100 < -f.tolerance
    return Decision("lagging" if below else "on-track", "quantified-below-schedule" if below else
                    "quantified-on-schedule", evidence, ratio=value / 100)


def start_rate_share(f: Facts) -> Decision | None:
    """13c. A task to start works judged by its start rate (开工率 N%) against the elapsed share
    ([families.start_rate_share]): most rates below it lagging, all at 100% completed."""
    family = f.rules.family("start_rate_share")
    task = f.row["task"]
    if not family.get("switch") or not any(v in task for v in f.rules["quantities"]["start_verbs"]):
        return None
    if any(w in task for w in family.get("deliverable_words", [])):
        return None
    text = f.row["progress"]
    found = list(re.finditer(family.get("rate_pattern", "(?!)"), text))
    if not found:
        return None
    rates = [float(m.group(1)) for m in found]
    below = [r for r in rates if r - f.schedule * 100 < -f.tolerance]
    evidence = evidence_phrase(text, found[0].start(), found[0].end())
    if 2 * len(below) > len(rates):
        return Decision("lagging", "quantified-below-schedule", evidence, ratio=min(rates) / 100)
    if all(r >= 100 for r in rates):
        return Decision("completed", "target-met", evidence, ratio=1.0)
    return Decision("on-track", "quantified-on-schedule", evidence, ratio=min(rates) / 100)


def earlier_year_plan(f: Facts) -> Decision | None:
    """13d. Works planned for a year before the report's (2019年下半年施工) in a row that says
    nothing done and nothing else: overdue ([families.earlier_year_plan]), lagging."""
    pattern = f.rules.family("earlier_year_plan").get("pattern")
    text = f.row["progress"]
    if not pattern or f.completions or f.deciding:
        return None
    if any(w in text for w in f.rules.family("earlier_year_plan").get("done_words") or []):
        return None  # a done word of any object: the row reports something delivered
    for match in re.finditer(pattern, text):
        if int(match.group("year")) < f.row["_date"].year:
            return Decision("lagging", "stated-not-started", evidence_phrase(text, match.start(), match.end()))
    return None


__all__ = ["coverage_share", "start_rate_share", "earlier_year_plan"]
