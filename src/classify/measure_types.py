"""Stage 4, quantified measures: the :class:`Measure` every measure finder gives,
and the kinds of measure (which decide first, which stand against the schedule)."""
from __future__ import annotations

from dataclasses import dataclass

# Measures the row states itself (a share of the plan, a rate against its
# target, a target and an actual side by side) decide before derived ones
# (a task-text target paired with a progress number, "M of N" counts).
EXPLICIT_KINDS = ("annual-share", "completion-rate", "rate-vs-target", "in-row-target", "stated-gap", "schedule-share",
                  "milestone", "structured", "growth", "forecast")
# Measures against the schedule itself (a stated gap in points, a share of the
# elapsed-time target): they place a task against 序时进度 but never say the
# annual target is met.
SCHEDULE_KINDS = ("stated-gap", "schedule-share", "milestone", "growth", "forecast")
DERIVED_KINDS = ("target-match", "x-of-y")


# A worked-out note after the verbatim evidence opens with this (〔核算：完成…，任务…〕): everything
# before it is the row's own words.
NOTE_MARK = "〔核算："


@dataclass
class Measure:
    phrase: str
    value: float
    unit: str
    target: float | None
    ratio: float | None
    source_field: str
    kind: str  # one of EXPLICIT_KINDS, DERIVED_KINDS, "physical" (works progress) or "other-rate"
    decisive: bool
    position: int = 0
    ambiguous: bool = False  # a target pair whose sentence holds other counts of the same unit
    adjusted: bool = False  # judged against a target the row says was adjusted (目标调整为…)
    sub_target: bool = False  # paired with a task target that breaks down a main one (…18695 人，其中贫困人口 14861 人)
    # the numbers compared when the phrase does not show them (任务 2.425亿元 worked out from a
    # difference), written 〔核算：…〕: added to the evidence after the verbatim phrase (NOTE_MARK)
    note: str = ""
    _sentence: tuple = (0, 0)

    def as_item(self) -> dict:
        return {
            "phrase": self.phrase,
            "value": float(self.value),
            "unit": self.unit,
            "target": None if self.target is None else float(self.target),
            "ratio": None if self.ratio is None else round(float(self.ratio), 6),
            "source_field": self.source_field,
            "kind": self.kind,
            "decisive": bool(self.decisive),
        }

