"""Legacy binary files: Word .doc, WPS .wps, WPS spreadsheet .et (and an .xls
no spreadsheet library could open).

Converted to .docx/.xlsx by LibreOffice (``soffice --headless --convert-to``)
when it is installed, then read like any .docx/.xlsx; otherwise a message asks
for the file saved as .docx or .xlsx.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from src.table.ingest.excel import read_workbook
from src.table.ingest.rows import RawTable
from src.table.ingest.word import read_docx
from src.table.problems import RawTableError

_TARGET = {".doc": "docx", ".wps": "docx", ".et": "xlsx", ".xls": "xlsx"}


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_legacy(path: Path) -> RawTable:
    suffix = path.suffix.lower()
    target = _TARGET.get(suffix, "docx")
    soffice = soffice_path()
    if soffice is None:
        raise RawTableError(
            path, None,
            f"{suffix or '该'} 是旧版 Office/WPS 格式，需要 LibreOffice 才能读取，本机没有安装。"
            f"请在 WPS 或 Office 中打开后“另存为” .{target}，再放入 data/raw/ "
            f"(legacy {suffix} needs LibreOffice (soffice), not installed: save the file as .{target})",
        )
    with tempfile.TemporaryDirectory(prefix="key-tasks-convert-") as folder:
        try:
            subprocess.run(
                [soffice, "--headless", "--convert-to", target, "--outdir", folder, str(path)],
                check=True, capture_output=True, timeout=180,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            raise RawTableError(
                path, None, f"LibreOffice 转换失败（{type(error).__name__}），请另存为 .{target} 后再试 (conversion failed)",
            ) from None
        converted = Path(folder) / f"{path.stem}.{target}"
        if not converted.exists():
            raise RawTableError(path, None, f"LibreOffice 没有生成 .{target} 文件，请另存为 .{target} 后再试 (conversion failed)")
        if target == "docx":
            raw = read_docx(converted)
        else:
            raw = read_workbook(converted, "xlsx")
    raw.path = path
    raw.format = f"{suffix.lstrip('.')}→{target}"
    return raw
