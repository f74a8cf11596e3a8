"""Period over period, the report pieces: data and sentences (the reports turn
them into HTML and Word), pure functions of the comparison frame. Part of
:mod:`src.compare`, where every name is also found.
"""
from __future__ import annotations

import pandas as pd

from src.compare.matching import (
    MATCH_LABELS,
    SHEET_COLUMNS,
    ComparisonError,
    _label,
    _status_order,
    all_statuses,
    change_label,
    load_settings,
)
from src.report.narrative import gap_phrase, short_task
from src.table.parse import split_lead_units

__all__ = ["transition_counts", "gap_words", "lagging_both_periods", "unit_renames", "lagging_share_change",
           "unit_ranking_change", "leader_changes", "comparison_sentences", "comparison_sheet"]

# --------------------------------------------------------------------------
# report pieces: data and sentences (the lead turns them into HTML / Word)
# --------------------------------------------------------------------------
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
    for before in all_statuses():
        for after in all_statuses():
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
    """-3.2 → 滞后序时进度3.2个百分点 (the notice's own wording, :func:`src.report.narrative.gap_phrase`);
    no figure → 文字表述滞后."""

    return gap_phrase(gap) or "文字表述滞后"


def lagging_both_periods(frame: pd.DataFrame, leader: str = "") -> pd.DataFrame:
    """Tasks lagging in this period and the previous one (连续两期滞后), to be
    named first in 存在问题: furthest behind first (stated delays after the
    quantified ones), then by 序号. Columns: task_id, previous_task_id, leader,
    task, lead_unit, schedule_gap_pts, previous_gap_pts, gap_change_pts, sentence."""

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
    table = table.reindex(columns=list(all_statuses()), fill_value=0)
    table["tasks"] = table[list(all_statuses())].sum(axis=1)
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
        for status in all_statuses():
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
