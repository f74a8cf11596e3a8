"""Fingerprint what was read: the raw table and the overrides are hashed from the bytes the
step parses. An overrides file saved and reverted while the classify step runs (the issue:
the reports kept the discarded status for good) leaves outputs that match the recorded
fingerprint; a raw table saved during the clean step is cleaned again by the next build."""
from __future__ import annotations

import json
import shutil

import pytest

from src import pipeline
from src.builder.console import BuildSummary
from src.builder.run import Layout, run_data_steps
from src.builder.state import ReadOnce, read_state
from tests.conftest import MINI_TABLE

pytestmark = pytest.mark.slow  # the mini table is cleaned and classified (no reports)

OVERRIDE = "1,lagging,中途保存又撤销的改判,王分析,2020-07-15\n"
HEADER = "task_id,status,reason,reviewer,date\n"


def _layout(tmp_path):
    raw = tmp_path / "raw" / MINI_TABLE.name
    raw.parent.mkdir()
    shutil.copy(MINI_TABLE, raw)
    overrides = tmp_path / "overrides.csv"
    overrides.write_text(HEADER, encoding="utf-8")
    return Layout(raw, tmp_path / "data", tmp_path / "reports"), overrides


def _overridden(layout) -> dict:
    from src.store import read_table

    classified = read_table(layout.files.classified)
    return dict(zip(classified["task_id"], classified["status_source"]))


def test_overrides_saved_and_reverted_during_classify_leave_consistent_outputs(tmp_path, monkeypatch):
    layout, overrides = _layout(tmp_path)
    original = pipeline.analyse_stage

    def saved_and_reverted_meanwhile(*args, **kwargs):
        overrides.write_text(HEADER + OVERRIDE, encoding="utf-8")  # someone saves a change…
        try:
            return original(*args, **kwargs)
        finally:
            overrides.write_text(HEADER, encoding="utf-8")  # …and reverts it before the step ends

    monkeypatch.setattr(pipeline, "analyse_stage", saved_and_reverted_meanwhile)
    run_data_steps(layout, None, overrides, False, BuildSummary())
    assert _overridden(layout)[1] != "override"  # the bytes that were read: no override
    monkeypatch.setattr(pipeline, "analyse_stage", original)
    summary = BuildSummary()
    run_data_steps(layout, None, overrides, False, summary)
    assert summary.stages_run == []  # the recorded fingerprint matches what was read, and the file is that again


def test_an_override_saved_during_classify_is_applied_by_the_next_build(tmp_path, monkeypatch):
    layout, overrides = _layout(tmp_path)
    original = pipeline.analyse_stage

    def saved_meanwhile(*args, **kwargs):
        result = original(*args, **kwargs)
        overrides.write_text(HEADER + OVERRIDE, encoding="utf-8")  # saved while the step was ending
        return result

    monkeypatch.setattr(pipeline, "analyse_stage", saved_meanwhile)
    run_data_steps(layout, None, overrides, False, BuildSummary())
    monkeypatch.setattr(pipeline, "analyse_stage", original)
    summary = BuildSummary()
    run_data_steps(layout, None, overrides, False, summary)
    assert summary.stages_run == ["classify"] and _overridden(layout)[1] == "override"


def test_a_raw_table_saved_during_clean_is_cleaned_again(tmp_path, monkeypatch):
    layout, overrides = _layout(tmp_path)
    original = pipeline.clean_stage

    def saved_meanwhile(path, *args, **kwargs):
        assert path != layout.raw and path.read_bytes() == MINI_TABLE.read_bytes()  # the step parses its own copy
        layout.raw.write_text(MINI_TABLE.read_text(encoding="utf-8").replace("半年度", "前三季度"), encoding="utf-8")
        return original(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "clean_stage", saved_meanwhile)
    run_data_steps(layout, None, overrides, False, BuildSummary())
    assert json.loads(layout.files.metadata.read_text(encoding="utf-8"))["as_of"] == "2020-06-30"
    assert read_state(layout.data_dir)["clean"]  # recorded for the bytes read, not the new ones
    monkeypatch.setattr(pipeline, "clean_stage", original)
    summary = BuildSummary()
    run_data_steps(layout, None, overrides, False, summary)
    assert summary.stages_run[0] == "clean"
    assert json.loads(layout.files.metadata.read_text(encoding="utf-8"))["as_of"] == "2020-09-30"


def test_read_once_names_the_original_file_in_messages(tmp_path):
    path = tmp_path / "表.csv"
    path.write_bytes(b"a,b\n")
    read = ReadOnce(path)
    copy = read.copy(tmp_path / "copy")
    assert copy.read_bytes() == b"a,b\n" and copy.name == "表.csv" and read.digest.startswith("表.csv:")
    assert read.own_message(f"{copy}:3: 列数不对", copy) == f"{path}:3: 列数不对"


def test_a_reference_file_saved_and_reverted_during_classify_makes_the_next_build_classify_again(tmp_path, monkeypatch):
    """The rules are fingerprinted from the bytes the classifier parsed (src.fingerprints.read_reference),
    not from the file before or after the step: a version seen only during the step is redone."""
    from src import fingerprints
    from src.classify import rules
    from src.paths import REFERENCE_DIR

    layout, overrides = _layout(tmp_path)
    reference = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, reference)
    monkeypatch.setattr(fingerprints, "REFERENCE_DIR", reference)
    monkeypatch.setattr(rules, "RULES_PATH", reference / "status_rules.toml")
    kept = (reference / "status_rules.toml").read_text(encoding="utf-8")
    original = pipeline.analyse_stage

    def saved_and_reverted_meanwhile(*args, **kwargs):
        (reference / "status_rules.toml").write_text(kept + "\n# 中途保存又撤销\n", encoding="utf-8")
        try:
            return original(*args, **kwargs)  # parses the rules as saved
        finally:
            (reference / "status_rules.toml").write_text(kept, encoding="utf-8")

    run_data_steps(layout, None, overrides, False, BuildSummary())
    summary = BuildSummary()
    run_data_steps(layout, None, overrides, False, summary)
    assert summary.stages_run == []  # control: nothing changed, nothing redone
    (layout.data_dir / "tasks_classified.parquet").unlink()  # classify once more, with the file changing meanwhile
    monkeypatch.setattr(pipeline, "analyse_stage", saved_and_reverted_meanwhile)
    run_data_steps(layout, None, overrides, False, BuildSummary())
    monkeypatch.setattr(pipeline, "analyse_stage", original)
    summary = BuildSummary()
    run_data_steps(layout, None, overrides, False, summary)
    assert summary.stages_run == ["classify"]  # what was parsed is not the file now: classified again
