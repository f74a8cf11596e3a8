"""Period over period (与上期比较): what moved since the last report.

Supervision is a series: each notice is read against the previous one. This
module matches the tasks of two classified tables, says what changed for each
task, and gives the counts and sentences the reports print.

Data flow::

    current  classified table ─┐
                               ├─ match_tasks → compare_periods → write_comparison
    previous classified table ─┘        (comparison.csv / .parquet, one row per task of either period)
                                          └─ transition_counts, lagging_both_periods, lagging_share_change,
                                             unit_ranking_change, leader_changes, comparison_sentences,
                                             comparison_sheet (pure functions: data and sentences, no HTML)

The previous period comes from :func:`load_previous` (a raw table, the OUT
folder of its build, or its data folder) or :func:`find_previous_in_raw`, and
is checked by :func:`check_same_series` before anything is compared.
:func:`run_comparison` does all of it in one call (the build step; also
``python -m src.compare --data DIR [--previous PATH] [--raw TABLE]``).

The matcher's settings (weights, thresholds, the review band, normalisation and
the names of the changes) are data: ``data/reference/matching.toml``.

``change`` (one value per row; the mapping is ``[change]`` in matching.toml):

=================  ==============================================================
新完成              not completed last period → completed now
转为滞后            on-track or completed last period → lagging now
仍滞后              lagging in both periods (连续两期滞后)
已追上              lagging last period → on-track now
无变化              the same status in both periods (completed stays completed)
转为序时推进        completed last period → on-track now (to be checked)
新增                a task of this period with no partner in the previous one
已移除              a task of the previous period with no partner in this one
=================  ==============================================================
"""
from __future__ import annotations

import copy
import math
import re
import sys
import tempfile
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from src import store
from src.compare_stale import mark_stale, stale_count
from src.paths import REFERENCE_DIR, ProcessedFiles

__all__ = [
    "SETTINGS_PATH", "COMPARISON_COLUMNS", "MATCH_COLUMNS", "SHEET_COLUMNS", "ComparisonError", "PreviousPeriod",
    "load_settings", "normalise_text", "match_tasks", "compare_periods", "write_comparison", "read_comparison",
    "check_same_series", "period_label", "load_previous", "find_previous_in_raw",
    "transition_counts", "lagging_both_periods", "lagging_share_change", "unit_renames", "unit_ranking_change",
    "leader_changes", "comparison_sentences", "comparison_sheet", "task_history", "read_comparison_info",
    "ComparisonRun", "run_comparison",
]

SETTINGS_PATH = REFERENCE_DIR / "matching.toml"
STATUSES = ("completed", "on-track", "lagging")
MATCH_KINDS = ("id", "text", "new", "removed")
_FILES = ProcessedFiles(Path("."))  # the file names, defined once in src.paths
COMPARISON_OUTPUTS = (_FILES.comparison_csv.name, _FILES.comparison.name)
COMPARISON_INFO = _FILES.comparison_info.name

#: The columns of comparison.csv / .parquet, in order: the ten the issue names, then the helpful extras.
COMPARISON_COLUMNS = [
    "task_id", "previous_task_id", "match", "match_score", "status", "previous_status", "change",
    "schedule_gap_pts", "previous_gap_pts", "gap_change_pts",
    "leader", "leader_title", "leader_order", "task", "lead_unit",
    "previous_leader", "previous_leader_order", "previous_task", "previous_lead_unit",
    "task_score", "unit_score", "needs_match_review", "match_review_reason",
    "progress_similarity", "progress_stale",
    "previous_override_status", "previous_override_reason", "previous_override_reviewer", "previous_override",
]
MATCH_COLUMNS = [
    "task_id", "previous_task_id", "match", "match_score", "task_score", "unit_score",
    "needs_match_review", "match_review_reason",
]
MATCH_LABELS = {"id": "按序号", "text": "按内容", "new": "新增", "removed": "已移除"}
#: The Excel sheet 与上期比较: (column of the comparison, Chinese header).
SHEET_COLUMNS = [
    ("task_id", "序号"), ("previous_task_id", "上期序号"), ("leader", "牵头领导"), ("task", "重点工作"),
    ("lead_unit", "牵头单位"), ("status", "本期状态"), ("previous_status", "上期状态"), ("change", "变化"),
    ("schedule_gap_pts", "本期与序时进度差（百分点）"), ("previous_gap_pts", "上期与序时进度差（百分点）"),
    ("gap_change_pts", "差距变化（百分点）"), ("match", "匹配方式"), ("match_score", "匹配得分"),
    ("needs_match_review", "匹配待核对"), ("match_review_reason", "核对说明"),
    ("progress_stale", "进展未更新"), ("previous_override", "上期人工认定"),
]


class ComparisonError(ValueError):
    """The two periods cannot be compared as asked; the message says why (Chinese first)."""


# --------------------------------------------------------------------------
# settings
# --------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _read_settings(path: str) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ComparisonError(f"{path}: 匹配设置文件格式有误（{error}） (invalid TOML)") from None


def load_settings(settings: dict | str | Path | None = None) -> dict:
    """The matcher's settings: ``data/reference/matching.toml``, or another file,
    or a dict of overrides merged into the defaults (``{"thresholds": {"text_min_score": 0.6}}``)."""
    if isinstance(settings, (str, Path)):
        merged = copy.deepcopy(_read_settings(str(Path(settings).resolve())))
    else:
        merged = copy.deepcopy(_read_settings(str(SETTINGS_PATH)))
        for section, values in (settings or {}).items():
            if isinstance(values, dict):
                merged.setdefault(section, {}).update(values)
            else:
                merged[section] = values
    _check_settings(merged)
    return merged


def _check_settings(settings: dict) -> None:
    needed = {
        "weights": ("task_weight", "unit_weight"),
        "thresholds": ("id_min_task_score", "text_min_score", "id_bonus", "review_below", "ambiguity_margin",
                       "near_miss_score"),
        "normalise": ("drop_patterns",),
        "units": ("rename_min_tasks", "rename_min_share"),
        "change": ("new", "removed", *(f"{a}->{b}" for a in STATUSES for b in STATUSES)),
    }
    for section, keys in needed.items():
        missing = [key for key in keys if key not in settings.get(section, {})]
        if missing:
            raise ComparisonError(
                f"{SETTINGS_PATH.name}: [{section}] 缺少设置 {', '.join(missing)} (missing matcher settings)"
            )
    weights = settings["weights"]
    if not math.isclose(weights["task_weight"] + weights["unit_weight"], 1.0, abs_tol=1e-9):
        raise ComparisonError(f"{SETTINGS_PATH.name}: [weights] task_weight + unit_weight 应为 1 (weights must sum to 1)")


@lru_cache(maxsize=8)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


def normalise_text(text, settings: dict | None = None) -> str:
    """The text as the matcher compares it: NFKC, lower case, years, numbering,
    spaces and punctuation removed (``[normalise]`` in matching.toml)."""
    settings = settings or load_settings()
    value = "" if text is None or (isinstance(text, float) and text != text) else str(text)
    if settings["normalise"].get("nfkc", True):
        value = unicodedata.normalize("NFKC", value)
    value = value.lower()
    for pattern in _compiled(tuple(settings["normalise"]["drop_patterns"])):
        value = pattern.sub("", value)
    return value


def _bigrams(text: str) -> frozenset[str]:
    if len(text) < 2:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def _dice(a: frozenset, b: frozenset) -> float:
    total = len(a) + len(b)
    return 2 * len(a & b) / total if total else 0.0


def _unit_set(lead_unit, settings) -> frozenset[str]:
    from src.parse import split_lead_units

    text = "" if lead_unit is None or (isinstance(lead_unit, float) and lead_unit != lead_unit) else str(lead_unit)
    return frozenset(u for u in (normalise_text(part, settings) for part in split_lead_units(text)) if u)


def _unit_score(a_units: frozenset, b_units: frozenset, a_grams: frozenset, b_grams: frozenset) -> float | None:
    """Share of units both name, or the bigram similarity of the unit names,
    whichever is higher. None when either side names no unit (not evidence)."""
    if not a_units or not b_units:
        return None
    shared = len(a_units & b_units) / len(a_units | b_units)
    return max(shared, _dice(a_grams, b_grams))


# --------------------------------------------------------------------------
# matching
# --------------------------------------------------------------------------
@dataclass
class _Side:
    ids: list[int]
    grams: list[frozenset]
    units: list[frozenset]
    unit_grams: list[frozenset]


def _side(tasks: pd.DataFrame, name: str, settings: dict) -> _Side:
    ids = [int(v) for v in tasks["task_id"]]
    if len(set(ids)) != len(ids):
        repeated = sorted({v for v in ids if ids.count(v) > 1})
        raise ComparisonError(f"{name}任务表序号重复：{repeated[:10]} (duplicate task ids)")
    units_column = tasks["lead_unit"] if "lead_unit" in tasks.columns else pd.Series([""] * len(tasks))
    units = [_unit_set(u, settings) for u in units_column]
    return _Side(
        ids=ids,
        grams=[_bigrams(normalise_text(t, settings)) for t in tasks["task"]],
        units=units,
        unit_grams=[_bigrams("".join(sorted(u))) for u in units],
    )


def _candidate_pairs(cur: _Side, prev: _Side, settings: dict) -> list[tuple]:
    """Every pair worth scoring, as (i, j, task_score, unit_score, score, same_id).

    The prefilter is a character-bigram index of the previous period: for each
    current task, one bincount over the postings of its bigrams gives the shared
    bigram count (hence the exact Dice score) with every previous task at once,
    and only pairs that could reach the near-miss score are scored further. The
    same-id pair is always scored."""
    weights, limits = settings["weights"], settings["thresholds"]
    w_task, w_unit = weights["task_weight"], weights["unit_weight"]
    lowest = min(limits["near_miss_score"], limits["text_min_score"])
    task_floor = min(limits["id_min_task_score"], max(0.0, (lowest - w_unit) / w_task)) if w_task else 0.0
    vocabulary: dict[str, int] = {}
    postings: list[list[int]] = []
    for j, grams in enumerate(prev.grams):
        for gram in grams:
            index = vocabulary.setdefault(gram, len(vocabulary))
            if index == len(postings):
                postings.append([])
            postings[index].append(j)
    arrays = [np.asarray(p, dtype=np.int64) for p in postings]
    prev_sizes = np.asarray([len(g) for g in prev.grams], dtype=np.float64)
    prev_by_id = {task_id: j for j, task_id in enumerate(prev.ids)}
    pairs = []
    for i, grams in enumerate(cur.grams):
        hits = [arrays[vocabulary[g]] for g in grams if g in vocabulary]
        candidates: set[int] = set()
        if hits and len(prev.ids):
            shared = np.bincount(np.concatenate(hits), minlength=len(prev.ids))
            denominator = prev_sizes + len(grams)
            dice = np.divide(2 * shared, denominator, out=np.zeros_like(denominator), where=denominator > 0)
            candidates.update(int(j) for j in np.nonzero(dice >= task_floor - 1e-12)[0])
        same = prev_by_id.get(cur.ids[i])
        if same is not None:
            candidates.add(same)
        for j in sorted(candidates):
            task_score = _dice(grams, prev.grams[j])
            unit_score = _unit_score(cur.units[i], prev.units[j], cur.unit_grams[i], prev.unit_grams[j])
            score = task_score if unit_score is None else w_task * task_score + w_unit * unit_score
            pairs.append((i, j, round(task_score, 6), None if unit_score is None else round(unit_score, 6),
                          round(score, 6), cur.ids[i] == prev.ids[j]))
    return pairs


def match_tasks(current: pd.DataFrame, previous: pd.DataFrame, settings: dict | str | Path | None = None) -> pd.DataFrame:
    """Match the tasks of two periods one to one.

    ``current`` and ``previous`` need ``task_id`` and ``task`` (``lead_unit`` is
    used when present). Returns one row per current task (in ``task_id`` order)
    and then one per previous task left unmatched (``match`` = "removed", in
    previous ``task_id`` order), with columns :data:`MATCH_COLUMNS`:
    ``match`` is id / text / new / removed, ``match_score`` the combined score
    (NaN for new and removed), ``needs_match_review`` and its reason in Chinese.
    See matching.toml for the rules.
    """
    settings = load_settings(settings)
    limits = settings["thresholds"]
    for name, table in (("本期", current), ("上期", previous)):
        missing = [column for column in ("task_id", "task") if column not in table.columns]
        if missing:
            raise ComparisonError(f"{name}任务表缺少列 {', '.join(missing)} (the {name} table lacks {missing})")
    current = current.sort_values("task_id", kind="stable").reset_index(drop=True)
    previous = previous.sort_values("task_id", kind="stable").reset_index(drop=True)
    cur, prev = _side(current, "本期", settings), _side(previous, "上期", settings)
    pairs = _candidate_pairs(cur, prev, settings)

    admissible = []
    for i, j, task_score, unit_score, score, same_id in pairs:
        by_id = same_id and task_score >= limits["id_min_task_score"]
        if by_id or score >= limits["text_min_score"]:
            priority = score + (limits["id_bonus"] if by_id else 0.0)
            admissible.append((-round(priority, 6), -score, cur.ids[i], prev.ids[j], i, j, task_score, unit_score, score, by_id))
    admissible.sort()
    taken_cur: dict[int, tuple] = {}
    taken_prev: set[int] = set()
    for entry in admissible:
        i, j = entry[4], entry[5]
        if i in taken_cur or j in taken_prev:
            continue
        taken_cur[i] = entry
        taken_prev.add(j)

    best_for_cur: dict[int, list] = {}
    best_for_prev: dict[int, list] = {}
    for i, j, _task, _unit, score, _same in pairs:
        best_for_cur.setdefault(i, []).append((score, j))
        best_for_prev.setdefault(j, []).append((score, i))

    def runner_up(options: list, chosen: int) -> tuple[float, int] | None:
        others = sorted((o for o in options if o[1] != chosen), key=lambda o: (-o[0], o[1]))
        return others[0] if others else None

    rows = []
    for i, task_id in enumerate(cur.ids):
        if i in taken_cur:
            _p, _s, _ci, previous_id, _i, j, task_score, unit_score, score, by_id = taken_cur[i]
            reasons = []
            if score < limits["review_below"]:
                reasons.append(f"匹配得分 {score:.2f} 低于复核线 {limits['review_below']:.2f}")
            for options, chosen, side, ids in ((best_for_cur.get(i, []), j, "上期", prev.ids),
                                               (best_for_prev.get(j, []), i, "本期", cur.ids)):
                other = runner_up(options, chosen)
                if other and other[0] >= score - limits["ambiguity_margin"]:
                    reasons.append(f"另有相近的{side}任务：序号 {ids[other[1]]}（得分 {other[0]:.2f}）")
            rows.append((task_id, previous_id, "id" if by_id else "text", score, task_score, unit_score,
                         bool(reasons), "；".join(reasons)))
        else:
            rows.append((task_id, None, "new", None, None, None, *_near_miss(best_for_cur.get(i, []), prev.ids, "上期", limits)))
    for j, previous_id in enumerate(prev.ids):
        if j not in taken_prev:
            rows.append((None, previous_id, "removed", None, None, None,
                         *_near_miss(best_for_prev.get(j, []), cur.ids, "本期", limits)))
    frame = pd.DataFrame.from_records(rows, columns=MATCH_COLUMNS)
    for column in ("task_id", "previous_task_id"):
        frame[column] = frame[column].astype("Int64")
    for column in ("match_score", "task_score", "unit_score"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64").round(4)
    frame["needs_match_review"] = frame["needs_match_review"].astype(bool)
    return frame


def _near_miss(options: list, ids: list[int], side: str, limits: dict) -> tuple[bool, str]:
    """A task left without a partner although one scored near (or above) the line."""
    if not options:
        return False, ""
    score, index = sorted(options, key=lambda o: (-o[0], o[1]))[0]
    if score < limits["near_miss_score"]:
        return False, ""
    if score >= limits["text_min_score"]:
        why = "该任务已与得分更高的任务匹配"
    else:
        why = f"低于匹配线 {limits['text_min_score']:.2f}，未匹配"
    return True, f"最相近的{side}任务：序号 {ids[index]}（得分 {score:.2f}，{why}），请核对是否为同一任务"


# --------------------------------------------------------------------------
# the comparison table
# --------------------------------------------------------------------------
def change_label(previous_status: str, status: str, settings: dict | None = None) -> str:
    """The ``change`` word for one task (see the module docstring)."""
    names = (settings or load_settings())["change"]
    if not previous_status:
        return names["new"]
    if not status:
        return names["removed"]
    key = f"{previous_status}->{status}"
    if key not in names:
        raise ComparisonError(f"未知状态组合 {key}（状态只能是 {' / '.join(STATUSES)}） (unknown status)")
    return names[key]


def compare_periods(current_classified: pd.DataFrame, previous_classified: pd.DataFrame,
                    settings: dict | str | Path | None = None) -> pd.DataFrame:
    """One row per task of either period (:data:`COMPARISON_COLUMNS`).

    Current tasks come first in ``task_id`` order, then the removed previous
    tasks in their ``task_id`` order. ``gap_change_pts`` = this period's gap to
    the schedule minus the previous one (both in points; NaN unless both are
    quantified). Text columns hold "" where a period has no such task.
    """
    settings = load_settings(settings)
    for name, table in (("本期", current_classified), ("上期", previous_classified)):
        missing = [c for c in ("task_id", "task", "status") if c not in table.columns]
        if missing:
            raise ComparisonError(f"{name}分类表缺少列 {', '.join(missing)}：请先完成判定 (classified table lacks {missing})")
        unknown = sorted(set(table["status"]) - set(STATUSES))
        if unknown:
            raise ComparisonError(f"{name}分类表中有未知状态 {unknown} (unknown status values)")
    matches = match_tasks(current_classified, previous_classified, settings)
    cur = _indexed(current_classified, "")
    prev = _indexed(previous_classified, "previous_")
    frame = matches.join(cur, on="task_id").join(prev, on="previous_task_id")
    text_columns = ["status", "previous_status", "leader", "leader_title", "task", "lead_unit",
                    "previous_leader", "previous_task", "previous_lead_unit", "progress", "previous_progress",
                    "previous_status_source", "previous_override_reason", "previous_override_reviewer",
                    "previous_override_date"]
    for column in text_columns:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), "").astype(str)
    for column in ("leader_order", "previous_leader_order"):
        frame[column] = frame[column].astype("Int64")
    frame["change"] = [change_label(p, s, settings) for p, s in zip(frame["previous_status"], frame["status"])]
    frame = frame.rename(columns={"previous_schedule_gap_pts": "previous_gap_pts"})
    for column in ("schedule_gap_pts", "previous_gap_pts"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["gap_change_pts"] = (frame["schedule_gap_pts"] - frame["previous_gap_pts"]).round(4)
    frame = mark_stale(frame, frame["progress"], frame["previous_progress"], settings)
    frame = _previous_overrides(frame)
    return frame[COMPARISON_COLUMNS].reset_index(drop=True)


def _previous_overrides(frame: pd.DataFrame) -> pd.DataFrame:
    """Last period's override of each matched task, beside it (the analyst may carry it
    over deliberately: ``make carry-overrides IDS=…``); never applied by itself."""
    from src.classify.overrides import override_evidence

    out = frame.copy()
    overridden = out["previous_status_source"].astype(str) == "override"
    out["previous_override_status"] = out["previous_status"].where(overridden, "")
    for column in ("reason", "reviewer"):
        out[f"previous_override_{column}"] = out[f"previous_override_{column}"].where(overridden, "").astype(str)
    out["previous_override"] = [
        f"{_label(status)}：" + override_evidence(reason, reviewer, str(when or ""))[5:] if status else ""
        for status, reason, reviewer, when in zip(out["previous_override_status"], out["previous_override_reason"],
                                                   out["previous_override_reviewer"], out["previous_override_date"])
    ]
    return out


def _indexed(table: pd.DataFrame, prefix: str) -> pd.DataFrame:
    columns = ["status", "schedule_gap_pts", "leader", "leader_title", "leader_order", "task", "lead_unit", "progress"]
    if prefix:
        columns = [c for c in columns if c != "leader_title"]
        columns += ["status_source", "override_reason", "override_reviewer", "override_date"]
    picked = pd.DataFrame({"task_id": table["task_id"].astype("int64")})
    for column in columns:
        picked[column] = table[column].values if column in table.columns else (np.nan if column in ("schedule_gap_pts", "leader_order") else "")
    picked = picked.set_index("task_id")
    picked.index = picked.index.astype("Int64")
    return picked.add_prefix(prefix)


def write_comparison(frame: pd.DataFrame, data_dir: str | Path) -> list[Path]:
    """``<data_dir>/comparison.csv`` (UTF-8 with BOM, Excel-safe) and ``comparison.parquet``."""
    data_dir = Path(data_dir)
    return [store.write_csv(frame, data_dir / COMPARISON_OUTPUTS[0]),
            store.write_parquet(frame, data_dir / COMPARISON_OUTPUTS[1])]


def read_comparison(data_dir: str | Path) -> pd.DataFrame:
    """The comparison written by :func:`write_comparison` (from the parquet file)."""
    return pd.read_parquet(Path(data_dir) / COMPARISON_OUTPUTS[1])


def read_comparison_info(data_dir: str | Path) -> dict:
    """``comparison.json`` written by :func:`run_comparison` ({} when there is none)."""
    path = Path(data_dir) / COMPARISON_INFO
    return store.read_json(path) if path.exists() else {}


def task_history(frame: pd.DataFrame, task_id: int | None = None, previous_task_id: int | None = None) -> pd.DataFrame:
    """One task in both periods, one row per period (上期 first), for the explore
    notebook: 期次, 序号, 牵头领导, 重点工作, 牵头单位, 状态, 与序时进度差（百分点）,
    then the match and the change."""
    if task_id is not None:
        rows = frame[frame["task_id"] == task_id]
    elif previous_task_id is not None:
        rows = frame[frame["previous_task_id"] == previous_task_id]
    else:
        raise ComparisonError("请给出本期序号 task_id 或上期序号 previous_task_id")
    if rows.empty:
        which = f"本期序号 {task_id}" if task_id is not None else f"上期序号 {previous_task_id}"
        raise ComparisonError(f"比较表中没有{which}的任务 (no such task in the comparison)")
    row = rows.iloc[0]
    periods = []
    for period, prefix, gap in (("上期", "previous_", "previous_gap_pts"), ("本期", "", "schedule_gap_pts")):
        number = row[f"{prefix}task_id"]
        periods.append({
            "期次": period, "序号": number, "牵头领导": row[f"{prefix}leader"], "重点工作": row[f"{prefix}task"],
            "牵头单位": row[f"{prefix}lead_unit"], "状态": _label(row[f"{prefix}status"]) if row[f"{prefix}status"] else "",
            "与序时进度差（百分点）": row[gap],
            "匹配方式": MATCH_LABELS[row["match"]], "变化": row["change"],
        })
    return pd.DataFrame(periods)


# --------------------------------------------------------------------------
# is the previous table really the previous period of this series?
# --------------------------------------------------------------------------
def _squash(value) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))


def period_label(metadata: dict) -> str:
    """'2020年半年度' (year and period of a table), or its as_of, or its file name."""
    year, period = metadata.get("year"), metadata.get("period")
    if year and period:
        return f"{year}年{period}"
    if metadata.get("as_of"):
        return f"截至{metadata['as_of']}"
    return str(metadata.get("source_file") or "上期")


def _describe(metadata: dict) -> str:
    return (f"《{metadata.get('title') or '（无标题）'}》，印发单位 {metadata.get('issuing_office') or '未注明'}，"
            f"统计期 {metadata.get('period') or '未注明'}，参考日期 {metadata.get('as_of') or '未注明'}，"
            f"文件 {metadata.get('source_file') or '未注明'}")


def _series_check(current: dict, previous: dict) -> tuple[list[str], list[str]]:
    """(problems that refuse the pair, notes that only warn)."""
    problems, notes = [], []
    office, previous_office = _squash(current.get("issuing_office")), _squash(previous.get("issuing_office"))
    if office and previous_office and office != previous_office:
        problems.append(f"印发单位不同（本期 {current.get('issuing_office')}，上期 {previous.get('issuing_office')}）")
    elif not office or not previous_office:
        notes.append("有一张表未写明印发单位，无法核对两期是否出自同一督查室")
    year, previous_year = current.get("year"), previous.get("year")
    if year and previous_year and int(year) != int(previous_year):
        problems.append(f"年度不同（本期 {year} 年，上期 {previous_year} 年），重点工作不是同一批")
    as_of, previous_as_of = current.get("as_of"), previous.get("as_of")
    if as_of and previous_as_of:
        if str(previous_as_of)[:10] >= str(as_of)[:10]:
            which = "相同" if str(previous_as_of)[:10] == str(as_of)[:10] else "晚于本期"
            problems.append(f"上期参考日期 {str(previous_as_of)[:10]} {which}（本期 {str(as_of)[:10]}），不是更早的一期")
    else:
        notes.append("有一张表没有参考日期，无法核对两期的先后")
    return problems, notes


def check_same_series(current_metadata: dict, previous_metadata: dict, force: bool = False) -> list[str]:
    """Refuse a previous table from another office, another year, or a period
    not earlier than the current one (its as_of is not before the current as_of).

    Metadata dicts are those of ``metadata.json`` (title, issuing_office, year,
    period, as_of, source_file); put the classification's as_of in ``as_of``
    when the table was classified at another date. Raises
    :class:`ComparisonError` naming both tables unless ``force`` (the build's
    ``FORCE_COMPARE=1``); returns the notes to show as warnings (with
    ``force``, the overridden problems too).
    """
    problems, notes = _series_check(current_metadata, previous_metadata)
    if problems and not force:
        raise ComparisonError(
            "上期汇总表与本期不是同一系列的更早一期，不能比较：" + "；".join(problems) + "。\n"
            f"  本期：{_describe(current_metadata)}\n"
            f"  上期：{_describe(previous_metadata)}\n"
            "如确需比较，请设置 FORCE_COMPARE=1 后重新生成。"
            " (the previous table is not an earlier period of the same series; set FORCE_COMPARE=1 to compare anyway)"
        )
    return [f"已强制比较（FORCE_COMPARE=1）：{p}" for p in problems] + notes


# --------------------------------------------------------------------------
# loading the previous period
# --------------------------------------------------------------------------
@dataclass
class PreviousPeriod:
    """A previous period ready to compare: its classified table and metadata
    (``metadata["as_of"]`` is the date it was classified at)."""

    classified: pd.DataFrame
    metadata: dict
    source: Path
    kind: str  # "raw" (parsed and classified here), "out" (a build's OUT folder) or "data" (a data folder)
    classification: dict = field(default_factory=dict)

    @property
    def description(self) -> str:
        how = {"raw": "原始汇总表，已按其自身参考日期判定", "out": "上期构建的输出目录", "data": "上期的数据目录"}[self.kind]
        return f"上期：{period_label(self.metadata)}（{self.source}，{how}）"


def _with_classified_as_of(metadata: dict, classification: dict) -> dict:
    merged = dict(metadata)
    if classification.get("as_of"):
        merged["as_of"] = classification["as_of"]
    return merged


def _from_data_dir(folder: Path, source: Path, kind: str) -> PreviousPeriod:
    classified = store.read_table(folder / "tasks_classified.parquet")
    metadata = store.read_json(folder / "metadata.json") if (folder / "metadata.json").exists() else {}
    classification = store.read_json(folder / "classification.json") if (folder / "classification.json").exists() else {}
    return PreviousPeriod(classified, _with_classified_as_of(metadata, classification), source, kind, classification)


def load_previous(path: str | Path, work_dir: str | Path | None = None,
                  overrides_path: str | Path | None = None) -> PreviousPeriod:
    """Load the previous period from what the office has kept of it:

    - a raw table file: parsed and classified at its own as_of (from its title)
      with :func:`src.pipeline.clean_stage` and :func:`src.pipeline.analyse_stage`
      into ``work_dir`` (a temporary folder when None). The current period's
      overrides are never applied to it; pass that period's own overrides file
      as ``overrides_path`` if it had one.
    - the OUT folder of its build (``<out>/data/tasks_classified.parquet``);
    - a data folder holding ``tasks_classified.parquet``.
    """
    source = Path(path)
    if source.is_dir():
        for folder, kind in ((source / "data", "out"), (source, "data")):
            if (folder / "tasks_classified.parquet").exists():
                return _from_data_dir(folder, source, kind)
        raise ComparisonError(
            f"{source}: 目录中没有 data/tasks_classified.parquet 或 tasks_classified.parquet，"
            "请给出上期的原始汇总表或上期构建的输出目录 (no classified table in this folder)"
        )
    if not source.exists():
        raise ComparisonError(f"{source}: 上期文件不存在 (previous period not found)")
    if work_dir is not None:
        return _classify_raw(source, Path(work_dir), overrides_path)
    with tempfile.TemporaryDirectory(prefix="previous-period-") as folder:
        return _classify_raw(source, Path(folder), overrides_path)


def _classify_raw(source: Path, folder: Path, overrides_path) -> PreviousPeriod:
    from src.parse import check_all_rows_accounted
    from src.pipeline import analyse_stage, clean_stage

    folder.mkdir(parents=True, exist_ok=True)
    parsed = check_all_rows_accounted(clean_stage(source, folder))
    if not parsed.metadata.get("as_of"):
        raise ComparisonError(
            f"{source}: 上期汇总表标题未说明统计期（半年度、前三季度…），无法按其自身参考日期判定 "
            "(the previous table states no period)"
        )
    if overrides_path is None:
        overrides_path = folder / "previous_overrides.csv"
        overrides_path.write_text("task_id,status,reason,reviewer,date\n", encoding="utf-8")
    analyse_stage(folder, overrides_path=overrides_path)
    return _from_data_dir(folder, source, "raw")


def find_previous_in_raw(raw_dir: str | Path, current_path: str | Path) -> tuple[Path | None, str]:
    """The latest earlier period of the same series among the other tables in
    ``raw_dir`` (same office and year, earlier as_of), and why it was chosen —
    or (None, why none was). Files that cannot be read are skipped and named."""
    from src.ingest.inbox import inbox_candidates, table_period

    raw_dir, current_path = Path(raw_dir), Path(current_path)
    current = table_period(current_path)
    candidates, skipped, looked = [], [], 0
    for path in inbox_candidates(raw_dir):  # every format the readers accept, read only as far as the title
        if path.resolve() == current_path.resolve():
            continue
        looked += 1
        metadata = table_period(path)
        if "unreadable" in metadata:
            skipped.append(f"{path.name}（无法读取：{metadata['unreadable']}）")
            continue
        if not metadata.get("as_of"):
            skipped.append(f"{path.name}（看不出统计期）")
            continue
        problems, notes = _series_check(current, metadata)
        if not problems and not notes:
            candidates.append((str(metadata["as_of"]), str(metadata.get("issued") or ""), path.name, path, metadata))
    skipped_note = f"；跳过 {'、'.join(skipped)}" if skipped else ""
    if not candidates:
        return None, (f"{raw_dir} 中没有与本期（{period_label(current)}，{current.get('issuing_office') or '印发单位未注明'}）"
                      f"同一系列的更早一期汇总表（查看了 {looked} 个文件{skipped_note}）")
    *_, path, metadata = max(candidates, key=lambda c: c[:3])
    others = len(candidates) - 1
    return path, (f"未指定上期，按 {raw_dir} 中同一系列（{current.get('issuing_office')}，{current.get('year')} 年）"
                  f"最近的更早一期作为上期：{path.name}（{period_label(metadata)}，参考日期 {metadata['as_of']}）"
                  + (f"，另有 {others} 个更早的期次未用" if others else "") + skipped_note)


# --------------------------------------------------------------------------
# report pieces: data and sentences (the lead turns them into HTML / Word)
# --------------------------------------------------------------------------
def _label(status: str) -> str:
    from src.style import status_label

    return status_label(status)


def _status_order() -> list[str]:
    from src.style import status_order

    return status_order()


def _scope(frame: pd.DataFrame, leader: str = "") -> pd.DataFrame:
    """The rows of one leader: their current tasks, and their previous tasks now removed."""
    if not leader:
        return frame
    return frame[(frame["leader"] == leader) | ((frame["status"] == "") & (frame["previous_leader"] == leader))]


def transition_counts(frame: pd.DataFrame, leader: str = "") -> pd.DataFrame:
    """How many tasks went from each status to each other (滞后→序时推进 2 项),
    then the new and removed tasks. Zero rows are left out. Columns:
    previous_status, status, change, tasks, transition, sentence."""
    rows = []
    scoped = _scope(frame, leader)
    matched = scoped[(scoped["status"] != "") & (scoped["previous_status"] != "")]
    counts = matched.groupby(["previous_status", "status"]).size()
    settings = load_settings()
    for before in STATUSES:
        for after in STATUSES:
            n = int(counts.get((before, after), 0))
            if n:
                transition = f"{_label(before)}→{_label(after)}"
                rows.append((before, after, change_label(before, after, settings), n, transition, f"{transition} {n} 项"))
    for kind in ("new", "removed"):
        n = int((scoped["match"] == kind).sum())
        if n:
            word = settings["change"][kind]
            rows.append(("", "", word, n, word, f"{word} {n} 项"))
    return pd.DataFrame(rows, columns=["previous_status", "status", "change", "tasks", "transition", "sentence"])


def gap_words(gap) -> str:
    """-3.2 → 滞后序时进度3.2个百分点 (the notice's own wording, :func:`src.narrative.gap_phrase`);
    no figure → 文字表述滞后."""
    from src.narrative import gap_phrase

    return gap_phrase(gap) or "文字表述滞后"


def lagging_both_periods(frame: pd.DataFrame, leader: str = "") -> pd.DataFrame:
    """Tasks lagging in this period and the previous one (连续两期滞后), to be
    named first in 存在问题: furthest behind first (stated delays after the
    quantified ones), then by 序号. Columns: task_id, previous_task_id, leader,
    task, lead_unit, schedule_gap_pts, previous_gap_pts, gap_change_pts, sentence."""
    from src.narrative import short_task

    rows = _scope(frame, leader)
    rows = rows[(rows["status"] == "lagging") & (rows["previous_status"] == "lagging")].copy()
    rows["_no_gap"] = rows["schedule_gap_pts"].isna()
    rows = rows.sort_values(["_no_gap", "schedule_gap_pts", "task_id"], kind="stable")
    sentences = []
    for row in rows.itertuples(index=False):
        ids = f"序号 {row.task_id}" + (f"（上期 {row.previous_task_id}）" if row.previous_task_id != row.task_id else "")
        trend = ""
        if row.gap_change_pts == row.gap_change_pts and row.gap_change_pts is not None:
            trend = ("，差距缩小" if row.gap_change_pts > 0 else "，差距扩大" if row.gap_change_pts < 0 else "，差距未变")
            trend += f" {abs(row.gap_change_pts):.1f} 个百分点" if row.gap_change_pts else ""
        sentences.append(
            f"{ids} {short_task(row.task)}（{row.lead_unit or '牵头单位未注明'}）：连续两期滞后，"
            f"本期{gap_words(row.schedule_gap_pts)}，上期{gap_words(row.previous_gap_pts)}{trend}。"
        )
    rows["sentence"] = sentences
    return rows[["task_id", "previous_task_id", "leader", "task", "lead_unit", "schedule_gap_pts",
                 "previous_gap_pts", "gap_change_pts", "sentence"]].reset_index(drop=True)


def _change_pts_words(change, previous_missing: bool, missing_words: str = "上期无此项") -> str:
    """3.2 → 较上期提高 3.2 个百分点; -0.4 → 较上期降低 0.4 个百分点; under 0.05 → 与上期持平."""
    if previous_missing:
        return missing_words
    if abs(change) < 0.05:
        return "与上期持平"
    return f"较上期{'提高' if change > 0 else '降低'} {abs(change):.1f} 个百分点"


def _split_units(text: str) -> list[str]:
    from src.parse import split_lead_units

    return [u for u in split_lead_units(text or "") if u] or ["牵头单位未注明"]


def unit_renames(frame: pd.DataFrame, settings: dict | None = None) -> dict[str, str]:
    """Lead units of the previous period that seem renamed: the unit no longer
    appears, and (``[units]`` in matching.toml) enough of its matched tasks now
    name one unit that did not appear before. {old name: new name}."""
    settings = settings or load_settings()
    limits = settings["units"]
    matched = frame[(frame["status"] != "") & (frame["previous_status"] != "")]
    current_units = {u for text in frame.loc[frame["status"] != "", "lead_unit"] for u in _split_units(text)}
    previous_units = {u for text in frame.loc[frame["previous_status"] != "", "previous_lead_unit"] for u in _split_units(text)}
    renames = {}
    for old in sorted(previous_units - current_units):
        rows = matched[[old in _split_units(text) for text in matched["previous_lead_unit"]]]
        if len(rows) < limits["rename_min_tasks"]:
            continue
        counts: dict[str, int] = {}
        for text in rows["lead_unit"]:
            for unit in _split_units(text):
                if unit not in previous_units:
                    counts[unit] = counts.get(unit, 0) + 1
        if counts:
            new, n = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0]
            if n >= limits["rename_min_tasks"] and n / len(rows) >= limits["rename_min_share"]:
                renames[old] = new
    return renames


def _unit_rows(frame: pd.DataFrame, renames: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    current = frame[frame["status"] != ""]
    previous = frame[frame["previous_status"] != ""]
    cur = pd.DataFrame(
        [(u, s) for text, s in zip(current["lead_unit"], current["status"]) for u in _split_units(text)],
        columns=["group", "status"],
    )
    prev = pd.DataFrame(
        [(renames.get(u, u), s) for text, s in zip(previous["previous_lead_unit"], previous["previous_status"])
         for u in _split_units(text)],
        columns=["group", "status"],
    )
    return cur, prev


def _leader_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    current = frame[frame["status"] != ""]
    previous = frame[frame["previous_status"] != ""]
    return (pd.DataFrame({"group": current["leader"].values, "status": current["status"].values}),
            pd.DataFrame({"group": previous["previous_leader"].values, "status": previous["previous_status"].values}))


def _counts(rows: pd.DataFrame) -> pd.DataFrame:
    table = pd.crosstab(rows["group"], rows["status"]) if len(rows) else pd.DataFrame(index=pd.Index([], name="group"))
    table = table.reindex(columns=list(STATUSES), fill_value=0)
    table["tasks"] = table[list(STATUSES)].sum(axis=1)
    return table


def lagging_share_change(frame: pd.DataFrame, by: str = "leader") -> pd.DataFrame:
    """Lagging share per leader (``by="leader"``) or per lead unit
    (``by="lead_unit"``; each unit of a shared task counts; renamed units are
    counted under their new name, see :func:`unit_renames`), in both periods,
    with its change in points. Columns: <by>, tasks, lagging,
    lagging_share_pct, previous_tasks, previous_lagging,
    previous_lagging_share_pct, change_pts, sentence (滞后占比 12.5%，较上期提高 3.2 个百分点)."""
    if by not in ("leader", "lead_unit"):
        raise ComparisonError(f"by 只能是 leader 或 lead_unit，实为 {by!r}")
    cur_rows, prev_rows = _leader_rows(frame) if by == "leader" else _unit_rows(frame, unit_renames(frame))
    cur, prev = _counts(cur_rows), _counts(prev_rows)
    table = cur[["tasks", "lagging"]].join(prev[["tasks", "lagging"]].add_prefix("previous_"), how="outer")
    table = table.reset_index().rename(columns={"group": by})
    for column in ("tasks", "lagging", "previous_tasks", "previous_lagging"):
        table[column] = table[column].fillna(0).astype("int64")
    table["lagging_share_pct"] = (100 * table["lagging"] / table["tasks"].where(table["tasks"] > 0)).round(4)
    table["previous_lagging_share_pct"] = (
        100 * table["previous_lagging"] / table["previous_tasks"].where(table["previous_tasks"] > 0)).round(4)
    table["change_pts"] = (table["lagging_share_pct"] - table["previous_lagging_share_pct"]).round(4)
    sentences = []
    for row in table.itertuples(index=False):
        if not row.tasks:
            sentences.append(f"本期无任务（上期 {row.previous_tasks} 项，滞后 {row.previous_lagging} 项）")
            continue
        share = f"滞后 {row.lagging} 项，占 {row.lagging_share_pct:.1f}%"
        missing = "上期无此领导的任务" if by == "leader" else "上期无此单位"
        sentences.append(f"{share}，{_change_pts_words(row.change_pts, not row.previous_tasks, missing)}")
    table["sentence"] = sentences
    if by == "leader":
        order = _leader_order(frame)
        table["_order"] = table["leader"].map(lambda name: order.get(name, (2, 0, name)))
        table = table.sort_values("_order", kind="stable").drop(columns="_order")
    else:
        table = table.sort_values(["lagging", "tasks", "lead_unit"], ascending=[False, False, True], kind="stable")
    return table.reset_index(drop=True)


def _leader_order(frame: pd.DataFrame) -> dict[str, tuple]:
    """Leaders in the current table-of-contents order, then previous-only leaders in theirs."""
    order = {}
    current = frame[frame["status"] != ""].dropna(subset=["leader_order"])
    for name, position in current.groupby("leader")["leader_order"].min().items():
        order[name] = (0, int(position), name)
    previous = frame[frame["previous_status"] != ""].dropna(subset=["previous_leader_order"])
    for name, position in previous.groupby("previous_leader")["previous_leader_order"].min().items():
        order.setdefault(name, (1, int(position), name))
    return order


def _ranks(counts: pd.DataFrame) -> pd.Series:
    """Competition ranking by lagging tasks, most first (rank 1 = most lagging
    tasks; equal counts share a rank). Units with no lagging task are not ranked (NA)."""
    lagging = counts["lagging"] if len(counts) else pd.Series(dtype="int64")
    ranks = [1 + int((lagging > n).sum()) if n > 0 else pd.NA for n in lagging]
    return pd.Series(ranks, index=counts.index, dtype="Int64")


def unit_ranking_change(frame: pd.DataFrame) -> pd.DataFrame:
    """Lead units ranked by lagging tasks in both periods (rank 1 = most lagging
    tasks; equal counts share a rank; a unit without lagging tasks has no rank),
    with its change. ``rank_change`` = previous rank − rank: positive means
    the unit moved up the list, towards the most lagging. Renamed units are
    followed (:func:`unit_renames`); each unit of a shared task counts. Columns:
    lead_unit, rank, tasks, lagging, previous_rank, previous_tasks,
    previous_lagging, rank_change, sentence. Ranked units come first (by rank,
    then most tasks, then name), then the rest by name."""
    renames = unit_renames(frame)
    cur_rows, prev_rows = _unit_rows(frame, renames)
    cur, prev = _counts(cur_rows), _counts(prev_rows)
    cur["rank"], prev["rank"] = _ranks(cur), _ranks(prev)
    table = cur[["rank", "tasks", "lagging"]].join(prev[["rank", "tasks", "lagging"]].add_prefix("previous_"), how="outer")
    table = table.reset_index().rename(columns={"group": "lead_unit"})
    for column in ("rank", "tasks", "lagging", "previous_rank", "previous_tasks", "previous_lagging"):
        table[column] = table[column].astype("Int64")
    for column in ("tasks", "lagging", "previous_tasks", "previous_lagging"):
        table[column] = table[column].fillna(0)
    table["rank_change"] = (table["previous_rank"] - table["rank"]).astype("Int64")
    inverse = {new: old for old, new in renames.items()}
    sentences = []
    for row in table.itertuples(index=False):
        renamed = f"（上期名称 {inverse[row.lead_unit]}）" if row.lead_unit in inverse else ""
        if not row.previous_tasks:
            before = "上期无此单位"
        elif pd.isna(row.previous_rank):
            before = "上期无滞后任务"
        else:
            before = f"上期第 {row.previous_rank} 位"
        if not row.tasks:
            sentence = f"本期无任务（{before}）"
        elif pd.isna(row.rank):
            sentence = "两期均无滞后任务" if before == "上期无滞后任务" else f"本期无滞后任务（{before}）"
        elif pd.isna(row.previous_rank):
            sentence = f"滞后任务数排名第 {row.rank} 位，{before}"
        elif row.rank_change == 0:
            sentence = f"滞后任务数排名第 {row.rank} 位，与上期相同"
        else:
            verb = "升至" if row.rank_change > 0 else "降至"
            moved = f"{'上升' if row.rank_change > 0 else '下降'} {abs(int(row.rank_change))} 位"
            sentence = f"滞后任务数排名由上期第 {row.previous_rank} 位{verb}第 {row.rank} 位（{moved}）"
        sentences.append(sentence + renamed)
    table["sentence"] = sentences
    table["_unranked"] = table["rank"].isna()
    table["_rank"] = table["rank"].fillna(0).astype("int64")
    table = table.sort_values(["_unranked", "_rank", "tasks", "lead_unit"], ascending=[True, True, False, True], kind="stable")
    return table.drop(columns=["_unranked", "_rank"]).reset_index(drop=True)


def leader_changes(frame: pd.DataFrame) -> pd.DataFrame:
    """Each leader's change since the previous period, for index.html: counts
    per status in both periods, the change counts (新完成, 转为滞后, 仍滞后,
    已追上, 新增, 已移除 …), the lagging share change and one sentence."""
    shares = lagging_share_change(frame, by="leader")
    settings = load_settings()
    words = list(dict.fromkeys([settings["change"][k] for k in
                                ("on-track->completed", "lagging->on-track", "on-track->lagging", "lagging->lagging",
                                 "completed->on-track", "new", "removed")]))
    rows = []
    for share in shares.itertuples(index=False):
        scoped = _scope(frame, share.leader)
        counts = scoped["change"].value_counts()
        row = {"leader": share.leader, "tasks": share.tasks, "lagging": share.lagging,
               "previous_tasks": share.previous_tasks, "previous_lagging": share.previous_lagging,
               "lagging_share_pct": share.lagging_share_pct,
               "previous_lagging_share_pct": share.previous_lagging_share_pct, "change_pts": share.change_pts}
        for status in STATUSES:
            row[status] = int((scoped["status"] == status).sum())
            row[f"previous_{status}"] = int(((scoped["previous_status"] == status) & (
                scoped["previous_leader"] == share.leader)).sum())
        parts = []
        for word in words:
            row[word] = int(counts.get(word, 0))
            if row[word]:
                parts.append(f"{word} {row[word]} 项")
        if not share.tasks:
            tail = "本期无任务"
        elif not share.previous_tasks:
            tail = f"滞后占比 {share.lagging_share_pct:.1f}%，上期无此领导的任务"
        else:
            tail = f"滞后占比 {share.lagging_share_pct:.1f}%，{_change_pts_words(share.change_pts, False)}"
        row["sentence"] = "；".join([*parts, tail]) if parts else f"各项任务状态与上期相同；{tail}"
        rows.append(row)
    return pd.DataFrame(rows)


def comparison_sentences(frame: pd.DataFrame, leader: str = "", previous_label: str = "上期") -> list[str]:
    """The sentences of the 与上期比较 section (overview, or one leader's
    report), in order: matching, changes, transitions, lagging share, tasks
    lagging two periods running. The Word 通报 uses the same sentences."""
    scoped = _scope(frame, leader)
    settings = load_settings()
    names = settings["change"]
    current = scoped[scoped["status"] != ""]
    previous_rows = frame[frame["previous_status"] != ""]
    if leader:
        previous_rows = previous_rows[previous_rows["previous_leader"] == leader]
    matched = scoped[scoped["match"].isin(["id", "text"])]
    by_id, by_text = int((matched["match"] == "id").sum()), int((matched["match"] == "text").sum())
    new, removed = int((scoped["match"] == "new").sum()), int((scoped["match"] == "removed").sum())
    review = int(scoped["needs_match_review"].sum())
    how = "、".join(part for part in (f"按序号 {by_id} 项" if by_id else "", f"按内容 {by_text} 项" if by_text else "") if part)
    parts = [f"本期 {len(current)} 项任务中 {len(matched)} 项与{previous_label}对应" + (f"（{how}）" if how else "")]
    if new:
        parts.append(f"新增 {new} 项")
    if removed:
        parts.append(f"{previous_label}任务本期已移除 {removed} 项")
    if review:
        parts.append(f"{review} 项匹配待人工核对")
    sentences = [f"与{previous_label}相比，" + "；".join(parts) + "。"]
    order = [names[k] for k in ("on-track->completed", "lagging->on-track", "on-track->lagging", "lagging->lagging",
                                "completed->on-track", "on-track->on-track")]
    counts = matched["change"].value_counts()
    parts = [f"{word} {int(counts[word])} 项" for word in dict.fromkeys(order) if counts.get(word, 0)]
    if parts:
        sentences.append("状态变化：" + "，".join(parts) + "。")
    stale = matched[matched["progress_stale"].fillna(False).astype(bool)] if "progress_stale" in matched.columns else matched.iloc[:0]
    if len(stale):
        kinds = stale["status"].value_counts()
        detail = "，".join(f"{_label(s)} {int(kinds[s])} 项" for s in _status_order() if kinds.get(s, 0))
        sentences.append(f"进展未更新 {len(stale)} 项：进展情况与{previous_label}相同或基本相同（{detail}），请督促牵头单位如实更新。")
    transitions = transition_counts(scoped)
    moved = transitions[(transitions["status"] != "") & (transitions["previous_status"] != "")
                        & (transitions["previous_status"] != transitions["status"])]
    if len(moved):
        sentences.append("其中" + "，".join(moved["sentence"]) + "。")
    if len(current):
        share = 100 * (current["status"] == "lagging").sum() / len(current)
        if len(previous_rows):
            previous_share = 100 * (previous_rows["previous_status"] == "lagging").sum() / len(previous_rows)
            sentences.append(f"滞后占比 {share:.1f}%，{_change_pts_words(round(share - previous_share, 4), False)}"
                             f"（{previous_label} {previous_share:.1f}%）。")
        else:
            sentences.append(f"滞后占比 {share:.1f}%，{previous_label}无对应任务。")
    both = lagging_both_periods(frame, leader)
    if len(both):
        sentences.append(f"连续两期滞后 {len(both)} 项，应作为督办重点：" + "".join(both["sentence"]))
    return sentences


def comparison_sheet(frame: pd.DataFrame) -> pd.DataFrame:
    """The Excel sheet 与上期比较: Chinese headers, statuses and matches in
    words, every task of either period (removed tasks show their previous text)."""
    sheet = frame.copy()
    removed = sheet["status"] == ""
    for column in ("leader", "task", "lead_unit"):
        sheet[column] = sheet[column].where(~removed, sheet[f"previous_{column}"])
    for column in ("status", "previous_status"):
        sheet[column] = sheet[column].map(lambda s: _label(s) if s else "")
    sheet["match"] = sheet["match"].map(MATCH_LABELS)
    sheet["needs_match_review"] = sheet["needs_match_review"].map({True: "是", False: ""})
    sheet["progress_stale"] = sheet["progress_stale"].map({True: "是", False: ""})
    return sheet[[c for c, _ in SHEET_COLUMNS]].rename(columns=dict(SHEET_COLUMNS)).reset_index(drop=True)


# --------------------------------------------------------------------------
# the build step, in one call
# --------------------------------------------------------------------------
@dataclass
class ComparisonRun:
    """What :func:`run_comparison` did: the comparison (None when there is no
    previous period), what it wrote, and the notes for the console and the report."""

    frame: pd.DataFrame | None
    info: dict
    notes: list[str]
    paths: list[Path] = field(default_factory=list)


def _env_force() -> bool:
    import os

    return os.environ.get("FORCE_COMPARE", "").strip().lower() in ("1", "true", "yes", "是")


def run_comparison(data_dir: str | Path, previous: str | Path | None = None, raw_path: str | Path | None = None,
                   raw_dir: str | Path | None = None, force: bool | None = None, work_dir: str | Path | None = None,
                   settings: dict | str | Path | None = None) -> ComparisonRun:
    """Compare ``<data_dir>/tasks_classified.parquet`` with the previous period
    and write ``comparison.csv`` / ``.parquet`` / ``.json`` into ``data_dir``.

    ``previous``: what ``PREVIOUS=`` / ``--previous`` names (a raw table, the OUT
    folder of its build, or its data folder). When None, an earlier period of the
    same series among the tables in ``raw_dir`` (default: ``data/raw/``, never
    the folder ``raw_path`` happens to be in) is used, and the notes say so. With no previous period,
    nothing is compared and stale comparison files are removed. ``force``
    (None → the ``FORCE_COMPARE`` environment variable) compares a pair that
    :func:`check_same_series` would refuse. A raw previous table is classified
    into ``work_dir`` (default ``<data_dir>/previous``).
    """
    data_dir = Path(data_dir)
    force = _env_force() if force is None else force
    how = "given"
    notes: list[str] = []
    if previous is None:
        if raw_path is None:
            return _no_comparison(data_dir, ["未指定上期，也未给出本期汇总表所在目录，不做与上期比较"])
        from src import paths

        found, why = find_previous_in_raw(raw_dir or paths.RAW_DIR, raw_path)  # data/raw/ only, never the table's own folder
        if found is None:
            return _no_comparison(data_dir, [why])
        previous, how = found, "found"
        notes.append(why)
    loaded = load_previous(previous, work_dir=work_dir or data_dir / "previous")
    current = store.read_table(data_dir / "tasks_classified.parquet")
    metadata = store.read_json(data_dir / "metadata.json") if (data_dir / "metadata.json").exists() else {}
    classification = store.read_json(data_dir / "classification.json") if (data_dir / "classification.json").exists() else {}
    metadata = _with_classified_as_of(metadata, classification)
    notes += check_same_series(metadata, loaded.metadata, force=force)
    settings = load_settings(settings)
    frame = compare_periods(current, loaded.classified, settings)
    counts = frame["match"].value_counts()
    info = {
        "previous_source": str(previous),
        "previous_kind": loaded.kind,
        "previous_chosen": how,
        "previous_label": period_label(loaded.metadata),
        "previous_title": loaded.metadata.get("title"),
        "previous_issuing_office": loaded.metadata.get("issuing_office"),
        "previous_as_of": loaded.metadata.get("as_of"),
        "current_label": period_label(metadata),
        "current_as_of": metadata.get("as_of"),
        "forced": bool(force),
        "notes": notes,
        "matching_version": settings.get("version", ""),
        "matches": {kind: int(counts.get(kind, 0)) for kind in MATCH_KINDS},
        "needs_match_review": int(frame["needs_match_review"].sum()),
        "progress_stale": stale_count(frame),  # 进展未更新: the figure the notice prints
        "previous_overrides": int((frame["previous_override_status"] != "").sum()),
        "changes": {word: int(n) for word, n in sorted(frame["change"].value_counts().items())},
    }
    paths = write_comparison(frame, data_dir)
    # comparison.json holds what was compared, not the statuses: every leader's report reads it, so
    # a count of changes here would make one override re-render them all (the counts: comparison.csv)
    paths.append(store.write_json({k: v for k, v in info.items() if k != "changes"}, data_dir / COMPARISON_INFO))
    notes.insert(0, f"与上期比较：{loaded.description}；" + comparison_sentences(frame, previous_label=info["previous_label"])[0])
    return ComparisonRun(frame, info, notes, paths)


def _no_comparison(data_dir: Path, notes: list[str]) -> ComparisonRun:
    for name in (*COMPARISON_OUTPUTS, COMPARISON_INFO):
        (data_dir / name).unlink(missing_ok=True)
    return ComparisonRun(None, {}, notes, [])


def main(argv: list[str] | None = None) -> int:
    """``python -m src.compare --data DIR [--previous PATH] [--raw TABLE] [--force]``."""
    import argparse

    from src.parse import RawTableError

    parser = argparse.ArgumentParser(description="与上期比较：比较本期与上期的重点工作状态 (period over period)")
    parser.add_argument("--data", required=True, help="本期数据目录（含 tasks_classified.parquet）")
    parser.add_argument("--previous", help="上期：原始汇总表、上期构建的输出目录或数据目录")
    parser.add_argument("--raw", help="本期原始汇总表（未给 --previous 时在 data/raw/ 中查找上期）")
    parser.add_argument("--force", action="store_true", help="强制比较不同系列的两期（同 FORCE_COMPARE=1）")
    args = parser.parse_args(argv)
    try:
        run = run_comparison(args.data, args.previous, args.raw, force=args.force or None)
    except (ComparisonError, RawTableError) as error:
        print(error, file=sys.stderr)
        return 2
    for note in run.notes:
        print(note)
    if run.frame is not None:
        for sentence in comparison_sentences(run.frame, previous_label=run.info["previous_label"])[1:]:
            print(sentence)
        print("已写出：" + "、".join(str(p) for p in run.paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
