"""Stage 3, cue phrases: the delay / pending, on-track and completion phrases
a row states, each with its verbatim evidence, after the guards (negation,
generic frames, false friends, aspirations, partial completion) are applied."""
from __future__ import annotations

import re
from dataclasses import dataclass

from src.classify.dates import later_than
from src.classify.literals import find_phrases
from src.classify.rules import Rules
from src.classify.schedule import to_date
from src.classify.spans import (
    CLAUSE_SEPS,
    SENTENCE_SEPS,
    bound_left,
    bound_right,
    evidence_phrase,
    longest_common_run,
    month_number,
    sentence_of,
    strip_for_only,
    tidy_phrase,
)

_COLON = re.compile(r"[：:]")


@dataclass
class Cue:
    kind: str  # delay / pending / on-track / completed / one-off / weak-completed
    phrase: str  # the cue itself
    evidence: str  # verbatim phrase of the row
    source_field: str
    weak: bool = False


def negated(text: str, start: int, rules: Rules) -> bool:
    clause_start = bound_left(text, start, CLAUSE_SEPS)
    before = text[clause_start:start]
    for negator in rules.ready["negators"]:
        index = before.rfind(negator)
        if index < 0:
            continue
        gap = before[index + len(negator):].replace(" ", "")
        if rules.compiled["negation_fillers"].match(gap):
            return True
    return False


def _generic_frame(text: str, start: int, end: int, rules: Rules) -> bool:
    clause_start = bound_left(text, start, CLAUSE_SEPS)
    before = text[clause_start:start]
    if not any(prefix in before for prefix in rules["guards"]["generic_prefixes"]):
        return False
    return bool(rules.compiled["generic_follow"].match(text[end:]))


def _inside_false_friend(text: str, start: int, end: int, friends) -> bool:
    """``friends``: (phrase, compiled phrase) pairs (``rules.ready["false_friends"]``)."""
    for friend, pattern in friends:
        if friend not in text:
            continue
        for match in pattern.finditer(text):
            if match.start() <= start and end <= match.end():
                return True
    return False


def find_delay_cues(row: dict, rules: Rules) -> list[Cue]:
    lag = rules["lagging"]
    guards = rules["guards"]
    cues: list[Cue] = []
    task = row["task"]
    pending_ok = rules.words("lagging", "pending_task_terms", []).found_in(task)
    year_end = row["_date"].month >= int(rules["schedule"].get("year_end_month", 12))
    for field_name in rules.cue_fields:
        text = row[field_name]
        if not text:
            continue
        present = rules.literals_in(row, field_name)
        hits = [(s, e, p, "delay") for s, e, p in find_phrases(text, rules.ready["delay_cues"], present)]
        for pattern in rules.ready["delay_family"].that_may_match(text, rules.literals_in(row, field_name)):  # cue families written as patterns
            for match in pattern.finditer(text):
                if not any(s < match.end() and match.start() < e for s, e, _, _ in hits):
                    hits.append((match.start(), match.end(), match.group(0), "delay-family"))
        if pending_ok:
            hits += [(s, e, p, "pending") for s, e, p in find_phrases(text, rules.ready["pending_cues"], present)]
        if year_end:  # 仍未完成 at a year-end report
            hits += [(s, e, p, "delay") for s, e, p in find_phrases(text, rules.ready["unfinished_cues"], present)
                     if not any(s < e2 and s2 < e for s2, e2, _, _ in hits)]
        for start, end, phrase, kind in sorted(hits):
            if _inside_false_friend(text, start, end, rules.ready["false_friends"]):
                continue
            not_due = phrase in lag.get("start_cues", []) and _start_not_due(row, rules)
            if negated(text, start, rules) or _generic_frame(text, start, end, rules):
                continue
            sentence = sentence_of(text, start, end)
            if any(word in sentence for word in guards.get("caught_up", [])) or resolved_after(text, end, rules):
                continue
            clause = text[bound_left(text, start, CLAUSE_SEPS):end]
            weak = not_due or any(word in clause for word in guards.get("softeners", []))
            cues.append(Cue(kind, phrase, evidence_phrase(text, start, end), field_name, weak))
    # a listed cue phrase is the clearer evidence; the broader families come after it
    cues.sort(key=lambda cue: cue.kind == "delay-family")
    for cue in cues:
        cue.kind = "delay" if cue.kind == "delay-family" else cue.kind
    return cues


def resolved_after(text: str, end: int, rules: Rules) -> bool:
    """True when the cell says after a delay cue (ending at ``end``) that it is over: the works
    resumed or wholly done, the progress now normal ([families.delay_resolved])."""
    pattern = rules.family("delay_resolved").get("resolved_pattern")
    return bool(pattern) and re.search(pattern, text[end:]) is not None


def _start_not_due(row: dict, rules: Rules) -> bool:
    """True when the task or next steps put the start of works after the report
    date (力争年底前开工, 计划9月开工): "not yet started" is then no delay."""
    month = row["_date"].month
    text = row["task"] + "\n" + row["next_steps"]
    if month < 12 and rules.ready["start_later"].search(text):
        return True
    if any(month_number(m) > month for m in rules.ready["start_month"].findall(text)):
        return True
    # 计划三季度开工: due by the end of that quarter
    return any(month_number(q) * 3 > month for q in rules.compiled["start_quarter"].findall(text))


def find_forecast_cues(row: dict, rules: Rules) -> list[Cue]:
    """A forecast that the target will be missed (预计年内难以完成)."""
    cues = []
    for field_name in rules.cue_fields:
        text = row[field_name]
        for pattern in rules.ready["forecast_miss_family"].that_may_match(text, rules.literals_in(row, field_name)):
            for match in pattern.finditer(text):
                if negated(text, match.start(), rules):
                    continue
                cues.append(Cue("forecast", match.group(0), evidence_phrase(text, match.start(), match.end()), field_name))
    return cues


def find_early_stage_cues(row: dict, rules: Rules) -> list[Cue]:
    """Not started or still at an early stage (尚未启动, 仍在编制方案); ``weak``
    when the work is not known to be due (see :func:`work_due`)."""
    due = None  # worked out only when a cue is found
    cues = []
    for field_name in rules.cue_fields:
        text = row[field_name]
        present = rules.literals_in(row, field_name)
        hits = [(s, e, p) for s, e, p in find_phrases(text, rules.ready["early_stage_cues"], present)]
        for pattern in rules.ready["early_stage_family"].that_may_match(text, rules.literals_in(row, field_name)):
            hits += [(m.start(), m.end(), m.group(0)) for m in pattern.finditer(text)
                     if not any(s < m.end() and m.start() < e for s, e, _ in hits)]
        for start, end, phrase in sorted(hits):
            if _generic_frame(text, start, end, rules):
                continue
            if due is None:
                due = work_due(row, rules)
            cues.append(Cue("not-started", phrase, evidence_phrase(text, start, end), field_name, weak=not due))
    return cues


def work_due(row: dict, rules: Rules) -> bool:
    """True when the task's delivery is due at the report date: a due month in
    the task or next steps at or before the report month, or a report late in
    the year (``[lagging].late_from_month``); never when the progress plans the
    works for a later date than the report's ([families.due_month_year])."""
    month = row["_date"].month
    if rules.family("due_month_year").get("later_plan"):  # ROUND 12 judge13: 预计 2019 年开工 in November 2018
        planned = rules.family("date_past_due")
        if later_than(planned.get("planned_pattern"), planned, row["progress"], row["_date"].year, month):
            return False
    if month >= int(rules["lagging"].get("late_from_month", 13)) and not plan_only(row, rules):
        return True
    pattern = rules.ready["due_month"]
    if pattern is None:
        return False
    text = row["task"] + "\n" + row["next_steps"]
    later = rules.family("due_month_year").get("later_year_pattern")  # ROUND 12 judge13: 2025 年 6 月 in 2024
    return any(0 < month_number(m.group(1)) <= month and not (later and _later_year(later, text, m.start(), row["_date"].year))
               for m in pattern.finditer(text))


def _later_year(pattern: str, text: str, start: int, year: int) -> bool:
    """True when the due month at ``start`` is dated to a year after ``year`` (2025 年 6 月, 明年 6 月)."""
    match = re.search(pattern, text[max(0, start - 8):start])
    if match is None:
        return False
    named = match.groupdict().get("year")
    return int(named) > year if named else True


def plan_only(row: dict, rules: Rules) -> bool:
    """True when the progress only lists the work in a plan (列入…规划, 计划实施…) naming no year
    but a later one than the report's: nothing is due by the time of year ([families.plan_only])."""
    pattern = rules.family("plan_only").get("pattern")
    year = row["_date"].year
    for match in re.finditer(pattern, row["progress"]) if pattern else []:
        named = match.groupdict().get("year")
        if not named or int(named) > year:
            return True
    return False


def find_on_track_cues(row: dict, rules: Rules) -> list[Cue]:
    cues = []
    for field_name in rules.cue_fields:
        text = row[field_name]
        present = rules.literals_in(row, field_name)
        for start, end, phrase in find_phrases(text, rules.ready["on_track_cues"], present):
            if negated(text, start, rules):
                continue
            cues.append(Cue("on-track", phrase, evidence_phrase(text, start, end), field_name))
        for pattern in rules.ready["milestone_met_family"].that_may_match(text, rules.literals_in(row, field_name)):  # 提前完成8月份节点任务: on-track, never completed
            for match in pattern.finditer(text):
                if negated(text, match.start(), rules) or aspiration_before(text, match.start(), rules):
                    continue
                cues.append(Cue("milestone", match.group(0), evidence_phrase(text, match.start(), match.end()), field_name))
    return cues


def names_a_node(text: str, rules: Rules) -> bool:
    """True when a completion phrase is about a node, phase or period target
    (节点任务, 阶段性目标, 8月份任务, 上半年目标) rather than the year's."""
    return rules.words("completed", "node_words", []).found_in(text)


def _stripped_up_to(text: str, limit: int | None) -> str | None:
    """``strip_for_only(text)``, or None when that is longer than ``limit``
    (worked out from a short head of the text: stripping only drops
    characters, so the stripped head is the start of the stripped text)."""
    if limit is None or len(text) <= limit:
        return strip_for_only(text)
    if len(strip_for_only(text[:2 * limit + 8])) > limit:
        return None
    stripped = strip_for_only(text)
    return stripped if len(stripped) <= limit else None


def find_completion_cues(row: dict, rules: Rules, as_of) -> list[Cue]:
    completed = rules["completed"]
    cues: list[Cue] = []
    empty = rules.ready["empty_values"]
    limit = rules.ready["only_max_chars"]
    parts = {name: _stripped_up_to(row[name], limit) for name in ("problems", "next_steps")}
    parts = {name: ("" if value in empty else value) for name, value in parts.items()}
    only_pattern = rules.ready["only_pattern"]
    only_set = rules.ready["only_set"]

    def says_only_done(value: str) -> bool:
        return bool(value) and (value in only_set or bool(only_pattern and only_pattern.match(value)))

    # a part longer than the limit (None) is neither empty nor part of a tail
    # that only says 已完成
    tail = None if None in parts.values() else parts["problems"] + parts["next_steps"]
    if tail is not None and says_only_done(tail):
        field_name = "next_steps" if parts["next_steps"] else "problems"
        text = row[field_name]
        cues.append(Cue("completed-only", text.strip(), text.strip(), field_name))
    elif completed.get("progress_only", False):
        progress = row["progress"].strip()
        first = tidy_phrase(progress[:bound_right(progress, 0, SENTENCE_SEPS)])
        first = _COLON.split(first)[-1].strip()  # 进展情况：已完成
        stripped = _stripped_up_to(first, limit)  # None: too long to say only 已完成
        if stripped is not None and says_only_done(stripped):
            cues.append(Cue("completed-only", first, first, "progress"))
    # the report date as a date, worked out once per table (see classify_tasks) when it is this as_of
    year = (row["_date"] if row.get("_as_of") is as_of and "_date" in row else to_date(as_of)).year
    for field_name in rules.quantity_fields:
        text = row[field_name]
        for pattern in rules.ready["annual_family"].that_may_match(text, rules.literals_in(row, field_name)):
            for match in pattern.finditer(text):
                follow = text[match.end():]
                if rules.compiled["share_follow"].match(follow) or rules.compiled["partial_follow"].match(follow):
                    continue
                if rules.compiled["risk_follow"].match(follow):
                    continue  # 完成全年目标任务压力较大: a risk to the target, not its completion
                if names_a_node(match.group(0), rules):
                    continue  # 提前完成7、8月份节点任务: a node met (an on-track cue), not the year's target
                if _partial_before(text, match.start(), rules):
                    cues.append(Cue("weak-completed", match.group(0), evidence_phrase(text, match.start(), match.end()), field_name, True))
                    continue  # 已基本完成全年任务: not fully achieved
                if negated(text, match.start(), rules) or aspiration_before(text, match.start(), rules):
                    continue
                sentence_start = bound_left(text, match.start(), SENTENCE_SEPS)
                years = {int(y) for y in rules.compiled["year"].findall(text[sentence_start:match.end()])}
                if years and year not in years:
                    continue
                cues.append(Cue("completed", match.group(0), evidence_phrase(text, match.start(), match.end()), field_name))
    if not _task_open_ended(row, rules):
        for field_name in rules.quantity_fields:
            text = row[field_name]
            for start, end, phrase in find_phrases(text, rules.ready["one_off_cues"], rules.literals_in(row, field_name)):
                if negated(text, start, rules) or aspiration_before(text, start, rules):
                    continue
                sentence = sentence_of(text, start, end).replace(phrase, " ")  # the object, not the verb
                if longest_common_run(_without_stopwords(sentence, rules), _without_stopwords(row["task"], rules)) \
                        >= completed.get("one_off_min_overlap", 3):
                    cues.append(Cue("one-off", phrase, evidence_phrase(text, start, end), field_name))
    cues += find_delivery_cues(row, rules)
    for field_name in rules.quantity_fields:
        text = row[field_name]
        for pattern in rules.ready["weak_family"].that_may_match(text, rules.literals_in(row, field_name)):
            for match in pattern.finditer(text):
                if negated(text, match.start(), rules) or aspiration_before(text, match.start(), rules):
                    continue
                if rules.compiled["risk_follow"].match(text[match.end():]):
                    continue
                cues.append(Cue("weak-completed", match.group(0), evidence_phrase(text, match.start(), match.end()), field_name, True))
    return cues


def find_delivery_cues(row: dict, rules: Rules) -> list[Cue]:
    """Delivery events with their aspect ([completed.delivery]): 已竣工, 均已建成,
    全部完工 → done ("one-off"); 部分 / 初步 / 基本 / 主体 完工 → partial
    ("weak-completed"); negated or planned (未, 计划, 预计, 力争, 将) → nothing.
    A done event counts for the task's own deliverable: its sentence shares a
    run of characters with the task, or says nothing but the event (已竣工); an
    open-ended task (推进, 加快…) counts only the bare statement."""
    delivery = rules["completed"].get("delivery", {})
    verbs = rules.ready["delivery_verbs"]
    if not verbs.ordered:
        return []
    open_ended = _task_open_ended(row, rules)
    window = int(delivery.get("marker_window", 8))
    done_words, partial_words, planned_words, done_after = (
        rules.ready[k] for k in ("delivery_done", "delivery_partial", "delivery_planned", "delivery_done_after"))
    cues = []
    for field_name in rules.quantity_fields:
        text = row[field_name]
        for start, end, verb in find_phrases(text, verbs, rules.literals_in(row, field_name)):
            clause_start = bound_left(text, start, CLAUSE_SEPS)
            before = text[max(clause_start, start - window):start]
            partial = partial_words.found_in(before)
            done = done_words.found_in(before) or done_after.match(text, end) is not None
            if not (done or partial):
                continue  # a bare verb (竣工验收工作) states no aspect: the cheap test first
            if planned_words.found_in(before):
                continue
            if negated(text, start, rules) or aspiration_before(text, start, rules):
                continue
            if verb in delivery.get("document_verbs", []) and not _promises_document(row["task"], rules):
                continue  # a document issued counts only for a task that promises a document
            standard_raise = verb in delivery.get("standard_verbs", [])
            if standard_raise and not _promises_standard(row["task"], rules):
                continue  # a standard raised counts only for a task that promises a standard
            if rules.ready["count_after"].match(text, end) and _promises_number(row, rules):
                continue  # 已建成口袋公园六个: a count of a numeric task, which the measures judge
            evidence = evidence_phrase(text, start, end)
            if partial:
                cues.append(Cue("weak-completed", verb, evidence, field_name, True))
                continue
            sentence = sentence_of(text, start, end)
            rest = sentence
            for word in sorted({*delivery.get("verbs", []), *delivery.get("done_before", []), *delivery.get("done_after", []),
                                *delivery.get("bare_fillers", [])}, key=len, reverse=True):
                rest = rest.replace(word, " ")
            rest_chars = _without_stopwords(rest, rules)
            bare = sum("\u4e00" <= ch <= "\u9fff" for ch in rest_chars) <= int(delivery.get("bare_max_chars", 2))
            if not bare and open_ended and not standard_raise:
                continue
            if "_task_chars" not in row:
                row["_task_chars"] = _without_stopwords(row["task"], rules)
            own = bare or verb in row["task"] or longest_common_run(rest_chars, row["_task_chars"]) \
                >= rules["completed"].get("one_off_min_overlap", 3) or _names_head_noun(sentence[:start - bound_left(
                    text, start, SENTENCE_SEPS)], _requested_object(row["task"], rules), delivery)  # the task names this event, or its object
            if own:
                cues.append(Cue("one-off", verb, evidence, field_name))
    return cues


def _promises_document(task: str, rules: Rules) -> bool:
    words = rules["completed"].get("delivery", {}).get("document_task_words", [])
    return any(word in task for word in words)


def _requested_object(task: str, rules: Rules) -> str:
    """The object a suggestion or motion asks for (《关于新建农资批发市场，改善…的建议》第 257 号提案 →
    新建农资批发市场: its frame taken off, up to its first comma), so that its head noun is the thing
    asked for, not 建议 ([families.request_head_noun], ROUND 12 judge15); ``task`` itself otherwise."""
    pattern = rules.family("request_head_noun").get("frame_pattern")
    match = re.search(pattern, task) if pattern else None
    return match.group("object") if match else task


def _names_head_noun(before: str, task: str, delivery: dict) -> bool:
    """True when the words before the event contain the task's head noun (the last characters of the task: 建设智慧停车平台 → 平台), and no
    word for another object stands before it (另一个公园)."""
    task = task.strip().rstrip("。；;，,、）)”\"")
    size = int(delivery.get("head_noun_min_chars", 2))
    if len(task) < size or size <= 0:
        return False
    head = task[-size:]
    at = before.rfind(head)
    if at < 0:
        return False
    return not any(word in before[:at] for word in delivery.get("other_object_words", []))


def _promises_number(row: dict, rules: Rules) -> bool:
    """True when the task states a number with a unit (建成口袋公园 20 个)."""
    if "_promises_number" not in row:
        row["_promises_number"] = bool(rules.compiled["quantity"].search(row["task"])
                                       or rules.compiled["quantity_cn"].search(row["task"])
                                       or rules.ready["count_after"].match(row["task"]))
    return row["_promises_number"]


def _promises_standard(task: str, rules: Rules) -> bool:
    words = rules["completed"].get("delivery", {}).get("standard_task_words", [])
    return any(word in task for word in words)


def _without_stopwords(text: str, rules: Rules) -> list[str]:
    """Characters of ``text`` with the words that prove nothing (全市, 完成, 项目…)
    blanked out, so that a shared run must be the object itself."""
    for word in rules.ready["stopwords_multi"]:
        text = text.replace(word, " ")
    return list(text)


def _partial_before(text: str, pos: int, rules: Rules) -> bool:
    """A completion phrase qualified as partial (基本完成, 初步完成, 大部分完成)."""
    before = text[max(0, pos - 5):pos].replace("已经", "").replace("已", "")
    return any(before.endswith(word) for word in rules["guards"].get("partial_completion_before", []))


def _task_open_ended(row: dict, rules: Rules) -> bool:
    """:func:`_open_ended` of the row's task, worked out once per row."""
    if "_open_ended" not in row:
        row["_open_ended"] = _open_ended(_requested_object(row["task"], rules), rules)  # a request: what it asks for
    return row["_open_ended"]


def _open_ended(task: str, rules: Rules) -> bool:
    return rules.words("completed", "open_ended_markers").found_in(task)


def aspiration_before(text: str, pos: int, rules: Rules) -> bool:
    clause = text[bound_left(text, pos, CLAUSE_SEPS):pos]
    return bool(rules.compiled["aspiration"].search(clause))
