"""The halves a round may read (benchmarks/evaluate_classifier.py): a batch's notices in sorted order,
alternately A, B, A…; ``--show read`` and ``--show half-A`` never return a half B's row."""
from __future__ import annotations

import importlib.util

import pandas as pd

from src.paths import PROJECT_ROOT


def _evaluate():
    spec = importlib.util.spec_from_file_location("evaluate_classifier", PROJECT_ROOT / "benchmarks" / "evaluate_classifier.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows():
    notices = [("1", "XN01"), ("1", "XN02"), ("6", "YN03"), ("6", "YN01"), ("6", "YN02"), ("7", "ZN02"), ("7", "ZN01")]
    return pd.DataFrame([{"batch": b, "notice_id": n, "task_id": i} for i, (b, n) in enumerate(notices)])


def test_a_batch_is_split_alternately_in_sorted_order():
    halves = _evaluate().batch_halves(_rows(), "6")
    assert halves == {"YN01": "A", "YN02": "B", "YN03": "A"}


def test_show_read_keeps_whole_batches_and_halves_a_never_a_half_b():
    module, rows = _evaluate(), _rows()
    half_of = {**module.batch_halves(rows, "6"), **module.batch_halves(rows, "7")}
    read = set(module.printable(rows, half_of, "read")["notice_id"])
    assert read == {"XN01", "XN02", "YN01", "YN03", "ZN01"}
    assert set(module.printable(rows, half_of, "half-A")["notice_id"]) == {"YN01", "YN03", "ZN01"}


def test_blind_drops_the_halves_b_before_anything_is_measured():
    module, rows = _evaluate(), _rows()
    kept = module.without_halves_b(rows, ["6", "7"])
    assert set(kept["notice_id"]) == {"XN01", "XN02", "YN01", "YN03", "ZN01"}
    assert set(module.without_halves_b(rows, [])["notice_id"]) == set(rows["notice_id"])
