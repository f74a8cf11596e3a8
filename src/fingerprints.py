"""Content fingerprints: of files and plain values, and of the code itself.

Used by the build to decide what to redo (:mod:`src.builder.state`).

The files under ``data/reference/`` are fingerprinted from the bytes actually parsed: each module
that parses one reads it through :func:`read_reference` (the bytes read once, hashed, and those
same bytes parsed), and :func:`code_fingerprint` with ``parsed=True`` takes, for every file parsed
in this process, the hash of what was parsed instead of what the file holds now. A file saved —
or saved and reverted — while a step runs then leaves a recorded fingerprint that describes the
step's outputs, never one that hides them.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from src.paths import PROJECT_ROOT, REFERENCE_DIR, TEMPLATES_DIR

__all__ = ["fingerprint", "code_fingerprint", "read_reference"]

_PARSED: dict[Path, set[str]] = {}  # a file of data/reference/ parsed in this process → sha256 of each version parsed


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


def read_reference(path: str | Path) -> bytes:
    """The bytes of a settings or lexicon file, read once to be parsed; their sha256 is what
    :func:`code_fingerprint` (``parsed=True``) counts for the file."""
    path = Path(path)
    data = path.read_bytes()
    _PARSED.setdefault(path.resolve(), set()).add(hashlib.sha256(data).hexdigest())
    return data


def code_fingerprint(parsed: bool = False) -> str:
    """Everything under src/, the report templates and data/reference/: a change
    there redoes every step. ``parsed``: each file of data/reference/ this process has parsed
    counts as the bytes it parsed (:func:`read_reference`), not as the file is now (two versions
    parsed, as when a file was saved between two reads: both, which matches no file)."""
    files = sorted(
        [*(PROJECT_ROOT / "src").rglob("*.py"), *(PROJECT_ROOT / "src" / "templates").glob("*"),
         *TEMPLATES_DIR.glob("*.ipynb"), *REFERENCE_DIR.rglob("*")]
    )
    digests = []
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            known = "+".join(sorted(_PARSED.get(path.resolve(), ()))) if parsed else ""
            digests.append([path.name, known or hashlib.sha256(path.read_bytes()).hexdigest()])
    return fingerprint(digests)
