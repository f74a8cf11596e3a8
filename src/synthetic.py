"""Synthetic tables for benchmarks and scale tests: the real table repeated."""
from __future__ import annotations

import re

# Distinct two-character surnames+names per copy keep leader names valid (1–4 CJK characters).
_SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎鲁韦昌马苗凤花方俞任袁柳酆鲍史唐费廉岑薛雷贺倪汤滕殷罗毕郝邬安常乐于时傅皮卞齐康伍余元卜顾孟平黄"
# A markup tag (left alone) or a number that is not a year (19xx, 20xx).
_TAG_OR_NUMBER = re.compile(r"(<[^>]*>)|(?<!\d)(?!(?:19|20)\d\d(?!\d))(\d+)")


def _varied(cell: str, copy: int) -> str:
    """``cell`` with ``copy`` added to every number outside tags and years; a cell
    without such a number gets ``（copy）`` at its end."""
    changed = [False]

    def shift(match: re.Match) -> str:
        if match.group(1):
            return match.group(1)
        changed[0] = True
        return str(int(match.group(2)) + copy)

    text = _TAG_OR_NUMBER.sub(shift, cell)
    return text if changed[0] else f"{text}（{copy}）"


def repeated_table(raw_text: str, copies: int, vary: bool = False) -> str:
    """The table repeated ``copies`` times: ids offset per copy, every leader
    renamed per copy (so 100 copies have 800 distinct leaders). With ``vary``,
    each copy after the first also adds its index to the numbers in the task,
    progress and next-steps cells, so that no two copies of a row read the same
    (a real province's table does not repeat)."""
    lines = raw_text.split("\n")
    first_heading = next(i for i, line in enumerate(lines) if line.startswith("## "))
    head, body = lines[:first_heading], lines[first_heading:]
    ids = [int(line.split("\t")[0]) for line in body if re.match(r"^\d+\t", line)]
    span = max(ids) if ids else 0
    out = list(head)
    for copy in range(copies):
        prefix = _SURNAMES[copy % len(_SURNAMES)] + (_SURNAMES[copy // len(_SURNAMES)] if copy >= len(_SURNAMES) else "")
        for line in body:
            if line.startswith("## "):
                name = re.sub(r"^##\s*(\S)\s*", "", line)  # drop the first character of the name
                out.append(f"## {prefix}{name}" if copies > 1 else line)
            elif re.match(r"^\d+\t", line):
                task_id, rest = line.split("\t", 1)
                if vary and copy:
                    cells = rest.split("\t")
                    for i in (0, 2, 3):  # task, progress, next steps (the unit stays a unit)
                        if i < len(cells):
                            cells[i] = _varied(cells[i], copy)
                    rest = "\t".join(cells)
                out.append(f"{int(task_id) + copy * span}\t{rest}")
            else:
                out.append(line)
    return "\n".join(out)
