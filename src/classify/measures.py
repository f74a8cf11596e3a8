"""Stage 4, quantified measures: shares of the plan, rates against targets,
gaps stated in points, targets paired with actuals and "M of N" counts, each
as a :class:`Measure` with its ratio to the target. The finders live by job in
:mod:`.shares` (shares, rates, gaps), :mod:`.quantities` (numbers with a unit,
the task's targets) and :mod:`.pairs` (targets paired with actuals, M of N);
:func:`find_measures` gathers them."""
from __future__ import annotations

from src.classify.measure_types import DERIVED_KINDS, EXPLICIT_KINDS, SCHEDULE_KINDS, Measure
from src.classify.pairs import in_row_target_measures, target_measures, x_of_y_measures
from src.classify.quantities import Quantity, actuals_of, task_targets
from src.classify.relations import all_done_measures, amount_text, difference_measures, remaining_measures
from src.classify.rules import Rules
from src.classify.shares import gap_measures, percent_measures

__all__ = ["DERIVED_KINDS", "EXPLICIT_KINDS", "SCHEDULE_KINDS", "Measure", "Quantity", "actuals_of", "task_targets",
           "find_measures"]


def _dedupe(measures: list[Measure]) -> list[Measure]:
    """Drop a derived measure that repeats an explicit one (same ratio ± 2 pts)."""
    explicit = [m for m in measures if m.kind in EXPLICIT_KINDS]
    kept = []
    for measure in measures:
        if measure.kind in ("target-match", "x-of-y") and any(
            e.ratio is not None and measure.ratio is not None and abs(e.ratio - measure.ratio) <= 0.02 for e in explicit
        ):
            continue
        kept.append(measure)
    return kept


def find_measures(row: dict, rules: Rules) -> list[Measure]:
    found = (percent_measures(row, rules) + gap_measures(row, rules) + target_measures(row, rules)
             + in_row_target_measures(row, rules) + x_of_y_measures(row, rules) + difference_measures(row, rules)
             + remaining_measures(row, rules) + all_done_measures(row, rules))
    positions = {(m.source_field, m.position) for m in found if m.kind in ("target-match", "in-row-target")}
    found = [m for m in found if not (m.kind == "x-of-y" and (m.source_field, m.position) in positions)]
    if rules.family("of_which_total").get("switch"):
        found = _without_restated_whole(found)
    if rules.family("arith_x_of_task").get("task_total"):
        found = [_of_the_task(m, row, rules) for m in found]
    order = {name: i for i, name in enumerate(rules.quantity_fields)}
    return sorted(_dedupe(found), key=lambda m: (order.get(m.source_field, 99), m.position))



def _of_the_task(m: Measure, row: dict, rules: Rules) -> Measure:
    """An "M of N" count whose N is not the task's own figure of that unit (确定 500 户改造对象…其中
    252 户已完成, for a task of 350 户) is judged against the task's figure when the task states
    exactly one of that unit ([families.arith_x_of_task]): the year's target is the yardstick."""
    if m.kind != "x-of-y" or not m.unit or m.note:
        return m
    same = [t for t in task_targets(row, rules) if t.unit == m.unit]
    if len(same) != 1 or same[0].value == m.target or same[0].value <= 0:
        return m
    target = same[0].value
    return Measure(m.phrase, m.value, m.unit, target, m.value / target, m.source_field, m.kind, m.decisive, m.position,
                   note=f"〔核算：任务{amount_text(target, m.unit)}，完成{amount_text(m.value, m.unit)}，"
                        f"完成{m.value / target * 100:.1f}%〕")


def _without_restated_whole(found: list[Measure]) -> list[Measure]:
    """[families.of_which_total]: the task's count restated as the whole of an "M of N" that follows it
    (10 个充电站中，已建成 4 个): read as an actual it met the task (10 of 10); the M of N decides."""
    wholes = [x for x in found if x.kind == "x-of-y" and x.ratio is not None and x.ratio < 1]
    return [m for m in found if not (
        m.kind == "target-match" and m.ratio is not None and m.ratio >= 1 and any(
            x.source_field == m.source_field and x.target == m.value and x.position > m.position for x in wholes))]
