"""DOCX (and WPS files that are DOCX inside) -> rows of cells, read straight from the XML.

Paragraphs become one-cell rows in document order (a tab-separated paragraph becomes a row
of its tab cells; a line break starts a new row). Tables become grids over the table's grid
columns, merged cells expanded by the rule of `extract/html.py::table_grid`: a merged label
is repeated into every position it covers (gridSpan across, vMerge down), a merged value is
not (those positions are blank). A cell that holds a nested table is a layout cell: its
content follows the row as rows of their own. Text boxes follow the paragraph they sit in.
The XML is read with lxml rather than python-docx because the expansion needs to know which
position is a merge's origin and which a continuation.
"""
from __future__ import annotations

import posixpath
import re
import zipfile

from lxml import etree

from pipelines import rules
from pipelines.cells import GridRow, Row, is_value
from pipelines.extract import ExtractError
from pipelines.extract.limits import read_member

# Containers whose children are read as if they stood in the parent (content controls,
# custom XML, tracked insertions, smart tags).
_WRAPPERS = {"sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag", "hyperlink", "fldSimple", "r",
             "object", "pict", "drawing", "inline", "anchor", "graphic", "graphicData", "wsp", "txbx",
             "textbox", "shape", "group", "wgp", "AlternateContent", "Choice"}
# Never read: properties, deleted text, field instructions, and the Fallback copy of a text box
# (mc:AlternateContent holds the same box twice, as wps:txbx and as v:textbox).
_SKIP = {"pPr", "rPr", "tblPr", "trPr", "tcPr", "sdtPr", "sdtEndPr", "del", "delText", "moveFrom", "instrText",
         "Fallback", "fldData", "footnoteReference", "endnoteReference", "commentReference"}


def _local(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""  # comments, processing instructions
    return tag.rsplit("}", 1)[-1]


def _attr(el, name: str):
    """An attribute by local name (w:val in the transitional or the strict namespace)."""
    for key, value in el.attrib.items():
        if key.rsplit("}", 1)[-1] == name:
            return value
    return None


def _child(el, name: str):
    for ch in el:
        if _local(ch) == name:
            return ch
    return None


def main_part(zf: zipfile.ZipFile) -> str:
    """The main document part's name, from the package relationships (word/document.xml
    almost always)."""
    names = set(zf.namelist())
    if "_rels/.rels" in names:
        try:
            rels = etree.fromstring(read_member(zf, "_rels/.rels"))
            for rel in rels:
                if (_attr(rel, "Type") or "").endswith("/officeDocument"):
                    target = posixpath.normpath((_attr(rel, "Target") or "").lstrip("/"))
                    if target in names:
                        return target
        except etree.XMLSyntaxError:
            pass
    return "word/document.xml"


def docx_to_rows(zf: zipfile.ZipFile) -> list[Row]:
    part = main_part(zf)
    if part not in zf.namelist():
        raise ExtractError(f"a Word package without its document part ({part})", rules.E_DOCX_CORRUPT)
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
        root = etree.fromstring(read_member(zf, part), parser)
    except etree.XMLSyntaxError as e:
        raise ExtractError(f"the Word document's XML is corrupt: {e}", rules.E_DOCX_CORRUPT) from e
    body = _child(root, "body")
    if body is None:
        raise ExtractError("the Word document has no body", rules.E_DOCX_CORRUPT)
    return block_rows(body)


def block_rows(container) -> list[Row]:
    """Rows of a block container (body, table cell, text box) in document order."""
    rows: list[Row] = []
    for el in container:
        name = _local(el)
        if name == "p":
            rows.extend(paragraph_rows(el))
        elif name == "tbl":
            rows.extend(table_rows(el))
        elif name in _WRAPPERS:
            rows.extend(block_rows(el))
    return rows


def _collect(el, parts: list[str], boxes: list) -> None:
    for ch in el:
        name = _local(ch)
        if name == "t":
            parts.append(ch.text or "")
        elif name == "tab":
            parts.append("\t")
        elif name in ("br", "cr"):
            parts.append("\n")
        elif name == "noBreakHyphen":
            parts.append("-")
        elif name == "txbxContent":
            boxes.append(ch)
        elif name in _SKIP or name in ("p", "tbl"):
            continue
        else:
            _collect(ch, parts, boxes)


def paragraph_rows(p) -> list[Row]:
    parts: list[str] = []
    boxes: list = []
    _collect(p, parts, boxes)
    rows: list[Row] = []
    for line in "".join(parts).replace("\xa0", " ").split("\n"):
        line = line.strip()
        if not line:
            continue
        if "\t" in line:
            rows.append([c.strip() for c in line.split("\t")])
        else:
            rows.append([line])
    for box in boxes:
        rows.extend(block_rows(box))
    return rows


def _cell_content(tc) -> tuple[str, list[Row]]:
    """(the cell's text, whitespace removed as in html.cell_text; rows that follow the row:
    nested tables, with the cell's paragraphs, and text boxes)."""
    has_table = tc.find(".//{*}tbl") is not None
    if has_table:
        return "", block_rows(tc)
    parts: list[str] = []
    boxes: list = []
    for el in tc.iter():
        if _local(el) == "p" and not _inside_box(el, tc):
            _collect(el, parts, boxes)
    after: list[Row] = []
    for box in boxes:
        after.extend(block_rows(box))
    return re.sub(r"\s+", "", "".join(parts).replace("\xa0", " ")), after


def _inside_box(el, stop) -> bool:
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if _local(parent) in ("txbxContent", "Fallback"):
            return True
        parent = parent.getparent()
    return False


def _unwrap(el, name: str) -> list:
    """Children named `name`, looking through content-control and custom-XML wrappers."""
    out = []
    for ch in el:
        local = _local(ch)
        if local == name:
            out.append(ch)
        elif local in ("sdt", "sdtContent", "customXml", "ins", "moveTo"):
            out.extend(_unwrap(ch, name))
    return out


def _int(v, default: int) -> int:
    try:
        return max(0, min(int(v), 200))
    except (TypeError, ValueError):
        return default


def table_rows(tbl) -> list[Row]:
    """The table as a grid (merges expanded), each row followed by its layout cells' rows."""
    rows: list[Row] = []
    merged_above: dict[int, str] = {}  # grid column -> text of the vMerge origin covering it
    for tr in _unwrap(tbl, "tr"):
        out = GridRow()
        after: list[Row] = []
        tr_pr = _child(tr, "trPr")
        before = _int(_attr(_child(tr_pr, "gridBefore"), "val"), 0) if tr_pr is not None and \
            _child(tr_pr, "gridBefore") is not None else 0
        grid_after = _int(_attr(_child(tr_pr, "gridAfter"), "val"), 0) if tr_pr is not None and \
            _child(tr_pr, "gridAfter") is not None else 0
        out.extend([""] * before)
        for tc in _unwrap(tr, "tc"):
            col = len(out)
            tc_pr = _child(tc, "tcPr")
            span, vmerge = 1, None
            if tc_pr is not None:
                gs = _child(tc_pr, "gridSpan")
                if gs is not None:
                    span = max(1, _int(_attr(gs, "val"), 1))
                vm = _child(tc_pr, "vMerge")
                if vm is not None:
                    vmerge = _attr(vm, "val") or "continue"
                if _child(tc_pr, "hMerge") is not None and _attr(_child(tc_pr, "hMerge"), "val") != "restart":
                    # legacy horizontal merge: a continuation of the cell on the left
                    left = out[-1] if out else ""
                    if is_value(left):  # one number, whatever its span
                        out.mark_span(len(out), span)
                    out.extend([left if not is_value(left) else ""] * span)
                    continue
            text, nested = _cell_content(tc)
            after.extend(nested)
            if vmerge == "continue":
                origin = merged_above.get(col, "")
                text = "" if is_value(origin) else origin
            elif vmerge == "restart":
                for c in range(col, col + span):
                    merged_above[c] = text
            else:
                for c in range(col, col + span):
                    merged_above.pop(c, None)
            spread = "" if is_value(text) else text
            if not spread and span > 1 and text:  # one number, whatever its span
                out.mark_span(len(out) + 1, span - 1)
            out.append(text)
            out.extend([spread] * (span - 1))
        out.extend([""] * grid_after)
        if any(c.strip() for c in out):
            rows.append(out)
        rows.extend(after)
    return rows
