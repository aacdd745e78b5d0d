"""The one bytes -> text chain (pipelines/encoding.py): BOM, declared charset (header, else <meta>),
UTF-8, GB18030, detection; GB2312/GBK labels read as GB18030."""
from __future__ import annotations

import pytest

from pipelines import encoding
from pipelines.crawl.discover import page_text
from pipelines.crawl.http import FetchResult
from pipelines.extract import ExtractError, extract

# 镕 is in GBK but not in GB2312: a strict GB2312 decoder drops the page over it
TEXT = "国务院办公厅关于王镕同志任职的通知：依申请公开"


def page(charset: str, body: str = TEXT) -> str:
    return f'<html><head><meta charset="{charset}"><title>t</title></head><body><p>{body}</p></body></html>'


@pytest.mark.parametrize("label", ["gb2312", "GB2312", "gbk", "GBK", "x-gbk", "cp936", "gb_2312-80", "gb18030"])
def test_gb_family_labels_are_read_as_gb18030(label):
    data = page(label).encode("gb18030")
    assert encoding.decode(data, label) == page(label)


def test_the_header_charset_wins_over_the_meta_one():
    data = page("utf-8").encode("gbk")  # a page that says utf-8 in its meta but is served as GBK
    assert encoding.header_charset('text/html; charset="GBK"') == "GBK"
    assert page_text(data, "GBK") == page("utf-8")
    assert FetchResult(url="http://x/", content_type="text/html;charset=GBK").charset == "GBK"


def test_meta_charset_is_read_from_the_bytes():
    data = page("gb2312").encode("gbk")
    assert encoding.meta_charset(data) == "gb2312"
    assert encoding.decode_html(data) == page("gb2312")


@pytest.mark.parametrize("bom, codec", [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                                        (b"\xfe\xff", "utf-16-be")])
def test_a_byte_order_mark_decides_over_any_declaration(bom, codec):
    data = bom + page("gbk").encode(codec)
    assert encoding.decode(data, "gbk") == page("gbk")
    assert not encoding.utf8_first(data, None)


def test_undeclared_pages_try_utf8_then_gb18030():
    assert encoding.decode(TEXT.encode("utf-8")) == TEXT
    assert encoding.decode(TEXT.encode("gbk")) == TEXT
    assert encoding.decode(TEXT.encode("utf-8"), "no-such-charset") == TEXT  # an unknown label is skipped


def test_a_few_broken_bytes_keep_a_page_utf8():
    data = (TEXT * 200).encode("utf-8") + b"\xff" + TEXT.encode("utf-8")
    text = encoding.decode(data)
    assert text.count("\ufffd") == 1 and text.startswith(TEXT)
    assert encoding.utf8_damage(data) == 1
    doc = extract(b"<html><body><p>" + data + b"</p></body></html>")
    assert [f.rule for f in doc.findings] == ["E-encoding-repaired"]


def test_utf8_first_follows_the_declared_label():
    assert encoding.utf8_first(b"<html>", None)
    assert encoding.utf8_first(b"<html>", "UTF-8")
    assert encoding.utf8_first(b"<html>", "no-such-charset")
    assert not encoding.utf8_first(b"<html>", "gbk")
    assert not encoding.utf8_first(b"<html>", "x-gbk")


def test_html_reads_the_same_through_either_path():
    """read_html hands valid UTF-8 to libxml2 as bytes; the rows equal those of the decoded text."""
    from pipelines.extract.html import html_to_rows, read_html

    html = page("utf-8", "<table><tr><td>本年新收</td><td>12</td></tr></table>")
    assert read_html(html.encode("utf-8"), "utf-8") == html_to_rows(html)
    assert read_html(html.encode("gbk"), "gbk") == html_to_rows(html)


def test_undecodable_bytes_are_an_extract_error():
    data = bytes(range(0x80, 0x100)) * 3  # neither UTF-8 nor GB18030, and detection finds nothing
    with pytest.raises(encoding.UndecodableError):
        encoding.decode(data)
    with pytest.raises(ExtractError) as e:
        extract(data)
    assert e.value.rule == "E-encoding" and e.value.status == "failed"
