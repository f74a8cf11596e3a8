"""Re-measure the learned judgement of branch ``judgement`` (commits 417de4e … 0fbeae0: two
scikit-learn logistic regressions over the rules' FEATURES of a row) on the whole corpus,
strictly leave-one-notice-out, by batch (a script that prints figures; nothing is written and
the build never imports it).

    .venv/bin/python benchmarks/train_judgement_model.py [--corpus PATH]

Needs scikit-learn (``pip install scikit-learn==1.9.1``; measurement only, not a dependency of
the build: no part of the model was kept, see docs/classifier.md).

1. Every corpus row is judged by the rules ALONE with the families read from its own notice
   switched off (leave-one-notice-out, as ``make evaluate``), and its features are kept
   (:func:`row_features`, the judgement branch's: what the rules found and decided, never the
   row's words), with, since the eighth round, the rule that decided (``rule=<status_rule>``)
   and each review signal that flagged the row (``reason=<signal>``; :func:`with_flag_features`).
   The features are read off the rules' own ``Facts`` by wrapping the decision for this script
   only.
2. Leave-one-notice-out for the models too: the models that score notice X are fitted on the
   other notices' rows only (X never seen).
3. Parts, as on the branch: a **status model** that may overrule only the default or a
   low-confidence rule (P >= 0.5), and a **review model** (P(the rules' status is wrong); its
   threshold flags 15% of the training rows; measured replacing the rules' own flags, as on the
   branch, and added to them). A part would be kept only if leave-one-notice-out
   shows it helps on BOTH batches separately, dev2020 stays >= 0.95 and the review model flags
   <= 20% of the project's own 2020 table (models fitted on the whole corpus; the 2020 labels
   are never training data).
"""
from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

try:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
except ImportError:  # measurement only: the build never needs it
    sys.exit("需要 scikit-learn（仅用于本测量脚本）/ this measurement needs scikit-learn: "
             ".venv/bin/python -m pip install scikit-learn==1.9.1")

from benchmarks.evaluate_classifier import CORPUS_PATH, gold_dir  # noqa: E402
from src import paths, store  # noqa: E402
from src.classify import decide, load_rules  # noqa: E402
from src.classify.columns import DEFAULT_RULE  # noqa: E402
from src.classify.cues import (  # noqa: E402
    find_delay_cues,
    find_early_stage_cues,
    find_forecast_cues,
    find_on_track_cues,
)
from src.classify.evaluation import format_scores, scores_of  # noqa: E402
from src.classify.queue import reason_keys  # noqa: E402
from src.classify.rules import families_read_from, rules_without  # noqa: E402
from src.pipeline import clean_stage  # noqa: E402
from src.report_date import metadata_report_date  # noqa: E402

MODEL_STATUSES = ("completed", "on-track", "lagging")
REVIEW_SHARE = 0.15
MAX_FLAGGED = 0.20
STATUS_THRESHOLD = 0.5
C = 0.5
GENRE_WORDS = {
    "growth": ("增长", "增速", "同比", "增幅", "下降"),
    "money": ("亿元", "万元", "投资"),
    "target_word": ("目标", "预期", "计划"),
    "year_forecast": ("预计全年", "全年预计", "预计年底"),
}
RULE_GROUPS = {
    "completed": ("explicit-completed", "stated-over-fulfilment", "target-met", "one-off-completed", "stated-delivered"),
    "quantified": ("quantified-below-schedule", "quantified-on-schedule"),
    "stated_lagging": ("stated-forecast", "stated-delay", "stated-pending", "stated-growth-behind", "stated-not-started"),
    "stated_on_track": ("stated-early-stage", "stated-on-track", "stated-milestone", "stated-growth-met"),
    "default": (DEFAULT_RULE,),
}


def _log(n: float) -> float:
    return math.log1p(max(n, 0.0))


def row_features(row: dict, facts, decision, confidence: str) -> dict:
    """The judgement branch's features of one judged row (417de4e), unchanged but for
    stated-delivered counted with the completion rules."""
    schedule = facts.schedule
    gap = decision.ratio * 100 - schedule * 100 if not math.isnan(decision.ratio) else float("nan")
    delays = facts.cues(find_delay_cues)
    growth = [m for m in facts.measures if m.kind in ("growth", "forecast")]
    progress, task = row.get("progress", ""), row.get("task", "")
    structured = any((row.get(name) or "").strip() for name in ("target", "actual", "rate"))
    x = {
        "status_completed": float(decision.status == "completed"),
        "status_lagging": float(decision.status == "lagging"),
        **{f"rule_{group}": float(decision.rule in names) for group, names in RULE_GROUPS.items()},
        "has_share": float(not math.isnan(gap)),
        "gap": max(-1.0, min(1.0, gap / 100)) if not math.isnan(gap) else 0.0,
        "gap_close": float(not math.isnan(gap) and abs(gap) < 10),
        "share_over_100": float(not math.isnan(decision.ratio) and decision.ratio >= 1),
        "schedule": schedule,
        "year_end": float(schedule >= 1),
        "measures": _log(len(facts.measures)),
        "deciding": _log(len(facts.deciding)),
        "below_share": len(facts.below) / len(facts.deciding) if facts.deciding else 0.0,
        "task_target": float(bool(facts.targets)),
        "structured": float(structured),
        "growth_measure": float(bool(growth)),
        "growth_behind": float(any(m.ratio is not None and m.ratio * 100 < schedule * 100 for m in growth)),
        "delay_cues": _log(len([c for c in delays if not c.weak])),
        "weak_delay_cues": _log(len([c for c in delays if c.weak])),
        "completion_cues": _log(len(facts.completions)),
        "early_stage_cues": _log(len(facts.cues(find_early_stage_cues))),
        "forecast_cues": _log(len(facts.cues(find_forecast_cues))),
        "on_track_cues": _log(len(facts.cues(find_on_track_cues))),
        "rule_review": float(bool(decision.review)),
        "confidence_low": float(confidence == "low"),
        "confidence_high": float(confidence == "high"),
        "progress_percent": float("%" in progress or "％" in progress),
    }
    for name, words in GENRE_WORDS.items():
        x[f"genre_{name}"] = float(any(w in task or w in progress for w in words))
    return x


# --------------------------------------------------------------------------
# the rules' decision, with its facts kept (this script only)
# --------------------------------------------------------------------------
_SEEN: list = []


def _capturing(finish):
    def wrapped(decision, facts):
        out = finish(decision, facts)
        _SEEN.append((facts, out))
        return out
    return wrapped


def _judge_rows_with_features(judge_rows):
    def wrapped(records, table):
        rows = []
        for record in records:
            _SEEN.clear()
            row = judge_rows([record], table)[0]
            if _SEEN:
                facts, decision = _SEEN[-1]
                row["_features"] = row_features(facts.row, facts, decision, row["confidence"])
            rows.append(row)
            FEATURES.append(row.get("_features"))
        return rows
    return wrapped


FEATURES: list = []
decide._finish = _capturing(decide._finish)
decide.judge_rows = _judge_rows_with_features(decide.judge_rows)


def classify_with_features(frame: pd.DataFrame, rules=None) -> pd.DataFrame:
    from benchmarks.evaluate_classifier import classify_rows
    FEATURES.clear()
    out = classify_rows(frame, rules=rules)  # groups by as_of in sorted order, rows in frame order within
    order = [i for _, group in frame.reset_index(drop=True).groupby("as_of", sort=True) for i in group.index]
    features = dict(zip(order, FEATURES))
    out = out.reset_index(drop=True)
    out["features"] = [features.get(i) for i in range(len(out))]
    return out


def with_flag_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Each row's features with the rule family that decided (``rule=<status_rule>``) and the
    review signals that flagged it (``reason=<signal>``, :func:`src.classify.queue.reason_keys`)
    added as 0/1 features (eighth round: the sixth round's signals were not features before)."""
    out = frame.copy()
    extra = []
    for features, rule, reasons in zip(out["features"], out["status_rule"], out["review_reason"], strict=True):
        if not isinstance(features, dict):
            extra.append(features)
            continue
        keys = reason_keys(reasons)
        extra.append({**features, f"rule={rule}": 1.0, **{f"reason={k}": 1.0 for k in keys},
                      "reasons": _log(len(keys))})
    out["features"] = extra
    return out


def rules_alone(frame: pd.DataFrame) -> pd.DataFrame:
    base = load_rules()
    read = {o for origins in families_read_from(base).values() for o in origins}
    parts = []
    for notice, part in frame.groupby("notice_id", sort=False):
        rules = rules_without(base, notice) if notice in read else base
        parts.append(classify_with_features(part, rules))
    return with_flag_features(pd.concat(parts, ignore_index=True))


# --------------------------------------------------------------------------
# the two models
# --------------------------------------------------------------------------
def _matrix(frame: pd.DataFrame, names: list | None = None) -> tuple[np.ndarray, pd.Series, list]:
    """The rows' features as a matrix; ``names`` (the columns a model was fitted on) fixes the
    columns, a feature the rows lack reading 0 (a rule or a signal absent from a notice)."""
    mask = frame["features"].map(lambda x: isinstance(x, dict))
    table = pd.DataFrame(list(frame.loc[mask, "features"]), index=frame.index[mask])
    names = sorted(table.columns) if names is None else names
    return table.reindex(columns=names).fillna(0.0).to_numpy(dtype=float), mask, names


def _fit(x: np.ndarray, y: np.ndarray):
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=C, max_iter=2000, class_weight="balanced").fit(scaler.transform(x), y)
    return scaler, model


def fit(frame: pd.DataFrame) -> dict:
    x, mask, names = _matrix(frame)
    part = frame[mask]
    wrong = (part["label"] != part["status"]).to_numpy().astype(int)
    review = _fit(x, wrong)
    p = np.sort(review[1].predict_proba(review[0].transform(x))[:, 1])
    threshold = float(p[int(len(p) * (1 - REVIEW_SHARE))]) if len(p) else 0.5
    keep = part["label"].isin(MODEL_STATUSES).to_numpy()
    status = _fit(x[keep], part["label"].to_numpy()[keep])
    return {"review": review, "threshold": threshold, "status": status, "names": names}


def apply(frame: pd.DataFrame, models: dict, use: tuple) -> pd.DataFrame:
    out = frame.copy()
    x, mask, _ = _matrix(frame, models["names"])
    if not mask.any():
        return out
    idx = frame.index[mask]
    if "status" in use:
        scaler, model = models["status"]
        probs = model.predict_proba(scaler.transform(x))
        classes = list(model.classes_)
        for k, i in enumerate(idx):
            rule, confidence = frame.at[i, "status_rule"], frame.at[i, "confidence"]
            if not (rule == DEFAULT_RULE or confidence == "low"):
                continue
            best = classes[int(np.argmax(probs[k]))]
            if best != frame.at[i, "status"] and probs[k].max() >= STATUS_THRESHOLD:
                out.at[i, "status"], out.at[i, "status_rule"], out.at[i, "by_default"] = best, "model-" + best, False
                out.at[i, "needs_review"] = True
    if "review" in use or "review-or" in use:
        scaler, model = models["review"]
        p = model.predict_proba(scaler.transform(x))[:, 1]
        for k, i in enumerate(idx):
            flag = bool(p[k] >= models["threshold"]) or out.at[i, "status_rule"].startswith("model-")
            # "review": the model's flag replaces the rules' (as on the branch); "review-or": added to them
            out.at[i, "needs_review"] = flag or (bool(out.at[i, "needs_review"]) and "review-or" in use)
    return out


def lono_models(frame: pd.DataFrame, use: tuple) -> pd.DataFrame:
    parts = []
    for notice, part in frame.groupby("notice_id", sort=False):
        parts.append(apply(part, fit(frame[frame["notice_id"] != notice]), use))
    return pd.concat(parts).loc[frame.index]


def own_table(models: dict, gold: Path) -> tuple[dict, float, float]:
    """dev2020 figures with the models fitted on the whole corpus, and the share of the
    project's own table flagged by the review model / changed by the status model."""
    with tempfile.TemporaryDirectory() as scratch:
        clean_stage(paths.DEFAULT_RAW_PATH, Path(scratch))
        as_of = metadata_report_date(store.read_json(Path(scratch) / "metadata.json"))
        tasks = store.read_table(Path(scratch) / "tasks.parquet")
    FEATURES.clear()
    classified = decide.classify_tasks(tasks, as_of=as_of)
    classified = classified.reset_index(drop=True)
    classified["features"] = FEATURES[:len(classified)]
    classified = with_flag_features(classified)
    labels = pd.read_csv(gold / "dev_labels.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    out = {}
    for use in ((), ("review",), ("review-or",), ("status",)):
        judged = apply(classified, models, use)
        merged = judged.merge(labels[["id", "label"]].assign(task_id=labels["id"].astype(int)), on="task_id")
        out[use] = (scores_of(merged), float(judged["needs_review"].mean()),
                    float((judged["status"] != classified["status"]).mean()))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(CORPUS_PATH))
    args = parser.parse_args(argv)
    frame = pd.read_csv(args.corpus, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame = frame[frame["label"].str.strip() != ""].reset_index(drop=True)
    judged = rules_alone(frame)
    print(f"corpus: {len(judged)} rows, {judged['notice_id'].nunique()} notices; rules alone LONO, default decided "
          f"{int((judged['status_rule'] == DEFAULT_RULE).sum())}")
    runs = {"rules alone": judged, "+ review model": lono_models(judged, ("review",)),
            "+ review model or rules' flags": lono_models(judged, ("review-or",)),
            "+ status model": lono_models(judged, ("status",)), "+ both": lono_models(judged, ("review", "status"))}
    for name, result in runs.items():
        print(format_scores(f"LONO {name}", scores_of(result)))
        for batch in sorted(result["batch"].unique()):
            print(format_scores(f"  batch {batch}", scores_of(result[result["batch"] == batch])))
    models = fit(judged)
    for use, (s, flagged, changed) in own_table(models, gold_dir()).items():
        name = "rules alone" if not use else f"+ {use[0]} model"
        print(format_scores(f"dev2020 {name}", s) + f"  | own table flagged {flagged:.3f}, statuses changed {changed:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
