"""The classifier's vocabulary, shared by every stage: the three statuses,
the text columns it reads, the status columns it adds and the overrides header
(the files the build writes are named in :mod:`src.paths`)."""
from __future__ import annotations

STATUSES = ("completed", "on-track", "lagging")
TEXT_FIELDS = ("task", "progress", "problems", "next_steps")
# The columns a table must have; the others read as empty when absent (other
# offices' notices have no problems / next-steps columns).
REQUIRED_TEXT_FIELDS = ("task", "progress")
STATUS_COLUMNS = (
    "status",
    "status_evidence",
    "status_rule",
    "progress_ratio",
    "schedule_gap_pts",
    "progress_items",
    "needs_review",
    "review_reason",
    "confidence",
    "confidence_reason",
    "no_clear_statement",
    "lag_tier",
    "profile",
    "status_source",
    "override_reason",
    "override_reviewer",
    "override_date",
    "rule_evidence",
    "rule_status",
    "rules_version",
)
OVERRIDE_HEADER = ["task_id", "status", "reason", "reviewer", "date"]
