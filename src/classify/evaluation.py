"""Stage 8, evaluation: statuses against reference labels (confusion matrix,
per-class scores, disagreements, the figures that cannot flatter) and the
tasks per status.

The figures of :func:`scores` are the ones ``make evaluate`` prints for every
labelled set: accuracy, macro-F1, lagging recall **and** precision, accuracy
where a rule decided (not the default, not an abstention) with its coverage,
and the review figures (share of the wrong statuses flagged ``needs_review``,
share of all tasks flagged)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from src.classify.columns import DEFAULT_RULE, NOT_REPORTED, STATUSES
from src.paths import DEV_LABELS_PATH


def _by_default(frame: pd.DataFrame) -> pd.Series:
    if "by_default" in frame.columns and frame["by_default"].notna().all():
        return frame["by_default"].astype(bool)
    if "status_rule" in frame.columns:
        return frame["status_rule"].astype(str).eq(DEFAULT_RULE)
    return pd.Series(False, index=frame.index)


def scores(reference, predicted, *, status_rule=None, needs_review=None, by_default=None) -> dict:
    """The figures of one set: ``n``, ``accuracy``, ``macro_f1`` (over the
    classes present in the reference or the predictions, like scikit-learn),
    ``lagging_recall`` / ``lagging_precision`` (NaN without lagging rows or
    lagging predictions) with ``lagging_support`` / ``lagging_predicted``,
    ``rule_accuracy`` over the rows a rule decided (not ``by_default`` and not
    ``not-reported``) with ``rule_n`` and ``rule_coverage``, ``default_n``,
    ``not_reported_n``, ``errors_flagged`` (share of wrong rows with
    needs_review; NaN without errors) and ``tasks_flagged``."""
    ref = pd.Series(list(reference), dtype=object).astype(str)
    pred = pd.Series(list(predicted), dtype=object).astype(str)
    n = len(ref)
    flagged = (pd.Series(list(needs_review), dtype=bool) if needs_review is not None
               else pd.Series(False, index=ref.index))
    default = (pd.Series(list(by_default), dtype=bool) if by_default is not None
               else pd.Series([r == DEFAULT_RULE for r in status_rule] if status_rule is not None else [False] * n,
                              dtype=bool))
    right = ref.eq(pred)
    classes = [s for s in STATUSES if (ref == s).any() or (pred == s).any()]
    f1s = []
    per_class = {}
    for status in STATUSES:
        tp = int(((ref == status) & (pred == status)).sum())
        support = int((ref == status).sum())
        called = int((pred == status).sum())
        precision = tp / called if called else float("nan")
        recall = tp / support if support else float("nan")
        p, r = (0.0 if precision != precision else precision), (0.0 if recall != recall else recall)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        per_class[status] = {"precision": precision, "recall": recall, "f1": f1, "support": support, "predicted": called}
        if status in classes:
            f1s.append(f1)
    judged = [s for s in classes if s != NOT_REPORTED]
    f1_judged = [per_class[s]["f1"] for s in judged]
    by_rule = ~default & pred.ne(NOT_REPORTED)
    wrong = ~right
    return {
        "n": n,
        "accuracy": float(right.mean()) if n else float("nan"),
        "macro_f1": float(sum(f1s) / len(f1s)) if f1s else float("nan"),
        # the same over completed / on-track / lagging only (未报送 is an abstention, not a judgement)
        "macro_f1_3": float(sum(f1_judged) / len(f1_judged)) if f1_judged else float("nan"),
        "lagging_recall": per_class["lagging"]["recall"],
        "lagging_precision": per_class["lagging"]["precision"],
        "lagging_support": per_class["lagging"]["support"],
        "lagging_predicted": per_class["lagging"]["predicted"],
        "rule_n": int(by_rule.sum()),
        "rule_accuracy": float(right[by_rule].mean()) if by_rule.any() else float("nan"),
        "rule_coverage": float(by_rule.mean()) if n else float("nan"),
        "default_n": int(default.sum()),
        "not_reported_n": int(pred.eq(NOT_REPORTED).sum()),
        "errors": int(wrong.sum()),
        "errors_flagged": float(flagged[wrong].mean()) if wrong.any() else float("nan"),
        "tasks_flagged": float(flagged.mean()) if n else float("nan"),
        "per_class": per_class,
    }


def scores_of(frame: pd.DataFrame, reference: str = "label", predicted: str = "status") -> dict:
    """:func:`scores` of a classified frame holding its reference labels in ``reference``."""
    return scores(frame[reference], frame[predicted],
                  needs_review=frame["needs_review"].astype(bool) if "needs_review" in frame else None,
                  by_default=_by_default(frame))


def format_scores(name: str, s: dict) -> str:
    """One line of figures (the form ``make evaluate`` prints)."""
    def pct(x):
        return "  –  " if x != x else f"{x:5.3f}"
    return (f"{name:<34} n {s['n']:4d}  acc {pct(s['accuracy'])}  macro-F1 {pct(s['macro_f1'])} "
            f"(3 statuses {pct(s.get('macro_f1_3', float('nan')))})  "
            f"lag R {pct(s['lagging_recall'])} P {pct(s['lagging_precision'])} ({s['lagging_support']})  "
            f"rule-decided acc {pct(s['rule_accuracy'])} cov {pct(s['rule_coverage'])}  "
            f"errors flagged {pct(s['errors_flagged'])} ({s['errors']})  tasks flagged {pct(s['tasks_flagged'])}")


def evaluate(classified_df: pd.DataFrame, labels_path=DEV_LABELS_PATH) -> dict | None:
    """Compare statuses with reference labels (CSV ``id,label,evidence``, or a
    DataFrame with those columns).

    Returns ``confusion`` (reference rows × predicted columns, in the order of
    ``STATUSES``), ``per_class`` (precision, recall, f1, support), ``macro_f1``,
    ``accuracy``, ``n``, ``disagreements`` (task_id, reference, predicted,
    status_rule, status_evidence, reference_evidence, needs_review), the review
    figures ``flagged_share`` (share of the compared tasks with needs_review)
    and ``errors_flagged_share`` (share of the disagreements among them; NaN
    without disagreements), and ``scores`` (every figure of :func:`scores`).
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
    predicted["by_default"] = _by_default(classified_df)
    predicted["task_id"] = predicted["task_id"].astype(int)
    merged = labels.merge(predicted, on="task_id", how="inner").sort_values("task_id").reset_index(drop=True)
    merged = merged.rename(columns={"status": "predicted"})
    confusion = pd.DataFrame(0, index=pd.Index(STATUSES, name="reference"), columns=pd.Index(STATUSES, name="predicted"))
    for ref, pred in zip(merged["reference"], merged["predicted"]):
        if ref in STATUSES and pred in STATUSES:
            confusion.loc[ref, pred] += 1
    figures = scores(merged["reference"], merged["predicted"], needs_review=merged["needs_review"],
                     by_default=merged["by_default"])
    per_class = pd.DataFrame([
        {"status": status, "precision": 0.0 if v["precision"] != v["precision"] else v["precision"],
         "recall": 0.0 if v["recall"] != v["recall"] else v["recall"], "f1": v["f1"], "support": v["support"]}
        for status, v in figures["per_class"].items()
    ]).set_index("status")
    disagreements = merged.loc[
        merged["reference"] != merged["predicted"],
        ["task_id", "reference", "predicted", "status_rule", "status_evidence", "reference_evidence", "needs_review"],
    ].reset_index(drop=True)
    return {
        "confusion": confusion,
        "per_class": per_class,
        "macro_f1": figures["macro_f1"],
        "accuracy": figures["accuracy"],
        "n": figures["n"],
        "disagreements": disagreements,
        "flagged_share": figures["tasks_flagged"],
        "errors_flagged_share": figures["errors_flagged"],
        "scores": figures,
    }


def status_counts(classified_df: pd.DataFrame) -> pd.DataFrame:
    """Tasks per status in the order of ``STATUSES`` (未报送 last): count and
    share of all tasks in percent (one decimal place, as notices print them)."""
    counts = classified_df["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    total = int(counts.sum())
    shares = (counts / total * 100).round(1) if total else counts * 0.0
    return pd.DataFrame({"status": list(STATUSES), "tasks": counts.to_numpy(), "share_pct": shares.to_numpy()})
