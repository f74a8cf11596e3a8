"""What each family of the rules file carries (issue 22, step 3: simplicity): a script that
prints figures.

    .venv/bin/python benchmarks/family_weights.py [--corpus PATH] [--only NAME ...]

For every ``[families.*]`` table of ``data/reference/status_rules.toml``, the corpus is judged
twice leave-one-notice-out (as ``make evaluate``): as shipped, and with that family switched
off everywhere. Printed per family: the rows it changes on notices it was NOT read from (right
-> wrong and wrong -> right: the only evidence it carries beyond the rows it was written from),
and the rows it changes in-sample on the notices it was read from. A family that changes no
labelled row outside its read_from, and that the codebook does not call for, is weight
(docs/classifier.md lists them)."""
from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.evaluate_classifier import CORPUS_PATH, classify_rows  # noqa: E402
from src.classify import load_rules  # noqa: E402
from src.classify.rules import _compile_rules, _switch_off, families_read_from, rules_without  # noqa: E402

EVERYWHERE = "__every_notice__"


def switched_off(rules, family: str):
    raw = copy.deepcopy(rules.raw)
    table = raw["families"][family]
    table["read_from"] = [*table.get("read_from", []), EVERYWHERE]
    _switch_off(table, EVERYWHERE)
    return _compile_rules(raw)


def judged(frame: pd.DataFrame, rules, lono: bool) -> pd.Series:
    read = {o for origins in families_read_from(rules).values() for o in origins} if lono else set()
    parts = []
    for notice, part in frame.groupby("notice_id", sort=False):
        parts.append(classify_rows(part, rules=rules_without(rules, notice) if notice in read else rules)
                     .set_index(part.index))
    return pd.concat(parts).loc[frame.index, "status"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(CORPUS_PATH))
    parser.add_argument("--only", nargs="*", default=None)
    args = parser.parse_args(argv)
    frame = pd.read_csv(args.corpus, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    frame = frame[frame["label"].str.strip() != ""].reset_index(drop=True)
    rules = load_rules()
    base_lono, base_in = judged(frame, rules, True), judged(frame, rules, False)
    names = [n for n, t in rules.raw.get("families", {}).items() if isinstance(t, dict)]
    print("family | read from (notices) | outside its read_from (LONO): right->wrong / wrong->right | "
          "in-sample on its read_from: right->wrong / wrong->right")
    for name in args.only or names:
        origins = set(rules.raw["families"][name].get("read_from", []))
        off = switched_off(rules, name)
        lono_off, in_off = judged(frame, off, True), judged(frame, off, False)
        outside = ~frame["notice_id"].isin(origins)
        label = frame["label"]
        # what the family does = (with it) against (without it)
        gained_out = ((base_lono == label) & (lono_off != label) & outside).sum()
        lost_out = ((base_lono != label) & (lono_off == label) & outside).sum()
        gained_in = ((base_in == label) & (in_off != label) & ~outside).sum()
        lost_in = ((base_in != label) & (in_off == label) & ~outside).sum()
        changed_out = ((base_lono != lono_off) & outside).sum()
        print(f"{name:28s} | {len([o for o in origins if o not in ('dev2020', 'external_dev')]):3d} | "
              f"outside: {changed_out:3d} changed, +{gained_out} right, -{lost_out} | "
              f"in-sample: +{gained_in} right, -{lost_in}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
