# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The walk of an HTML page's tree into rows, compiled: libxml2's nodes read directly.

`html.py` parses the page with lxml and hands the body element here. Walking the tree through
lxml's Python API (an object per element, per attribute and per text) cost more than libxml2's
parse itself; here the nodes are read as C structs (lxml's public C API gives the node of an
element) and Python objects are made only for the texts that become rows. The rules:

- a paragraph is one row per printed line; a block element (div, li, tr, td …) ends the line
  before and after it; script, style, forms and the head are not text;
- an innermost table (one holding no other table) becomes a grid: rowspan/colspan expanded, a
  spanned label repeated into every position it covers, a spanned number kept once (its other
  positions blank and marked as a merged value's, `GridRow.mark_span`); tables holding tables
  are page layout and read as text.

Texts are what lxml gives: `.text`/`.tail` are the element's consecutive text nodes, an element's
whole text (lxml's `tostring(method="text")`) every text node below it, in document order.
"""
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdlib cimport free, realloc
from libc.string cimport memcpy, strcmp, strlen
from lxml.includes.etreepublic cimport _Element, import_lxml__etree
from lxml.includes.tree cimport (XML_CDATA_SECTION_NODE, XML_ELEMENT_NODE, XML_TEXT_NODE, xmlAttr,
                                 xmlNode)

from pipelines import rules
from pipelines.cells import GridRow, is_value
from pipelines.extract import ExtractError

import_lxml__etree()

# Limit (hostile input): positions one table's row/colspans may expand to. A report table has a few
# hundred; without a cap 1000 cells of rowspan=100 colspan=100 (43 KB) expand to 10 M positions.
MAX_SPANNED_CELLS = 200_000

# what an element is to the walk
cdef enum Kind:
    OTHER = 0      # inline (a, span, strong …): its text continues the line
    BLOCK = 1      # ends the line before and after it
    SKIP = 2       # not text
    TABLE = 3      # a grid when it holds no other table, else a block
    PARAGRAPH = 4  # its whole text at once when it holds no <br> or table, else a block

_NAMES = {
    BLOCK: ("div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "section",
            "article", "tbody", "thead", "tfoot", "blockquote", "pre", "dd", "dt", "dl", "hr", "header", "footer",
            "center", "form", "caption"),
    SKIP: ("script", "style", "noscript", "head", "title", "meta", "link", "iframe", "select", "option",
           "textarea", "button", "svg"),
    TABLE: ("table",), PARAGRAPH: ("p",),
}
cdef dict _KIND_OF = {name.encode(): kind for kind, names in _NAMES.items() for name in names}


cdef inline Kind kind_of(xmlNode* el):
    # names are short and few: a dict lookup on the bytes, made once per element
    cdef object k = _KIND_OF.get(<bytes>(<const char*>el.name))
    return OTHER if k is None else <Kind>(<int>k)


cdef inline bint is_text(xmlNode* c):
    return c.type == XML_TEXT_NODE or c.type == XML_CDATA_SECTION_NODE


cdef inline bint named(xmlNode* c, const char* name):
    return c.type == XML_ELEMENT_NODE and strcmp(<const char*>c.name, name) == 0


# ---------------------------------------------------------------- a growing UTF-8 buffer
cdef struct Buf:
    char* data
    Py_ssize_t size
    Py_ssize_t cap


cdef int buf_add(Buf* b, const char* s) except -1:
    cdef Py_ssize_t n = strlen(s)
    cdef Py_ssize_t cap
    cdef char* grown
    if b.size + n > b.cap:
        cap = max(2 * b.cap, b.size + n, 4096)
        grown = <char*>realloc(b.data, cap)
        if grown == NULL:
            raise MemoryError()
        b.data, b.cap = grown, cap
    memcpy(b.data + b.size, s, n)
    b.size += n
    return 0


cdef str buf_take(Buf* b):
    cdef str s = PyUnicode_DecodeUTF8(b.data, b.size, "strict") if b.size else ""
    b.size = 0
    return s


cdef int add_all_text(xmlNode* el, Buf* b) except -1:
    """Every text node below `el`, in document order (lxml's tostring(method="text"))."""
    cdef xmlNode* c = el.children
    while c != NULL:
        if is_text(c):
            if c.content != NULL:
                buf_add(b, <const char*>c.content)
        elif c.type == XML_ELEMENT_NODE:
            add_all_text(c, b)
        c = c.next
    return 0


cdef bint has_descendant(xmlNode* el, const char* name, const char* other):
    cdef xmlNode* c = el.children
    while c != NULL:
        if c.type == XML_ELEMENT_NODE:
            if strcmp(<const char*>c.name, name) == 0 or (other != NULL and strcmp(<const char*>c.name, other) == 0):
                return True
            if has_descendant(c, name, other):
                return True
        c = c.next
    return False


cdef object attribute(xmlNode* el, const char* name):
    """The value of an attribute (no namespace), None when absent, "" when it has no value."""
    cdef xmlAttr* a = el.properties
    cdef xmlNode* t
    cdef list parts
    while a != NULL:
        if a.ns == NULL and strcmp(<const char*>a.name, name) == 0:
            parts = []
            t = a.children
            while t != NULL:
                if is_text(t) and t.content != NULL:
                    parts.append(PyUnicode_DecodeUTF8(<const char*>t.content, strlen(<const char*>t.content),
                                                      "strict"))
                t = t.next
            return "".join(parts)
        a = a.next
    return None


# ---------------------------------------------------------------- tables
cdef str cell_text(xmlNode* td, Buf* scratch):
    """A cell's whole text, whitespace removed (<br> and <p> inside a label break its text, not the label)."""
    add_all_text(td, scratch)
    return "".join(buf_take(scratch).split())


cdef int _span(object v) except -1:
    if v is None:
        return 1
    try:
        return max(1, min(int(str(v).strip()), 100))
    except (TypeError, ValueError):
        return 1


cdef list table_grid(xmlNode* table, Buf* scratch):
    """Expand rowspan/colspan into a grid. A spanned label is repeated into every position
    it covers; a spanned value is not (its column would be a guess): those positions are blank."""
    cdef list grid = []
    cdef dict pending = {}  # row -> {col: text carried down by a rowspan}
    cdef Py_ssize_t spanned = 0
    cdef xmlNode* child = table.children
    cdef xmlNode* tr
    while child != NULL:  # the table's own rows, through thead/tbody/tfoot, not those of nested tables
        if named(child, "tr"):
            grid.append(grid_row(child, len(grid), pending, &spanned, scratch))
        elif named(child, "thead") or named(child, "tbody") or named(child, "tfoot"):
            tr = child.children
            while tr != NULL:
                if named(tr, "tr"):
                    grid.append(grid_row(tr, len(grid), pending, &spanned, scratch))
                tr = tr.next
        child = child.next
    return grid


cdef object grid_row(xmlNode* tr, Py_ssize_t r, dict pending, Py_ssize_t* spanned, Buf* scratch):
    cdef object out = GridRow()
    cdef object carried = pending.pop(r, None)  # this row's positions taken by rowspans from above
    cdef object below, colspan_v, rowspan_v
    cdef Py_ssize_t col = 0, colspan, rowspan, dc, dr
    cdef str text, spread
    cdef xmlNode* td = tr.children
    while td != NULL:
        if not (named(td, "td") or named(td, "th")):
            td = td.next
            continue
        if carried:
            while col in carried:
                out.append(carried.pop(col))
                col += 1
        text = cell_text(td, scratch)
        colspan_v, rowspan_v = attribute(td, "colspan"), attribute(td, "rowspan")
        td = td.next
        if colspan_v is None and rowspan_v is None:
            out.append(text)
            col += 1
            continue
        colspan, rowspan = _span(colspan_v), _span(rowspan_v)
        spanned[0] += colspan * rowspan
        if spanned[0] > MAX_SPANNED_CELLS:
            raise ExtractError(f"a table whose row/colspans expand to over {MAX_SPANNED_CELLS:,} cells "
                               "(no report table has this many)", rules.E_HTML_TABLE_TOO_LARGE)
        spread = "" if is_value(text) else text
        if not spread and colspan > 1 and text:  # one number, whatever its span
            out.mark_span(len(out) + 1, colspan - 1)
        for dc in range(colspan):
            out.append(text if dc == 0 else spread)
            for dr in range(1, rowspan):
                below = pending.get(r + dr)
                if below is None:
                    below = pending[r + dr] = {}
                below[col + dc] = spread
        col += colspan
    if carried:
        while col in carried:
            out.append(carried.pop(col))
            col += 1
    return out


# ---------------------------------------------------------------- the walk
cdef class _Walk:
    cdef Buf line
    cdef Buf scratch
    cdef list rows

    def __cinit__(self):
        self.line.data, self.line.size, self.line.cap = NULL, 0, 0
        self.scratch.data, self.scratch.size, self.scratch.cap = NULL, 0, 0
        self.rows = []

    def __dealloc__(self):
        free(self.line.data)
        free(self.scratch.data)

    cdef int add_lines(self, Buf* text) except -1:
        """The text gathered in `text` as rows, one per printed line (the buffer is emptied)."""
        cdef str part
        for part in buf_take(text).replace("\xa0", " ").strip().split("\n"):
            part = part.strip()
            if part:
                self.rows.append([part])
        return 0

    cdef int flush(self) except -1:
        if self.line.size:
            self.add_lines(&self.line)
        return 0

    cdef int element(self, xmlNode* el) except -1:
        cdef Kind kind = kind_of(el)
        cdef object r
        cdef xmlNode* c
        if kind == SKIP:
            return 0
        if kind == TABLE and not has_descendant(el, "table", NULL):
            self.flush()
            for r in table_grid(el, &self.scratch):
                if any(r):
                    self.rows.append(r)
            return 0
        if kind == PARAGRAPH and not has_descendant(el, "br", "table"):
            # a paragraph (no block can nest in <p>): its whole text, one row per line
            self.flush()
            add_all_text(el, &self.scratch)
            self.add_lines(&self.scratch)
            return 0
        if kind != OTHER:
            self.flush()
        c = el.children
        while c != NULL:
            if is_text(c):
                if c.content != NULL:
                    buf_add(&self.line, <const char*>c.content)
            elif c.type == XML_ELEMENT_NODE:
                self.element(c)
            c = c.next  # comments, processing instructions and entity nodes: not text
        if kind != OTHER:
            self.flush()
        return 0


def body_rows(_Element body) -> list:
    """The rows of a page's body element (or of whatever element holds the page): paragraphs and
    lines as one-cell rows, innermost tables as `GridRow`s. The text after the element is read too,
    as lxml's `.tail`."""
    cdef _Walk walk = _Walk()
    cdef xmlNode* node = body._c_node
    cdef xmlNode* c
    walk.element(node)
    c = node.next
    while c != NULL and is_text(c):
        if c.content != NULL:
            buf_add(&walk.line, <const char*>c.content)
        c = c.next
    walk.flush()
    return walk.rows


cdef int collect_heads(xmlNode* el, list metas, list title, Buf* scratch) except -1:
    cdef xmlNode* c = el.children
    while c != NULL:
        if c.type == XML_ELEMENT_NODE:
            if strcmp(<const char*>c.name, "meta") == 0:
                metas.append((attribute(c, "name"), attribute(c, "content")))
            elif not title and strcmp(<const char*>c.name, "title") == 0:
                add_all_text(c, scratch)
                title.append(buf_take(scratch))
            collect_heads(c, metas, title, scratch)
        c = c.next
    return 0


def page_heads(_Element root) -> tuple:
    """(the (name, content) attributes of every <meta> below `root`, the whole text of the first
    <title> or None), in document order."""
    cdef list metas = [], title = []
    cdef Buf scratch
    scratch.data, scratch.size, scratch.cap = NULL, 0, 0
    try:
        collect_heads(root._c_node, metas, title, &scratch)
    finally:
        free(scratch.data)
    return metas, (title[0] if title else None)
