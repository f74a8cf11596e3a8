"""Every path the project uses, derived from the project root, and the names
of the files each build step writes.

Notebooks and scripts import these instead of building paths from the current
working directory, so papermill can run a notebook from anywhere (``--cwd``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "PROJECT_ROOT", "DATA_DIR", "RAW_DIR", "PROCESSED_DIR", "INTERIM_DIR", "REFERENCE_DIR", "OVERRIDES_PATH",
    "NOTEBOOKS_DIR", "TEMPLATES_DIR", "LEADER_TEMPLATE", "OVERVIEW_TEMPLATE", "REPORTS_DIR", "DEFAULT_RAW_PATH",
    "GOLD_DIR", "DEV_LABELS_PATH", "EXTERNAL_DEV_PATH", "ProcessedFiles", "processed_files", "PublishedFiles", "resolve",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"  # immutable inputs: the code never writes here
PROCESSED_DIR = DATA_DIR / "processed"  # the build's data outputs (only the build writes here)
INTERIM_DIR = DATA_DIR / "interim"  # analysts' scratch outputs from the notebooks (never published)
REFERENCE_DIR = DATA_DIR / "reference"  # rules, lexicons, formats, styles: everything tunable
PROFILES_DIR = REFERENCE_DIR / "profiles"  # an office's judging profiles (strict is the default)


def available_profiles() -> list[str]:
    """Names of the profiles in ``data/reference/profiles/``."""
    return sorted(p.stem for p in PROFILES_DIR.glob("*.toml"))

OVERRIDES_PATH = DATA_DIR / "overrides.csv"

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"  # the analysts' notebooks
TEMPLATES_DIR = NOTEBOOKS_DIR / "templates"  # the report templates the build runs through papermill
LEADER_TEMPLATE = TEMPLATES_DIR / "leader_report.ipynb"
OVERVIEW_TEMPLATE = TEMPLATES_DIR / "overview_report.ipynb"
REPORTS_DIR = PROJECT_ROOT / "reports"

DEFAULT_RAW_PATH = RAW_DIR / "hangzhou_2020_h1_key_tasks.md"

# Reference labels live outside the repository (shared with the office); they
# are only ever used to *measure* the classifier.
GOLD_DIR = PROJECT_ROOT.parent / "shared" / "gold"
DEV_LABELS_PATH = GOLD_DIR / "dev_labels.csv"
EXTERNAL_DEV_PATH = GOLD_DIR / "external_dev.csv"


@dataclass(frozen=True)
class ProcessedFiles:
    """The files of one data folder (``data/processed`` or ``<OUT>/data``), named once.

    >>> processed_files("/tmp/x").classified.name
    'tasks_classified.parquet'
    """

    folder: Path

    # clean: the parsed table, the document's metadata (with the decided report date) and its quality
    @property
    def tasks_csv(self) -> Path:
        return self.folder / "tasks.csv"

    @property
    def tasks(self) -> Path:
        return self.folder / "tasks.parquet"

    @property
    def metadata(self) -> Path:
        return self.folder / "metadata.json"

    @property
    def quality(self) -> Path:
        return self.folder / "quality.json"

    # classify: statuses, overrides, tags; its summary; keywords
    @property
    def classified_csv(self) -> Path:
        return self.folder / "tasks_classified.csv"

    @property
    def classified(self) -> Path:
        return self.folder / "tasks_classified.parquet"

    @property
    def classification(self) -> Path:
        return self.folder / "classification.json"

    @property
    def keywords(self) -> Path:
        return self.folder / "keywords.parquet"

    @property
    def terms(self) -> Path:
        """Each distinct task text's terms (jieba), kept so that new statuses need no segmenting."""
        return self.folder / "task_terms.parquet"

    # compare (when there is a previous period): one row per task of either period, and what was compared
    @property
    def comparison_csv(self) -> Path:
        return self.folder / "comparison.csv"

    @property
    def comparison(self) -> Path:
        return self.folder / "comparison.parquet"

    @property
    def comparison_info(self) -> Path:
        return self.folder / "comparison.json"

    @property
    def clean_outputs(self) -> tuple[Path, ...]:
        return (self.tasks_csv, self.tasks, self.metadata, self.quality)

    @property
    def classify_outputs(self) -> tuple[Path, ...]:
        return (self.classified_csv, self.classified, self.classification, self.keywords, self.terms)

    # reports: each leader's rows and comparison rows, read by that leader's report (src/report/slices.py)
    @property
    def leaders(self) -> Path:
        return self.folder / "leaders"

    @property
    def compare_outputs(self) -> tuple[Path, ...]:
        return (self.comparison_csv, self.comparison, self.comparison_info)


@dataclass(frozen=True)
class PublishedFiles:
    """The files of one reports folder (``reports/`` or ``<OUT>/reports``), named once: each report's
    pages and Word document, the index and the workbook.

    >>> PublishedFiles(Path("/tmp/r")).report("leader-01")[0].name
    'leader-01.html'
    """

    folder: Path

    REPORT_SUFFIXES = (".html", ".pdf", ".docx")  # what each report job writes

    @property
    def index(self) -> Path:
        return self.folder / "index.html"

    @property
    def workbook(self) -> Path:
        return self.folder / "key_tasks_classified.xlsx"

    @property
    def index_outputs(self) -> tuple[Path, Path]:
        return (self.index, self.workbook)

    def report(self, slug: str) -> list[Path]:
        """One report's files: its HTML, PDF and Word document."""
        return [self.folder / f"{slug}{suffix}" for suffix in self.REPORT_SUFFIXES]


def processed_files(folder: str | Path = PROCESSED_DIR) -> ProcessedFiles:
    return ProcessedFiles(resolve(folder))


def resolve(path: str | Path) -> Path:
    """Resolve ``path`` against the project root unless it is absolute."""
    candidate = Path(path)
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate
