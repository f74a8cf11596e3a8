"""Re-measure the learned judgement of branch ``judgement`` (commits 417de4e … 0fbeae0: two
scikit-learn logistic regressions over the rules' features of a row) on the whole corpus,
strictly leave-one-notice-out, by batch; with ``--write``, fit the review model the build ships
(issue 22: the learned fill of the review queue) and write ``data/reference/review_model.toml``.

    .venv/bin/python benchmarks/train_judgement_model.py [--corpus PATH] [--cache PATH] [--write]

Needs scikit-learn (``pip install scikit-learn==1.9.1``; a measuring tool, not a dependency of
the build: the build reads the model file with tomllib and scores it with a dot product,
:mod:`src.classify.features`).

1. Every corpus row is judged by the rules ALONE with the families read from its own notice
   switched off (leave-one-notice-out, as ``make evaluate``), and its features are kept: the
   product's own :func:`src.classify.features.row_features` (what the rules found and decided,
   the rule that decided, ``rule=<status_rule>``, and each review signal that flagged the row,
   ``reason=<signal>``; never the row's words), captured in place of the model's P in
   ``judge_rows`` for this script only.
2. Leave-one-notice-out for the models too: the models that score notice X are fitted on the
   other notices' rows only (X never seen).
3. Parts, as on the branch: a **status model** that may overrule only the default or a
   low-confidence rule (P >= 0.5), and a **review model** (P(the rules' status is wrong); its
   threshold flags 15% of the training rows; measured replacing the rules' own flags, as on the
   branch, and added to them). Neither is kept as such (docs/classifier.md).
4. ``--write``: the review model (standardised features, C = 0.5, balanced classes; lbfgs,
   deterministic) fitted on every corpus row, written with the standardiser folded into the
   weights and the class weighting undone in the intercept, the rules version and corpus it was
   fitted on and the LONO figures of the queue's fill (``benchmarks/review_queue.py``:
   ``fill_figures``, each notice's rows scored by a model fitted without it).
"""
from __future__ import annotations

import argparse
import math
import sys
import tempfile
from contextlib import contextmanager
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
from src.classify.columns import DEFAULT_RULE, NOT_REPORTED_RULE  # noqa: E402
from src.classify.evaluation import format_scores, scores_of  # noqa: E402
from src.classify.features import MODEL_PATH, row_features, score  # noqa: E402
from src.classify.rules import families_read_from, rules_without  # noqa: E402
from src.pipeline import clean_stage  # noqa: E402
from src.report_date import metadata_report_date  # noqa: E402

MODEL_STATUSES = ("completed", "on-track", "lagging")
REVIEW_SHARE = 0.15
MAX_FLAGGED = 0.20
STATUS_THRESHOLD = 0.5
C = 0.5
# --------------------------------------------------------------------------
# the rules' decision with the product's features (src/classify/features.py) kept (this script only)
# --------------------------------------------------------------------------
FEATURES: list = []


def _capturing_p(facts, decision, confidence, model=None, settings=None):
    """In place of :func:`src.classify.features.review_model_p` in ``judge_rows``: the row's
    features (the product's one definition) kept in judging order, no P."""
    judged = facts is not None and decision.rule != NOT_REPORTED_RULE
    FEATURES.append(row_features(facts, decision, confidence, settings) if judged else None)
    return float("nan")


@contextmanager
def capturing():
    """The rules run with :func:`_capturing_p` in place of the model's P (restored after)."""
    FEATURES.clear()
    saved, decide.review_model_p = decide.review_model_p, _capturing_p
    try:
        yield FEATURES
    finally:
        decide.review_model_p = saved


def classify_with_features(frame: pd.DataFrame, rules=None) -> pd.DataFrame:
    from benchmarks.evaluate_classifier import classify_rows
    with capturing():
        out = classify_rows(frame, rules=rules)  # groups by as_of in sorted order, rows in frame order within
    order = [i for _, group in frame.reset_index(drop=True).groupby("as_of", sort=True) for i in group.index]
    features = dict(zip(order, FEATURES))
    out = out.reset_index(drop=True)
    out["features"] = [features.get(i) for i in range(len(out))]
    return out


def rules_alone(frame: pd.DataFrame) -> pd.DataFrame:
    base = load_rules()
    read = {o for origins in families_read_from(base).values() for o in origins}
    parts = []
    for notice, part in frame.groupby("notice_id", sort=False):
        rules = rules_without(base, notice) if notice in read else base
        parts.append(classify_with_features(part, rules))
    return pd.concat(parts, ignore_index=True)


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
    with capturing():
        classified = decide.classify_tasks(tasks, as_of=as_of)
    classified = classified.reset_index(drop=True)
    classified["features"] = FEATURES[:len(classified)]
    labels = pd.read_csv(gold / "dev_labels.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    out = {}
    for use in ((), ("review",), ("review-or",), ("status",)):
        judged = apply(classified, models, use)
        merged = judged.merge(labels[["id", "label"]].assign(task_id=labels["id"].astype(int)), on="task_id")
        out[use] = (scores_of(merged), float(judged["needs_review"].mean()),
                    float((judged["status"] != classified["status"]).mean()))
    return out


# --------------------------------------------------------------------------
# the review model as data (data/reference/review_model.toml, read by src/classify/features.py)
# --------------------------------------------------------------------------
def export_review_model(frame: pd.DataFrame) -> dict:
    """The review model fitted on ``frame`` (as :func:`fit`'s: standardised features, C, balanced
    classes) in the features' own units: each weight is the coefficient over the standardiser's
    scale, the intercept takes the means in, and log(wrong / right rows) undoes the balanced class
    weights (a prior correction: P estimates the probability, the order of the rows unchanged)."""
    x, mask, names = _matrix(frame)
    part = frame[mask]
    wrong = (part["label"] != part["status"]).to_numpy().astype(int)
    scaler, model = _fit(x, wrong)
    coef = model.coef_[0]
    weights = coef / scaler.scale_
    n_wrong, n_right = int(wrong.sum()), int(len(wrong) - wrong.sum())
    intercept = float(model.intercept_[0] - np.sum(coef * scaler.mean_ / scaler.scale_))
    intercept += math.log(n_wrong / n_right) if n_wrong and n_right else 0.0
    return {"intercept": intercept, "weights": dict(zip(names, (float(w) for w in weights), strict=True)),
            "means": dict(zip(names, (float(v) for v in scaler.mean_), strict=True)),
            "scales": dict(zip(names, (float(v) for v in scaler.scale_), strict=True)),
            "rows": len(wrong), "wrong": n_wrong}


def lono_p(frame: pd.DataFrame) -> pd.Series:
    """Each row's P(status wrong) by a review model fitted without its notice (the model as data,
    scored by the product's :func:`src.classify.features.score`); NaN on rows without features."""
    out = pd.Series(math.nan, index=frame.index, dtype="float64")
    for notice, part in frame.groupby("notice_id", sort=False):
        model = export_review_model(frame[frame["notice_id"] != notice])
        for i, x in part["features"].items():
            if isinstance(x, dict):
                out[i] = score(x, model)
    return out


def _toml_str(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_model(model: dict, frame: pd.DataFrame, figures: dict, path: Path) -> None:
    """``data/reference/review_model.toml``: the model, what it was fitted on, its LONO figures."""
    lines = [
        "# The review model (issue 22): P(the rules' status is wrong) = 1 / (1 + exp(-(intercept + sum of",
        "# weight x feature))), the features of src/classify/features.py (data/reference/review_features.toml).",
        "# WRITTEN BY  .venv/bin/python benchmarks/train_judgement_model.py --write  (do not edit by hand):",
        "# a logistic regression (scikit-learn, a measuring tool only) on the corpus rows judged by the rules",
        "# alone leave-one-notice-out; the standardiser is folded into the weights (mean and scale kept",
        "# beside each for a reader), the balanced class weights undone in the intercept.",
        "# The build reads it with tomllib (no scikit-learn); without this file the queue is the signals' alone.",
        "",
        "[model]",
        'kind = "logistic"',
        f"rules_version = {_toml_str(load_rules().version)}",
        'corpus = "benchmarks/corpus/corpus.csv"',
        f"corpus_rows = {len(frame)}",
        f"corpus_notices = {frame['notice_id'].nunique()}",
        f"fitted_rows = {model['rows']}",
        f"fitted_wrong = {model['wrong']}",
        f"C = {C}",
        f"intercept = {model['intercept']:.10g}",
        "",
        "[lono]",
        "# benchmarks/review_queue.py's figures with this model's kind fitted leave-one-notice-out (notice X's",
        "# rows scored by a model fitted without X), each batch one table, the queue's budget and model_min_p:",
    ]
    for key, value in figures.items():
        lines.append(f"{key} = {_toml_str(value) if isinstance(value, str) else value}")
    for name in sorted(model["weights"]):
        lines += ["", "[[weight]]", f"feature = {_toml_str(name)}", f"weight = {model['weights'][name]:.10g}",
                  f"mean = {model['means'][name]:.10g}", f"scale = {model['scales'][name]:.10g}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def judged_corpus(corpus: str, cache: str | None = None) -> pd.DataFrame:
    """The labelled corpus judged by the rules alone, LONO, its features kept (``cache``: a pickle
    made if absent, for repeated runs on one machine only)."""
    if cache and Path(cache).exists():
        return pd.read_pickle(cache)
    frame = pd.read_csv(corpus, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    judged = rules_alone(frame[frame["label"].str.strip() != ""].reset_index(drop=True))
    if cache:
        judged.to_pickle(cache)
    return judged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(CORPUS_PATH))
    parser.add_argument("--cache", default=None, help="a pickle of the rules-alone LONO frame (made if absent)")
    parser.add_argument("--write", action="store_true", help="fit the review model on the whole corpus and write "
                        f"{MODEL_PATH.relative_to(MODEL_PATH.parents[2])} with its LONO figures")
    args = parser.parse_args(argv)
    judged = judged_corpus(args.corpus, args.cache)
    if args.write:
        from benchmarks.review_queue import fill_figures  # that script imports this one
        model = export_review_model(judged)
        figures = fill_figures(judged, lono_p(judged))
        write_model(model, judged, figures, MODEL_PATH)
        print(f"wrote {MODEL_PATH}: {len(model['weights'])} features, {model['rows']} rows ({model['wrong']} wrong); "
              + ", ".join(f"{k} {v}" for k, v in figures.items()))
        return 0
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
