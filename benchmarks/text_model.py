"""Would a text model read the default's rows better than the rules? (issue 22; figures only)

    .venv/bin/python benchmarks/text_model.py [--corpus PATH] [--cache PATH] [--folds 10]

Measurement only (scikit-learn 1.9.1 in the measuring ``.venv``; not a dependency of the build).

1. Every corpus row is judged by the rules leave-one-notice-out (``evaluate_classifier.classify_rows`` /
   ``leave_one_notice_out``: each notice with the families read from it switched off); the rows where the
   rules found nothing (``status_rule == default-on-track``) are the text model's rows.
2. The text model: a logistic regression (class_weight balanced, lbfgs, deterministic) over TF-IDF features of
   the row's task and progress (simplified characters by the rules' own ``to_simplified``, every digit written 0)
   and two number-free features of the row (report month / 12, a year-end report). Two kinds: character n-grams
   (``analyzer="char_wb"``, (1, 3); ``char24``: (2, 4), a check of that choice) and bag of words from jieba
   (word unigrams and bigrams). C is chosen by an
   inner grouped cross-validation only (GroupKFold by notice, 5 folds, log loss) among the training rows.
   It replaces the default's on-track only where its probability for another label is >= a threshold T.
3. Two measures, never in-sample:
   (a) batches 1-8, GroupKFold by notice (``--folds``, 10): a notice's default rows are scored by a model fitted
       on the other folds' notices only;
   (b) CLEAN: the model fitted on the default rows of batches 1-8 only, applied to batches 9, 10 and 11 (which
       nobody here has read; the rules' families were read from none of them).
   For T in (0.5, 0.6, 0.7, 0.8): accuracy overall (rules + model) and on the default's rows, lagging recall /
   precision, rows changed and of them right, rows broken (the default's on-track was right), per batch.

Prints figures only: no row's words, no n-gram (the halves B of batches 6-8 and batches 9-11 are not to be read).
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

try:
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GridSearchCV, GroupKFold
    from sklearn.pipeline import Pipeline
except ImportError:  # measurement only: the build never needs it
    sys.exit("需要 scikit-learn（仅用于本测量脚本）/ this measurement needs scikit-learn: "
             ".venv/bin/python -m pip install scikit-learn==1.9.1")

import jieba  # noqa: E402

from benchmarks.evaluate_classifier import CORPUS_PATH, classify_rows, leave_one_notice_out  # noqa: E402
from src.classify.arithmetic import to_simplified  # noqa: E402
from src.classify.columns import DEFAULT_RULE  # noqa: E402
from src.classify.evaluation import scores_of  # noqa: E402

LABELS = ("completed", "on-track", "lagging")
THRESHOLDS = (0.5, 0.6, 0.7, 0.8)
C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
INNER_FOLDS = 5
TRAIN_BATCHES = {str(b) for b in range(1, 9)}
CLEAN_BATCHES = ("9", "10", "11")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"\w")
KINDS = ("char", "jieba", "char24")


# --------------------------------------------------------------------------
# the rows and their features
# --------------------------------------------------------------------------
def judged_corpus(corpus: str, cache: str | None) -> pd.DataFrame:
    """The labelled corpus judged by the rules leave-one-notice-out (``cache``: a pickle made if absent)."""
    if cache and Path(cache).exists():
        return pd.read_pickle(cache)
    frame = pd.read_csv(corpus, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame = frame[frame["label"].str.strip() != ""].reset_index(drop=True)
    lono = leave_one_notice_out(frame, classify_rows(frame), None).reset_index(drop=True)
    if cache:
        lono.to_pickle(cache)
    return lono


def text_of(row) -> str:
    """Task and progress as judged (simplified, pinyin out), every digit written 0."""
    return _DIGIT.sub("0", to_simplified(str(row.task)) + " ｜ " + to_simplified(str(row.progress)))


def words_of(text: str) -> str:
    """jieba's words of ``text`` (punctuation and spaces out), joined by spaces."""
    return " ".join(w for w in jieba.lcut(text) if _WORD.search(w))


def features(frame: pd.DataFrame) -> pd.DataFrame:
    text = [text_of(row) for row in frame.itertuples(index=False)]
    month = pd.to_datetime(frame["as_of"]).dt.month
    return pd.DataFrame({"text": text, "words": [words_of(t) for t in text],
                         "month": (month / 12).to_numpy(), "year_end": (month == 12).astype(float).to_numpy()},
                        index=frame.index)


def pipeline(kind: str) -> Pipeline:
    if kind in ("char", "char24"):
        grams = (1, 3) if kind == "char" else (2, 4)
        text = ("text", TfidfVectorizer(analyzer="char_wb", ngram_range=grams, min_df=2, sublinear_tf=True), "text")
    else:
        text = ("words", TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2), min_df=2,
                                         sublinear_tf=True, lowercase=False), "words")
    columns = ColumnTransformer([text, ("numbers", "passthrough", ["month", "year_end"])])
    model = LogisticRegression(class_weight="balanced", max_iter=5000)
    return Pipeline([("features", columns), ("model", model)])


def fit(kind: str, x: pd.DataFrame, y: pd.Series, groups: pd.Series) -> GridSearchCV:
    """The model with C chosen by an inner grouped cross-validation among these rows only."""
    inner = GroupKFold(n_splits=min(INNER_FOLDS, groups.nunique()))
    search = GridSearchCV(pipeline(kind), {"model__C": list(C_GRID)}, cv=inner, scoring="neg_log_loss")
    return search.fit(x, y.to_numpy(), groups=groups.to_numpy())


def other_label(search: GridSearchCV, x: pd.DataFrame) -> pd.DataFrame:
    """For each row: the most probable label other than on-track and its probability (and P(lagging))."""
    probs = pd.DataFrame(search.predict_proba(x), columns=search.classes_, index=x.index)
    others = probs.drop(columns=["on-track"])
    return pd.DataFrame({"label": others.idxmax(axis=1), "p": others.max(axis=1), "p_lagging": probs["lagging"]})


# --------------------------------------------------------------------------
# the two measures
# --------------------------------------------------------------------------
def trainable(frame: pd.DataFrame) -> pd.Series:
    return (frame["status_rule"] == DEFAULT_RULE) & frame["label"].isin(LABELS)


def cross_fitted(frame: pd.DataFrame, x: pd.DataFrame, kind: str, folds: int) -> tuple[pd.DataFrame, list]:
    """(a) batches 1-8: each fold's default rows scored by a model fitted on the other folds' notices."""
    default = frame.index[frame["status_rule"] == DEFAULT_RULE]
    out = pd.DataFrame({"label": pd.Series(dtype=object), "p": pd.Series(dtype=float),
                        "p_lagging": pd.Series(dtype=float)})
    chosen = []
    outer = GroupKFold(n_splits=folds)
    for train, test in outer.split(frame, groups=frame["notice_id"]):
        rows = frame.index[train][trainable(frame.iloc[train]).to_numpy()]
        search = fit(kind, x.loc[rows], frame.loc[rows, "label"], frame.loc[rows, "notice_id"])
        chosen.append(search.best_params_["model__C"])
        scored = frame.index[test].intersection(default)
        if len(scored):
            out = pd.concat([out, other_label(search, x.loc[scored])])
    return out, chosen


def clean(frame: pd.DataFrame, x: pd.DataFrame, kind: str) -> tuple[pd.DataFrame, list]:
    """(b) fitted on batches 1-8's default rows, applied to batches 9-11's default rows."""
    train = frame["batch"].isin(TRAIN_BATCHES) & trainable(frame)
    search = fit(kind, x[train], frame.loc[train, "label"], frame.loc[train, "notice_id"])
    scored = frame.index[frame["batch"].isin(CLEAN_BATCHES) & (frame["status_rule"] == DEFAULT_RULE)]
    return other_label(search, x.loc[scored]), [search.best_params_["model__C"]]


def replaced(frame: pd.DataFrame, proposals: pd.DataFrame, threshold: float | None) -> pd.DataFrame:
    """The frame with the default's status replaced where the model's other label has P >= ``threshold``."""
    out = frame.copy()
    if threshold is None:
        return out
    take = proposals.index[proposals["p"] >= threshold]
    out.loc[take, "status"] = proposals.loc[take, "label"]
    return out


def figures(before: pd.DataFrame, after: pd.DataFrame) -> dict:
    s = scores_of(after)
    default = before["status_rule"] == DEFAULT_RULE
    changed = after["status"] != before["status"]
    right_after = after["status"] == after["label"]
    right_before = before["status"] == before["label"]
    return {"n": len(after), "acc": s["accuracy"], "right": int(right_after.sum()),
            "default_n": int(default.sum()), "default_right": int((right_after & default).sum()),
            "lag_r": s["lagging_recall"], "lag_p": s["lagging_precision"], "lag_n": s["lagging_support"],
            "lag_right": int(((after["label"] == "lagging") & right_after).sum()),
            "changed": int(changed.sum()), "changed_right": int((changed & right_after).sum()),
            "broken": int((changed & right_before).sum()),
            **{f"to_{s}": (int((changed & (after["status"] == s)).sum()),
                           int((changed & (after["status"] == s) & right_after).sum()),
                           int((changed & (after["status"] == s) & right_before).sum()))
               for s in ("lagging", "completed")}}


def row(name: str, f: dict) -> str:
    def pct(v):
        return "–" if v != v else f"{v:.3f}"
    return (f"| {name} | {f['n']} | {pct(f['acc'])} ({f['right']}) | {f['default_right']} of {f['default_n']} | "
            f"{pct(f['lag_r'])} / {pct(f['lag_p'])} ({f['lag_right']} of {f['lag_n']}) | "
            f"{f['changed']} | {f['changed_right']} | {f['broken']} | {f['to_lagging'][1]} / {f['to_lagging'][2]} of {f['to_lagging'][0]} | "
            f"{f['to_completed'][1]} / {f['to_completed'][2]} of {f['to_completed'][0]} |")


HEADER = ("| set, T | n | accuracy (right) | default's rows right | lagging R / P (right of labelled) | changed | "
          "of them right | broken | → lagging: right / broken of n | → completed: right / broken of n |\n|---|---|---|---|---|---|---|---|---|---|")


def ranking(frame: pd.DataFrame, proposals: pd.DataFrame) -> str:
    """How well P(another label) ranks the default's wrong rows above its right ones (ROC AUC), and
    the wrong rows among the default's rows."""
    part = frame.loc[proposals.index]
    wrong = (part["label"] != part["status"]).to_numpy()
    auc = roc_auc_score(wrong, proposals["p"].to_numpy()) if 0 < wrong.sum() < len(wrong) else float("nan")
    lagging = (part["label"] == "lagging").to_numpy()
    lag_auc = roc_auc_score(lagging, proposals["p_lagging"].to_numpy()) if 0 < lagging.sum() < len(lagging) \
        else float("nan")
    return (f"the default's rows: {len(part)}, {int(wrong.sum())} wrong ({int(lagging.sum())} labelled lagging); "
            f"ROC AUC of P(another label) for a wrong default {auc:.3f}, of P(lagging) for a lagging one {lag_auc:.3f}")


def table(title: str, frame: pd.DataFrame, proposals: pd.DataFrame, batches: list, chosen: list) -> None:
    print(f"\n### {title} (C chosen by the inner grouped CV: {', '.join(f'{c:g}' for c in chosen)})\n")
    print(ranking(frame, proposals) + "\n")
    print(HEADER)
    for threshold in (None, *THRESHOLDS):
        name = "rules alone" if threshold is None else f"T {threshold}"
        after = replaced(frame, proposals, threshold)
        print(row(f"all, {name}", figures(frame, after)))
    for batch in batches:
        part = frame[frame["batch"] == batch]
        for threshold in (None, *THRESHOLDS):
            name = "rules alone" if threshold is None else f"T {threshold}"
            after = replaced(part, proposals.loc[proposals.index.intersection(part.index)], threshold)
            print(row(f"batch {batch}, {name}", figures(part, after)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(CORPUS_PATH))
    parser.add_argument("--cache", default=None, help="a pickle of the rules' LONO frame (made if absent)")
    parser.add_argument("--folds", type=int, default=10, help="outer GroupKFold folds by notice over batches 1-8")
    parser.add_argument("--kinds", nargs="*", default=list(KINDS), choices=KINDS)
    args = parser.parse_args(argv)

    jieba.setLogLevel(60)
    judged = judged_corpus(args.corpus, args.cache)
    judged["batch"] = judged["batch"].astype(str)
    x = features(judged)
    inside = judged[judged["batch"].isin(TRAIN_BATCHES)]
    outside = judged[judged["batch"].isin(CLEAN_BATCHES)]
    default = judged["status_rule"] == DEFAULT_RULE
    print(f"corpus {len(judged)} rows; the rules (LONO) left {int(default.sum())} to the default: "
          f"{int((default & judged['batch'].isin(TRAIN_BATCHES)).sum())} in batches 1-8 "
          f"(labels {judged.loc[default & judged['batch'].isin(TRAIN_BATCHES), 'label'].value_counts().to_dict()}), "
          f"{int((default & judged['batch'].isin(CLEAN_BATCHES)).sum())} in batches 9-11")
    batches_in = sorted(inside["batch"].unique(), key=int)
    for kind in args.kinds:
        proposals, chosen = clean(judged, x, kind)
        table(f"{kind}: CLEAN, fitted on batches 1-8, applied to batches 9-11", outside, proposals,
              list(CLEAN_BATCHES), chosen)
        proposals, chosen = cross_fitted(inside, x.loc[inside.index], kind, args.folds)
        table(f"{kind}: batches 1-8, GroupKFold by notice ({args.folds} folds)", inside, proposals, batches_in,
              chosen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
