"""Every path the project uses, derived from the project root.

Notebooks and scripts import these instead of building paths from the current
working directory, so papermill can run a notebook from anywhere (``--cwd``).
"""
from __future__ import annotations

from pathlib import Path

__all__ = [
    "PROJECT_ROOT", "DATA_DIR", "RAW_DIR", "PROCESSED_DIR", "REFERENCE_DIR", "OVERRIDES_PATH",
    "NOTEBOOKS_DIR", "REPORTS_DIR", "DEFAULT_RAW_PATH", "GOLD_DIR", "DEV_LABELS_PATH", "resolve",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
INTERIM_DIR = DATA_DIR / "interim"  # analysts' scratch: notebooks write here by default, never into the build's folders
REFERENCE_DIR = DATA_DIR / "reference"
OVERRIDES_PATH = DATA_DIR / "overrides.csv"

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"

DEFAULT_RAW_PATH = RAW_DIR / "hangzhou_2020_h1_key_tasks.md"

# Reference labels live outside the repository (shared with the office); they
# are only ever used to *measure* the classifier.
GOLD_DIR = PROJECT_ROOT.parent / "shared" / "gold"
DEV_LABELS_PATH = GOLD_DIR / "dev_labels.csv"


def resolve(path: str | Path) -> Path:
    """Resolve ``path`` against the project root unless it is absolute."""
    candidate = Path(path)
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate
