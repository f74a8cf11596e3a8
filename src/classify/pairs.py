"""Stage 4c, measures made by pairing numbers: a target stated in the progress text
with the actual beside it, a task target with a progress number, and "M of N"
counts in one sentence."""
from __future__ import annotations

import re
from functools import lru_cache

from src.classify.literals import may_match
from src.classify.measure_types import Measure
from src.classify.quantities import Quantity, actuals_in, quantities_in, row_number_matches, task_targets
from src.classify.relations import difference_before
from src.classify.rules import Rules
from src.classify.spans import CLAUSE_SEPS, SENTENCE_SEPS, bound_left, bound_right, evidence_phrase, longest_common_run


def in_row_target_measures(row: dict, rules: Rules) -> list[Measure]:
    """A target stated in the progress text itself: 年度计划 8 亿元，已完成 3.2 亿元."""
    measures = []
    for field_name in rules.quantity_fields:
        text = row[field_name]
        target_filter = rules.ready["in_row_target_filter"]
        if not may_match(target_filter, text):
            continue  # no target word (计划, 目标 …) anywhere, so none before a number
        in_row, adjusted, milestone = (rules.compiled[k] for k in ("in_row_target", "adjusted_target", "milestone"))
        targets = [
            (t, bool(adjusted.search(t.text_before)))
            for t in quantities_in(
                text, rules, targets=True,
                # the family's literal filter on the words before the number first: most have none of its words
                keep=lambda before: bool(may_match(target_filter, before) and (
                    in_row.search(before) or adjusted.search(before) or milestone.search(before))
                    and difference_before(before, rules) is None),  # 超任务数 180 万元 is no target
                matches=row_number_matches(row, field_name, rules),
            )
        ]
        if not targets:
            continue
        actuals = [a for a in actuals_in(row, field_name, rules) if not a.starts_works]
        for target, adjusted in targets:
            milestone = bool(rules.compiled["milestone"].search(target.text_before))
            lo, hi = bound_left(text, target.start, SENTENCE_SEPS), bound_right(text, target.end, SENTENCE_SEPS)
            same = [a for a in actuals if a.unit == target.unit and lo <= a.start < hi and a.start != target.start
                    and not _breaks_down(text, target, a, rules) and not _size_figure(text, a.start, rules)]
            if not same and adjusted:
                # 目标调整为 3000 套。截至 6 月底已完成 2000 套: the adjusted target
                # stands for the rest of the column
                same = [a for a in actuals if a.unit == target.unit and a.start > target.end][:1]
            if not same:
                continue
            actual = min(same, key=lambda a: abs(a.start - target.start))
            ratio = actual.value / target.value
            if milestone:  # 上半年目标 30 个，已完成 25 个: on the elapsed-share scale
                ratio *= row["_schedule"]
            measures.append(
                Measure(evidence_phrase(text, min(actual.start, target.start), max(actual.end, target.end)), actual.value,
                        actual.unit, target.value, ratio, field_name,
                        "milestone" if milestone else "in-row-target", True, actual.start, adjusted=adjusted)
            )
    return measures


def _breaks_down(text: str, target: Quantity, actual: Quantity, rules: Rules) -> bool:
    """True when ``actual`` splits the target up rather than reporting progress
    (计划绿道建设任务 500 公里，其中新建 335 公里): a breakdown word stands
    between them and the actual's clause has no completion verb."""
    q = rules["quantities"]
    if actual.start < target.end:
        return False
    between = text[target.end:actual.start]
    clause = text[bound_left(text, actual.start, CLAUSE_SEPS):actual.start]
    return any(w in between for w in q.get("breakdown_words", [])) and not any(
        v in clause for v in q.get("bare_actual_verbs", []))


def _shares_delivery_verb(target: Quantity, actual: Quantity, rules: Rules) -> bool:
    """The task's only target of a unit and an actual after 已 that share a delivery verb (计划年内完工
    项目 39 个 → 已完工 19 个) ([families.shared_delivery_verb])."""
    verbs = rules.family("shared_delivery_verb").get("verbs", [])
    return "已" in actual.text_before and any(v in target.text_before and v in actual.text_before[actual.text_before.rfind("已"):]
                                                for v in verbs)


def _year_targets(targets: list[Quantity], rules: Rules) -> list[Quantity]:
    """The task targets marked as the year's (2017 年度计划实施 170878 户) when the task states others of
    their unit (235198 户 over several years) ([families.year_target_first])."""
    words = rules.family("year_target_first").get("year_words", [])
    marked = [t for t in targets if any(w in t.text_before[-10:] for w in words)]
    return [t for t in marked if sum(o.unit == t.unit for o in targets) > 1]


def _size_figure(text: str, start: int, rules: Rules) -> bool:
    """True when the number at ``start`` states the size of the works, not progress: a size word
    (总投资, 概算 …) before it in its clause with no verb of doing between ([families.size_not_progress])."""
    family = rules.family("size_not_progress")
    lead = text[bound_left(text, start, CLAUSE_SEPS):start]
    for word in family.get("size_words", []):
        at = lead.rfind(word)
        if at >= 0 and not any(v in lead[at:] for v in family.get("done_words", [])):
            return True
    return False


def _breakdown_of_done(text: str, total_at: int, done_at: int, rules: Rules) -> bool:
    """True when the count at ``done_at`` is a part (其中…) of a total at ``total_at`` that is itself
    done (完成抽检 795 批次，其中…489 批次): a breakdown of what was done, not progress against a
    plan ([families.size_not_progress].breakdown_of_done)."""
    family = rules.family("size_not_progress")
    if not family.get("breakdown_of_done"):
        return False
    between = text[total_at:done_at]
    lead = text[bound_left(text, total_at, SENTENCE_SEPS + "，,：:"):total_at]  # its clause, 、 lists kept
    plan = rules["quantities"].get("plan_words", [])
    return (any(w in between for w in rules["quantities"].get("breakdown_words", []))
            and any(v in lead for v in family.get("done_words", [])) and not any(w in lead for w in plan))


def _is_sub_target(task: str, target: Quantity, rules: Rules) -> bool:
    """A task target after a breakdown word (其中) breaks down a main one before it."""
    words = rules["quantities"].get("breakdown_words", [])
    return any(0 <= task.rfind(w, 0, target.start) for w in words)




def target_measures(row: dict, rules: Rules) -> list[Measure]:
    """Actual vs a number promised in the task text (造林 4.5 万亩 → 完成造林 5.0 万亩)."""
    q = rules["quantities"]
    targets = task_targets(row, rules)
    if not targets:
        return []
    actuals = []
    for field_name in rules.quantity_fields:
        actuals += [(field_name, a) for a in actuals_in(row, field_name, rules)]
    pairs = []
    # [families.year_target_of_several]: the year's target among several of one unit pairs on a shorter shared word
    year_words = rules.family("year_target_of_several").get("year_words", [])
    of_year = _year_targets(targets, rules)  # [families.year_target_first]
    for t_index, target in enumerate(targets):
        if any(t.unit == target.unit for t in of_year) and target not in of_year:
            continue  # the year's target of this unit is the yardstick, not a multi-year total beside it
        only_of_unit = sum(t.unit == target.unit for t in targets) == 1
        for a_index, (_field, actual) in enumerate(actuals):
            if actual.unit != target.unit:
                continue
            if actual.starts_works and not target.starts_works:
                continue  # works started are not the deliverable done (开工 1964 个 vs 改造 2000 个)
            if actual.standard != target.standard:
                continue  # a standard promised (每人每月 55 元) is met by a standard reached, not by money paid out
            overlap = longest_common_run(target.context, actual.context)
            if target in of_year:  # the year's share of a total: the total's words name its measure too
                overlap = max([overlap] + [longest_common_run(t.context, actual.context) for t in targets
                                           if t.unit == target.unit and t not in of_year])
            if target.standard and actual.value == target.value:
                pairs.append((-100, a_index, t_index))  # the promised level itself, reached
            elif overlap >= q["min_overlap"] or (overlap >= q["min_overlap_full"] and overlap == len(target.context)) or (
                overlap >= q["min_overlap_full"] and actual.value == target.value
            ):  # the promised number itself, with a shared word (搬迁 18695 人 → 已完成搬迁入住 18695 人)
                pairs.append((-overlap, a_index, t_index))
            elif overlap >= q["min_overlap_full"] and not actual.starts_works and any(
                    w in target.text_before[-8:] for w in year_words):
                pairs.append((-overlap, a_index, t_index))  # 年度计划投资 103.4 亿元 → 实际完成投资 44 亿元
            elif only_of_unit and _shares_delivery_verb(target, actual, rules):
                pairs.append((-overlap, a_index, t_index))  # 计划年内完工项目 39 个 → 已完工 19 个
            elif only_of_unit and actual.bare and actual.starts_works == target.starts_works and any(
                verb in actual.text_before for verb in [*q.get("bare_actual_verbs", []), *q.get("start_verbs", [])]
            ):
                pairs.append((0, a_index, t_index))  # 已完成 3 个 → the task's only 个 target
    measures, used_t, used_a = [], set(), set()
    for _, a_index, t_index in sorted(pairs):
        if a_index in used_a or t_index in used_t:
            continue
        used_a.add(a_index)
        used_t.add(t_index)
        field_name, actual = actuals[a_index]
        target = targets[t_index]
        text = row[field_name]
        sentence = (bound_left(text, actual.start, SENTENCE_SEPS), bound_right(text, actual.end, SENTENCE_SEPS))
        measures.append(
            Measure(evidence_phrase(text, actual.start, actual.end), actual.value, actual.unit, target.value,
                    actual.value / target.value, field_name, "target-match", True, actual.start,
                    sub_target=_is_sub_target(row["task"], target, rules))
        )
        measures[-1]._sentence = sentence
    for measure in measures:  # an unpaired count of the same unit in the same sentence
        measure.ambiguous = any(
            i not in used_a and other_field == measure.source_field and other.unit == measure.unit
            and measure._sentence[0] <= other.start < measure._sentence[1]
            for i, (other_field, other) in enumerate(actuals)
        )
    return sorted(measures, key=lambda m: (rules.quantity_fields.index(m.source_field), m.position))


@lru_cache(maxsize=256)
def count_of_unit(unit: str) -> re.Pattern:
    r"""A count of one unit (49 项), compiled once per unit: (?<![\d.])(\d+) written
    to open with the digit (the engine then skips to digits)."""
    return re.compile(rf"(\d(?<![\d.]\d)\d*)\s*({re.escape(unit)})")


def x_of_y_measures(row: dict, rules: Rules) -> list[Measure]:
    """"M of N" forms inside one sentence: 细化分解落实 49 项任务，完成 32 项."""
    done_before, done_after, slash = rules.ready["x_of_y"]
    before_filter, after_filter, slash_filter = rules.ready["x_of_y_filters"]
    measures = []
    for field_name in rules.quantity_fields:
        text = row[field_name]
        seen = set()
        if not text:
            continue
        slash_may = may_match(slash_filter, text)
        # the same verbs open the slash and the verb-first forms: often one filter
        before_may = slash_may if before_filter is slash_filter else may_match(before_filter, text)
        for match in slash.finditer(text) if slash_may else ():  # 已完成 12/20 个
            done, total = float(match.group(1)), float(match.group(2))
            if 0 < total and done <= total:
                seen.add(match.start(1))
                measures.append(Measure(evidence_phrase(text, match.start(), match.end()), done, match.group(3) or "",
                                        total, done / total, field_name, "x-of-y", True, match.start(1)))
        for pattern, verb_first, may in ((done_before, True, before_may), (done_after, False, None)):
            if may is None:
                may = may_match(after_filter, text)
            for match in pattern.finditer(text) if may else ():
                number_start = match.start(1)
                if number_start in seen:
                    continue
                done, unit = float(match.group(1)), match.group(2)
                sentence_start = bound_left(text, match.start(), SENTENCE_SEPS)
                scope_end = match.start() if verb_first else number_start
                earlier = []
                for m in count_of_unit(unit).finditer(text[sentence_start:scope_end]):
                    at = sentence_start + m.start()
                    lead = text[bound_left(text, at, CLAUSE_SEPS):at]
                    if rules.words("quantities", "not_total_before").found_in(lead):
                        continue  # a progress count (开工 1964 个), not the size of a set
                    if float(m.group(1)) >= done and float(m.group(1)) > 0:
                        earlier.append((at, float(m.group(1))))
                if not earlier:
                    continue
                seen.add(number_start)
                total_at, total = earlier[-1]
                if _breakdown_of_done(text, total_at, number_start, rules):
                    continue
                clause = text[bound_left(text, match.start(), CLAUSE_SEPS):match.end()]
                decisive = not rules.words("quantities", "non_plan_words").found_in(clause)
                phrase = evidence_phrase(text, total_at, match.end())
                measures.append(
                    Measure(phrase, done, unit, total, done / total, field_name,
                            "x-of-y" if decisive else "other-rate", decisive, number_start)
                )
    return sorted(measures, key=lambda m: (rules.quantity_fields.index(m.source_field), m.position))

