"""Stage 8, evaluation: statuses against reference labels (confusion matrix,
per-class scores, disagreements) and the tasks per status."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from src.classify.columns import STATUSES
from src.paths import DEV_LABELS_PATH


def evaluate(classified_df: pd.DataFrame, labels_path=DEV_LABELS_PATH) -> dict | None:
    """Compare statuses with reference labels (CSV ``id,label,evidence``, or a
    DataFrame with those columns).

    Returns ``confusion`` (reference rows × predicted columns, in the order
    completed, on-track, lagging), ``per_class`` (precision, recall, f1,
    support), ``macro_f1``, ``accuracy``, ``n``, ``disagreements`` (task_id,
    reference, predicted, status_rule, status_evidence, reference_evidence,
    needs_review) and the review figures: ``flagged_share`` (share of the
    compared tasks with needs_review) and ``errors_flagged_share`` (share of
    the disagreements among them; NaN without disagreements).
    A missing labels file gives None.
    """
    if labels_path is None:
        return None
    if isinstance(labels_path, pd.DataFrame):
        labels = labels_path.astype(str)
    else:
        labels_path = Path(labels_path)
        if not labels_path.exists():
            return None
        labels = pd.read_csv(labels_path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    id_column = "id" if "id" in labels.columns else "task_id"
    labels = labels.rename(columns={id_column: "task_id", "label": "reference", "evidence": "reference_evidence"})
    labels["task_id"] = labels["task_id"].astype(int)
    if "reference_evidence" not in labels.columns:
        labels["reference_evidence"] = ""
    predicted = classified_df[["task_id", "status", "status_rule", "status_evidence"]].copy()
    predicted["needs_review"] = (classified_df["needs_review"].astype(bool) if "needs_review" in classified_df
                                 else False)
    predicted["task_id"] = predicted["task_id"].astype(int)
    merged = labels.merge(predicted, on="task_id", how="inner").sort_values("task_id").reset_index(drop=True)
    merged = merged.rename(columns={"status": "predicted"})
    confusion = pd.DataFrame(0, index=pd.Index(STATUSES, name="reference"), columns=pd.Index(STATUSES, name="predicted"))
    for ref, pred in zip(merged["reference"], merged["predicted"]):
        if ref in STATUSES and pred in STATUSES:
            confusion.loc[ref, pred] += 1
    per_class = []
    for status in STATUSES:
        tp = int(confusion.loc[status, status])
        predicted_n = int(confusion[status].sum())
        support = int(confusion.loc[status].sum())
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class.append({"status": status, "precision": precision, "recall": recall, "f1": f1, "support": support})
    per_class = pd.DataFrame(per_class).set_index("status")
    n = int(len(merged))
    # like scikit-learn: average over the classes present in the reference or the predictions
    present = per_class[(per_class["support"] > 0) | (confusion.sum(axis=0) > 0)]
    macro_f1 = float(present["f1"].mean()) if len(present) else float("nan")
    accuracy = float((merged["reference"] == merged["predicted"]).mean()) if n else float("nan")
    disagreements = merged.loc[
        merged["reference"] != merged["predicted"],
        ["task_id", "reference", "predicted", "status_rule", "status_evidence", "reference_evidence", "needs_review"],
    ].reset_index(drop=True)
    flagged_share = float(merged["needs_review"].mean()) if n else float("nan")
    errors_flagged_share = float(disagreements["needs_review"].mean()) if len(disagreements) else float("nan")
    return {
        "confusion": confusion,
        "per_class": per_class,
        "macro_f1": macro_f1,
        "accuracy": accuracy,
        "n": n,
        "disagreements": disagreements,
        "flagged_share": flagged_share,
        "errors_flagged_share": errors_flagged_share,
    }


def status_counts(classified_df: pd.DataFrame) -> pd.DataFrame:
    """Tasks per status in the order completed, on-track, lagging: count and
    share of all tasks in percent (one decimal place, as notices print them)."""
    counts = classified_df["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    total = int(counts.sum())
    shares = (counts / total * 100).round(1) if total else counts * 0.0
    return pd.DataFrame({"status": list(STATUSES), "tasks": counts.to_numpy(), "share_pct": shares.to_numpy()})
