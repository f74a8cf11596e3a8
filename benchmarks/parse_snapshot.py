"""Parse outputs of every table the tests use, written to a folder, to check that
a change to the parser leaves them byte-identical.

    .venv/bin/python benchmarks/parse_snapshot.py write /tmp/before
    .venv/bin/python benchmarks/parse_snapshot.py write /tmp/after
    .venv/bin/python benchmarks/parse_snapshot.py compare /tmp/before /tmp/after

For each input (the real table, it repeated 10x and 100x, the mini table, every
file of the bad-input corpus and every rendering of the real table) it writes
tasks.csv, tasks.parquet, metadata.json and quality.json (warnings included), or
error.txt with the error's type and message. ``compare`` checks the text files
byte for byte and the task tables with ``DataFrame.equals`` (and their dtypes).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from src.paths import DEFAULT_RAW_PATH, PROJECT_ROOT
from src.synthetic import repeated_table

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"


def inputs(scratch: Path) -> dict[str, Path]:
    real = DEFAULT_RAW_PATH.read_text(encoding="utf-8")
    found = {"real": DEFAULT_RAW_PATH, "mini": FIXTURES / "mini_table.md"}
    for copies in (10, 100):
        path = scratch / f"x{copies}.md"
        path.write_text(repeated_table(real, copies), encoding="utf-8")
        found[f"x{copies}"] = path
    for folder in ("corpus", "renderings"):
        for path in sorted((FIXTURES / folder).iterdir()):
            found[f"{folder}-{path.name}"] = path
    return found


def write(out: Path) -> None:
    from src.store import write_csv, write_parquet
    from src.table.parse import parse_table

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in inputs(Path(tmp)).items():
            folder = out / name
            folder.mkdir(exist_ok=True)
            try:
                parsed = parse_table(path)
            except Exception as error:  # noqa: BLE001 - the error is the output
                (folder / "error.txt").write_text(f"{type(error).__name__}: {error}\n", encoding="utf-8")
                continue
            write_csv(parsed.tasks, folder / "tasks.csv")
            write_parquet(parsed.tasks, folder / "tasks.parquet")
            dtypes = {column: str(dtype) for column, dtype in parsed.tasks.dtypes.items()}
            for file, data in [("metadata.json", parsed.metadata), ("quality.json", parsed.quality),
                               ("dtypes.json", dtypes)]:
                (folder / file).write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                           encoding="utf-8")
    print(f"{len(list(out.iterdir()))} inputs written to {out}")


def compare(before: Path, after: Path) -> int:
    import pandas as pd

    differences = []
    names = sorted({p.name for p in before.iterdir()} | {p.name for p in after.iterdir()})
    for name in names:
        files = sorted({p.name for p in (before / name).glob("*")} | {p.name for p in (after / name).glob("*")})
        for file in files:
            old, new = before / name / file, after / name / file
            if not (old.exists() and new.exists()):
                differences.append(f"{name}/{file}: only in {'before' if old.exists() else 'after'}")
            elif file.endswith(".parquet"):
                if not pd.read_parquet(old).equals(pd.read_parquet(new)):
                    differences.append(f"{name}/{file}: tables differ")
            elif old.read_bytes() != new.read_bytes():
                differences.append(f"{name}/{file}: bytes differ")
    for line in differences:
        print(line)
    print(f"{len(names)} inputs compared: {'identical' if not differences else f'{len(differences)} differences'}")
    return 1 if differences else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("write").add_argument("out", type=Path)
    cmp = sub.add_parser("compare")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "write":
        write(args.out)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
