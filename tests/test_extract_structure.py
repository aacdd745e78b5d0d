"""DOCX and PDF structures the report fixtures do not show: nested tables, text boxes, grid
offsets, and the joining of a table cut by a page break."""
from __future__ import annotations

import io
import zipfile

import docx

from pipelines.extract import extract
from pipelines.extract.pdf import Line, Page, Table, join_pages

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_of(body_xml: str) -> bytes:
    """A minimal Word package around a hand-written body."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml",
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/></Types>')
        z.writestr("word/document.xml",
                   f'<w:document xmlns:w="{W}" '
                   'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                   'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
                   'xmlns:v="urn:schemas-microsoft-com:vml">'
                   f"<w:body>{body_xml}</w:body></w:document>")
    return buf.getvalue()


def p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def tc(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{p(text)}</w:tc>"


def test_text_box_read_once_after_its_paragraph():
    box = f"<w:txbxContent>{p('框中文字')}</w:txbxContent>"
    body = (f"<w:p><w:r><w:t>前文</w:t></w:r><w:r><mc:AlternateContent>"
            f"<mc:Choice><w:drawing><wps:wsp><wps:txbx>{box}</wps:txbx></wps:wsp></w:drawing></mc:Choice>"
            f"<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback>"
            f"</mc:AlternateContent></w:r></w:p>{p('后文')}")
    assert extract(docx_of(body)).rows == [["前文"], ["框中文字"], ["后文"]]


def test_grid_before_after_hmerge_and_deleted_text():
    span2, restart, cont = '<w:gridSpan w:val="2"/>', '<w:hMerge w:val="restart"/>', "<w:hMerge/>"
    row = ('<w:tr><w:trPr><w:gridBefore w:val="1"/><w:gridAfter w:val="1"/></w:trPr>'
           + tc("规章") + tc("5", span2) + "</w:tr>")
    legacy = "<w:tr>" + tc("行政许可", restart) + tc("", cont) + tc("7") + tc("8") + tc("9") + "</w:tr>"
    deleted = "<w:p><w:r><w:t>保留</w:t></w:r><w:del><w:r><w:delText>删除</w:delText></w:r></w:del></w:p>"
    rows = extract(docx_of(f"<w:tbl>{row}{legacy}</w:tbl>{deleted}")).rows
    assert rows == [["", "规章", "5", "", ""], ["行政许可", "行政许可", "7", "8", "9"], ["保留"]]


def test_nested_table_follows_its_layout_row():
    d = docx.Document()
    outer = d.add_table(rows=1, cols=1)
    cell = outer.cell(0, 0)
    cell.paragraphs[0].text = "二、主动公开政府信息情况"
    inner = cell.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "规章", (0, 1): "3", (1, 0): "行政许可", (1, 1): "4"}.items():
        inner.cell(r, c).text = text
    buf = io.BytesIO()
    d.save(buf)
    rows = extract(buf.getvalue()).rows
    assert rows == [["二、主动公开政府信息情况"], ["规章", "3"], ["行政许可", "4"]]


def test_tabbed_paragraph_is_a_row_of_cells_and_breaks_start_rows():
    body = "<w:p><w:r><w:t>规章</w:t><w:tab/><w:t>0</w:t><w:tab/><w:t>1</w:t><w:br/><w:t>下一行</w:t></w:r></w:p>"
    assert extract(docx_of(body)).rows == [["规章", "0", "1"], ["下一行"]]


# ------------------------------------------------------------------ PDF page joins
XS = [0.0, 100.0, 150.0, 200.0]


def test_row_cut_by_a_page_break_is_joined_and_repeated_header_dropped():
    header = ["信息内容", "本年", "上年"]
    page1 = Page([Line("表", 0, 50, 10, 10, 1), Table([header, ["规章", "1", "2"], ["（二）部分公开（区分", "3", "4"]],
                                                     XS, 20, 700)])
    # the new page repeats the header, then holds the cut row's last label line
    page2 = Page([Table([header, ["处理的）", "", ""], ["行政许可", "5", "6"]], XS, 70, 200)])
    assert join_pages([page1, page2]) == [["表"], header, ["规章", "1", "2"], ["（二）部分公开（区分处理的）", "3", "4"],
                                          ["行政许可", "5", "6"]]


def test_header_row_is_never_joined_to_a_data_row():
    page1 = Page([Table([["规章", "1", "2"], ["", "自然人", "法人"]], XS, 20, 700)])
    page2 = Page([Table([["行政许可", "5", "6"]], XS, 70, 200)])
    assert join_pages([page1, page2]) == [["规章", "1", "2"], ["", "自然人", "法人"], ["行政许可", "5", "6"]]


def test_tables_with_other_columns_are_not_joined():
    page1 = Page([Table([["规章", "1"]], [0.0, 100.0, 150.0], 20, 700)])
    page2 = Page([Table([["处理的）", "", ""]], XS, 70, 200)])
    assert join_pages([page1, page2]) == [["规章", "1"], ["处理的）", "", ""]]


def test_paragraph_lines_rejoined_but_not_headings():
    lines = [Line("本报告中所列数据统计期限自2023年1月1日至", 90, 519, 100, 10.5, 1, 90, 520),
             Line("2023年12月31日。", 90, 190, 115, 10.5, 1, 90, 520),
             Line("一、总体情况的标题很长很长很长很长很长很长很长很长很长很长很长很长很长长长", 90, 519, 140, 10.5, 1, 90, 520),
             Line("二、主动公开政府信息情况", 90, 250, 155, 10.5, 1, 90, 520)]
    assert join_pages([Page(lines)]) == [["本报告中所列数据统计期限自2023年1月1日至2023年12月31日。"],
                                         [lines[2].text], ["二、主动公开政府信息情况"]]


def test_number_cut_by_a_page_break_is_reported_not_guessed():
    """LibreOffice wrapped 8142 in a narrow cell and the page break fell inside the row: "814"
    on page 1, "2" on page 2. The continuation table has other column edges (its label cells
    merge differently), so which digit belongs where is not known: a finding, no join."""
    from pipelines.record import Finding

    page1 = Page([Table([["一、本年新收", "100", "814", "165"]], [0.0, 100.0, 130.0, 160.0, 190.0], 600, 760)])
    page2 = Page([Table([["", "", "2", "01"], ["二、上年结转", "0", "0", "0"]],
                        [0.0, 50.0, 100.0, 130.0, 160.0, 190.0][:5], 70, 120)])
    findings: list[Finding] = []
    rows = join_pages([page1, page2], findings)
    assert rows == [["一、本年新收", "100", "814", "165"], ["", "", "2", "01"], ["二、上年结转", "0", "0", "0"]]
    assert [f.rule for f in findings] == ["E-pdf-row-cut"] and "'814'" in findings[0].detail
