"""PDF -> rows with pdfplumber (MIT), page by page, in reading order.

- Ruled tables (pdfplumber's line strategy) become grids over the table's column and row
  edges, merged cells expanded by the rule of `extract/html.py::table_grid` (a merged label
  is repeated over its span, a merged value is not). Characters are placed in cells by their
  centre, so a number never straddles two cells.
- A table that ends a page and a table with the same columns that starts the next page are
  one table: a header repeated on the new page is dropped, and a row the page break cut in
  two (its label's last line on the new page, its numbers on the old one) is joined again.
- Other text comes as lines (one-cell rows, words joined by a space, so a table without
  rules reaches the parser as runs of numbers it can solve). Lines of one paragraph are
  joined again: a line that runs to the right margin continues in an unindented next line.
  Page numbers in the top or bottom margin are dropped.
- Pages without a text layer (a scanned 「图片版」 report, or scanned pages among text pages)
  are rendered and read by OCR (`extract/ocr.py`). When no OCR engine is installed, a fully
  scanned PDF is `unsupported` with a finding naming the missing engine; scanned pages among
  text pages get a warning naming them.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from io import BytesIO
from typing import Optional

from pipelines.cells import GridRow, Row, is_value
from pipelines.extract import ExtractError, Extracted
from pipelines.extract.limits import MAX_PDF_PAGES, Deadline
from pipelines import rules
from pipelines.record import Finding, finding

EDGE_TOL = 2.0  # points: cell edges closer than this are one edge
_PAGE_NUMBER = re.compile(r"^[-—–－_\s]*(第\s*)?\d{1,4}(\s*页)?(\s*[/／]\s*(共\s*)?\d{1,4}\s*页?)?[-—–－_\s]*$"
                          r"|^[-—–－\s]*[-—–－]\s*\d{1,4}\s*[-—–－][-—–－\s]*$")
_HEADING = re.compile(r"^\s*([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．])")


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    size: float  # font size, to judge what "near the margin" means
    page: int = 0
    left: float = 0.0  # the page's text margins
    right: float = 0.0
    first: bool = False  # the first / last item of its page
    last: bool = False


@dataclass
class Table:
    rows: list[Row]  # the full grid, blank rows included (see _continue_table)
    xs: list[float]  # column edges
    top: float
    bottom: float
    # column -> label of a vertically merged cell that reaches the table's bottom edge
    open_below: dict[int, str] = field(default_factory=dict)
    # column -> rows covered by a blank cell starting at the table's top edge
    open_above: dict[int, int] = field(default_factory=dict)


@dataclass
class Page:
    items: list = field(default_factory=list)  # Line | Table, by position


def pdf_to_rows(data: bytes, deadline: Deadline) -> Extracted:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    findings: list[Finding] = []
    try:
        pdf = pdfplumber.open(BytesIO(data))
        n_pages = len(pdf.pages)
    except Exception as e:  # pdfminer raises PDFSyntaxError, PSEOF, KeyError, ValueError... on damage
        # pdfplumber wraps pdfminer's errors: the original is its first argument
        cause = e.args[0] if e.args and isinstance(e.args[0], Exception) else e
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise ExtractError(f"a password-protected PDF ({type(cause).__name__})", rules.E_ENCRYPTED,
                               status="unsupported") from e
        raise ExtractError(f"a corrupt PDF: {type(cause).__name__}: {cause}", rules.E_PDF_CORRUPT) from e
    with pdf:
        if n_pages == 0:
            raise ExtractError("a PDF without pages", rules.E_PDF_CORRUPT)
        if n_pages > MAX_PDF_PAGES:
            findings.append(finding(rules.E_PDF_PAGES_CUT,
                                    f"the PDF has {n_pages} pages; only the first {MAX_PDF_PAGES} are read"))
        pages: list[Page] = []
        textless: list[int] = []
        broken: list[str] = []
        for number, page in enumerate(pdf.pages[:MAX_PDF_PAGES], start=1):
            deadline.check(f"page {number} of {n_pages}")
            try:
                read = read_page(page)
                if read is not None and _scan_page(page, read):
                    read = None  # a page image with a stamped page number or watermark: a scan
            except Exception as e:  # one damaged page must not lose the others
                broken.append(f"{number} ({type(e).__name__}: {e})")
                pages.append(Page())
                continue
            finally:
                page.close()  # frees the page's cached objects; long PDFs otherwise grow without bound
            if read is None:
                textless.append(number)
                read = Page()
            pages.append(read)
    scanned = bool(textless) and len(textless) == len(pages)
    if textless:
        textless, unread_why = _ocr_pages(data, textless, pages, deadline, findings)
        if scanned and len(textless) == len(pages):
            raise ExtractError(f"a PDF without a text layer ({len(pages)} page(s) of images, a scanned report) "
                               f"that could not be read by OCR: {unread_why}", rules.get(unread_why.rule), unread_why.status)
        if scanned and not any(p.items for p in pages):
            raise ExtractError(f"a PDF without a text layer ({len(pages)} page(s) of images) in which OCR "
                               "found no text", rules.E_PDF_NO_TEXT, status="unsupported")
    if len(broken) == len(pages):
        raise ExtractError(f"no page of the PDF could be read: {broken[0]}", rules.E_PDF_CORRUPT)
    if textless:
        findings.append(finding(rules.E_PDF_PAGE_NO_TEXT,
                                f"page(s) {', '.join(map(str, textless))} have no text layer (images); "
                                f"their content is not read: {unread_why}"))
    if broken:
        findings.append(finding(rules.E_PDF_PAGE_BROKEN,
                                f"page(s) could not be read: {'; '.join(broken)}"))
    rows = join_pages(pages, findings)
    if scanned:
        from pipelines.extract.ocr import grid_rows  # lazily: ocr imports this module (its tables are pdf grids)

        rows = grid_rows(rows)  # every table came from a ruled grid in the image
    return Extracted(rows, "pdf", findings=findings)


def _ocr_pages(data: bytes, numbers: list[int], pages: list[Page], deadline: Deadline,
               findings: list[Finding]) -> tuple[list[int], Optional[ExtractError]]:
    """Pages without a text layer (scans) read by OCR in place; the pages still unread and why."""
    from pipelines.extract import ocr  # lazily: ocr imports this module (its tables are pdf grids)

    todo = numbers[:ocr.MAX_OCR_PAGES]
    try:
        read, found = ocr.ocr_pages(ocr.render_pdf_pages(data, todo), deadline, "a PDF", todo)
    except ExtractError as e:
        return numbers, e
    for n, page in read.items():
        pages[n - 1] = page
    findings.extend(found)
    rest = [n for n in numbers if n not in read]
    return rest, (ExtractError(f"over the {ocr.MAX_OCR_PAGES} pages read by OCR", rules.E_OCR_PAGES_CUT,
                               status="partial") if rest else None)


def read_page(page) -> Optional[Page]:
    """The page's lines and tables by position; None for a page with no text at all."""
    page = page.dedupe_chars()
    chars = [c for c in page.chars if c["text"].strip()]
    if not chars:
        return None
    tables = [t for t in page.find_tables() if t.cells]
    boxes = [t.bbox for t in tables]

    def in_table(obj) -> bool:
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    out = Page()
    for t in tables:
        out.items.append(table_grid(t, [c for c in chars if _inside(c, t.bbox)]))
    rest = page.filter(lambda o: o.get("object_type") != "char" or not in_table(o))
    height = float(page.height)
    for ln in rest.extract_text_lines(strip=True, return_chars=True):
        text = ln["text"].strip()
        if not text:
            continue
        in_margin = ln["top"] < height * 0.1 or ln["bottom"] > height * 0.88
        if in_margin and _PAGE_NUMBER.match(text):
            continue
        sizes = [c.get("size", 10.0) for c in ln["chars"]] or [10.0]
        out.items.append(Line(text, ln["x0"], ln["x1"], ln["top"], max(sizes), page.page_number))
    out.items.sort(key=lambda it: it.top)
    lines = [it for it in out.items if isinstance(it, Line)]
    if lines:
        left, right = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
        for ln in lines:
            ln.left, ln.right = left, right
    if out.items and isinstance(out.items[0], Line):
        out.items[0].first = True
    if out.items and isinstance(out.items[-1], Line):
        out.items[-1].last = True
    return out


SCAN_TEXT_CHARS = 40  # a scanned page's own text layer (a page number, a watermark) is shorter


def _scan_page(page, read: Page) -> bool:
    """An image covering most of the page, and next to no text: the text is in the image."""
    text = sum(len(it.text) for it in read.items if isinstance(it, Line))
    if text > SCAN_TEXT_CHARS or any(isinstance(it, Table) for it in read.items):
        return False
    area = float(page.width) * float(page.height)
    return any((im["x1"] - im["x0"]) * (im["bottom"] - im["top"]) >= 0.5 * area for im in page.images)


def _inside(c, bbox) -> bool:
    x0, top, x1, bottom = bbox
    cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
    return x0 <= cx <= x1 and top <= cy <= bottom


def _edges(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > EDGE_TOL:
            out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    """The edge index nearest to v."""
    i = bisect_right(edges, v)
    if i == 0:
        return 0
    if i == len(edges):
        return len(edges) - 1
    return i if edges[i] - v < v - edges[i - 1] else i - 1


def table_grid(table, chars: list[dict]) -> Table:
    xs = _edges([x for c in table.cells for x in (c[0], c[2])])
    ys = _edges([y for c in table.cells for y in (c[1], c[3])])
    n_rows, n_cols = max(1, len(ys) - 1), max(1, len(xs) - 1)
    spans = []  # (r0, c0, r1, c1) per cell, end exclusive
    for x0, top, x1, bottom in table.cells:
        r0, r1 = _index(ys, top), _index(ys, bottom)
        c0, c1 = _index(xs, x0), _index(xs, x1)
        if r1 > r0 and c1 > c0:
            spans.append((r0, c0, r1, c1))
    owner: dict[tuple[int, int], int] = {}
    for k, (r0, c0, r1, c1) in enumerate(spans):
        for r in range(r0, r1):
            for c in range(c0, c1):
                owner.setdefault((r, c), k)
    texts: dict[int, list[dict]] = {}
    for ch in chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        r, c = bisect_right(ys, cy) - 1, bisect_right(xs, cx) - 1
        k = owner.get((min(max(r, 0), n_rows - 1), min(max(c, 0), n_cols - 1)))
        if k is not None:
            texts.setdefault(k, []).append(ch)
    cell_text = {k: _chars_text(cs) for k, cs in texts.items()}
    grid: list[Row] = [[""] * n_cols for _ in range(n_rows)]
    for k, (r0, c0, r1, c1) in enumerate(spans):
        text = cell_text.get(k, "")
        spread = "" if is_value(text) else text
        for r in range(r0, r1):
            for c in range(c0, c1):
                if owner.get((r, c)) == k:
                    grid[r][c] = text if (r, c) == (r0, c0) else spread
    out = Table(grid, xs, float(table.bbox[1]), float(table.bbox[3]))
    for k, (r0, c0, r1, c1) in enumerate(spans):
        text = cell_text.get(k, "")
        for c in range(c0, c1):
            if r1 == n_rows and r1 - r0 >= 2 and text and not is_value(text):
                out.open_below[c] = text
            if r0 == 0 and not text:
                out.open_above[c] = r1
    return out


def _chars_text(chars: list[dict]) -> str:
    """A cell's characters in reading order, whitespace removed (as html.cell_text)."""
    lines: list[list[dict]] = []
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if lines and abs(ch["top"] - lines[-1][0]["top"]) <= max(2.0, ch.get("size", 10) * 0.4):
            lines[-1].append(ch)
        else:
            lines.append([ch])
    text = "".join(c["text"] for line in lines for c in sorted(line, key=lambda c: c["x0"]))
    return re.sub(r"\s+", "", text)


# ------------------------------------------------------------------ joining
def join_pages(pages: list[Page], findings: Optional[list[Finding]] = None) -> list[Row]:
    items: list = []
    for number, page in enumerate(pages, start=1):
        if items and page.items and isinstance(items[-1], Table) and isinstance(page.items[0], Table):
            if _same_columns(items[-1].xs, page.items[0].xs):
                items[-1] = _continue_table(items[-1], page.items[0])
                items.extend(page.items[1:])
                continue
            _report_cut_row(items[-1], page.items[0], number, findings)
        items.extend(page.items)
    rows: list[Row] = []
    previous: Optional[Line] = None
    for item in items:
        if isinstance(item, Table):  # a ruled table: exact positions, as every reader's grids
            rows.extend(row if isinstance(row, GridRow) else GridRow(row) for row in item.rows if any(row))
            previous = None
            continue
        if previous is not None and _continues(previous, item):
            rows[-1] = [rows[-1][0] + _glue(rows[-1][0], item.text) + item.text]
        else:
            rows.append([item.text])
        previous = item
    return rows


def _report_cut_row(first: Table, second: Table, number: int, findings: Optional[list[Finding]]) -> None:
    """A table goes on at the top of the next page with other column edges, and its first row
    holds numbers but no label: most likely the rest of a row the page break cut (a number
    wrapped in its cell, its last digits on the new page). Which cells continue which is a
    guess, so nothing is joined: the rows stay as printed and this says why they look odd."""
    head = next((r for r in second.rows if any(r)), None)
    tail = next((r for r in reversed(first.rows) if any(r)), None)
    if findings is None or head is None or tail is None:
        return
    if any(c and not is_value(c) for c in head) or not any(map(is_value, tail)):
        return
    findings.append(finding(rules.E_PDF_ROW_CUT,
                            f"a table row seems cut by the break before page {number}: the new page starts "
                            f"with numbers and no label {[c for c in head if c]}, after the row "
                            f"{[c for c in tail if c]}; they are not joined"))


def _same_columns(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= EDGE_TOL * 2 for x, y in zip(a, b))


def _continue_table(first: Table, second: Table) -> Table:
    rows = [list(row) for row in second.rows]
    # a merged label cut by the page break: its blank rest on the new page takes its text,
    # as the positions of a merged label do everywhere else
    for c, text in first.open_below.items():
        for r in range(second.open_above.get(c, 0)):
            if not rows[r][c]:
                rows[r][c] = text
    rows = [row for row in rows if any(row)]
    # a header repeated at the top of the new page
    k = 0
    while k < len(rows) and k < len(first.rows) and rows[k] == first.rows[k] and not any(map(is_value, rows[k])):
        k += 1
    rows = rows[k:]
    merged = [row for row in first.rows if any(row)]
    if merged and rows and _split_row(merged[-1], rows[0]):
        merged[-1] = [a if a == b else a + b for a, b in zip(merged[-1], rows[0])]
        rows = rows[1:]
    return Table(merged + rows, first.xs, first.top, second.bottom, second.open_below, first.open_above)


def _split_row(last: Row, first: Row) -> bool:
    """Two fragments of one row cut by a page break: one fragment holds no value, and its text
    lies only where the other fragment has no value (a label's last lines; a header row's
    texts sit over value columns and are never joined to a data row)."""
    if len(last) != len(first):
        return False
    for a, b in ((last, first), (first, last)):
        if not any(is_value(c) for c in a) and any(is_value(c) for c in b):
            return all(not c or not is_value(other) for c, other in zip(a, b))
    return False


def _continues(prev: Line, line: Line) -> bool:
    """`line` continues the paragraph of `prev`: prev ran to the right margin, line starts at
    the left margin (a paragraph's first line is indented), is no numbered heading, and comes
    directly below (or at the top of the next page)."""
    size = max(prev.size, line.size, 1.0)
    full = prev.x1 >= prev.right - 1.5 * size
    flush_left = line.x0 <= line.left + 0.5 * size
    below = (line.page == prev.page and 0 < line.top - prev.top <= 2.5 * size) or \
        (line.page == prev.page + 1 and prev.last and line.first)
    return full and flush_left and below and not _HEADING.match(line.text) and not is_value(prev.text)


def _glue(a: str, b: str) -> str:
    # Latin words broken at a line end were separated by a space; CJK text never is
    return " " if a[-1:].isascii() and a[-1:].isalnum() and b[:1].isascii() and b[:1].isalnum() else ""
