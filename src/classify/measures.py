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
from src.classify.relations import difference_measures, remaining_measures
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
             + remaining_measures(row, rules))
    positions = {(m.source_field, m.position) for m in found if m.kind in ("target-match", "in-row-target")}
    found = [m for m in found if not (m.kind == "x-of-y" and (m.source_field, m.position) in positions)]
    order = {name: i for i, name in enumerate(rules.quantity_fields)}
    return sorted(_dedupe(found), key=lambda m: (order.get(m.source_field, 99), m.position))

