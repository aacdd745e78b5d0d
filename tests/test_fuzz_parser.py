"""The parser fuzzed: arbitrary bytes, report-like token soup, and real layouts (the bundled samples and
every `tests.support.synth` layout) mutated at random. Properties, for every input:

- `parse_document` returns a report (never raises);
- it returns within a time limit per document (no hang);
- a report it calls `ok` holds only numbers printed in the document (no number made up).
"""
from __future__ import annotations

import random
import re
import time
import unicodedata
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.pipeline.documents import parse_document
from pipelines.record import STATUSES
from pipelines.settings import SAMPLES_DIR
from tests.support.synth import LAYOUTS, file_name, random_report, render

SECONDS_PER_DOCUMENT = 10.0  # generous on a busy 2-core machine; a parse takes milliseconds
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                derandomize=True)


def printed_digits(data: bytes) -> str:
    """The document's text with markup, spaces and thousands separators removed, digits made ASCII."""
    text = data.decode("utf-8", errors="ignore")
    text = re.sub(r"<[^>]*>", "", text).replace("&nbsp;", "")
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s,，]", "", text)


def numbers(report) -> list[float]:
    out = []
    if report.active is not None:
        out += [v for _, _, v in report.active.cells() if v is not None]
    for table in (report.requests, report.review_litigation):
        for row in (table or {}).values():
            out += [v for v in row or [] if v is not None]
    return out


def check(data: bytes, name: str) -> None:
    t = time.monotonic()
    report = parse_document(data, name)
    assert time.monotonic() - t < SECONDS_PER_DOCUMENT, f"{name}: {time.monotonic() - t:.1f} s"
    assert report.parse_status in STATUSES
    if report.parse_status == "ok":
        text = printed_digits(data)
        for v in numbers(report):
            shown = str(int(v)) if float(v).is_integer() else repr(v)
            assert shown in text, f"{name}: ok with {shown}, which the document does not print"


@given(st.binary(max_size=4096))
@FUZZ
def test_arbitrary_bytes(data):
    check(data, "x.bin")
    check(data, "x.html")


TOKENS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
          "四、政府信息公开行政复议、行政诉讼情况", "演示县人民政府2023年政府信息公开工作年度报告", "本年新收政府信息公开申请数量",
          "上年结转政府信息公开申请数量", "予以公开", "（七）总计", "结转下年度继续办理", "行政复议", "行政诉讼", "规章",
          "行政规范性文件", "行政许可", "行政处罚", "自然人", "商业企业", "总计", "结果维持", "<table>", "<tr>", "<td>",
          "</td>", "</tr>", "</table>", '<td rowspan="3">', '<td colspan="2">', "\t", " | ", "\n", "\n\n", "0", "1",
          "12", "1,234", "３", "-", "—", "/", "无", "0.5", "第二十条第（一）项"]


@given(st.lists(st.sampled_from(TOKENS), max_size=400))
@FUZZ
def test_report_like_token_soup(tokens):
    data = "".join(tokens).encode("utf-8")
    check(data, "soup.txt")
    check(b"<html><body>" + data + b"</body></html>", "soup.html")


@lru_cache(maxsize=None)
def documents() -> list[tuple[str, bytes]]:
    """The bundled samples and one synth rendering per layout (2021 and 2019 formats)."""
    docs = [(p.name, p.read_bytes()) for p in sorted(SAMPLES_DIR.glob("*.txt"))]
    for i, layout in enumerate(LAYOUTS):
        for fmt in ("2021", "2019"):
            seed = 100 + i * 2 + (fmt == "2019")
            docs.append((file_name(layout, seed), render(random_report(seed, fmt), layout, seed).encode("utf-8")))
    return docs


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """One random corruption of a document, as copying, converting or truncating does to real ones."""
    lines = data.split(b"\n")
    kind = rng.choice(["delete_span", "duplicate_line", "swap_lines", "change_digit", "insert_junk",
                       "truncate", "drop_line", "join_lines", "flip_bytes"])
    n = len(data)
    if kind == "delete_span":
        a = rng.randrange(n)
        return data[:a] + data[a + rng.randint(1, 400):]
    if kind == "duplicate_line":
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == "swap_lines":
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "change_digit":
        digits = [m.start() for m in re.finditer(rb"[0-9]", data)]
        if digits:
            i = rng.choice(digits)
            return data[:i] + rng.choice([b"0", b"7", b"", b"99", b"-", b"\xe5\x8d\x81"]) + data[i + 1:]
    elif kind == "insert_junk":
        a = rng.randrange(n)
        junk = rng.choice([b"<table><tr><td>", b"</td></tr></table>", b"\t\t", b"| 3 |", b"\x00\xff",
                           "（七）总计".encode(), "三、本年度办理结果".encode(), b"<td rowspan='99' colspan='99'>"])
        return data[:a] + junk + data[a:]
    elif kind == "truncate":
        return data[:rng.randrange(n)]
    elif kind == "drop_line":
        del lines[rng.randrange(len(lines))]
    elif kind == "join_lines":
        i = rng.randrange(max(1, len(lines) - 1))
        lines[i:i + 2] = [b"".join(lines[i:i + 2])]
    else:
        b = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            b[rng.randrange(n)] = rng.randrange(256)
        return bytes(b)
    return b"\n".join(lines)


@given(st.integers(0, 10**9), st.integers(1, 4))
@settings(FUZZ, max_examples=150)
def test_mutated_real_layouts(seed, n_mutations):
    rng = random.Random(seed)
    name, data = rng.choice(documents())
    for _ in range(n_mutations):
        if not data:  # a one-line document whose only line was dropped
            break
        data = mutate_bytes(data, rng)
    check(data, name)


def test_unmutated_layouts_are_ok_with_their_own_numbers():
    """The property's baseline: the clean documents pass the same check (and most are ok)."""
    statuses = []
    for name, data in documents():
        check(data, name)
        statuses.append(parse_document(data, name).parse_status)
    assert statuses.count("ok") >= len(statuses) - 3
