"""The review loop (复核队列) of the explore notebook: the tasks an analyst should
look at, and a widget to confirm a status or change it, with reason and reviewer.

The queue (:func:`review_queue`), one row per task, with why it is there:

* 待复核 — the rules' evidence was weak or contradictory (``needs_review``), first, by priority
  (``review_priority``: 1 look first; :mod:`src.classify.queue`);
* 另见 — flagged by the rules beyond the review budget (``review_tier``), the reasons kept;
* 按默认判定的量化任务 — no rule fired (``by_default``) though the progress names figures;
* 未报送 — the progress cell is empty (status ``not-reported`` where the classifier has it);
* 进展未更新 — the progress repeats last period's (``progress_stale`` of the comparison).

:class:`ReviewQueue` writes the period's overrides file — the very file the build
reads (``classification.json`` records it; :func:`src.compare.periods.overrides_file_of`) —
through :func:`src.classify.overrides.set_override`: validated as the build validates
it, written atomically. The next ``make reports`` (or a watching rebuild, where one runs) shows it.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import ipywidgets as w
import pandas as pd
from IPython.display import display

from src import store
from src.classify.overrides import OverrideError, remove_override, set_override
from src.classify.queue import SEE_ALSO, review_order
from src.compare.periods import overrides_file_of
from src.paths import resolve
from src.report.style import status_label, status_order

__all__ = ["REASONS", "review_queue", "ReviewQueue"]

REASONS = {
    "needs_review": "待复核",
    "see_also": "另见",
    "default_quantified": "按默认判定的量化任务",
    "not_reported": "未报送",
    "stale": "进展未更新",
}
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|个|项|家|亿元|万元|公里|千米|亩|套|户|人)")


def _empty(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or not str(value).strip()


def review_queue(classified: pd.DataFrame, comparison: pd.DataFrame | None = None) -> pd.DataFrame:
    """The tasks to review: 待复核 first by priority (then 另见, then the others in task order):
    ``task_id``, ``leader``, ``task``, ``lead_unit``, ``status``, ``status_source``, ``reasons``
    (the queue's words, "；"-joined), ``detail`` (the rules' review reason, or what repeats) and
    ``priority`` (1–3; 0 outside 待复核 / 另见). Overridden tasks stay out of 待复核
    (an analyst has decided them) but not out of 未报送 or 进展未更新."""
    stale_ids: set[int] = set()
    if comparison is not None and not comparison.empty and "progress_stale" in comparison.columns:
        rows = comparison[comparison["progress_stale"].fillna(False).astype(bool) & comparison["task_id"].notna()]
        stale_ids = {int(t) for t in rows["task_id"]}
    queue = []
    for row in review_order(classified.sort_values("task_id", kind="stable")).itertuples(index=False):
        reasons, detail = [], []
        overridden = getattr(row, "status_source", "rule") == "override"
        see_also = getattr(row, "review_tier", "") == SEE_ALSO
        if (bool(getattr(row, "needs_review", False)) or see_also) and not overridden:
            reasons.append(REASONS["see_also" if see_also else "needs_review"])
            if not _empty(getattr(row, "review_reason", "")):
                detail.append(str(row.review_reason))
        progress = getattr(row, "progress", "")
        if bool(getattr(row, "by_default", False)) and not overridden and _FIGURE.search(str(progress or "")):
            reasons.append(REASONS["default_quantified"])
            detail.append("按默认（未见量化进度或明确表述），但进展中写有数字")
        if row.status == "not-reported" or _empty(progress):
            reasons.append(REASONS["not_reported"])
        if int(row.task_id) in stale_ids:
            reasons.append(REASONS["stale"])
            detail.append("进展情况与上期相同或基本相同")
        if reasons:
            queue.append({"task_id": int(row.task_id), "leader": getattr(row, "leader", ""), "task": row.task,
                          "lead_unit": getattr(row, "lead_unit", ""), "status": row.status,
                          "status_source": getattr(row, "status_source", "rule"),
                          "reasons": "；".join(reasons), "detail": "；".join(detail),
                          "priority": 0 if overridden else int(getattr(row, "review_priority", 0) or 0)})
    columns = ["task_id", "leader", "task", "lead_unit", "status", "status_source", "reasons", "detail", "priority"]
    return pd.DataFrame(queue, columns=columns)


class ReviewQueue:
    """The review widget over one build's data folder.

    Widgets: ``kind_box`` (which part of the queue), ``task_box`` (one task),
    ``status_box``, ``reason_box``, ``reviewer_box``, ``confirm_button`` (确认状态: an
    override with the status as it stands), ``change_button`` (改判), ``undo_button``
    (撤销认定), ``message_html``; display ``widget``. ``queue`` is the table;
    :meth:`decide` does what the buttons do (and is what tests and scripts call).
    """

    def __init__(self, data_dir: str | Path = "data/processed", comparison: pd.DataFrame | None = None,
                 overrides_path: str | Path | None = None):
        self.data_dir = resolve(data_dir)
        self.classified = store.read_table(self.data_dir / "tasks_classified.parquet")
        if comparison is None and (self.data_dir / "comparison.parquet").exists():
            comparison = pd.read_parquet(self.data_dir / "comparison.parquet")
        self.comparison = comparison
        self.overrides_path = Path(overrides_path) if overrides_path else overrides_file_of(self.data_dir)
        self.queue = review_queue(self.classified, comparison)
        self.decided: dict[int, dict] = {}
        style = {"description_width": "5em"}
        kinds = [("全部", "")] + [(f"{word}（{int(self.queue['reasons'].str.contains(word).sum())}）", word)
                                 for word in REASONS.values()]
        self.kind_box = w.Dropdown(options=kinds, description="复核队列", style=style)
        self.task_box = w.Dropdown(description="任务", style=style, layout=w.Layout(width="48em"))
        self.task_html = w.HTML()
        self.status_box = w.Dropdown(options=[(status_label(s), s) for s in status_order()], description="状态",
                                     style=style)
        self.reason_box = w.Textarea(description="理由", placeholder="改判必填：核查的依据（确认状态时可留空）",
                                     style=style, layout=w.Layout(width="48em"))
        self.reviewer_box = w.Text(description="复核人", placeholder="姓名（必填）", style=style)
        self.confirm_button = w.Button(description="确认状态", icon="check", tooltip="按当前状态认定，移出待复核")
        self.change_button = w.Button(description="改判", icon="edit", tooltip="按上面选的状态认定（须写理由）")
        self.undo_button = w.Button(description="撤销认定", icon="undo", tooltip="删除这项任务的人工认定，恢复按规则判定")
        self.message_html = w.HTML()
        self.widget = w.VBox([
            w.HTML(f"<b>复核队列</b>：共 {len(self.queue)} 项；认定写入 <code>{html.escape(str(self.overrides_path))}</code>"
                   "（构建读取的同一个文件），重新运行 make reports 后进入报告。"),
            self.kind_box, self.task_box, self.task_html, self.status_box, self.reason_box, self.reviewer_box,
            w.HBox([self.confirm_button, self.change_button, self.undo_button]), self.message_html,
        ])
        self.kind_box.observe(lambda _: self._fill_tasks(), names="value")
        self.task_box.observe(lambda _: self._show_task(), names="value")
        self.confirm_button.on_click(lambda _: self._click("confirm"))
        self.change_button.on_click(lambda _: self._click("change"))
        self.undo_button.on_click(lambda _: self._click("undo"))
        self._fill_tasks()

    def _ipython_display_(self) -> None:
        display(self.widget)

    def _fill_tasks(self) -> None:
        kind = self.kind_box.value
        rows = self.queue if not kind else self.queue[self.queue["reasons"].str.contains(kind)]
        options = [(f"{r.task_id}. {str(r.task)[:40]}（{r.reasons}{f'，优先级 {r.priority}' if r.priority else ''}）",
                    int(r.task_id)) for r in rows.itertuples(index=False)]
        self.task_box.options = options
        if options and self.task_box.value not in [value for _, value in options]:
            self.task_box.value = options[0][1]  # the first task of the queue, shown at once
        self._show_task()

    def _row(self, task_id: int) -> pd.Series:
        return self.classified[self.classified["task_id"].astype(int) == int(task_id)].iloc[0]

    def _show_task(self) -> None:
        task_id = self.task_box.value
        if task_id is None:
            self.task_html.value = "<i>队列中没有任务</i>"
            return
        row = self._row(task_id)
        self.status_box.value = self.decided.get(task_id, {}).get("status", row["status"])
        queued = self.queue[self.queue["task_id"] == task_id].iloc[0]
        parts = [("状态", status_label(row["status"])), ("判定依据", row.get("status_evidence", "")),
                 ("牵头单位", row.get("lead_unit", "")), ("进展情况", row.get("progress", "")),
                 ("为何复核", queued["reasons"] + (f"：{queued['detail']}" if queued["detail"] else ""))]
        self.task_html.value = "<dl>" + "".join(
            f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v or '')).replace(chr(10), '<br>')}</dd>" for k, v in parts) + "</dl>"

    def _click(self, action: str) -> None:
        try:
            message = self.decide(self.task_box.value, action, self.status_box.value, self.reason_box.value,
                                  self.reviewer_box.value)
        except (OverrideError, ValueError) as error:
            self.message_html.value = f"<span style='color:#b00020'>{html.escape(str(error))}</span>"
            return
        self.message_html.value = html.escape(message)

    def decide(self, task_id, action: str, status: str = "", reason: str = "", reviewer: str = "") -> str:
        """``confirm`` (the status as it stands), ``change`` (to ``status``; reason required) or
        ``undo`` one task's override, in the period's overrides file. Returns what was done."""
        if task_id is None:
            raise ValueError("请先在复核队列中选一项任务")
        task_id = int(task_id)
        if action == "undo":
            removed = remove_override(self.overrides_path, self.classified, task_id)
            self.decided.pop(task_id, None)
            return f"序号 {task_id}：{'已撤销人工认定' if removed else '没有人工认定，无需撤销'}"
        if not str(reviewer or "").strip():
            raise ValueError("请填写复核人")
        row = self._row(task_id)
        if action == "confirm":
            status = row["status"]
            reason = str(reason or "").strip() or f"复核确认{status_label(status)}"
        elif action != "change":
            raise ValueError(f"未知操作 {action}")
        entry = set_override(self.overrides_path, self.classified, task_id, status, reason, reviewer)
        self.decided[task_id] = entry
        return (f"序号 {task_id}：已认定为{status_label(entry['status'])}（{entry['reason']}，{entry['reviewer']}，"
                f"{entry['date']}），写入 {self.overrides_path.name}；重新运行 make reports 后进入报告")
