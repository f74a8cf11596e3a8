"""The classifier's vocabulary, shared by every stage: the statuses, the text
and number columns it reads, the status columns it adds and the overrides
header (the files the build writes are named in :mod:`src.paths`)."""
from __future__ import annotations

# 未报送 (not-reported): the progress cell is empty or missing, so nothing was
# reported; never counted as on-track, listed last (report_style.toml status_order).
NOT_REPORTED = "not-reported"
STATUSES = ("completed", "on-track", "lagging", NOT_REPORTED)
# The rule of a status reached only by the default (no rule fired): by_default = True.
DEFAULT_RULE = "default-on-track"
NOT_REPORTED_RULE = "not-reported"
TEXT_FIELDS = ("task", "progress", "problems", "next_steps")
# Structured number columns of a table (年度目标 / 截至本期完成值 / 完成率, named in
# data/reference/table_format.toml): read first when they hold numbers.
NUMBER_FIELDS = ("target", "actual", "rate")
# The header of the target column when it names a period's plan (1-7月计划, 上半年目标:
# [columns.period_target] of table_format.toml): the plan's span is the yardstick.
HEADER_FIELDS = ("target_header",)
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
    "review_model_p",  # the review model's P(status wrong), NaN without data/reference/review_model.toml
    "confidence",
    "confidence_reason",
    "no_clear_statement",
    "by_default",
    "gap",
    "measure_target",
    "measure_actual",
    "measure_unit",
    "measure_share",
    "items_total",
    "items_behind",
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
