from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
REAL_TABLE = ROOT / "data" / "raw" / "hangzhou_2020_h1_key_tasks.md"
MINI_TABLE = FIXTURES / "mini_table.md"

os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


@pytest.fixture(scope="session")
def real_parsed():
    from src.table.parse import parse_table

    return parse_table(REAL_TABLE)


@pytest.fixture(scope="session")
def real_tasks(real_parsed):
    return real_parsed.tasks


@pytest.fixture(scope="session")
def real_build(tmp_path_factory):
    """The real table built end to end (clean → classify → 9 reports) into a temp folder."""
    from src.builder import build

    out = tmp_path_factory.mktemp("real_build")
    code, summary = build(raw=str(REAL_TABLE), out=str(out))
    assert code == 0, summary.failures
    return out


@pytest.fixture
def small_classified():
    """Three rows classified at mid-year: 47% of the plan (lagging), 有序推进 (on-track), 已完成 (completed)."""
    import pandas as pd

    from src.classify import classify_tasks

    frame = pd.DataFrame(
        [
            {"task_id": 1, "task": "推进A。", "progress": "完成年度计划的47%。", "problems": "", "next_steps": ""},
            {"task_id": 2, "task": "推进B。", "progress": "有序推进。", "problems": "", "next_steps": ""},
            {"task_id": 3, "task": "推进C。", "progress": "", "problems": "", "next_steps": "已完成"},
        ]
    )
    return classify_tasks(frame, as_of="2020-06-30")


@pytest.fixture(scope="session")
def mini_processed(tmp_path_factory):
    """The mini fixture table cleaned and classified (no reports)."""
    from src.pipeline import analyse_stage, clean_stage

    out = tmp_path_factory.mktemp("mini_processed")
    clean_stage(MINI_TABLE, out)
    analyse_stage(out, overrides_path=FIXTURES / "no_overrides.csv")
    return out


SLOW_FIXTURES = {"real_build", "markup_build", "mini_out"}  # each builds reports end to end


def pytest_collection_modifyitems(config, items):
    """Tests that use a built set of reports are slow (``make test-fast`` skips them)."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
