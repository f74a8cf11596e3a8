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
