"""Readers, one per input format, all giving the same raw rows.

:func:`read_raw_rows` picks the reader from the file's content (its first
bytes), falling back to its extension, so a ``.xls`` that WPS actually saved as
``.xlsx`` (or the reverse) is still read. :func:`src.table.ingest.inbox.find_inbox_table` picks the
table to build from a folder of them.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from src.table.ingest.rows import RawRow, RawTable
from src.table.problems import RawTableError

__all__ = ["RawRow", "RawTable", "read_raw_rows", "detect_format", "SUPPORTED_SUFFIXES"]

SUPPORTED_SUFFIXES = {
    ".md": "markdown", ".markdown": "markdown", ".txt": "markdown",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".et": "legacy",
    ".docx": "docx", ".doc": "legacy", ".wps": "legacy",
    ".csv": "csv", ".tsv": "csv",
    ".pdf": "pdf",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office and WPS files


def detect_format(path: Path) -> str:
    """markdown, xlsx, xls, docx, csv, pdf or legacy (.doc/.wps/.et), from the
    first bytes when they tell, else from the extension."""
    suffix = path.suffix.lower()
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK"):
        try:
            names = set(zipfile.ZipFile(path).namelist())
        except zipfile.BadZipFile:
            raise RawTableError(path, None, "文件已损坏：不是完整的 Office 文件 (corrupt zip container)") from None
        if "word/document.xml" in names:
            return "docx"
        if any(name.startswith("xl/") for name in names):
            return "xlsx"
        raise RawTableError(
            path, None,
            f"不支持的文件类型 {suffix or '（无扩展名）'}：既不是 .xlsx 也不是 .docx；请另存为 .xlsx 或 .docx "
            "(a zip file without a workbook or document: save as .xlsx or .docx)",
        )
    if head.startswith(_OLE):
        return "xls" if suffix in {".xls", ".xlsx"} else "legacy"
    fmt = SUPPORTED_SUFFIXES.get(suffix)
    if fmt in {"xlsx", "docx", "xls", "pdf"}:
        raise RawTableError(
            path, None,
            f"文件扩展名为 {suffix}，但内容不是 {suffix} 文件（可能已损坏或只是改了扩展名） "
            f"(content does not match the {suffix} extension)",
        )
    if fmt == "markdown" and suffix == ".txt" and not _looks_like_markdown(path):
        return "csv"  # Excel's "text (tab delimited)" or "Unicode text" export
    if fmt is None:
        shown = "、".join(sorted(SUPPORTED_SUFFIXES))
        raise RawTableError(path, None, f"不支持的文件类型 {suffix or '（无扩展名）'}；可读入：{shown} (unsupported file type)")
    return fmt


def _looks_like_markdown(path: Path) -> bool:
    """A .txt that is the PDF converter's Markdown: ``#`` headings or cell HTML."""
    head = path.read_bytes()[:65536]
    for encoding in ("utf-16", "utf-8", "gb18030"):
        if encoding == "utf-16" and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        text = head.decode(encoding, errors="ignore")
        break
    return any(line.lstrip().startswith("#") for line in text.split("\n")) or bool(re.search(r"</?(p|li|ol|br)\b", text))


def read_raw_rows(path: str | Path) -> RawTable:
    """Read any supported table file into raw rows (cells as text, line breaks kept)."""
    path = Path(path)
    if not path.exists():
        raise RawTableError(path, None, "文件不存在 (file not found)")
    if path.is_dir():
        raise RawTableError(path, None, "这是一个文件夹，不是汇总表文件 (a folder, not a file)")
    if path.stat().st_size == 0:
        raise RawTableError(path, None, "文件为空 (empty file: no table at all)")
    fmt = detect_format(path)
    # each reader loads its format's library (python-docx, openpyxl, pdfplumber…): only the one this table needs
    if fmt == "markdown":
        from src.table.ingest.markdown import read_markdown  # cold start: only the table's own format's reader

        return read_markdown(path)
    if fmt == "csv":
        from src.table.ingest.delimited import read_delimited  # cold start: only the table's own format's reader

        return read_delimited(path)
    if fmt in {"xlsx", "xls"}:
        from src.table.ingest.excel import read_workbook  # cold start: only the table's own format's reader

        return read_workbook(path, fmt)
    if fmt == "docx":
        from src.table.ingest.word import read_docx  # cold start: only the table's own format's reader

        return read_docx(path)
    if fmt == "pdf":
        from src.table.ingest.pdf import read_pdf  # cold start: only the table's own format's reader

        return read_pdf(path)
    from src.table.ingest.legacy import read_legacy  # cold start: only the table's own format's reader

    return read_legacy(path)
