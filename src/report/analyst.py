"""reports/analyst.html: the office's own page, never linked from what leaders receive.

What the analyst needs and a leader must not see: the review queue with the rule and the review
reasons in Chinese, confidence, analysts' rulings with the reviewer, the rule version, the source
file, the TF-IDF keywords and the data-quality summary.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from src.classify.queue import IN_QUEUE, SEE_ALSO, review_order
from src.report import narrative, render
from src.report.style import review_reason_text, rule_name, status_label

__all__ = ["analyst_page", "review_queue", "quality_html", "keywords_html"]

CONFIDENCE = {"high": "高", "medium": "中", "low": "低"}


def review_queue(tasks: pd.DataFrame, tier: str = IN_QUEUE) -> pd.DataFrame:
    """待复核 tasks (weak or conflicting evidence, not yet ruled on), in Chinese, in the queue's
    order (priority 1 first: src/classify/queue.py); ``tier`` 另见: the flagged tasks beyond the
    review budget, their reasons kept."""
    if tier == IN_QUEUE:
        flagged = tasks[narrative.needs_review_flags(tasks)].sort_values("task_id", kind="stable")
    elif "review_tier" in tasks:
        flagged = tasks[tasks["review_tier"].eq(tier) & ~narrative.needs_review_flags(tasks)
                        & tasks.get("status_source", pd.Series("rule", index=tasks.index)).ne("override")]
        flagged = flagged.sort_values("task_id", kind="stable")
    else:
        flagged = tasks.iloc[0:0]
    flagged = review_order(flagged)
    priority = flagged.get("review_priority", pd.Series(0, index=flagged.index))
    return pd.DataFrame({
        "优先级": priority.map(lambda p: f"{int(p)}" if p == p and p else ""),
        "序号": flagged["task_id"].astype(int),
        "牵头领导": flagged["leader"],
        "重点工作": [narrative.short_task(text) for text in flagged["task"]],
        "状态": flagged["status"].map(status_label),
        "判定规则": flagged.get("status_rule", pd.Series("", index=flagged.index)).map(rule_name),
        "复核原因": flagged.get("review_reason", pd.Series("", index=flagged.index)).map(review_reason_text),
        "置信度": flagged.get("confidence", pd.Series("", index=flagged.index)).map(lambda c: CONFIDENCE.get(c, c or "")),
        "判定依据": flagged["status_evidence"],
    })


def rulings(tasks: pd.DataFrame) -> pd.DataFrame:
    """The analysts' rulings (overrides) with reviewer and date."""
    if "status_source" not in tasks:
        return pd.DataFrame()
    ruled = tasks[tasks["status_source"].eq("override")]
    return pd.DataFrame({
        "序号": ruled["task_id"].astype(int), "状态": ruled["status"].map(status_label),
        "认定理由": ruled.get("override_reason", ""), "复核人": ruled.get("override_reviewer", ""),
        "认定日期": ruled.get("override_date", ""),
        "规则原判": ruled.get("rule_status", pd.Series("", index=ruled.index)).map(lambda s: status_label(s) if s else ""),
    })


def rules_used(tasks: pd.DataFrame) -> pd.DataFrame:
    counts = tasks["status_rule"].map(rule_name).value_counts() if "status_rule" in tasks else pd.Series(dtype=int)
    return pd.DataFrame({"判定规则": counts.index, "任务数": counts.values.astype(int)})


def quality_html(report) -> str:
    quality = report.quality
    if not quality:
        return "<p>（本次构建未提供数据质量摘要）</p>"
    rows = [
        ("源文件", quality.get("source_file")),
        ("读入数据行", quality.get("rows_read")),
        ("写出任务数", quality.get("rows_written")),
        ("全部行均已计入", "是" if quality.get("all_rows_accounted_for") else "否"),
        ("领导数", quality.get("leaders")),
    ]
    warnings = quality.get("warnings") or []
    listed = "<ul>" + "".join(f"<li>{render.esc(w)}</li>" for w in warnings) + "</ul>" if warnings else ""
    return render.key_value_html(rows) + (f"<h3>警告（{len(warnings)} 条）</h3>{listed}" if warnings else "")


def keywords_html(report, top: int = 12) -> str:
    """The terms most distinctive of lagging tasks (TF-IDF, precomputed by the build)."""
    keywords = report.keywords
    if keywords.empty:
        return "<p>（未生成关键词）</p>"
    subset = keywords[(keywords["scope"] == "status") & (keywords["status"] == "lagging")]
    subset = subset.sort_values(["weight", "term"], ascending=[False, True]).head(top)
    frame = pd.DataFrame({"关键词": subset["term"], "权重（TF-IDF）": subset["weight"].map("{:.3f}".format),
                          "涉及任务数": subset["tasks"].astype(int)})
    return render.frame_html(frame)


def analyst_page(report, build_date: date | None = None) -> str:
    """The whole page (self-contained, like the reports)."""
    meta = report.metadata
    provenance = [("源文件", meta.get("source_file")), ("汇总表标题", meta.get("title")),
                  ("参考日期", report.as_of.isoformat()), ("判定规则版本", report.classification.get("rule_version", "")),
                  ("判定口径", str(report.all_tasks["profile"].iloc[0]) if "profile" in report.all_tasks and len(report.all_tasks) else ""),
                  ("生成日期", (build_date or date.today()).isoformat())]
    queue = review_queue(report.all_tasks)
    see_also = review_queue(report.all_tasks, SEE_ALSO)
    ruled = rulings(report.all_tasks)
    body = (
        '<h1 class="report-title">分析人员工作页（仅供督查室内部使用，不随报告发出）</h1>'
        + render.key_value_html(provenance)
        + f"<h2>待复核任务（{len(queue)} 项）</h2>"
        + (render.frame_html(queue) if len(queue) else "<p>没有待复核的任务。</p>")
        + (f"<h2>另见（超出复核预算，{len(see_also)} 项）</h2><p>规则同样提示需复核，但待复核任务已达本表任务数的"
           "复核预算上限（status_rules.toml [review].budget）；按优先级排在待复核之后，原因照列。</p>"
           + render.frame_html(see_also) if len(see_also) else "")
        + f"<h2>人工认定（{len(ruled)} 项）</h2>"
        + (render.frame_html(ruled) if len(ruled) else "<p>本期没有人工认定。</p>")
        + "<h2>各判定规则的任务数</h2>" + render.frame_html(rules_used(report.all_tasks))
        + "<h2>滞后任务的关键词</h2><p>按 TF-IDF 计算：在滞后任务中常见、在其他任务中少见的词权重更高。</p>"
        + keywords_html(report)
        + "<h2>数据质量</h2>" + quality_html(report)
    )
    return render.page_html("分析人员工作页", body)
