"""Same inputs, same processed files: byte for byte, whatever the process's hash seed."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, REAL_TABLE, ROOT

pytestmark = pytest.mark.slow  # fresh processes under several hash seeds

SCRIPT = """
import sys

from src.pipeline import analyse_stage, clean_stage

clean_stage(sys.argv[1], sys.argv[2])
analyse_stage(sys.argv[2], overrides_path=sys.argv[3])
"""


def test_processed_files_are_identical_across_runs_and_hash_seeds(tmp_path):
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", SCRIPT, str(REAL_TABLE), str(out), str(FIXTURES / "no_overrides.csv")],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        outputs.append(out)
    for name in ["tasks.csv", "tasks_classified.csv", "metadata.json", "quality.json", "classification.json"]:
        assert (outputs[0] / name).read_bytes() == (outputs[1] / name).read_bytes(), name
