"""The rules catalogue: every finding code the pipeline emits, declared once.

A finding (record.Finding, a row of the warehouse's `findings` table) names one of these rules. Each
rule says which stage emits it, its usual severity, whether the cells it names are left NULL (and
why), and what it means to a reader of the warehouse. The codes are stored in the warehouse and
queried by users, so they never change; this module only groups them. `record.Finding` refuses a
code that is not declared here, so a typo fails at once instead of reaching the warehouse.

The bottom layer: imports nothing from the project. The warehouse holds the catalogue as the table
`rules` (written at every migrate), `docs/rules.md` is its rendering (`python -m pipelines.rules`).
Which cells R1–R4 add up is declared beside the parser's check of them (parse/validate.py, ARITHMETIC).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

STAGES = ("crawl", "extract", "parse", "validate", "load")
SEVERITIES = ("error", "warning", "info")  # info: how a document was read (e.g. by OCR), no fault

# Why a rule's cells are NULL: UNREAD — they could not be read (never 0 to the rules, the report is
# `partial`); BLANK — they are printed blank (0 to the rules, the report may stay `ok`).
UNREAD, BLANK = "unread", "blank"


@dataclass(frozen=True)
class Rule:
    code: str                   # as stored in findings.rule
    stage: str                  # the stage that emits it (findings.stage)
    severity: str               # its severity, unless the emitting code says otherwise
    description: str            # what it means to a reader of the warehouse
    leaves_null: Optional[str] = None  # UNREAD, BLANK, or None: the rule makes no cell NULL

    def __post_init__(self) -> None:
        assert self.stage in STAGES and self.severity in SEVERITIES, self
        assert self.leaves_null in (None, UNREAD, BLANK), self

    @property
    def leaves_unread(self) -> bool:
        return self.leaves_null == UNREAD


class UnknownRule(LookupError):
    """A finding code that the catalogue does not declare."""


_ALL: dict[str, Rule] = {}


def _rule(code: str, stage: str, severity: str, description: str, leaves_null: Optional[str] = None) -> Rule:
    assert code not in _ALL, code
    rule = _ALL[code] = Rule(code, stage, severity, description, leaves_null)
    return rule


# ---------------------------------------------------------------- crawl (a fetch failed; no report)
# Code: "C-" + the fetch outcome with dashes (for_fetch_outcome).
C_HTTP_ERROR = _rule("C-http-error", "crawl", "error",
                     "The server answered with an HTTP error status (after retries); the URL was not read.")
C_TIMEOUT = _rule("C-timeout", "crawl", "error", "The request timed out (after retries); the URL was not read.")
C_CONNECTION_ERROR = _rule("C-connection-error", "crawl", "error",
                           "No connection to the host (DNS, refused, reset, TLS), after retries; the URL was not "
                           "read.")
C_BLOCKED = _rule("C-blocked", "crawl", "error",
                  "An anti-bot challenge or a JS-only page was served instead of the content; not worked around.")
C_ROBOTS_DISALLOWED = _rule("C-robots-disallowed", "crawl", "warning",
                            "robots.txt disallows the URL, so it was not fetched.")
C_ROBOTS_UNAVAILABLE = _rule("C-robots-unavailable", "crawl", "error",
                             "The host's robots.txt could not be read, so nothing on the host was fetched.")
C_TOO_LARGE = _rule("C-too-large", "crawl", "error", "The response was over the crawler's size limit and was dropped.")
C_TOO_MANY_REDIRECTS = _rule("C-too-many-redirects", "crawl", "error",
                             "A redirect loop or more redirects than allowed; the URL was not read.")
C_OUT_OF_SCOPE = _rule("C-out-of-scope", "crawl", "error",
                       "The URL (or a redirect) leads outside the crawl's hosts or schemes; not fetched.")
C_PAGE_CAP = _rule("C-page-cap", "crawl", "warning",
                   "A column reached the cap of list pages; the pages beyond it were not crawled.")
C_RENDER_UNAVAILABLE = _rule("C-render-unavailable", "crawl", "warning",
                             "A list built by script needs the browser fallback, which is not available (Chromium "
                             "missing).")
C_RENDER_FAILED = _rule("C-render-failed", "crawl", "error",
                        "The browser fallback failed to render a list built by script.")
C_LIST_INCOMPLETE = _rule("C-list-incomplete", "crawl", "warning",
                          "A list declares more records than it links (or is built by script) and neither its API nor"
                          " the browser recovered them; the reports behind it were not crawled.")

# ---------------------------------------------------------------- extract (the document's bytes -> rows)
# As the reason a document could not be read at all (an ExtractError), any of these is an error.
E_EMPTY = _rule("E-empty", "extract", "error", "The document is empty.")
E_BINARY = _rule("E-binary", "extract", "error", "Binary data in no known document format.")
E_ENCODING = _rule("E-encoding", "extract", "error",
                   "The text is in no recognisable encoding, or decodes to mostly control or replacement characters.")
E_ENCODING_REPAIRED = _rule("E-encoding-repaired", "extract", "warning",
                            "Some bytes were not valid UTF-8 and were replaced; a cell holding one reads as NULL "
                            "(unreadable-cell).")
E_TOO_LARGE = _rule("E-too-large", "extract", "error", "The document is over the size limit and was not read.")
E_TIMEOUT = _rule("E-timeout", "extract", "error",
                  "Reading the document (or an external tool on it) took longer than its time limit.")
E_ZIP_CORRUPT = _rule("E-zip-corrupt", "extract", "error", "A corrupt zip container (docx, xlsx, or an archive).")
E_ZIP_BOMB = _rule("E-zip-bomb", "extract", "error",
                   "A zip that would inflate beyond the limits (a zip bomb, or not a report).")
E_ZIP_ARCHIVE = _rule("E-zip-archive", "extract", "warning",
                      "The document was read from the one file inside a zip archive.")
E_ENCRYPTED = _rule("E-encrypted", "extract", "error",
                    "A password-protected document (zip, Office or PDF); not read (status unsupported).")
E_FORMAT_PPTX = _rule("E-format-pptx", "extract", "error",
                      "A PowerPoint (.pptx) presentation, not a report document (unsupported).")
E_FORMAT_PPT = _rule("E-format-ppt", "extract", "error",
                     "A PowerPoint 97-2003 (.ppt) presentation, not a report document (unsupported).")
E_FORMAT_OFD = _rule("E-format-ofd", "extract", "error", "An OFD document: no OFD reader is available (unsupported).")
E_FORMAT_ZIP = _rule("E-format-zip", "extract", "error",
                     "A zip archive of several files that is no Word or Excel document (unsupported).")
E_TOOL_MISSING_ANTIWORD = _rule("E-tool-missing-antiword", "extract", "error",
                                "A Word 97-2003 document needs antiword, which is not installed (unsupported).")
E_TOOL_MISSING_SOFFICE = _rule("E-tool-missing-soffice", "extract", "error",
                               "The document needs LibreOffice (soffice) to be converted, which is not installed "
                               "(unsupported).")
E_TOOL_MISSING_SOFFICE_ANTIWORD = _rule("E-tool-missing-soffice-antiword", "extract", "error",
                                        "A Word 97-2003 (.doc/.wps) document needs LibreOffice or antiword, and "
                                        "neither is installed (unsupported).")
E_HTML_TOO_DEEP = _rule("E-html-too-deep", "extract", "error",
                        "The HTML exceeds the parser's nesting limits and would be read only in part, so it is not "
                        "read.")
E_HTML_TABLE_TOO_LARGE = _rule("E-html-table-too-large", "extract", "error",
                               "An HTML table whose row/colspans expand to more cells than any report table has.")
E_PDF_CORRUPT = _rule("E-pdf-corrupt", "extract", "error",
                      "A corrupt PDF, a PDF without pages, or one of which no page could be read.")
E_PDF_NO_TEXT = _rule("E-pdf-no-text", "extract", "error",
                      "A PDF of page images in which OCR found no text (unsupported).")
E_PDF_PAGES_CUT = _rule("E-pdf-pages-cut", "extract", "warning",
                        "A PDF over the page limit: only its first pages were read.")
E_PDF_PAGE_NO_TEXT = _rule("E-pdf-page-no-text", "extract", "warning",
                           "Some pages have no text layer and could not be read by OCR; their content is missing.")
E_PDF_PAGE_BROKEN = _rule("E-pdf-page-broken", "extract", "warning",
                          "Some pages of the PDF could not be read; their content is missing.")
E_PDF_ROW_CUT = _rule("E-pdf-row-cut", "extract", "warning",
                      "A table row seems cut by a page break (the new page starts with numbers and no label); the "
                      "parts are not joined.")
E_DOCX_CORRUPT = _rule("E-docx-corrupt", "extract", "error",
                       "A corrupt Word (.docx) package: no document part, corrupt XML or no body.")
E_OLE_CORRUPT = _rule("E-ole-corrupt", "extract", "error", "A corrupt Office 97-2003 (OLE) container.")
E_DOC_UNREADABLE = _rule("E-doc-unreadable", "extract", "error",
                         "A Word 97-2003 document neither LibreOffice nor antiword could read.")
E_LIBREOFFICE = _rule("E-libreoffice", "extract", "error", "LibreOffice could not convert the document.")
E_LIBREOFFICE_LOST_TABLES = _rule("E-libreoffice-lost-tables", "extract", "warning",
                                  "LibreOffice's conversion lost the tables antiword sees; antiword's text was read "
                                  "(merged cells not expanded).")
E_ANTIWORD = _rule("E-antiword", "extract", "error", "antiword failed on the document or found no text in it.")
E_ANTIWORD_USED = _rule("E-antiword-used", "extract", "warning",
                        "Read by antiword (LibreOffice missing or failed), whose tables lose their merged cells.")
E_XLSX_CORRUPT = _rule("E-xlsx-corrupt", "extract", "error", "A corrupt Excel (.xlsx) workbook.")
E_XLS_CORRUPT = _rule("E-xls-corrupt", "extract", "error", "A corrupt Excel 97-2003 (.xls) workbook.")
E_SHEET_CUT = _rule("E-sheet-cut", "extract", "warning", "A sheet over the row limit: only its first rows were read.")
E_IMAGE = _rule("E-image", "extract", "error", "An image too small to hold a report page (unsupported).")
E_IMAGE_CORRUPT = _rule("E-image-corrupt", "extract", "error", "An image that cannot be decoded.")
E_IMAGE_TOO_LARGE = _rule("E-image-too-large", "extract", "error",
                          "An image of more pixels than any page scan (a decompression bomb).")
E_IMAGE_NO_TEXT = _rule("E-image-no-text", "extract", "error", "Page images in which OCR found no text (unsupported).")
E_OCR_MISSING_RAPIDOCR = _rule("E-ocr-missing-rapidocr", "extract", "error",
                               "A scan needs OCR by rapidocr-onnxruntime, which is not installed (unsupported).")
E_OCR_MISSING_TESSERACT = _rule("E-ocr-missing-tesseract", "extract", "error",
                                "A scan needs OCR by Tesseract ($ZFXXGK_OCR_ENGINE), which is not installed "
                                "(unsupported).")
E_OCR_MISSING_TESSERACT_CHI_SIM = _rule("E-ocr-missing-tesseract-chi_sim", "extract", "error",
                                        "A scan needs Tesseract's chi_sim model, which is not installed "
                                        "(unsupported).")
E_OCR_ENGINE = _rule("E-ocr-engine", "extract", "error",
                     "An unknown OCR engine is configured ($ZFXXGK_OCR_ENGINE; unsupported).")
E_OCR_FAILED = _rule("E-ocr-failed", "extract", "error", "The OCR engine (Tesseract) failed on a page.")
E_OCR_TOO_DENSE = _rule("E-ocr-too-dense", "extract", "error",
                        "A scanned page holds more text lines in table cells than any report page; not read.")
E_OCR_PAGE_UNREAD = _rule("E-ocr-page-unread", "extract", "warning",
                          "A scanned page was not read by OCR (over its limits); an error when no page could be read.")
E_OCR_PAGES_CUT = _rule("E-ocr-pages-cut", "extract", "error",
                        "A scan over the pages read by OCR: the pages beyond the limit were not read.")
OCR = _rule("ocr", "extract", "info",
            "The document was read by OCR from page images: engine, pages, dpi, mean confidence, cells left blank.")
OCR_UNCERTAIN = _rule("ocr-uncertain", "extract", "warning",
                      "A scanned cell was not read with confidence (low confidence, a blot of ink, two digit groups);"
                      " left NULL, never 0.", UNREAD)

# ---------------------------------------------------------------- parse (rows -> the record)
F_NOT_A_REPORT = _rule("F-not-a-report", "parse", "error",
                       "The document is not an annual report (a notice, letter or plan, or no report title and none "
                       "of its tables).")
F_LEGACY = _rule("F-legacy", "parse", "error",
                 "A pre-2019 report (2008 regulation layout); its numbers are not read (unsupported).")
T_NONE = _rule("T-none", "parse", "error", "Titled as an annual report, but none of its tables was found.", UNREAD)
T2_MISSING = _rule("T2-missing", "parse", "error", "Table 2 (主动公开) was not found.", UNREAD)
T3_MISSING = _rule("T3-missing", "parse", "error", "Table 3 (申请情况) was not found.", UNREAD)
T4_MISSING = _rule("T4-missing", "parse", "error", "Table 4 (复议、诉讼) was not found.", UNREAD)
T2_ROW_MISSING = _rule("T2-row-missing", "parse", "error",
                       "A row of table 2 was not found; its cells are NULL.", UNREAD)
T3_ROW_MISSING = _rule("T3-row-missing", "parse", "error",
                       "A row of table 3 was not found; its cells are NULL.", UNREAD)
T3_ROW_UNREAD = _rule("T3-row-unread", "parse", "error",
                      "A table-3 label has no numbers after it; the row's cells are NULL.", UNREAD)
T3_DUPLICATE_ROW = _rule("T3-duplicate-row", "parse", "error", "A table-3 row appears twice; the first is kept.")
T3_LABEL_DETACHED = _rule("T3-label-detached", "parse", "warning",
                          "A table-3 label stands apart from its numbers; they were taken by position (groups of 7 "
                          "after the labels).")
T3_LABEL_NEAR_MATCH = _rule("T3-label-near-match", "parse", "warning",
                            "A table-3 label is printed with one character differing (a typo or misread); matched "
                            "next to an exact one.")
T3_LABEL_BY_POSITION = _rule("T3-label-by-position", "parse", "warning",
                             "A table-3 label was not recognised; the numbers between the rows around it were taken "
                             "as its own.")
T3_SPLIT_BY_RULES = _rule("T3-split-by-rules", "parse", "warning",
                          "Run-together digits fit the row several ways; the table's column rules (R1, R3) left one.")
T3_SPLIT_UNCONFIRMED = _rule("T3-split-unconfirmed", "parse", "error",
                             "Digits run together were split so that each row adds up, but the column's rules (R1, "
                             "R3) fail; the split cells are NULL.", UNREAD)
T4_EXTRA_CELLS = _rule("T4-extra-cells", "parse", "warning",
                       "Table 4 prints more than 15 values, all equal (or all zeros), so the 15 are unambiguous.")
T4_CELLS = _rule("T4-cells", "parse", "error",
                 "Table 4's value cells are not 15 and their columns cannot be told; its cells are NULL.", UNREAD)
CELLS = _rule("cells", "parse", "error",
              "A row's values do not fit its columns (too many or too few, not all numbers); the row's cells are "
              "NULL.", UNREAD)
SPLIT_AMBIGUOUS = _rule("split-ambiguous", "parse", "error",
                        "Several splits of run-together digits satisfy every rule (or too many to try); the cells "
                        "they disagree on are NULL.", UNREAD)
SPLIT_NONE = _rule("split-none", "parse", "error",
                   "No split of run-together digits satisfies the format's arithmetic; the row's cells are "
                   "NULL.", UNREAD)
PAGE_NUMBER_DROPPED = _rule("page-number-dropped", "parse", "warning",
                            "A bare number on its own line after a complete row that adds up was taken for a page "
                            "number and dropped.")
BLANK_CELL = _rule("blank-cell", "parse", "warning",
                   "A cell printed blank: NULL in the record, 0 to the rules (as the format means it).", BLANK)
PLACEHOLDER_CELL = _rule("placeholder-cell", "parse", "warning",
                         "A cell printed as a placeholder (「-」「/」「无」…): NULL in the record, 0 to the rules.", BLANK)
UNREADABLE_CELL = _rule("unreadable-cell", "parse", "warning",
                        "A cell that could not be read (an undecodable byte, a scan's uncertain cell): NULL, never 0;"
                        " the report is partial.", UNREAD)
NON_NUMERIC_CELL = _rule("non-numeric-cell", "parse", "warning",
                         "A value cell holding text that is no number: NULL, never 0; the report is partial.", UNREAD)
M_ISSUER = _rule("M-issuer", "parse", "error", "The issuer was not found in the title.")
M_YEAR = _rule("M-year", "parse", "error", "The report year was found neither in the title nor in the 统计期限 sentence.")
M_YEAR_FROM_PERIOD = _rule("M-year-from-period", "parse", "warning",
                           "The report year was taken from the 统计期限 sentence (the title has none).")
M_YEAR_CONFLICT = _rule("M-year-conflict", "parse", "warning",
                        "The title's year and the 统计期限 sentence's differ; the title's is kept.")
M_TITLE_FROM_PAGE = _rule("M-title-from-page", "parse", "warning",
                          "An attachment's issuer and year were taken from the title of the page that links it.")

# ---------------------------------------------------------------- validate (the report's own arithmetic)
_UNCHECKED = ("A warning when it could not be checked (a NULL cell) or was checked with printed blanks "
              "read as 0.")
R1 = _rule("R1", "validate", "error", "本年新收 + 上年结转 = 办理结果总计 + 结转下年度 fails in a column of table 3. " + _UNCHECKED)
R2 = _rule("R2", "validate", "error", "A table-3 row's 总计 is not the sum of its six applicant columns. " + _UNCHECKED)
R3 = _rule("R3", "validate", "error", "办理结果总计 is not the sum of the outcome rows in a column of table 3. " + _UNCHECKED)
R4 = _rule("R4", "validate", "error", "A table-4 proceeding's 总计 is not 维持 + 纠正 + 其他 + 尚未审结. " + _UNCHECKED)
V_NEGATIVE = _rule("V-negative", "validate", "error", "A count (or the fee) is negative.")
V_FRACTION = _rule("V-fraction", "validate", "error", "A count is not a whole number (only the fee may be fractional).")

# ---------------------------------------------------------------- load (the warehouse)
G_SOURCE_UNKNOWN = _rule("G-source-unknown", "load", "warning", "The source's adcode is not in the division table.")
G_SOURCE_MISMATCH = _rule("G-source-mismatch", "load", "warning",
                          "The issuer's place lies outside the source's region; the place its name states is kept.")
G_AMBIGUOUS = _rule("G-ambiguous", "load", "warning",
                    "The issuer's name fits several places and the source's region does not decide; the division is "
                    "NULL.")
G_UNRESOLVED = _rule("G-unresolved", "load", "warning",
                     "The issuer's place could not be resolved (no known place named, or a level the source region "
                     "cannot hold); the division is NULL.")
G_TOWN_UNRESOLVED = _rule("G-town-unresolved", "load", "warning",
                          "A town (乡镇/街道) the division table has no code for; the county above it is kept.")
D_COPIES_DIFFER = _rule("D-copies-differ", "load", "error",
                        "Copies of one report (reposts, a page and its attachment, a re-issue) print different "
                        "numbers; those of one copy are kept.")
L_WRITE = _rule("L-write", "load", "error",
                "The report could not be written to the warehouse; the others of its batch were.")

RULES: tuple[Rule, ...] = tuple(_ALL.values())
CODES = frozenset(_ALL)


def get(code: str) -> Rule:
    """The rule of a code; UnknownRule for a code the catalogue does not declare."""
    try:
        return _ALL[code]
    except KeyError:
        raise UnknownRule(f"finding code {code!r} is not declared in pipelines/rules.py") from None


def for_fetch_outcome(outcome: str) -> Rule:
    """The crawl rule of a failed fetch's outcome (http.FetchResult.outcome, or the crawler's own:
    page_cap, list_incomplete, render_...): 'C-' + the outcome with dashes."""
    return get("C-" + outcome.replace("_", "-"))


def table_missing(table: str) -> Rule:
    """T2-missing, T3-missing, T4-missing."""
    return get(f"{table}-missing")


# ---------------------------------------------------------------- rendering
def markdown() -> str:
    """The catalogue as docs/rules.md."""
    null = {UNREAD: "unread", BLANK: "blank (0 to the rules)", None: ""}
    lines = ["# Finding rules",
             "",
             "Every code a finding can carry (`findings.rule` in the warehouse; the table `rules` holds this",
             "catalogue). Generated from `pipelines/rules.py` by `python -m pipelines.rules > docs/rules.md`;",
             "do not edit by hand. *NULL cells*: *unread* — the cells the finding names could not be read",
             "(NULL, never 0; the report is `partial` when the parser emits it); *blank* — printed blank",
             "(NULL, read as 0 by the rules).",
             ""]
    for stage in STAGES:
        lines += [f"## {stage}", "", "| rule | severity | NULL cells | meaning |", "|---|---|---|---|"]
        lines += [f"| `{r.code}` | {r.severity} | {null[r.leaves_null]} | {r.description} |"
                  for r in RULES if r.stage == stage]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(), end="")
