"""What the build remembers between runs: fingerprints of each step's inputs
*and of the outputs it wrote*, in ``.build-state.json`` beside those outputs.

A step is skipped only when its inputs are unchanged and its outputs are still
exactly what it wrote; an output edited or replaced behind the build's back
(an analyst's notebook writing into ``data/processed``) makes it run again.
Fingerprints are by content (:mod:`src.fingerprints`): ``touch`` alone changes nothing.

The raw table and the overrides are fingerprinted from the bytes actually parsed
(:class:`ReadOnce`: read once, hashed, and the step parses a private copy of those
same bytes), so a file saved — or saved and reverted — while a build runs can never
leave outputs that disagree with the fingerprint recorded for them.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from src.fingerprints import code_fingerprint, fingerprint

__all__ = ["STATE_FILE", "fingerprint", "code_fingerprint", "outputs_fingerprint", "read_state", "write_state", "ReadOnce"]

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


class ReadOnce:
    """One input file read once: its name, its bytes and their sha256 (``digest``).
    :meth:`copy` writes those bytes, under the same name, into a folder of the build's own:
    the step parses that copy, never the file that may have changed since."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.data = self.path.read_bytes() if self.path.is_file() else b""
        self.digest = f"{self.path.name}:{hashlib.sha256(self.data).hexdigest() if self.path.is_file() else '<missing>'}"

    def copy(self, folder: Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / self.path.name
        target.write_bytes(self.data)
        return target

    def own_message(self, message: str, copy: Path) -> str:
        """An error message about the copy, naming the original file."""
        return message.replace(str(copy), str(self.path))
