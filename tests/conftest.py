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
    from src.parse import parse_table

    return parse_table(REAL_TABLE)


@pytest.fixture(scope="session")
def real_tasks(real_parsed):
    return real_parsed.tasks
