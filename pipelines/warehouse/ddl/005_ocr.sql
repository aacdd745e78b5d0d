-- 005: whether a report's numbers were read by OCR from page images (a scanned PDF, an image
-- attachment, a Word file wrapping scans) rather than from printed text. OCR'd cells that were not
-- trusted are NULL with an `ocr-uncertain` finding; this column lets every statistic be split by it.
ALTER TABLE reports ADD COLUMN read_by_ocr BOOLEAN;
