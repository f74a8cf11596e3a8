"""Lead units ranked the way a director would stand behind: only units with enough tasks, by
lagging count then mean gap; units with few tasks and Party organs listed apart (office.toml [ranking])."""
from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from src.report import render
from src.report.render import Html

if TYPE_CHECKING:  # the report object imports this module to compose its sections
    from src.report.model import Report
from src.report.office import office_settings
from src.report.style import status_order

__all__ = ["units_ranking", "units_ranking_html"]


def units_ranking(report: Report, top: int = 15) -> pd.DataFrame:
    """Lead units with at least ``min_tasks`` tasks (office.toml [ranking]), ranked by lagging
    tasks, then by the mean gap of their quantified tasks (lowest first). Units with fewer tasks
    (``attrs["few"]``) and Party organs (``attrs["party"]``, unless ranked or excluded by the
    setting) are listed apart, not ranked. ``attrs["units"]``: how many units are ranked."""

    settings = office_settings()
    table = _units_table(report)
    include = settings.ranking.party_organs == "include"
    party = pd.Series([not include and settings.is_party_organ(unit) for unit in table.index], index=table.index)
    enough = table["total"] >= settings.ranking.min_tasks
    eligible = table[enough & ~party]
    ranked = (
        eligible.sort_values(["lagging", "mean_gap", "total"], ascending=[False, True, False], kind="stable")
        .head(top).reset_index()
        .assign(mean_gap=lambda frame: frame["mean_gap"].map(lambda v: "" if v != v else f"{v:+.1f}"))
        .rename(columns={"unit": "牵头单位", "total": "任务数", "lagging": "滞后", "mean_gap": "平均差距（百分点）"})
        [["牵头单位", "任务数", "滞后", "平均差距（百分点）"]]
    )
    ranked.insert(0, "名次", range(1, len(ranked) + 1))
    ranked.attrs["units"] = len(eligible)
    ranked.attrs["few"] = table[~enough & ~party]
    ranked.attrs["party"] = table[party] if settings.ranking.party_organs == "separate" else table.iloc[0:0]
    ranked.attrs["min_tasks"] = settings.ranking.min_tasks
    return ranked


def _units_table(report: Report) -> pd.DataFrame:
    exploded = report.tasks.explode("lead_units").rename(columns={"lead_units": "unit"})
    exploded["unit"] = exploded["unit"].fillna("（未注明）")
    table = pd.crosstab(exploded["unit"], exploded["status"]).reindex(columns=status_order(), fill_value=0)
    total = table.sum(axis=1)
    mean_gap = exploded.groupby("unit")["schedule_gap_pts"].mean().reindex(table.index)
    return table.assign(total=total, share=table["lagging"] / total, mean_gap=mean_gap)


def units_ranking_html(report: Report, top: int = 15) -> Html:
    ranking = units_ranking(report, top)
    units, minimum = ranking.attrs["units"], ranking.attrs["min_tasks"]
    shown = f"前 {len(ranking)} 家（共 {units} 家）" if len(ranking) < units else f"全部 {units} 家"
    caption = (f"牵头{minimum}项及以上任务的单位按滞后任务数排序（相同时按量化任务的平均差距），列出{shown}；"
               "多家单位共同牵头的任务计入每一家。")
    parts = [render.frame_html(ranking, caption=caption) if len(ranking) else ""]
    for key, heading in (("party", "党委部门（不参加排名）"), ("few", f"牵头任务少于{minimum}项的单位（不参加排名）")):
        apart = ranking.attrs[key]
        if len(apart):
            listed = "、".join(f"{unit}（{int(row.total)}项，滞后{int(row.lagging)}项）" for unit, row in apart.iterrows())
            parts.append(f'<p class="apart"><b>{render.esc(heading)}：</b>{render.esc(listed)}</p>')
    return Html("".join(parts))


