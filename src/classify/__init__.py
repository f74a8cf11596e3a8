"""Status classifier: completed / on-track / lagging for each key task.

The contract is the status codebook (shared/gold/CODEBOOK.md); every cue
phrase, threshold and tie-break is read from ``data/reference/status_rules.toml``
so that an analyst can extend the rules without touching code. The order of
decision is documented at the top of that file and in
:func:`src.classify.decide._decide`.

Public API (re-exported by ``src.helpers``):

* :func:`elapsed_share` – share of the year elapsed at a report date.
* :func:`load_rules` – the parsed rules file (``rules["version"]``…).
* :func:`classify_tasks` – add the status columns to a task table
  (``classify_tasks(frame, as_of="YYYY-MM-DD", profile=None)``; only ``task``
  and ``progress`` are required).
* :func:`load_profile` / :func:`available_profiles` – office profiles
  (tolerance band, lag tiers) in ``data/reference/profiles/``.
* :func:`apply_overrides` – apply analyst overrides from ``data/overrides.csv``.
* :func:`evaluate` – confusion matrix and scores against reference labels.

Elapsed share (序时进度): a month-end ``as_of`` gives ``month / 12`` exactly
(30 June → 0.5, 30 September → 0.75, 30 November → 0.9167); any other date
gives a day-precise ``day_of_year / days_in_year`` (15 May 2020 → 136/366).

The build step that reads, classifies and writes is :func:`src.pipeline.analyse_stage`.

The modules, by stage (each imports only those above it, and only public
names: the helpers they share are public in ``spans``, ``literals``, ``cues``,
``measures`` and ``schedule``):

* ``columns`` – statuses, text columns read, status columns added, file names;
* ``schedule`` – the report date and :func:`elapsed_share`;
* ``literals`` – literal prefilters, word sets and phrase lists;
* ``spans`` – sentence and clause bounds, evidence phrases (cut safely, "…"),
  numerals in any form;
* ``profiles`` – office profiles (:class:`Profile`);
* ``rules`` – :func:`load_rules`, :class:`Rules` and what is prepared from it;
* ``cues`` – delay, forecast, early-stage, on-track, milestone, completion
  and delivery phrases;
* ``measures`` – quantified measures (:class:`Measure`);
* ``decide`` – the decision per row, its confidence, and :func:`classify_tasks`;
* ``overrides`` – :func:`apply_overrides`;
* ``evaluation`` – :func:`evaluate` and :func:`status_counts`.
"""
from __future__ import annotations

from src.classify.columns import STATUS_COLUMNS, STATUSES
from src.classify.decide import classify_tasks
from src.classify.evaluation import evaluate, status_counts
from src.classify.overrides import OverrideError, apply_overrides
from src.classify.profiles import Profile, available_profiles, load_profile
from src.classify.rules import RULES_PATH, load_rules
from src.classify.schedule import elapsed_share

__all__ = [
    "STATUSES",
    "STATUS_COLUMNS",
    "RULES_PATH",
    "OverrideError",
    "elapsed_share",
    "load_rules",
    "load_profile",
    "available_profiles",
    "Profile",
    "classify_tasks",
    "apply_overrides",
    "evaluate",
    "status_counts",
]
