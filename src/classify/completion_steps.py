"""Stage 5a, the eleventh round's completion steps (issue 22, helper judge12): what the completion
families may call done, and forms of the task's own delivery they did not read. Each is a
family of ``status_rules.toml`` (block ROUND 11 judge12) with its ``read_from``; switched off (its
patterns never matching, its lists empty) a step returns None and changes nothing. Placed in
:data:`src.classify.order.RULE_STEPS`.

* :func:`completion_scope` (0c, before any step; never decides): a delivery event is no delivery
  of the task when a plan or forecast word stands anywhere in its clause (预计 12 月…正式投用), when a
  part of the works stands before it that the task does not name (一期…全面完工), or when it is one
  named item of several while another clause of the row has works still under way (甲园已完工，乙园
  已开工建设); a year's completion said of one named item is dropped the same way.
* :func:`one_item_under_way` (before the delivery grammars): the row whose one item was dropped
  above is on-track, so that no later delivery grammar reads that item as the row.
* :func:`task_done_stated`: the task's own task or target said done with a perfective marker
  (××任务全面完成, 全面完成目标任务; at a year-end report 完成预期目标).
* :func:`named_delivery`: the task's own object built or finished and put into use (建成××并投入
  使用, 完成××建设，并投入使用).
* :func:`document_done`: a document task's document drawn up, issued or approved (制定了《…》).
* :func:`named_works_done`: a task naming only its object delivered by a works verb (已改造完成).
* :func:`coverage_achieved`: full coverage stated achieved (实现了…全覆盖, 做到了应保尽保).
* :func:`promise_only` (before the bare delivery): a short cell that only promises (年内竣工使用).
"""
from __future__ import annotations

import re

from src.classify.spans import SENTENCE_SEPS, bound_left, clause_before, evidence_phrase, shares_run
from src.classify.steps import Decision, Facts, default_on_track

# a clause for these steps runs between commas, colons and sentence ends (not 、: a list of named
# items is one clause)
_SEPS = SENTENCE_SEPS + "，,：:"
_CLAUSES = re.compile(f"[{re.escape(_SEPS)}]")


def _parts_not_of_task(family: dict, before: str, task: str) -> bool:
    """A part of the works (一期, 部分, 主体) named before the event that the task itself does not name."""
    return any(w in before and w not in task for w in family.get("part_words", []))


def _under_way(family: dict, text: str, own_clause: str) -> str:
    """Another clause of ``text`` (not ``own_clause``) with works still under way, or ''."""
    pattern = family.get("ongoing_pattern")
    if not pattern:
        return ""
    for clause in _CLAUSES.split(text):
        if clause.strip() and clause not in own_clause and own_clause not in clause and re.search(pattern, clause):
            return clause.strip()
    return ""


def _subject(family: dict, clause: str) -> str:
    for word in sorted(family.get("manner_words", []), key=len, reverse=True):
        clause = clause.replace(word, "")
    return clause.strip()


def completion_scope(f: Facts) -> None:
    """0c. Before any step: drop the delivery events (one-off cues) said under a plan, of a part
    the task does not name, or of one named item while another is still under way, and the
    year's completions said of one named item while another is under way
    ([families.completion_scope]). Never decides (returns None)."""
    family = f.rules.family("completion_scope")
    if not (family.get("plan_words") or family.get("ongoing_pattern")) or not (f.one_off or f.annual):
        return None
    task = f.row["task"]
    min_subject = int(family.get("min_subject_chars", 2))
    plan = list(family.get("plan_words", []))
    if f.row["_date"].month < int(f.rules["schedule"].get("year_end_month", 12)):
        plan += family.get("promise_words", [])  # 年底建成投用 before the year's end is a promise

    def keep(cue, one_off: bool) -> bool:
        text = f.row.get(cue.source_field) or ""
        spots = [m.start() for m in re.finditer(re.escape(cue.phrase), text)] or [-1]
        for pos in spots:
            if pos < 0:
                return True
            before = clause_before(text, pos, _SEPS)
            if one_off and any(w in before for w in plan):
                continue
            if one_off and _parts_not_of_task(family, before, task):
                continue
            own = text[bound_left(text, pos, _SEPS):pos + len(cue.phrase)]
            other = _under_way(family, text, own)
            subject = _subject(family, before)
            if not one_off and not subject and family.get("subject_from_clause_before"):
                # a year's completion opening its clause (…调增基础养老金 5 元，完成年度调整任务): its
                # subject is the clause before it in the same sentence
                start = bound_left(text, pos, _SEPS)
                if start > 0 and text[start - 1] not in SENTENCE_SEPS:
                    subject = _subject(family, clause_before(text, start - 1, _SEPS))
            if other and len(subject) >= min_subject:
                f.found["one_item_under_way"] = other
                continue
            return True
        return False

    f.one_off = [c for c in f.one_off if keep(c, True)]
    f.annual = [c for c in f.annual if keep(c, False)]
    return None


def one_item_under_way(f: Facts) -> Decision | None:
    """10a'. A row whose one item's delivery was dropped by :func:`completion_scope` (another item
    still under way) is on-track: no later delivery grammar reads that item as the row."""
    other = f.found.get("one_item_under_way")
    if not other or f.one_off or f.annual:
        return None
    f.review.append("one item of several said done; another still under way")
    return Decision("on-track", "stated-on-track", other)


def promise_only(f: Facts) -> Decision | None:
    """13a'. A short cell that only promises the delivery (年内竣工使用, 年底前建成投用): a word of
    plan or time (completion_scope's plan_words and promise_words) before its delivery word and
    nothing said done. The bare delivery (13b) must not read it as delivered: on-track by default."""
    family = f.rules.family("completion_scope")
    words = [*family.get("plan_words", []), *family.get("promise_words", [])]
    text = f.row["progress"].strip()
    if not words or len(text) > int(family.get("promise_max_chars", 12)) or "已" in text:
        return None
    if any(w in text for w in words):
        return default_on_track(f)
    return None


def _guarded(family: dict, text: str, match: re.Match, task: str) -> bool:
    before = clause_before(text, match.start(), _SEPS)
    window = before + match.group(0)
    if any(w in window for w in family.get("not_before", [])):
        return True
    return _parts_not_of_task(family, window, task)


def _own(family: dict, obj: str, task: str) -> bool:
    """The object is the task's own: it shares a run of ``min_overlap`` characters with the task
    (not a stop run), or nothing is left of it once the filler words are taken out."""
    for word in sorted(family.get("bare_words", []), key=len, reverse=True):
        obj = obj.replace(word, "")
    obj = re.sub(r"[\s\d年月日号份底初中旬上下]", "", obj)
    return not obj or shares_run(obj, task, int(family.get("min_overlap", 2)), family.get("stop_runs", []))


def task_done_stated(f: Facts) -> Decision | None:
    """10f. The task's own task or target said done with a perfective marker (××任务全面完成,
    全面完成目标任务; at a year-end report 完成预期目标), no measure short of its target, no plan,
    negation, node or part in its clause ([families.task_done_stated]): completed
    [explicit-completed]."""
    family = f.rules.family("task_done_stated")
    if f.short_of_target:
        return None
    text, task = f.row["progress"], f.row["task"]
    patterns = list(family.get("patterns", []))
    if f.row["_date"].month >= int(f.rules["schedule"].get("year_end_month", 12)):
        patterns += family.get("year_end_patterns", [])
    for pattern in patterns:
        for match in re.finditer(pattern, text):
            if _guarded(family, text, match, task):
                continue
            obj = match.groupdict().get("object")
            if obj is None:
                obj = clause_before(text, match.start(), _SEPS)
            if _own(family, obj, task):
                return Decision("completed", "explicit-completed", evidence_phrase(text, match.start(), match.end()))
    return None


def named_delivery(f: Facts) -> Decision | None:
    """10g. The task's own object built or finished and put into use (建成××并投入使用, 完成××建设，
    并投入使用), no measure short of its target, no plan, negation or part in its clause
    ([families.named_delivery]): completed [one-off-completed]."""
    family = f.rules.family("named_delivery")
    if f.short_of_target or not family.get("patterns"):
        return None
    text, task = f.row["progress"], f.row["task"]
    for pattern in family["patterns"]:
        for match in re.finditer(pattern, text):
            if _guarded(family, text, match, task):
                continue
            obj = match.group("object")
            if obj and shares_run(re.sub(r"\s", "", obj), task, int(family.get("min_overlap", 2)),
                                   family.get("stop_runs", [])):
                return Decision("completed", "one-off-completed", evidence_phrase(text, match.start(), match.end()))
    return None


def document_done(f: Facts) -> Decision | None:
    """10i. A task that promises a document or sets up a body (task_words: 方案, 办法, 领导小组…):
    a document named in 《》 issued or drawn up with a perfective marker (已印发《…》, 制定了《…》,
    出台了《…》) or approved (《…》已获…批复, 经…审议通过), not a draft (draft_words), not after a
    plan, negation or wait in its clause, never for an open-ended task or one with a number
    ([families.document_done]): completed
    [one-off-completed]."""
    family = f.rules.family("document_done")
    task, text = f.row["task"], f.row["progress"]
    if f.short_of_target or f.targets or not any(w in task for w in family.get("task_words", [])):
        return None  # a task with a number is judged by its count, not by a document on the way
    if any(w in task for w in f.rules["completed"].get("open_ended_markers", [])):
        return None
    for pattern in family.get("patterns", []):
        for match in re.finditer(pattern, text):
            if _guarded(family, text, match, task) or any(w in match.group(0) for w in family.get("draft_words", [])):
                continue
            return Decision("completed", "one-off-completed", evidence_phrase(text, match.start(), match.end()))
    return None


def named_works_done(f: Facts) -> Decision | None:
    """10j. A task that names only its object (a road, a block of flats, a list of estates: no works
    verb of works_verbs in it, not open-ended) delivered by any works verb with a perfective marker
    (已改造完成, 已完成建设, 维修工作已完成), in a row with nothing under way, planned or left
    (ongoing_words), no count after the verb, no plan, negation or part in its clause
    ([families.named_works_done]): completed [one-off-completed]."""
    family = f.rules.family("named_works_done")
    verbs = family.get("works_verbs", [])
    task, text = f.row["task"], f.row["progress"]
    if not verbs or f.short_of_target or any(v in task for v in verbs):
        return None
    if any(w in task for w in f.rules["completed"].get("open_ended_markers", [])):
        return None
    if any(w in text for w in family.get("ongoing_words", [])):
        return None
    alt = "|".join(map(re.escape, sorted(verbs, key=len, reverse=True)))
    for pattern in family.get("patterns", []):
        for match in re.finditer(pattern.replace("VERB", alt), text):
            if _guarded(family, text, match, task):
                continue
            return Decision("completed", "one-off-completed", evidence_phrase(text, match.start(), match.end()))
    return None


def coverage_achieved(f: Facts) -> Decision | None:
    """10k. Full coverage stated achieved with a perfective verb (实现了…全覆盖, 做到了应保尽保,
    已动态清零), not partial (基本实现), not after a plan or negation in its clause, no measure short
    of its target ([families.coverage_achieved]): completed [explicit-completed]."""
    family = f.rules.family("coverage_achieved")
    if f.short_of_target:
        return None
    text, task = f.row["progress"], f.row["task"]
    for pattern in family.get("patterns", []):
        for match in re.finditer(pattern, text):
            if not _guarded(family, text, match, task):
                return Decision("completed", "explicit-completed", evidence_phrase(text, match.start(), match.end()))
    return None


__all__ = ["coverage_achieved", "named_works_done", "document_done", "completion_scope", "one_item_under_way", "task_done_stated", "named_delivery", "promise_only"]
