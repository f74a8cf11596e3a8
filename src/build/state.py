"""What the build remembers between runs: fingerprints of each step's inputs
*and of the outputs it wrote*, in ``.build-state.json`` beside those outputs.

A step is skipped only when its inputs are unchanged and its outputs are still
exactly what it wrote; an output edited or replaced behind the build's back
(an analyst's notebook writing into ``data/processed``) makes it run again.
Fingerprints are by content (:mod:`src.fingerprints`): ``touch`` alone changes nothing.
"""
from __future__ import annotations

import json
from pathlib import Path

from src.fingerprints import code_fingerprint, fingerprint

__all__ = ["STATE_FILE", "fingerprint", "code_fingerprint", "outputs_fingerprint", "read_state", "write_state"]

STATE_FILE = ".build-state.json"


def outputs_fingerprint(paths) -> str:
    """The fingerprint of what a step wrote ('<missing>' for an absent file)."""
    return fingerprint(*[Path(p) for p in paths])


def read_state(folder: Path) -> dict:
    try:
        return json.loads((Path(folder) / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_state(folder: Path, state: dict) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STATE_FILE).write_text(json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False), encoding="utf-8")
