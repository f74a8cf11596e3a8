"""The build's stages as plain functions: each reads files, writes files, and
returns what it wrote. Notebooks and ``python -m src.build`` both call these."""
from __future__ import annotations

from pathlib import Path

from src import store
from src.parse import ParsedTable, metadata_json, parse_table  # noqa: F401

CLEAN_OUTPUTS = ("tasks.csv", "tasks.parquet", "metadata.json", "quality.json")


def clean_stage(raw_path: str | Path, processed_dir: str | Path) -> ParsedTable:
    """Parse the raw table and write tasks.csv/.parquet, metadata.json and quality.json."""
    processed_dir = Path(processed_dir)
    parsed = parse_table(raw_path)
    store.write_csv(parsed.tasks, processed_dir / "tasks.csv")
    store.write_parquet(parsed.tasks, processed_dir / "tasks.parquet")
    store.write_json(parsed.metadata, processed_dir / "metadata.json")
    store.write_json(parsed.quality, processed_dir / "quality.json")
    return parsed


def analyse_stage(
    processed_dir: str | Path,
    out_dir: str | Path | None = None,
    as_of: str | None = None,
    overrides_path: str | Path | None = None,
):
    """Classify (with overrides), tag causes and themes, and precompute keywords.

    Reads ``processed_dir/tasks.parquet``; writes tasks_classified.csv/.parquet,
    classification.json and keywords.parquet into ``out_dir`` (default
    ``processed_dir``). The report notebooks only read these, so this work is
    done once per build, not once per leader.
    """
    from src.classify import classify_stage
    from src.text import add_text_features, keywords

    out_dir = Path(out_dir or processed_dir)
    classified = classify_stage(processed_dir, out_dir, as_of=as_of, overrides_path=overrides_path, enrich=add_text_features)
    store.write_parquet(keyword_table(classified, keywords), out_dir / "keywords.parquet")
    return classified


def keyword_table(classified, keywords, top_n: int = 20):
    """Keywords per leader and per status in one long table (scope = leader | status)."""
    import pandas as pd

    by_leader = keywords(classified, by="leader", top_n=top_n).assign(scope="leader", status="")
    by_status = (
        keywords(classified, by="status", top_n=top_n)
        .assign(scope="status", leader="")
    )
    columns = ["scope", "leader", "status", "term", "weight", "tasks", "rank"]
    return pd.concat([by_leader[columns], by_status[columns]], ignore_index=True)
