"""Content fingerprints: of files and plain values, and of the code itself.

Used by the build to decide what to redo (:mod:`src.builder.state`).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from src.paths import PROJECT_ROOT, REFERENCE_DIR, TEMPLATES_DIR

__all__ = ["fingerprint", "code_fingerprint"]


def fingerprint(*parts) -> str:
    """sha256 over files (by name and content) and plain values."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            digest.update(str(part.name).encode())
            digest.update(part.read_bytes() if part.exists() else b"<missing>")
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def code_fingerprint() -> str:
    """Everything under src/, the report templates and data/reference/: a change
    there redoes every step."""
    files = sorted(
        [*(PROJECT_ROOT / "src").rglob("*.py"), *(PROJECT_ROOT / "src" / "templates").glob("*"),
         *TEMPLATES_DIR.glob("*.ipynb"), *REFERENCE_DIR.rglob("*")]
    )
    return fingerprint(*[p for p in files if p.is_file() and "__pycache__" not in p.parts])
