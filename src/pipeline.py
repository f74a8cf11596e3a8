"""The data pipeline, in one place: load → clean → decide the report date →
classify → overrides → tags → write.

Two steps, because the build caches each on its own inputs:

* :func:`clean_stage` — the raw table → ``tasks.*``, ``quality.json`` and
  ``metadata.json``, which carries the report date decided here, once
  (``--as-of`` if given, else the table's title);
* :func:`analyse_stage` — ``tasks.parquet`` and that date → ``tasks_classified.*``,
  ``classification.json`` and ``keywords.parquet`` (with ``task_terms.parquet``, the
  terms of each task text: segmented once per text, so new statuses alone, an
  override say, need no jieba).

The step in the middle is the chain :func:`classify_table`; notebooks and the
build both call these functions, so a notebook shows exactly what the build
publishes. File names come from :class:`src.paths.ProcessedFiles`.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from src import store
from src.classify import STATUSES, apply_overrides, classify_tasks, elapsed_share, load_profile, load_rules
from src.classify.overrides import ensure_override_columns
from src.classify.queue import rank_review, review_queue_summary
from src.classify.rules import RULES_PATH
from src.paths import processed_files
from src.report_date import decide_report_date, metadata_report_date
from src.table.parse import ParsedTable, parse_table
from src.table.schema import validate_tasks
from src.text import add_text_features, keyword_table, task_terms

__all__ = ["clean_stage", "analyse_stage", "classify_table", "classification_summary", "ProfileError"]


class ProfileError(ValueError):
    """An office profile that does not exist or cannot be read."""


def clean_stage(raw_path: str | Path, data_dir: str | Path, as_of=None) -> ParsedTable:
    """Parse the raw table, decide the report date, write the clean files.

    ``as_of`` (a date or 'YYYY-MM-DD') overrides the period in the title;
    ``metadata.json`` records the decided ``as_of``, its ``as_of_source``
    ('as_of' or 'title') and the title's own date as ``document_as_of``.
    A title without a period and no ``as_of`` leaves ``as_of`` empty, and the
    next step refuses to classify (:class:`src.report_date.ReportDateError`).
    A table that breaks the contract of :mod:`src.table.schema` (an empty task, a duplicate
    id) raises :class:`src.table.problems.RawTableError` naming its line.
    """
    files = processed_files(data_dir)
    parsed = parse_table(raw_path)
    validate_tasks(parsed.tasks, str(raw_path))  # the contract, before anything is written (src.table.schema)
    parsed.metadata = with_report_date(parsed.metadata, as_of)
    store.write_csv(parsed.tasks, files.tasks_csv)
    store.write_parquet(parsed.tasks, files.tasks)
    store.write_json(parsed.metadata, files.metadata)
    store.write_json(parsed.quality, files.quality)
    return parsed


def with_report_date(metadata: dict, as_of=None) -> dict:
    """``metadata`` with the decided report date (left empty when undecidable)."""
    stated = metadata.get("document_as_of", metadata.get("as_of"))
    out = {**metadata, "document_as_of": stated}
    if as_of in (None, "") and not stated:
        return {**out, "as_of": None, "as_of_source": None}
    decided, source = decide_report_date(out, as_of)
    return {**out, "as_of": decided.isoformat(), "as_of_source": source}


def classify_table(tasks: pd.DataFrame, as_of, overrides_path: str | Path | None = None, profile=None,
                   warnings: list | None = None) -> pd.DataFrame:
    """The judgement as one chain: rules → analyst overrides → the review queue ranked within its
    budget (:func:`src.classify.queue.rank_review`) → cause and theme tags
    (overrides not applied, because made for another task text, are added to ``warnings``)."""
    return (
        tasks
        .pipe(_classify, as_of=as_of, profile=profile)
        .pipe(_overrides, overrides_path, warnings)
        .pipe(rank_review)
        .pipe(add_text_features)
    )


def analyse_stage(data_dir: str | Path, out_dir: str | Path | None = None,
                  overrides_path: str | Path | None = None, profile=None, as_of=None,
                  overrides_source: str | Path | None = None) -> pd.DataFrame:
    """Classify ``<data_dir>/tasks.parquet`` and write the classified table, its summary and the
    keywords into ``out_dir`` (default ``data_dir``): everything a report template reads, so
    ``01_clean`` → ``02_classify`` → a template chain on an analyst's scratch folder.

    The report date is the one in ``metadata.json`` unless ``as_of`` is given (an analyst trying
    another date: ``metadata.json`` then records it); written to another folder,
    ``metadata.json`` and ``quality.json`` go along. ``overrides_path`` None → no overrides;
    ``overrides_source``: the analyst's file when ``overrides_path`` is the build's private copy of
    its bytes (recorded in ``classification.json``, where the review widget writes)."""
    source = processed_files(data_dir)
    target = processed_files(out_dir or data_dir)
    metadata = store.read_json(source.metadata)
    if as_of not in (None, ""):
        metadata = with_report_date(metadata, as_of)
    report_date = metadata_report_date(metadata, where=source.metadata)
    warnings: list[str] = []
    classified = classify_table(store.read_table(source.tasks), report_date, overrides_path, profile, warnings)
    store.write_csv(classified, target.classified_csv)
    store.write_parquet(classified, target.classified)
    summary = classification_summary(classified, report_date, overrides_path, profile)
    recorded = overrides_source if overrides_source not in (None, "") else overrides_path
    summary["overrides_path"] = str(Path(recorded).resolve()) if recorded not in (None, "") else ""
    # overrides made for another task text: not applied (the build lists them); the tasks overridden
    summary["override_warnings"] = warnings
    overridden = classified.loc[classified["status_source"] == "override", "task_id"]
    summary["overridden_task_ids"] = sorted(int(t) for t in overridden)
    store.write_json(summary, target.classification)
    terms = task_terms(classified, cache=target.terms)  # segmented once per text: an override re-uses them
    store.write_parquet(keyword_table(classified, terms=terms), target.keywords)
    if target.folder != source.folder or as_of not in (None, ""):  # the templates read the date used here
        store.write_json(metadata, target.metadata)
    if target.folder != source.folder:  # and the quality summary beside the table
        if source.quality.exists():
            store.write_json(store.read_json(source.quality), target.quality)
    return classified


def classification_summary(classified: pd.DataFrame, as_of, overrides_path=None, profile=None) -> dict:
    """What ``classification.json`` says: the date, the rules, the counts."""
    rules = load_rules()
    counts = classified["status"].value_counts()
    return {
        "as_of": as_of.isoformat(),
        "elapsed_share": round(elapsed_share(as_of), 6),
        "rule_version": rules.version,
        "rules_file": RULES_PATH.name,
        "tolerance_pts": rules.tolerance_pts,
        "profile": _profile_name(classified, profile),
        "profile_label": load_profile(_profile_name(classified, profile)).label,
        "counts": {status: int(counts.get(status, 0)) for status in STATUSES},
        "needs_review": int(classified["needs_review"].sum()),
        "review_queue": review_queue_summary(classified),
        "by_default": int(classified["by_default"].sum()) if "by_default" in classified else 0,
        "overrides_applied": int((classified["status_source"] == "override").sum()),
        "overrides_file": Path(overrides_path).name if overrides_path is not None else "",
        "tasks": int(len(classified)),
    }


def _profile_name(classified: pd.DataFrame, profile=None) -> str:
    if "profile" in classified.columns and len(classified):
        return str(classified["profile"].iloc[0])
    return str(profile or "strict")


def _classify(tasks: pd.DataFrame, as_of, profile=None) -> pd.DataFrame:
    try:
        office = load_profile(profile)
    except ValueError as error:
        raise ProfileError(str(error)) from None
    return classify_tasks(tasks, as_of=as_of, profile=office)


def _overrides(classified: pd.DataFrame, overrides_path, warnings: list | None = None) -> pd.DataFrame:
    if overrides_path is None:
        return ensure_override_columns(classified)  # the same columns, whether or not there is an overrides file
    return apply_overrides(classified, overrides_path, warnings)
