"""The explore notebook's logic (``from src import explore as ex``), by job:

* :mod:`src.explore.query` — load the build's tables, read what the analyst typed, filter, the frames shown;
* :mod:`src.explore.app` — :class:`ExploreApp`, the widgets and the interactive tables;
* :mod:`src.explore.review` — the review queue that writes the period's overrides.
"""
from src.explore.app import ExploreApp, interactive_table_html
from src.explore.query import (
    ExploreInputError,
    Loaded,
    NothingBuiltError,
    cause_evidence_frame,
    cause_frame,
    detail_frame,
    filter_tasks,
    keyword_frame,
    load_comparison,
    load_tasks,
    normalise_leader,
    normalise_status,
    normalise_unit,
    review_widget,
    setup_notebook,
    table_frame,
    theme_frame,
)
from src.explore.review import ReviewQueue, review_queue

__all__ = [
    "ExploreApp", "interactive_table_html", "ExploreInputError", "Loaded", "NothingBuiltError", "cause_evidence_frame",
    "cause_frame", "detail_frame", "filter_tasks", "keyword_frame", "load_comparison", "load_tasks", "normalise_leader",
    "normalise_status", "normalise_unit", "review_widget", "setup_notebook", "table_frame", "theme_frame",
    "ReviewQueue", "review_queue",
]
