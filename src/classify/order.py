"""The ORDER OF DECISION (top of ``status_rules.toml``) as an ordered tuple of steps: the first
step that returns a :class:`src.classify.steps.Decision` decides."""
from __future__ import annotations

from src.classify.completion_steps import (
    completion_scope,
    coverage_achieved,
    document_done,
    named_delivery,
    named_works_done,
    one_item_under_way,
    promise_only,
    task_done_stated,
)
from src.classify.dated_steps import (
    cannot_go_ahead,
    component_share,
    delivery_done,
    due_date_passed,
    held_back,
    listed_not_done,
    one_item_of_several,
    site_pending,
    surface_done,
    task_verb_done,
    within_ceiling,
    year_end_rest,
    year_end_tasks_done,
)
from src.classify.delivery_scope import (  # ROUND 12 judge15
    early_stage_later_year,
    finding_rectified,
    own_object_done,
    short_cell_delivery,
    works_short,
    works_short_scope,
)
from src.classify.due_dates import dated_after_report, reply_date_past_due  # ROUND 12 judge13
from src.classify.late_steps import coverage_share, earlier_year_plan, start_rate_share
from src.classify.replies import not_planned, not_yet_own_verb, stage_still_late, start_planned_late  # ROUND 11 judge10
from src.classify.steps import (
    bare_delivery,
    default_on_track,
    explicit_completed,
    growth_stated_behind,
    growth_stated_met,
    one_off_completed,
    partial_delivery,
    quantified_against_schedule,
    stated_delay,
    stated_early_stage,
    stated_forecast,
    stated_not_started,
    stated_on_track,
    stated_over_fulfilment,
    target_met,
)

RULE_STEPS = (
    listed_not_done,
    one_item_of_several,
    completion_scope,
    works_short_scope,  # ROUND 12 judge15
    early_stage_later_year,  # ROUND 12 judge15

    dated_after_report,  # ROUND 12 judge13
    explicit_completed,
    stated_over_fulfilment,
    year_end_rest,
    within_ceiling,
    target_met,
    coverage_share,
    one_off_completed,
    quantified_against_schedule,
    stated_forecast,
    stated_delay,
    held_back,
    cannot_go_ahead,
    site_pending,
    growth_stated_behind,
    stated_not_started,
    due_date_passed,
    reply_date_past_due,  # ROUND 12 judge13
    stated_early_stage,
    component_share,
    one_item_under_way,
    works_short,  # ROUND 12 judge15
    delivery_done,
    year_end_tasks_done,
    surface_done,
    task_verb_done,
    task_done_stated,
    named_delivery,
    document_done,
    named_works_done,
    coverage_achieved,
    own_object_done,  # ROUND 12 judge15
    finding_rectified,  # ROUND 12 judge15
    stated_on_track,
    partial_delivery,
    growth_stated_met,
    promise_only,
    bare_delivery,
    short_cell_delivery,  # ROUND 12 judge15
    start_rate_share,
    earlier_year_plan,
    stage_still_late,  # ROUND 11 judge10
    not_yet_own_verb,  # ROUND 11 judge10
    start_planned_late,  # ROUND 11 judge10
    not_planned,  # ROUND 11 judge10
    default_on_track,
)

__all__ = ["RULE_STEPS"]
