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
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from src import store
from src.classify.overrides import override_evidence
from src.compare.normalise import normalise_text as _normalise
from src.compare.stale import mark_stale
from src.paths import REFERENCE_DIR, ProcessedFiles
from src.report import style
from src.settings import SettingsError, check
from src.table.parse import split_lead_units

SETTINGS_PATH = REFERENCE_DIR / "matching.toml"
STATUSES = ("completed", "on-track", "lagging")  # the three every [change] table names


def all_statuses() -> tuple[str, ...]:
    """Every status a classified table may hold: report_style.toml's ``status_order``
    (the three, and 未报送 ``not-reported`` where the classifier has it)."""
    return tuple(dict.fromkeys([*STATUSES, *style.status_order()]))
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
    origin = SETTINGS_PATH.name
    if isinstance(settings, (str, Path)):
        origin = str(settings)
        merged = copy.deepcopy(_read_settings(str(Path(settings).resolve())))
    else:
        merged = copy.deepcopy(_read_settings(str(SETTINGS_PATH)))
        for section, values in (settings or {}).items():
            if isinstance(values, dict):
                merged.setdefault(section, {}).update(values)
            else:
                merged[section] = values
    _check_settings(merged, origin)
    return merged


def _check_settings(settings: dict, origin: str) -> None:
    try:
        check(settings, "matching", origin)  # names the setting that is wrong (src.settings)
    except SettingsError as error:
        raise ComparisonError(str(error)) from None


def normalise_text(text, settings: dict | None = None) -> str:
    """The text as the matcher compares it: NFKC, lower case, years, numbering,
    spaces and punctuation removed (``[normalise]`` in matching.toml)."""
    return _normalise(text, settings or load_settings())


def _bigrams(text: str) -> frozenset[str]:
    if len(text) < 2:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


def _dice(a: frozenset, b: frozenset) -> float:
    total = len(a) + len(b)
    return 2 * len(a & b) / total if total else 0.0


def _unit_set(lead_unit, settings) -> frozenset[str]:
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
    if key in names:
        return names[key]
    if previous_status == status:
        return names.get("same", "无变化")
    for wanted in (f"any->{status}", f"{previous_status}->any"):  # e.g. a status of its own (未报送)
        if wanted in names:
            return names[wanted]
    if {previous_status, status} <= set(all_statuses()):
        return f"{_label(previous_status)}→{_label(status)}"
    raise ComparisonError(f"未知状态组合 {key}（状态只能是 {' / '.join(all_statuses())}） (unknown status)")


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
        unknown = sorted(set(table["status"]) - set(all_statuses()))
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
    then the match, the change and last period's override (人工认定, on the 上期 row)."""
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
            "人工认定": row.get("previous_override", "") if prefix else "",  # last period's, never carried by itself
        })
    return pd.DataFrame(periods)


def _label(status: str) -> str:
    return style.status_label(status)


def _status_order() -> list[str]:
    return style.status_order()


__all__ = [
    "SETTINGS_PATH", "COMPARISON_COLUMNS", "MATCH_COLUMNS", "SHEET_COLUMNS", "ComparisonError",
    "load_settings", "normalise_text", "match_tasks", "change_label", "compare_periods", "write_comparison",
    "read_comparison", "read_comparison_info", "task_history",
]
