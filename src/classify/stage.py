"""Stage 7, the build stage: read the cleaned tasks, classify, apply the
overrides, and write the classified table and its summary."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from src import store
from src.classify.columns import CLASSIFIED_OUTPUTS, STATUSES
from src.classify.decide import classify_tasks
from src.classify.overrides import apply_overrides
from src.classify.rules import RULES_PATH, load_rules
from src.classify.schedule import _to_date, elapsed_share
from src.paths import OVERRIDES_PATH


def classify_stage(processed_dir, out_dir=None, as_of=None, overrides_path=None, enrich=None) -> pd.DataFrame:
    """Read ``<processed_dir>/tasks.parquet``, classify, apply overrides, and write
    ``tasks_classified.csv`` / ``.parquet`` and ``classification.json`` (as_of,
    elapsed_share, rule_version, counts…) into ``out_dir`` (default
    ``processed_dir``). ``as_of`` None or "" → ``metadata.json``'s ``as_of``.
    ``overrides_path`` None → ``src.paths.OVERRIDES_PATH`` (skipped if absent).
    ``enrich``: an optional function applied to the classified table before it
    is written (the build adds the cause and theme tags this way)."""
    processed_dir = Path(processed_dir)
    out_dir = Path(out_dir) if out_dir else processed_dir
    tasks = store.read_table(processed_dir / "tasks.parquet")
    if as_of is None or (isinstance(as_of, str) and not as_of.strip()):
        metadata_path = processed_dir / "metadata.json"
        if not metadata_path.exists():
            raise ValueError(f"{metadata_path}: not found; pass as_of explicitly")
        as_of = store.read_json(metadata_path).get("as_of")
        if not as_of:
            raise ValueError(f"{metadata_path}: no 'as_of' key; pass as_of explicitly")
    classified = classify_tasks(tasks, as_of=as_of)
    if overrides_path is None or (isinstance(overrides_path, str) and not overrides_path.strip()):
        overrides_path = OVERRIDES_PATH if Path(OVERRIDES_PATH).exists() else None
    if overrides_path is not None:
        classified = apply_overrides(classified, overrides_path)
    classified.attrs["as_of"] = str(_to_date(as_of))
    rules = load_rules()
    counts = classified["status"].value_counts()
    summary = {
        "as_of": str(_to_date(as_of)),
        "elapsed_share": round(elapsed_share(as_of), 6),
        "rule_version": rules.version,
        "rules_file": RULES_PATH.name,
        "tolerance_pts": rules.tolerance_pts,
        "counts": {status: int(counts.get(status, 0)) for status in STATUSES},
        "needs_review": int(classified["needs_review"].sum()),
        "overrides_applied": int((classified["status_source"] == "override").sum()),
        "overrides_file": Path(overrides_path).name if overrides_path is not None else "",
        "tasks": int(len(classified)),
    }
    if enrich is not None:
        classified = enrich(classified)
    store.write_csv(classified, out_dir / CLASSIFIED_OUTPUTS[0])
    store.write_parquet(classified, out_dir / CLASSIFIED_OUTPUTS[1])
    store.write_json(summary, out_dir / CLASSIFIED_OUTPUTS[2])
    return classified
