"""HTML pages -> rows: paragraphs as one-cell rows, tables expanded to a rectangular grid."""
from __future__ import annotations

import re
from typing import Optional

from bs4 import BeautifulSoup, Tag

from pipelines.parse.cells import Row, is_value

_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"}
_MARK = "\x00TABLE{}\x00"


def cell_text(td: Tag) -> str:
    # <br> and <p> inside a label break its text, not the label
    return re.sub(r"\s+", "", td.get_text("", strip=False).replace("\xa0", " "))


def table_grid(table: Tag) -> list[Row]:
    """Expand rowspan/colspan into a grid. A spanned label is repeated into every position
    it covers; a spanned value is not (its column would be a guess): those positions are blank."""
    grid: list[Row] = []
    pending: dict[tuple[int, int], str] = {}  # (row, col) -> text carried down by a rowspan
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    for r, tr in enumerate(rows):
        out: Row = []
        col = 0

        def fill_pending() -> None:
            nonlocal col
            while (r, col) in pending:
                out.append(pending.pop((r, col)))
                col += 1

        for td in tr.find_all(["td", "th"], recursive=False):
            fill_pending()
            text = cell_text(td)
            colspan = _span(td.get("colspan"))
            rowspan = _span(td.get("rowspan"))
            spread = "" if is_value(text) else text
            for dc in range(colspan):
                out.append(text if dc == 0 else spread)
                for dr in range(1, rowspan):
                    pending[(r + dr, col + dc)] = spread
            col += colspan
        fill_pending()
        grid.append(out)
    return grid


def _span(v: Optional[str]) -> int:
    try:
        return max(1, min(int(str(v).strip()), 100))
    except (TypeError, ValueError):
        return 1


def html_to_rows(html: str) -> tuple[list[Row], Optional[str]]:
    soup = BeautifulSoup(html, "lxml")
    title = None
    meta = soup.find("meta", attrs={"name": re.compile("^ArticleTitle$", re.I)})
    if meta and meta.get("content"):
        title = meta["content"].strip()
    elif soup.title and soup.title.string:
        title = soup.title.string.strip()
    for tag in soup(["script", "style", "noscript"]):
        tag.decompose()
    tables = []
    for table in soup.find_all("table"):
        if table.find_parent("table") is None:
            tables.append(table_grid(table))
            table.replace_with(soup.new_string(_MARK.format(len(tables) - 1)))
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    body = soup.body or soup
    rows: list[Row] = []
    for line in body.get_text("").split("\n"):
        line = line.replace("\xa0", " ").strip()
        if not line:
            continue
        for part in re.split(r"(\x00TABLE\d+\x00)", line):
            m = re.fullmatch(r"\x00TABLE(\d+)\x00", part)
            if m:
                rows.extend(tables[int(m.group(1))])
            elif part.strip():
                rows.append([part.strip()])
    return rows, title
