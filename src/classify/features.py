"""The review model: a row's features and its P(the rules' status is wrong) (issue 22).

The features are what the rules found and decided for a row, never its words: the status, the
rule family (grouped by ``[rule_groups]`` of ``data/reference/review_features.toml`` and each rule
by name, ``rule=<status_rule>``), the deciding measures and their gap to the schedule, the cues
found, the review signals that flagged the row (``reason=<signal>``), the genre words of
``[genre_words]``. :func:`row_features` reads them off the rules' own ``Facts`` and ``Decision``
(:func:`src.classify.decide.judge_rows` calls it for each row it judges by its rules).

The model is data: ``data/reference/review_model.toml`` (written by
``benchmarks/train_judgement_model.py --write``; scikit-learn is a measuring tool there, never
imported here) holds a logistic model in the features' own units — one weight per feature and an
intercept (the standardiser folded in, the class weighting undone so that P estimates a
probability) — with the rules version and the corpus it was fitted on. :func:`review_model_p` is a
dot product and a logistic function; NaN when no model file is present (the queue is then the
signals' alone) and on rows not judged by the rules (未报送).
"""
from __future__ import annotations

import math
import os
import tomllib
from functools import lru_cache
from pathlib import Path

from src.classify.columns import NOT_REPORTED_RULE
from src.classify.cues import find_delay_cues, find_early_stage_cues, find_forecast_cues, find_on_track_cues
from src.classify.review import reason_keys
from src.fingerprints import read_reference
from src.paths import REFERENCE_DIR

FEATURES_PATH = REFERENCE_DIR / "review_features.toml"
MODEL_PATH = REFERENCE_DIR / "review_model.toml"
STRUCTURED_FIELDS = ("target", "actual", "rate")


def _log(n: float) -> float:
    return math.log1p(max(n, 0.0))


def _mtime(path: Path) -> int | None:
    """The file's modification time (one stat per table judged: the file is parsed once per version),
    None when it is absent."""
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return None


@lru_cache(maxsize=4)
def _settings_file(path: str, mtime: int) -> dict:
    data = tomllib.loads(read_reference(path).decode("utf-8"))
    out = {}
    for table in ("rule_groups", "genre_words"):
        entries = data.get(table, {})
        if not isinstance(entries, dict) or not all(isinstance(v, list) for v in entries.values()):
            raise ValueError(f"{path}: [{table}] 的每一项须是词表 / every entry of [{table}] must be a list of "
                             f"names or words")
        out[table] = {str(name): tuple(str(w) for w in words) for name, words in entries.items()}
    return out


def feature_settings(path=None) -> dict:
    """``[rule_groups]`` and ``[genre_words]`` of the features file (empty when it is absent)."""
    path = Path(path) if path is not None else FEATURES_PATH
    mtime = _mtime(path)
    if mtime is None:
        return {"rule_groups": {}, "genre_words": {}}
    return _settings_file(str(path), mtime)


def row_features(facts, decision, confidence: str, settings: dict | None = None) -> dict:
    """The features of one row judged by the rules: ``facts`` (:class:`src.classify.steps.Facts`),
    the finished ``decision`` (its review reasons included) and its ``confidence`` level."""
    settings = feature_settings() if settings is None else settings
    row, schedule = facts.row, facts.schedule
    ratio = decision.ratio
    gap = ratio * 100 - schedule * 100 if not math.isnan(ratio) else float("nan")
    delays = facts.cues(find_delay_cues)
    growth = [m for m in facts.measures if m.kind in ("growth", "forecast")]
    progress, task = row.get("progress", ""), row.get("task", "")
    x = {
        "status_completed": float(decision.status == "completed"),
        "status_lagging": float(decision.status == "lagging"),
        **{f"rule_{group}": float(decision.rule in names) for group, names in settings["rule_groups"].items()},
        "has_share": float(not math.isnan(gap)),
        "gap": max(-1.0, min(1.0, gap / 100)) if not math.isnan(gap) else 0.0,
        "gap_close": float(not math.isnan(gap) and abs(gap) < 10),
        "share_over_100": float(not math.isnan(ratio) and ratio >= 1),
        "schedule": schedule,
        "year_end": float(schedule >= 1),
        "measures": _log(len(facts.measures)),
        "deciding": _log(len(facts.deciding)),
        "below_share": len(facts.below) / len(facts.deciding) if facts.deciding else 0.0,
        "task_target": float(bool(facts.targets)),
        "structured": float(any((row.get(name) or "").strip() for name in STRUCTURED_FIELDS)),
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
    for name, words in settings["genre_words"].items():
        x[f"genre_{name}"] = float(any(w in task or w in progress for w in words))
    keys = reason_keys("; ".join(dict.fromkeys(decision.review)))  # as the review_reason cell reads
    x[f"rule={decision.rule}"] = 1.0
    x.update({f"reason={key}": 1.0 for key in keys})
    x["reasons"] = _log(len(keys))
    return x


@lru_cache(maxsize=4)
def _model_file(path: str, mtime: int) -> dict:
    try:
        data = tomllib.loads(read_reference(path).decode("utf-8"))
        model = data["model"]
        weights = {str(w["feature"]): float(w["weight"]) for w in data.get("weight", [])}
        out = {"intercept": float(model["intercept"]), "weights": weights,
               "rules_version": str(model.get("rules_version", "")), "corpus_rows": int(model.get("corpus_rows", 0)),
               "file": Path(path).name}
    except (KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"{path}: 复核模型文件须有 [model] intercept 与 [[weight]] feature/weight / the review model "
                         f"file needs [model].intercept and [[weight]] tables of feature and weight ({error})") from None
    if not all(math.isfinite(v) for v in [out["intercept"], *weights.values()]):
        raise ValueError(f"{path}: 复核模型的权重须为有限数 / the review model's weights must be finite numbers")
    return out


def load_model(model=None) -> dict | None:
    """The review model: ``None`` → ``data/reference/review_model.toml`` (``None`` when the file is
    absent: no P, no fill); a path; or a dict ``{"intercept": b, "weights": {feature: w}}`` as given."""
    if isinstance(model, dict):
        return model
    path = Path(model) if model is not None else MODEL_PATH
    mtime = _mtime(path)
    if mtime is None:
        return None
    return _model_file(str(path), mtime)


def score(features: dict, model: dict) -> float:
    """P = 1 / (1 + exp(-(intercept + Σ weight × feature))); a feature the model does not know
    weighs nothing, one the row lacks reads 0."""
    weights = model["weights"]
    z = float(model["intercept"]) + sum(weights.get(name, 0.0) * value for name, value in features.items())
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def review_model_p(facts, decision, confidence: str, model: dict | None, settings: dict | None = None) -> float:
    """The row's P(the rules' status is wrong) by ``model`` (:func:`load_model`'s answer, loaded once per
    table by the caller); NaN without a model or on a row the rules did not judge (no facts, 未报送)."""
    if model is None or facts is None or decision.rule == NOT_REPORTED_RULE:
        return float("nan")
    return round(score(row_features(facts, decision, confidence, settings), model), 6)


def model_note(rules_version: str, model=None) -> dict:
    """What the review summary says of the model: its file, the rules version and corpus rows it
    was fitted on, and a warning (Chinese first) when that version is not the rules' own."""
    loaded = load_model(model)
    if loaded is None:
        return {"file": "", "rules_version": "", "corpus_rows": 0, "warning": ""}
    fitted = str(loaded.get("rules_version", ""))
    warning = ""
    if fitted != str(rules_version):
        warning = (f"复核模型按规则版本 {fitted or '未注明'} 拟合，当前规则为 {rules_version}，模型补充的复核行仅供参考，"
                   f"请重新拟合 / the review model was fitted on rules {fitted or '(unstated)'}, the rules are "
                   f"{rules_version}: refit it (benchmarks/train_judgement_model.py --write)")
    return {"file": loaded.get("file", ""), "rules_version": fitted, "corpus_rows": int(loaded.get("corpus_rows", 0)),
            "warning": warning}


__all__ = ["row_features", "review_model_p", "load_model", "score", "model_note", "feature_settings",
           "FEATURES_PATH", "MODEL_PATH"]
