"""Period over period (与上期比较), by job:

* :mod:`src.compare.matching` — the two periods' tasks matched one to one, and what moved;
* :mod:`src.compare.normalise` — the text as the matcher compares it;
* :mod:`src.compare.stale` — 进展未更新: progress copied from the previous period;
* :mod:`src.compare.series` — is the previous table an earlier period of the same series;
* :mod:`src.compare.previous` — loading the previous period and the build's comparison step;
* :mod:`src.compare.sentences` — the comparison's data and sentences for the reports;
* :mod:`src.compare.periods` — each published period kept as a folder (``data/periods/<id>/``).

The names analysts and the reports use are listed here (``compare.run_comparison``…). Each is loaded
from its module on first use — a documented cold-start reason: the build imports :mod:`src.compare.periods`
on every run, and a rebuild with nothing to do must not load pandas for it (0.38 s of a 0.9 s no-op).
``python -m src.compare`` runs a comparison.
"""
import importlib

_WHERE = {
    **dict.fromkeys(["COMPARISON_COLUMNS", "MATCH_COLUMNS", "SETTINGS_PATH", "SHEET_COLUMNS", "ComparisonError", "change_label", "compare_periods", "load_settings", "match_tasks", "normalise_text", "read_comparison", "read_comparison_info", "task_history", "write_comparison"],
                    "src.compare.matching"),
    **dict.fromkeys(["ComparisonRun", "PreviousPeriod", "check_same_series", "find_previous_in_raw", "load_previous", "main", "run_comparison"],
                    "src.compare.previous"),
    **dict.fromkeys(["comparison_sentences", "comparison_sheet", "gap_words", "lagging_both_periods", "lagging_share_change", "leader_changes", "transition_counts", "unit_ranking_change", "unit_renames"],
                    "src.compare.sentences"),
    **dict.fromkeys(["period_label"],
                    "src.compare.series"),
    **dict.fromkeys(["mark_stale", "stale_by_unit", "stale_count"],
                    "src.compare.stale"),
}

__all__ = [
    "SETTINGS_PATH", "COMPARISON_COLUMNS", "MATCH_COLUMNS", "SHEET_COLUMNS", "ComparisonError", "load_settings",
    "normalise_text", "match_tasks", "change_label", "compare_periods", "write_comparison", "read_comparison",
    "read_comparison_info", "task_history", "PreviousPeriod", "ComparisonRun", "check_same_series", "load_previous",
    "find_previous_in_raw", "run_comparison", "main", "period_label", "transition_counts", "gap_words", "lagging_both_periods",
    "unit_renames", "lagging_share_change", "unit_ranking_change", "leader_changes", "comparison_sentences",
    "comparison_sheet", "mark_stale", "stale_count", "stale_by_unit",
]


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'src.compare' has no attribute {name!r}")
