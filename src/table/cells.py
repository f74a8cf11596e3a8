"""Cell text: raw bytes to text, and a table cell (the converter's formatting
HTML, or plain text from a spreadsheet, Word or PDF) to clean text.

One cleaner, :class:`_CellHTML` (Python's HTML parser), reads every cell with
markup. Markup that is not formatting (``<script>``, ``<img onerror=…>``) is
*content* typed into the cell and is kept as text.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from src.fingerprints import read_reference
from src.paths import REFERENCE_DIR
from src.table.problems import ParseIssue, RawTableError

CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_SPACE = re.compile(rf"(?<=[{CJK}])[ \t\u3000\xa0]+(?=[{CJK}（(])")
# A sentence mark, the spaces after it, then an item number: the spaces become a
# line break. One pattern per mark: a pattern that starts with one character
# finds it several times faster than one that starts with a choice of seven, and
# a mark not in the text costs only an `in` test. (A match takes one mark and
# the spaces after it, so the marks can be done one after the other.)
_ITEM_AFTER = r"\s*(?=(?:\d{1,2}|[一二三四五六七八九十]{1,2})[\.．、](?!\d))"
_INLINE_ITEMS = tuple((mark, re.compile(re.escape(mark) + _ITEM_AFTER), mark + "\n") for mark in "。；;！!？?")


# Invisible characters removed from every cell (see [cells] in data/reference/table_format.toml): C0 controls but
# tab, line feed, vertical tab, form feed and carriage return (whitespace, handled below), DEL, C1 controls, and the
# bidirectional embeddings, overrides and isolates.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@lru_cache(maxsize=1)
def max_cell_bytes() -> int:
    """The longest cell kept whole, in UTF-8 bytes (``[cells] max_kilobytes``)."""
    settings = tomllib.loads(read_reference(REFERENCE_DIR / "table_format.toml").decode())
    return int(settings.get("cells", {}).get("max_kilobytes", 200)) * 1000


def _guard(text: str, notes: list[str]) -> str:
    """A cell cut to :func:`max_cell_bytes` and rid of control characters, each with a note."""
    limit = max_cell_bytes()
    if len(text) > limit // 4 and len(head := text[:limit].encode("utf-8", "surrogatepass")) > limit:
        notes.append(f"单元格过长（{len(text):,} 个字符），判定和报告只用前 {limit // 1000} KB，请核对原表 "
                     f"(cell over {limit // 1000} KB truncated)")
        text = head[:limit].decode("utf-8", "ignore")
    if _CONTROLS.search(text):
        found = sorted({f"U+{ord(c):04X}" for c in _CONTROLS.findall(text)})
        text = _CONTROLS.sub("", text)
        notes.append(f"单元格含有不可见的控制字符（{'、'.join(found[:6])}{'等' if len(found) > 6 else ''}），已删除 "
                     "(control characters removed)")
    return text


# --------------------------------------------------------------------------
# reading bytes
# --------------------------------------------------------------------------
def read_raw_text(path: str | Path) -> tuple[str, str, list[ParseIssue]]:
    """Decode a text file (Markdown, CSV): UTF-16 when it starts with a UTF-16
    mark, else UTF-8 (with or without BOM), else GB18030.

    Returns the text with ``\\n`` line ends, the encoding used and warnings.
    """
    path = Path(path)
    if not path.exists():
        raise RawTableError(path, None, "文件不存在 (file not found)")
    data = path.read_bytes()
    if not data or data.isspace():  # nothing but ASCII whitespace, as data.strip() would say, without a copy
        raise RawTableError(path, None, "文件为空 (empty file: no table at all)")
    notes: list[ParseIssue] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise RawTableError(path, None, "无法解码：文件以 UTF-16 标记开头，但内容不是 UTF-16 (not valid UTF-16)") from None
        notes.append(ParseIssue(None, "文件为 UTF-16 编码（Excel“Unicode 文本”），已按 UTF-16 解码"))
        return text.replace("\r\n", "\n").replace("\r", "\n"), "utf-16", notes
    if data.startswith(b"\xef\xbb\xbf"):
        notes.append(ParseIssue(1, "文件带 UTF-8 BOM，已去除 (UTF-8 BOM removed)"))
        data = data[3:]
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text, encoding = data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            raise RawTableError(
                path,
                line,
                f"无法解码：既不是 UTF-8 也不是 GBK/GB18030 (byte 0x{data[utf8_error.start]:02x} "
                f"at offset {utf8_error.start}: not UTF-8, GBK or GB18030)",
            ) from None
        notes.append(ParseIssue(None, "文件为 GBK/GB18030 编码，已按 GB18030 解码 (decoded as GB18030)"))
    if "\r" in text:
        notes.append(ParseIssue(None, "Windows 换行符 (CRLF) 已统一为 LF"))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding, notes


# --------------------------------------------------------------------------
# cell text
# --------------------------------------------------------------------------
FORMATTING_TAGS = {
    "p", "br", "ol", "ul", "li", "div", "span", "b", "strong", "i", "em", "u",
    "sub", "sup", "font", "table", "tbody", "thead", "tr", "td", "th", "hr",
}
BLOCK_TAGS = {"p", "br", "ol", "ul", "li", "div", "table", "tr", "hr"}
VOID_TAGS = {"br", "hr"}


class _CellHTML(HTMLParser):
    """Turn the converter's formatting HTML into text.

    Formatting tags (``<p>``, ``<li>``…) become line breaks or vanish. Any
    other markup (``<script>``, ``<img onerror=…>``, ``<iframe>``) is *content*
    typed into the cell: it is kept verbatim as text, so the report escapes
    and shows it instead of running it.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open_tags: list[str] = []
        self.unbalanced: list[str] = []
        self.foreign: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORMATTING_TAGS:
            if tag in BLOCK_TAGS:
                self.parts.append("\n")
            if tag not in VOID_TAGS:
                self.open_tags.append(tag)
        else:
            self.foreign.append(tag)
            self.parts.append(unescape(self.get_starttag_text() or f"<{tag}>"))

    def handle_startendtag(self, tag, attrs):
        if tag in FORMATTING_TAGS:
            if tag in BLOCK_TAGS:
                self.parts.append("\n")
        else:
            self.foreign.append(tag)
            self.parts.append(unescape(self.get_starttag_text() or f"<{tag}/>"))

    def handle_endtag(self, tag):
        if tag in FORMATTING_TAGS:
            if tag in VOID_TAGS:
                self.parts.append("\n")
                return
            if tag in self.open_tags:
                while self.open_tags and self.open_tags.pop() != tag:
                    self.unbalanced.append(tag)
            else:
                self.unbalanced.append(f"/{tag}")
            if tag in BLOCK_TAGS:
                self.parts.append("\n")
        else:
            self.foreign.append(f"/{tag}")
            self.parts.append(f"</{tag}>")

    def handle_data(self, data):
        # HTMLParser decodes entities in ordinary text, not inside <script>/<style>.
        self.parts.append(unescape(data) if self.cdata_elem else data)

    def handle_comment(self, data):
        pass

    # Declarations and processing instructions typed into a cell are content too.
    def parse_html_declaration(self, i):
        try:
            return super().parse_html_declaration(i)
        except AssertionError:  # "<![" not followed by a name ("<![<p>"): Python 3.11's parser gives up
            self.handle_data("<!")  # typed text; what follows is read on as usual
            return i + 2

    def handle_decl(self, decl):
        self.foreign.append("!" + decl.split(" ")[0])
        self.parts.append(unescape(f"<!{decl}>"))

    def unknown_decl(self, data):
        # a marked section: <![if …]> and <![endif]> (Word's HTML) end with "]>", the others with "]]>"
        name = _DECL_NAME.match(data)
        end = "]>" if name and name.group().lower() in ("if", "else", "endif") else "]]>"
        self.foreign.append("![" + data.split("[")[0])
        self.parts.append(unescape(f"<![{data}{end}"))

    def handle_pi(self, data):
        self.foreign.append("?" + data.split(" ")[0])
        self.parts.append(unescape(f"<?{data}>"))


_DECL_NAME = re.compile(r"[a-zA-Z][-_.a-zA-Z0-9]*")  # as Python's parser reads a marked section's name
_SPACES = re.compile(r"[ \t\f\v]+")


@dataclass(slots=True)
class CleanCell:
    text: str
    notes: list[str]


def clean_cell(raw: str) -> CleanCell:
    """Clean one table cell: HTML to text, entities decoded, tidy whitespace.

    Numbered items (``<li>``, ``<p>1. …</p>`` and inline ``。2. …``) each stay
    on their own line.
    """
    notes: list[str] = []
    raw = _guard(raw, notes)
    if "<" not in raw and "&" not in raw:  # no markup, no entity: the parser would give raw itself
        return CleanCell(tidy_text(raw.replace("\r\n", "\n").replace("\r", "\n") if "\r" in raw else raw), notes)
    parser = _CellHTML()
    parser.feed(raw)
    parser.close()
    text = "".join(parser.parts)
    if parser.rawdata:
        text += unescape(parser.rawdata)
    if parser.open_tags or parser.unbalanced:
        stray = sorted(set(parser.open_tags) | set(parser.unbalanced))
        notes.append(f"单元格 HTML 标签不配对 ({', '.join('<' + t + '>' for t in stray)})，已按文本处理")
    if parser.foreign:
        tags = sorted({t.strip("/") for t in parser.foreign})
        notes.append(f"单元格含有非排版标记 ({', '.join('<' + t + '>' for t in tags)})，按原文文本保留，不会执行")
    if "\r" in text:  # an encoded &#13; is a line end, as in the file
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROLS.search(text):  # typed as entities (&#0;, &#x202E;)
        text = _guard(text, notes)
    return CleanCell(tidy_text(text), notes)


def clean_text_cell(raw: str | None) -> CleanCell:
    """Clean one plain-text cell (Excel, Word, CSV, PDF): no markup is read,
    ``<p>`` or ``&amp;`` typed into the cell stay as they are. Excel's ``_x000D_``
    (an escaped carriage return) is dropped.
    """
    notes: list[str] = []
    text = _guard((raw or "").replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", ""), notes)
    return CleanCell(tidy_text(text), notes)


def tidy_text(text: str) -> str:
    """Whitespace and numbering: NFC, no-break and ideographic spaces as spaces,
    inline ``。2. …`` items on their own line, blank lines dropped."""
    if not text.isascii():  # ASCII text is NFC already and has no NBSP or ideographic space
        text = unicodedata.normalize("NFC", text)
        if "\xa0" in text:
            text = text.replace("\xa0", " ")
        if "\u3000" in text:
            text = text.replace("\u3000", " ")
    if "." in text or "、" in text or "．" in text:  # an item number ends with one of these
        for mark, item_after_mark, mark_and_break in _INLINE_ITEMS:
            if mark in text:
                text = item_after_mark.sub(mark_and_break, text)
    # _SPACES never matches a line end, so one substitution over the whole text is
    # the same as one per line; it changes nothing without a run of two spaces or a
    # tab, form feed or vertical tab.
    if "  " in text or "\t" in text or "\f" in text or "\v" in text:
        text = _SPACES.sub(" ", text)
    text = text.strip()  # the blank lines and spaces at both ends, as below
    if "\n" not in text:
        return text
    return "\n".join([line for line in map(str.strip, text.split("\n")) if line])


def join_cjk_spaces(text: str) -> str:
    """Remove PDF line-break artefacts between CJK characters: 市委宣传 部 → 市委宣传部."""
    if " " in text or "\t" in text or "\u3000" in text or "\xa0" in text:  # _CJK_SPACE needs one
        text = _CJK_SPACE.sub("", text)
    return text.strip()


def shorten(text: str | None, limit: int) -> str:
    """``text`` cut to ``limit`` characters with "…" at the end (titles, file properties, sheet names)."""
    text = text or ""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"
