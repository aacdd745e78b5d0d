"""OCR of scanned pages (image-only PDF pages, PNG/JPEG/TIFF/BMP/GIF attachments, DOCX files
holding only page images) into the rows the PDF reader gives.

- A page is greyscale, upscaled to RENDER_DPI when it is coarser, straightened by the angle of its
  ruling lines (scanners turn pages by a degree or so), and binarised.
- Tables: horizontal and vertical ruling lines are found by morphological opening (OpenCV); the
  white regions they enclose are the cells, their borders snapped to the table's column and row
  edges. Each cell is read on its own, text line by text line, and the grid is built by
  `pdf.table_grid`, so merged cells, tables continued over a page break and repeated headers
  follow exactly the rules of a ruled PDF table. Table rows reach the parser as `GridRow`s.
- Text outside tables is read by the engine's page layout and becomes lines, joined into
  paragraphs by `pdf.join_pages` as PDF text lines are.
- Honesty per cell: a value cell (in a column of numbers) whose reading is not a clean number or
  placeholder, or whose confidence is below MIN_VALUE_CONFIDENCE, becomes a blank cell (null in
  the record) with an `ocr-uncertain` finding naming page, table, row and column. A wrong number is
  far worse than a null. Every document read this way carries an `ocr` finding (engine, pages,
  mean confidence).
- Engine: RapidOCR (PP-OCRv4 models shipped inside the rapidocr-onnxruntime wheel, run by ONNX
  Runtime; nothing is downloaded). Tesseract 5 with chi_sim (Debian's tesseract-ocr) is the
  alternative measured against it ($ZFXXGK_OCR_ENGINE=tesseract); README (OCR) has the figures.
  A missing engine gives an `unsupported` error naming it.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from statistics import mean
from typing import Iterable, Iterator, Optional, Sequence

from pipelines.cells import NUMBER, PLACEHOLDER, UNREADABLE_MARK, GridRow, Row, normalize, read_cell
from pipelines.extract import IMAGE_KINDS, ExtractError, Extracted, sniff
from pipelines.extract import pdf as pdfx
from pipelines.extract.limits import Deadline, read_member, run_tool
from pipelines import rules
from pipelines.record import Finding, finding

RENDER_DPI = 300  # PDF pages are rendered at this resolution; coarser images are upscaled to it
MAX_PAGE_PIXELS = 40_000_000  # an A3 page at 300 dpi is 17.5 M; bigger images are scaled down
MAX_OCR_PAGES = 60  # annual reports run to 5-40 pages; a scanned book is not one
SECONDS_PER_PAGE = 60.0  # one page's cell recognition, checked between batches of LINES_PER_CALL lines
LINES_PER_CALL = 200
MAX_LINES_PER_PAGE = 3000  # table 3 of a page has ~250; more is no report table (a limit on the work)
MIN_VALUE_CONFIDENCE = 0.80  # below it a value cell is not trusted (see benchmarks/README.md, OCR)
ENGINE_ENV = "ZFXXGK_OCR_ENGINE"  # rapidocr (default) or tesseract, for the benchmark's comparison
DEFAULT_ENGINE = "rapidocr"  # chosen by benchmarks/bench_ocr.py: see README (OCR)

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_DIGITISH = re.compile(r"[0-9０-９OoIl|SB.,，．]")


@dataclass
class TextLine:
    text: str
    confidence: float  # 0..1
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0


# ------------------------------------------------------------------ engines
class Tesseract:
    """Tesseract 5 through its command line: one process per batch of line images (a list file),
    so a page costs two processes, not one per cell."""

    name = "tesseract"
    lang = "chi_sim"

    def __init__(self) -> None:
        exe = shutil.which("tesseract")
        if exe is None:
            raise ExtractError("a scanned document needs OCR by tesseract, which is not installed "
                               "(scripts/setup installs tesseract-ocr and tesseract-ocr-chi-sim)",
                               rules.E_OCR_MISSING_TESSERACT, status="unsupported")
        self.exe = exe
        done = run_tool([exe, "--list-langs"], timeout=30)
        if self.lang not in done.stdout.decode("utf-8", "replace").split():
            raise ExtractError(f"a scanned document needs tesseract's {self.lang} model, which is not installed "
                               "(scripts/setup installs tesseract-ocr-chi-sim)",
                               rules.get(f"E-ocr-missing-tesseract-{self.lang}"), status="unsupported")
        if "eng" not in done.stdout.decode("utf-8", "replace").split():
            self.read_digits = None  # no second reading: the confidence threshold alone decides
        done = run_tool([exe, "--version"], timeout=30)
        first = (done.stdout or done.stderr).decode("utf-8", "replace").splitlines()
        self.version = first[0].strip() if first else "tesseract"

    def _tsv(self, target: str, psm: int, timeout: float, lang: Optional[str] = None,
             extra: Sequence[str] = ()) -> list[dict]:
        env = dict(os.environ, OMP_THREAD_LIMIT="1")  # the machine's cores are shared; threads only thrash
        done = run_tool([self.exe, target, "stdout", "-l", lang or self.lang, "--psm", str(psm),
                         "--dpi", str(RENDER_DPI), *extra, "tsv"], timeout=timeout, env=env)
        if done.returncode != 0:
            err = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ExtractError(f"tesseract failed: {err[-1] if err else done.returncode}", rules.E_OCR_FAILED)
        lines = done.stdout.decode("utf-8", "replace").splitlines()
        if not lines:
            return []
        head = lines[0].split("\t")
        out = []
        for ln in lines[1:]:
            parts = ln.split("\t")
            if len(parts) == len(head):
                out.append(dict(zip(head, parts)))
        return out

    def read_lines(self, images: Sequence, timeout: float, lang: Optional[str] = None,
                   extra: Sequence[str] = ()) -> list[TextLine]:
        if not images:
            return []
        with tempfile.TemporaryDirectory(prefix="zfxxgk_ocr_") as tmp:
            paths = []
            for i, img in enumerate(images):
                path = Path(tmp) / f"{i:05d}.png"
                _write_png(_pad(img, 32), path)  # with a tight margin a lone digit reads as nothing or '()'
                paths.append(str(path))
            listing = Path(tmp) / "images.txt"
            listing.write_text("\n".join(paths) + "\n")
            words = self._tsv(str(listing), 7, timeout, lang, extra)
        per: dict[int, list[dict]] = {}
        for w in words:
            if w.get("level") == "5" and w.get("text", "").strip():
                per.setdefault(int(w["page_num"]) - 1, []).append(w)
        out = []
        for i in range(len(images)):
            ws = per.get(i, [])
            text = _join_words([w["text"] for w in ws])
            conf = min((float(w["conf"]) for w in ws), default=0.0) / 100
            out.append(TextLine(text, max(conf, 0.0)))
        return out

    def read_digits(self, images: Sequence, timeout: float) -> list[TextLine]:
        """The same line images read by the English model restricted to digits: a second,
        independent reading of the value cells (the Chinese model misreads isolated digits)."""
        return self.read_lines(images, timeout, lang="eng",
                               extra=["-c", "tessedit_char_whitelist=0123456789.-"])

    def page_lines(self, image, timeout: float) -> list[TextLine]:
        with tempfile.TemporaryDirectory(prefix="zfxxgk_ocr_") as tmp:
            path = Path(tmp) / "page.png"
            _write_png(image, path)
            words = self._tsv(str(path), 3, timeout)
        groups: dict[tuple, list[dict]] = {}
        for w in words:
            if w.get("level") == "5" and w.get("text", "").strip():
                groups.setdefault((w["block_num"], w["par_num"], w["line_num"]), []).append(w)
        out = []
        for ws in groups.values():
            ws.sort(key=lambda w: int(w["left"]))
            x0 = min(int(w["left"]) for w in ws)
            top = min(int(w["top"]) for w in ws)
            x1 = max(int(w["left"]) + int(w["width"]) for w in ws)
            bottom = max(int(w["top"]) + int(w["height"]) for w in ws)
            conf = mean(max(float(w["conf"]), 0.0) for w in ws) / 100
            out.append(TextLine(_join_words([w["text"] for w in ws]), conf, x0, top, x1, bottom))
        return out


class RapidOCR:
    """PP-OCRv4 (ONNX, the models inside the rapidocr-onnxruntime wheel): recognition only for
    cell lines, detection + recognition for the text outside tables."""

    name = "rapidocr"

    def __init__(self) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR as Engine
        except ImportError as e:
            raise ExtractError("a scanned document needs OCR by rapidocr-onnxruntime, which is not installed",
                               rules.E_OCR_MISSING_RAPIDOCR, status="unsupported") from e
        from importlib.metadata import version

        self.engine = Engine(intra_op_num_threads=1, inter_op_num_threads=1)
        self.version = f"rapidocr-onnxruntime {version('rapidocr-onnxruntime')}"

    def read_lines(self, images: Sequence, timeout: float) -> list[TextLine]:
        if not images:
            return []
        import numpy as np

        # a small margin: recognition scales each line to 48 px high, so padding shrinks the glyphs
        res, _ = self.engine.text_rec([np.dstack([_pad(im, 8)] * 3) for im in images])
        return [TextLine(text.strip(), float(score)) for text, score in res]

    def page_lines(self, image, timeout: float) -> list[TextLine]:
        import numpy as np

        res, _ = self.engine(np.dstack([image] * 3), use_cls=False)  # pages are upright once straightened
        out = []
        for box, text, score in res or []:
            xs, ys = [p[0] for p in box], [p[1] for p in box]
            out.append(TextLine(text.strip(), float(score), min(xs), min(ys), max(xs), max(ys)))
        return out


ENGINES = {"tesseract": Tesseract, "rapidocr": RapidOCR}
# an engine not installed: no page can be read, so a scan stops at the first page
_ENGINE_MISSING = {r.code for r in (rules.E_OCR_MISSING_RAPIDOCR, rules.E_OCR_MISSING_TESSERACT,
                                    rules.E_OCR_MISSING_TESSERACT_CHI_SIM)}
_engines: dict[str, object] = {}


def engine(name: Optional[str] = None):
    """The OCR engine (one per process), or an `unsupported` ExtractError naming what is missing."""
    name = name or os.environ.get(ENGINE_ENV) or DEFAULT_ENGINE
    if name not in ENGINES:
        raise ExtractError(f"unknown OCR engine {name!r} (${ENGINE_ENV}); known: {', '.join(ENGINES)}",
                           rules.E_OCR_ENGINE, status="unsupported")
    if name not in _engines:
        _engines[name] = ENGINES[name]()
    return _engines[name]


def _pad(image, margin: int):
    import numpy as np

    return np.pad(image, margin, constant_values=255)


def _write_png(image, path: Path) -> None:
    import cv2

    cv2.imwrite(str(path), image)


def _join_words(words: list[str]) -> str:
    """Words of one line: CJK runs glued, Latin words and numbers spaced."""
    out = ""
    for w in words:
        w = w.strip()
        if out and (out[-1].isascii() and out[-1].isalnum()) and (w[:1].isascii() and w[:1].isalnum()):
            out += " "
        out += w
    return out


# ------------------------------------------------------------------ images
def load_image(data: bytes) -> list:
    """The frames of an image file (a multi-page TIFF has several) as greyscale arrays at
    RENDER_DPI, with the resolution each was scaled from."""
    import numpy as np
    from PIL import Image, ImageSequence

    try:
        img = Image.open(BytesIO(data))
        frames = []
        for i, frame in enumerate(ImageSequence.Iterator(img)):
            if i >= MAX_OCR_PAGES:
                break
            dpi = _image_dpi(frame)
            frames.append((np.asarray(frame.convert("L")), dpi))
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError) as e:
        raise ExtractError(f"an image that cannot be decoded: {type(e).__name__}: {e}", rules.E_IMAGE_CORRUPT) from e
    return [normalise_page(a, dpi) for a, dpi in frames]


def _image_dpi(frame) -> Optional[float]:
    info = frame.info.get("dpi")
    if info and info[0] and 50 <= float(info[0]) <= 1200:
        return float(info[0])
    return None


def normalise_page(grey, dpi: Optional[float]):
    """Scale a page to RENDER_DPI. Without a resolution in the file, the page is taken to be A4
    wide (8.27 in), as annual reports are."""
    import cv2

    h, w = grey.shape[:2]
    dpi = dpi or w / 8.27
    scale = RENDER_DPI / dpi
    if h * w * scale * scale > MAX_PAGE_PIXELS:
        scale = (MAX_PAGE_PIXELS / (h * w)) ** 0.5
    if abs(scale - 1) > 0.05:
        grey = cv2.resize(grey, (max(1, round(w * scale)), max(1, round(h * scale))),
                          interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
    return grey


def render_pdf_pages(data: bytes, numbers: list[int]) -> Iterator:
    """Pages (1-based numbers) of a PDF rendered in greyscale at RENDER_DPI, one at a time."""
    import numpy as np
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        for n in numbers:
            page = doc[n - 1]
            w, h = page.get_size()
            scale = RENDER_DPI / 72
            if w * h * scale * scale > MAX_PAGE_PIXELS:
                scale = (MAX_PAGE_PIXELS / (w * h)) ** 0.5
            bitmap = page.render(scale=scale, grayscale=True)
            grey = np.array(bitmap.to_pil().convert("L"))
            bitmap.close()
            page.close()
            yield grey
    finally:
        doc.close()


# ------------------------------------------------------------------ layout
def ink_mask(grey):
    """Ink = 255: Otsu's threshold, then specks smaller than a full stop removed."""
    import cv2
    import numpy as np

    blur = cv2.GaussianBlur(grey, (3, 3), 0)
    _, ink = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    small = np.where(stats[:, cv2.CC_STAT_AREA] < 10)[0]
    small = small[small != 0]
    if len(small):
        ink[np.isin(labels, small)] = 0
    return ink


def ruling_lines(ink, grey=None):
    """(horizontal, vertical) masks of ruling lines: ink runs far longer than any character.
    With the page's `grey`, lines are looked for in its 3x3 minimum: a thin scanned line
    spread over two pixel rows, each too light to count as ink, is dark enough there."""
    import cv2

    if grey is not None:
        t, _ = cv2.threshold(cv2.GaussianBlur(grey, (3, 3), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        darkest = cv2.erode(grey, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
        ink = cv2.bitwise_or(ink, ((darkest < t) * 255).astype(ink.dtype))
    h, w = ink.shape
    rect = cv2.getStructuringElement
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, rect(cv2.MORPH_RECT, (max(40, w // 30), 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN, rect(cv2.MORPH_RECT, (1, max(40, h // 60))))
    # then gaps in a scanned line are bridged (closing along the line, between segments that are
    # lines already: closing the raw ink would fuse the strokes of neighbouring characters)
    horiz = cv2.morphologyEx(horiz, cv2.MORPH_CLOSE, rect(cv2.MORPH_RECT, (41, 1)))
    vert = cv2.morphologyEx(vert, cv2.MORPH_CLOSE, rect(cv2.MORPH_RECT, (1, 41)))
    return _thin(horiz), _thin(vert)


MAX_RULE_PX = 14  # a ruling line is at most this thick at RENDER_DPI; a blot or a stamp is fatter


def _thin(mask):
    """The mask without its fat parts (a blot big enough to pass the opening is no rule); a line
    a blot sits on keeps the rest of its length."""
    import cv2

    square = cv2.getStructuringElement(cv2.MORPH_RECT, (MAX_RULE_PX + 1, MAX_RULE_PX + 1))
    fat = cv2.morphologyEx(mask, cv2.MORPH_OPEN, square)
    if not fat.any():
        return mask
    return cv2.bitwise_and(mask, cv2.bitwise_not(cv2.dilate(fat, square)))


MAX_SKEW = 3.0  # degrees searched either way; scanners and phone photos of a flat page stay within it


def skew_angle(ink) -> float:
    """The rotation (degrees, counter-clockwise) that straightens the page: the angle at which the
    ink's row profile is sharpest (ruling lines and text lines run level), searched on a quarter-size
    copy, in 0.25° steps and then 0.05° around the best."""
    import cv2
    import numpy as np

    small = cv2.resize(ink, (max(1, ink.shape[1] // 4), max(1, ink.shape[0] // 4)), interpolation=cv2.INTER_AREA)
    h, w = small.shape
    if not small.any():
        return 0.0

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        rows = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=0).sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(rows)).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.25), key=sharpness)
    return float(max(np.arange(best - 0.25, best + 0.25 + 1e-9, 0.05), key=sharpness))


def straighten(grey, angle: float):
    import cv2

    if abs(angle) < 0.05:
        return grey
    h, w = grey.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)


@dataclass
class CellBox:
    x0: int
    top: int
    x1: int
    bottom: int


@dataclass
class TableBox:
    bbox: tuple[int, int, int, int]  # x0, top, x1, bottom (pixels)
    cells: list[CellBox]


def find_tables(ink, grey=None) -> tuple[list[TableBox], object]:
    """Ruled tables of the page: the white regions inside each frame of ruling lines. Also the
    line mask, which is blanked out of the cells before they are read."""
    import cv2
    import numpy as np

    horiz, vert = ruling_lines(ink, grey)
    grid = cv2.dilate(cv2.bitwise_or(horiz, vert), cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grid, connectivity=8)
    tables = []
    for k in range(1, n):
        x, y, w, h, _area = stats[k]
        if w < ink.shape[1] // 5 or h < 40:
            continue
        frame = (labels[y:y + h, x:x + w] == k).astype(np.uint8)
        # the cells: regions of non-line pixels enclosed by this frame; the frame's bounding box
        # closes a table printed without its outer border
        frame[0, :] = frame[-1, :] = 1
        frame[:, 0] = frame[:, -1] = 1
        m, cl, cs, _ = cv2.connectedComponentsWithStats(1 - frame, connectivity=4)
        cells = []
        for j in range(1, m):
            cx, cy, cw, ch, area = cs[j]
            if cx == 0 or cy == 0 or cx + cw >= w or cy + ch >= h:
                continue
            if cw < 12 or ch < 12 or area < 0.5 * cw * ch:
                continue
            cells.append(CellBox(x + cx, y + cy, x + cx + cw, y + cy + ch))
        if len(cells) >= 2:
            tables.append(TableBox((x, y, x + w, y + h), cells))
    return tables, grid


def snap(values: list[float], tol: float) -> list[float]:
    """Cluster coordinates closer than `tol`; the clusters' means."""
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def _nearest(edges: list[float], v: float) -> float:
    return min(edges, key=lambda e: abs(e - v))


def _without_rule_remnants(cell_ink):
    """A cell's ink without thin marks touching its edge (the rest of a ruling line the line mask
    missed, often on a coarse or turned scan) and specks: left in, they stretch a line's extent and look
    like a second group of digits. Only this mask is trimmed; the recogniser reads the grey crop."""
    import cv2
    import numpy as np

    n, labels, stats, _ = cv2.connectedComponentsWithStats(cell_ink, connectivity=8)
    if n <= 1:
        return cell_ink
    h, w = cell_ink.shape
    x, y, cw, ch, area = (stats[:, i] for i in range(5))
    touches = (x == 0) | (y == 0) | (x + cw >= w) | (y + ch >= h)
    # only thin marks at the edge are a rule's rest; a character crowding its cell stays
    drop = (touches & (np.minimum(cw, ch) <= 8)) | (area < 20)
    drop[0] = False
    if not drop.any():
        return cell_ink
    out = cell_ink.copy()
    out[np.isin(labels, np.nonzero(drop)[0])] = 0
    return out


def text_line_crops(grey, ink, box: CellBox, grid, gaps: Optional[list] = None) -> list:
    """A cell's text lines as tight greyscale crops, top to bottom; [] for a blank cell. `gaps`
    gets each line's widest blank run between two marks, in line heights.
    Ruling-line pixels are whitened first so a line's remnant is not read as 1 or |."""
    import numpy as np

    pad = 3
    x0, top, x1, bottom = box.x0 + pad, box.top + pad, box.x1 - pad, box.bottom - pad
    if x1 - x0 < 4 or bottom - top < 4:
        return []
    cell_ink = ink[top:bottom, x0:x1].copy()
    cell_ink[grid[top:bottom, x0:x1] > 0] = 0
    cell_ink = _without_rule_remnants(cell_ink)
    rows = cell_ink.sum(axis=1) > 0
    if rows.sum() < 6:
        return []
    crops = []
    gaps = [] if gaps is None else gaps
    start = None
    gap = 0
    spans = []
    for i, on in enumerate(list(rows) + [False] * 6):
        if on:
            if start is None:
                start = i
            gap = 0
        elif start is not None:
            gap += 1
            if gap > 4:  # a blank band between two text lines
                spans.append((start, i - gap + 1))
                start = None
                gap = 0
    cols = cell_ink.any(axis=0)
    for a, b in spans:
        if b - a < 6:  # a speck or a line remnant, not a character
            continue
        band = cell_ink[a:b]
        xs = np.nonzero(band.any(axis=0))[0]
        if len(xs) == 0 or not cols.any():
            continue
        crop = grey[top + a:top + b, x0 + xs[0]:x0 + xs[-1] + 1].copy()
        crop[grid[top + a:top + b, x0 + xs[0]:x0 + xs[-1] + 1] > 0] = 255
        crops.append(crop)
        gaps.append(int(np.diff(xs).max()) / (b - a) if len(xs) > 1 else 0.0)
    return crops


# Digits of one number sit closer than this (in line heights); a wider blank run in a value cell
# means two numbers in one cell (a border the scan lost), which would read as one number.
MAX_DIGIT_GAP = 0.8
STAIN_PX = 9  # at RENDER_DPI: 0.76 mm; printed strokes are thinner, blots and stamps are not


def stained(ink, box: CellBox, grid) -> bool:
    """A cell with a solid mass of ink (a stain, a blot, a stamp): ink that survives erosion by a
    STAIN_PX square. The recogniser reads the digits around a blot and ignores the blot, so a
    number half covered would come back as a shorter, wrong number."""
    import cv2

    cell = ink[box.top:box.bottom, box.x0:box.x1].copy()
    cell[grid[box.top:box.bottom, box.x0:box.x1] > 0] = 0
    if cell.shape[0] <= STAIN_PX or cell.shape[1] <= STAIN_PX:
        return False
    return bool(cv2.erode(cell, cv2.getStructuringElement(cv2.MORPH_RECT, (STAIN_PX, STAIN_PX))).any())


# ------------------------------------------------------------------ pages
@dataclass
class OcrPage:
    page: object  # pdf.Page
    confidences: list[float] = field(default_factory=list)
    uncertain: list[Finding] = field(default_factory=list)


def clean_value(text: str) -> str:
    """A value cell's reading, full-width folded, spaces and thousands commas removed."""
    s = normalize(text)
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
    return s


def read_page(grey, eng, number: int, deadline: Deadline, table_offset: int = 0) -> OcrPage:
    """One page image -> a pdf.Page of tables and lines (coordinates in points), its cell
    confidences and the findings of the cells not trusted."""
    grey = straighten(grey, skew_angle(ink_mask(grey)))
    ink = ink_mask(grey)
    tables, grid = find_tables(ink, grey)
    to_pt = 72 / RENDER_DPI
    out = OcrPage(pdfx.Page())
    timeout = min(SECONDS_PER_PAGE, max(1.0, deadline.left()))

    # every cell's text lines, read in one engine call for the page
    crops, layouts = [], []
    for t in tables:
        xs = snap([v for c in t.cells for v in (c.x0, c.x1)], 14)
        ys = snap([v for c in t.cells for v in (c.top, c.bottom)], 14)
        cells = []
        for c in t.cells:
            box = (_nearest(xs, c.x0), _nearest(ys, c.top), _nearest(xs, c.x1), _nearest(ys, c.bottom))
            if box[2] <= box[0] or box[3] <= box[1]:
                continue
            gaps: list[float] = []
            lines = text_line_crops(grey, ink, c, grid, gaps)
            cells.append(OcrCell(box, first=len(crops), count=len(lines), stained=stained(ink, c, grid),
                                 spaced=len(lines) == 1 and gaps[0] > MAX_DIGIT_GAP))
            crops += lines
        layouts.append((t, cells))
    if len(crops) > MAX_LINES_PER_PAGE:
        raise ExtractError(f"page {number} holds {len(crops)} text lines in table cells, over the "
                           f"{MAX_LINES_PER_PAGE} a page may have (no report table is that dense)", rules.E_OCR_TOO_DENSE)
    page_deadline = Deadline(SECONDS_PER_PAGE)
    readings: list[TextLine] = []
    for k in range(0, len(crops), LINES_PER_CALL):  # the time limits are checked between batches
        deadline.check(f"OCR of page {number}")
        page_deadline.check(f"OCR of page {number}")
        readings += eng.read_lines(crops[k:k + LINES_PER_CALL], timeout)
    for _, cells in layouts:
        for c in cells:
            lines = readings[c.first:c.first + c.count]
            c.text = re.sub(r"\s+", "", "".join(ln.text for ln in lines))
            c.confidence = min((ln.confidence for ln in lines), default=1.0)
            out.confidences += [ln.confidence for ln in lines]
    # value cells read a second time by the engine's digits-only reader, where it has one
    values = [c for _, cells in layouts for c in value_cells(cells)]
    if getattr(eng, "read_digits", None) and values:
        deadline.check(f"OCR of page {number}")
        second = eng.read_digits([crops[c.first] for c in values if c.count == 1], timeout)
        for c, reading in zip([c for c in values if c.count == 1], second):
            c.digits = reading

    for ti, (t, cells) in enumerate(layouts):
        out.uncertain += vet_values(cells, ti + table_offset + 1, number)
        fake = _PlumberTable([tuple(v * to_pt for v in c.box) for c in cells],
                             tuple(v * to_pt for v in t.bbox))
        chars = []
        for c in cells:
            if c.text:
                x0, top, x1, bottom = c.box
                cx, cy = (x0 + x1) / 2 * to_pt, (top + bottom) / 2 * to_pt
                chars.append({"text": c.text, "x0": cx - 0.1, "x1": cx + 0.1, "top": cy - 0.1, "bottom": cy + 0.1,
                              "size": 10.0})
        table = pdfx.table_grid(fake, chars)
        table.rows = [GridRow(r) for r in table.rows]
        out.page.items.append(table)

    # the text outside tables
    rest = grey.copy()
    for t in tables:
        x0, top, x1, bottom = t.bbox
        rest[max(0, top - 4):bottom + 4, max(0, x0 - 4):x1 + 4] = 255
    deadline.check(f"OCR of page {number}")
    height = grey.shape[0] * to_pt
    for ln in same_row_joined(eng.page_lines(rest, timeout)):
        text = _CJK_SPACE.sub("", ln.text.strip())
        if not text:
            continue
        top, bottom = ln.top * to_pt, ln.bottom * to_pt
        if (top < height * 0.1 or bottom > height * 0.88) and pdfx._PAGE_NUMBER.match(text):
            continue
        out.confidences.append(ln.confidence)
        out.page.items.append(pdfx.Line(text, ln.x0 * to_pt, ln.x1 * to_pt, top, max(1.0, bottom - top), number))
    out.page.items.sort(key=lambda it: it.top)
    lines = [it for it in out.page.items if isinstance(it, pdfx.Line)]
    if lines:
        left, right = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
        for ln in lines:
            ln.left, ln.right = left, right
    if out.page.items and isinstance(out.page.items[0], pdfx.Line):
        out.page.items[0].first = True
    if out.page.items and isinstance(out.page.items[-1], pdfx.Line):
        out.page.items[-1].last = True
    return out


# a space the recogniser put next to a CJK character or full-width punctuation (Chinese has none)
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])\s+|\s+(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])")


def same_row_joined(lines: list[TextLine]) -> list[TextLine]:
    """Boxes the detector cut from one printed line (they overlap vertically by more than half
    the smaller one's height) joined, left to right."""
    out: list[TextLine] = []
    for ln in sorted(lines, key=lambda t: (t.top, t.x0)):
        for prev in out:
            overlap = min(prev.bottom, ln.bottom) - max(prev.top, ln.top)
            if overlap > 0.5 * min(prev.bottom - prev.top, ln.bottom - ln.top):
                a, b = (prev, ln) if prev.x0 <= ln.x0 else (ln, prev)
                prev.text = _join_words([a.text, b.text])
                prev.confidence = min(prev.confidence, ln.confidence)
                prev.x0, prev.x1 = min(prev.x0, ln.x0), max(prev.x1, ln.x1)
                prev.top, prev.bottom = min(prev.top, ln.top), max(prev.bottom, ln.bottom)
                break
        else:
            out.append(TextLine(ln.text, ln.confidence, ln.x0, ln.top, ln.x1, ln.bottom))
    return out


@dataclass
class _PlumberTable:
    """What pdf.table_grid reads of a pdfplumber table: its cells' boxes and its bounding box."""
    cells: list
    bbox: tuple


@dataclass
class OcrCell:
    box: tuple  # x0, top, x1, bottom in pixels, snapped to the table's edges
    first: int = 0  # its text lines: crops[first:first + count]
    count: int = 0
    text: str = ""
    confidence: float = 1.0  # the lowest of its lines'
    digits: Optional[TextLine] = None  # the digits-only reading, for value cells
    value: bool = False  # sits in a value column and reads as a number (or should)
    stained: bool = False  # holds a solid mass of ink (see `stained`)
    spaced: bool = False  # its one text line has a gap wider than a digit (two numbers in a cell)


def value_cells(cells: list[OcrCell]) -> list[OcrCell]:
    """The cells meant to hold numbers: in a column where some cell reads as a number, or right
    of a number in its row, every cell that is not a header text (two or more CJK characters and
    nothing digit-like, such as 自然人)."""
    cols = {c.box[0] for c in cells if _looks_numeric(c.text)}
    first_value: dict[float, float] = {}  # row top -> x of its first number
    for c in cells:
        if _looks_numeric(c.text):
            first_value[c.box[1]] = min(first_value.get(c.box[1], c.box[0]), c.box[0])
    out = []
    for c in cells:
        if not c.text or (c.box[0] not in cols and c.box[0] <= first_value.get(c.box[1], c.box[0])):
            continue
        if not _looks_numeric(c.text) and len(_CJK.findall(c.text)) >= 2 and not _DIGITISH.search(c.text):
            continue
        c.value = True
        out.append(c)
    return out


def vet_values(cells: list[OcrCell], table_no: int, page_no: int) -> list[Finding]:
    """Keep a value cell's reading only when it is a clean number or placeholder read with
    confidence: at least MIN_VALUE_CONFIDENCE and, where the engine has a digits-only reader,
    the same number from both readings. A low-confidence reading is kept when the row's
    arithmetic confirms it (the one unsure cell of a run whose last cell, its 总计, is the sum of
    the others). Every other value cell is blanked with an `ocr-uncertain` finding."""
    reading: dict[int, tuple[str, bool]] = {}  # cell index -> (clean text, trusted)
    for i, c in enumerate(cells):
        if not c.value:
            continue
        text = clean_value(c.text)
        kind = read_cell(text).kind
        if kind not in (NUMBER, PLACEHOLDER) or c.stained or c.spaced:
            continue
        trusted = c.confidence >= MIN_VALUE_CONFIDENCE
        if c.digits is not None:
            agree = clean_value(c.digits.text) == text
            trusted = agree and max(c.confidence, c.digits.confidence) >= MIN_VALUE_CONFIDENCE
            if not agree:
                continue
        reading[i] = (text, trusted)
    _confirm_by_sums(cells, reading)
    rows_of = sorted({c.box[1] for c in cells})
    cols_of = sorted({c.box[0] for c in cells})
    labels: dict[float, tuple[float, str]] = {}
    for c in cells:  # a row's label: its leftmost text cell
        if c.text and not c.value and (c.box[1] not in labels or c.box[0] < labels[c.box[1]][0]):
            labels[c.box[1]] = (c.box[0], c.text)
    findings = []
    for i, c in enumerate(cells):
        if not c.value:
            continue
        text, trusted = reading.get(i, ("", False))
        if trusted:
            c.text = text
            continue
        row, col = rows_of.index(c.box[1]) + 1, cols_of.index(c.box[0]) + 1
        label = labels.get(c.box[1], (None, ""))[1]
        second = f", digits-only reading {c.digits.text!r} ({c.digits.confidence:.2f})" if c.digits else ""
        why = ("a blot of ink over the cell" if c.stained else
               "two groups of digits apart in one cell" if c.spaced else
               "no clean number" if i not in reading or not text else "low confidence")
        findings.append(finding(rules.OCR_UNCERTAIN,
            f"page {page_no}, table {table_no}, row {row}, column {col}"
            f"{' (row ' + repr(label[:30]) + ')' if label else ''}: read {c.text!r} "
            f"(confidence {c.confidence:.2f}{second}): {why}; left blank",
            [f"page{page_no}.table{table_no}.r{row}c{col}"]))
        c.text = UNREADABLE_MARK  # unread, not a printed blank: the rules never read it as 0
    return findings


def _confirm_by_sums(cells: list[OcrCell], reading: dict[int, tuple[str, bool]]) -> None:
    """Trust the one low-confidence number of a row's run of 7 (six applicants and 总计) or 5
    (four outcomes and 总计) values when the run's last cell is the sum of the others."""
    rows: dict[float, list[int]] = {}
    for i, c in enumerate(cells):
        if c.value:
            rows.setdefault(c.box[1], []).append(i)
    for idx in rows.values():
        idx.sort(key=lambda i: cells[i].box[0])
        n = len(idx)
        runs = [idx] if n == 7 else [idx[k:k + 5] for k in range(0, n, 5)] if n % 5 == 0 else []
        for run in runs:
            if any(i not in reading or read_cell(reading[i][0]).kind != NUMBER for i in run):
                continue
            unsure = [i for i in run if not reading[i][1]]
            values = [float(reading[i][0]) for i in run]
            if len(unsure) == 1 and abs(sum(values[:-1]) - values[-1]) < 1e-9:
                reading[unsure[0]] = (reading[unsure[0]][0], True)


def _looks_numeric(text: str) -> bool:
    """A reading that is meant to be a number: no CJK, mostly digits (or digit look-alikes)."""
    if not text or _CJK.search(text.replace("无", "")):
        return False
    return len(_DIGITISH.findall(text)) * 2 >= len(text) or read_cell(text).kind == PLACEHOLDER


# ------------------------------------------------------------------ documents
def ocr_pages(images: Iterable, deadline: Deadline, kind: str, numbers: Optional[list[int]] = None,
              eng=None) -> tuple[dict[int, object], list[Finding]]:
    """Page images (an iterable: PDF pages are rendered one at a time, so a long scan never holds
    all its bitmaps) -> {page number: pdf.Page} and the findings (`ocr`, `ocr-uncertain`, and
    `E-ocr-page-unread` for a page over its own limits; the document's deadline ends it all)."""
    eng = eng or engine()
    pages: dict[int, object] = {}
    confidences: list[float] = []
    uncertain: list[Finding] = []
    unread: list[Finding] = []
    tables_before = 0
    for i, grey in enumerate(images):
        n = numbers[i] if numbers else i + 1
        deadline.check(f"OCR of page {n}")
        # each scanned page has its own SECONDS_PER_PAGE: a 20-page scan would not fit the document's 120 s
        deadline.end = max(deadline.end, time.monotonic() + SECONDS_PER_PAGE)
        try:
            got = read_page(grey, eng, n, deadline, tables_before)
        except ExtractError as e:
            if deadline.left() <= 0 or e.rule in _ENGINE_MISSING:
                raise
            unread.append(finding(rules.E_OCR_PAGE_UNREAD, f"page {n} not read: {e}"))
            continue
        tables_before += sum(1 for it in got.page.items if not hasattr(it, "text"))
        pages[n] = got.page
        confidences += got.confidences
        uncertain += got.uncertain
    if not pages and unread:
        raise ExtractError(f"no page of {kind} could be read by OCR: {unread[0].detail}", rules.E_OCR_PAGE_UNREAD)
    conf = mean(confidences) if confidences else 0.0
    findings = [finding(rules.OCR,
                        f"{len(pages)} page(s) of {kind} read by OCR ({eng.version}, {RENDER_DPI} dpi): "
                        f"mean confidence {conf:.2f}, {len(uncertain)} cell(s) left blank as uncertain")]
    return pages, findings + unread + uncertain


MIN_IMAGE_PIXELS = 100_000  # an attachment smaller than this (e.g. 400 x 250) holds no report page


def image_to_rows(data: bytes, kind: str, deadline: Deadline) -> Extracted:
    """A PNG/JPEG/TIFF/BMP/GIF attachment: each frame a page."""
    pixels = _pixels(data)
    if pixels == _BOMB:
        raise ExtractError(f"an image ({kind}) of more pixels than any page scan (a decompression bomb)",
                           rules.E_IMAGE_TOO_LARGE)
    if pixels < 0:
        raise ExtractError(f"an image ({kind}) that cannot be decoded", rules.E_IMAGE_CORRUPT)
    if pixels < MIN_IMAGE_PIXELS:
        raise ExtractError(f"an image ({kind}) too small to hold a report page", rules.E_IMAGE, status="unsupported")
    return images_to_rows([data], f"a {kind} image", deadline)


def images_to_rows(files: list[bytes], kind: str, deadline: Deadline, before: Sequence[Row] = ()) -> Extracted:
    """Image files read as the pages of one document, in order; `before`: rows of typed text
    that came with them (a Word file's caption)."""
    eng = engine()
    images = []
    for data in files:
        images += load_image(data)
    images = images[:MAX_OCR_PAGES]
    pages, findings = ocr_pages(images, deadline, kind, eng=eng)
    rows = grid_rows(pdfx.join_pages([pages[n] for n in sorted(pages)], findings))
    if not any(rows):
        raise ExtractError(f"{kind} of {len(images)} page image(s) in which OCR found no text", rules.E_IMAGE_NO_TEXT,
                           status="unsupported")
    return Extracted([*before, *rows], "ocr", findings=findings)


MIN_SCAN_PIXELS = 500_000  # a page scan (A4 at 100 dpi is 0.97 M); smaller images are logos and seals
MAX_CAPTION_CHARS = 300  # a Word file with more typed text than this is a document, not a scan


def docx_scans(zf, part: str, rows: Sequence[Row]) -> list[bytes]:
    """The page images of a Word file that is a scan: no table, at most a caption of typed
    text, and one or more page-sized images. [] for any other Word file."""
    if any(len(r) > 1 for r in rows) or sum(len(c) for r in rows for c in r) > MAX_CAPTION_CHARS:
        return []
    import posixpath

    from lxml import etree

    names = set(zf.namelist())
    rels_name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if rels_name not in names:
        return []
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        targets = {rel.get("Id"): rel.get("Target") for rel in etree.fromstring(read_member(zf, rels_name), parser)}
        doc = etree.fromstring(read_member(zf, part), parser)
    except etree.XMLSyntaxError:
        return []
    out = []
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag.rsplit("}", 1)[-1] not in ("blip", "imagedata"):
            continue
        rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] in ("embed", "id")), None)
        target = targets.get(rid or "")
        if not target:
            continue
        name = posixpath.normpath(posixpath.join(posixpath.dirname(part), target)).lstrip("/")
        if name not in names:
            continue
        data = read_member(zf, name)
        if sniff(data) in IMAGE_KINDS and _pixels(data) >= MIN_SCAN_PIXELS:
            out.append(data)
        if len(out) >= MAX_OCR_PAGES:
            break
    return out


_BOMB = -2


def _pixels(data: bytes) -> int:
    """The image's pixel count from its header (nothing decoded); -1 if undecodable, _BOMB if
    beyond Pillow's decompression-bomb limit."""
    from PIL import Image

    try:
        w, h = Image.open(BytesIO(data)).size
    except Image.DecompressionBombError:
        return _BOMB
    except (OSError, ValueError, SyntaxError):
        return -1
    return w * h


def grid_rows(rows: list[Row]) -> list[Row]:
    """join_pages copies table rows into lists; table rows (lines are one cell) back to GridRow."""
    return [GridRow(r) if len(r) > 1 and not isinstance(r, GridRow) else r for r in rows]
