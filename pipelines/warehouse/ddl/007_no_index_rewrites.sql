-- 007: no primary-key index on the tables that grow with every document. DuckDB rewrites a table's
-- whole ART index at every checkpoint: at 300,000 keys a checkpoint after 500 new rows took 148 ms
-- with the index and 4 ms without, so the load's cost per document grew with the warehouse.
-- `documents` (document_id), `reports` (report_id) and `report_documents` (report_id, document_id)
-- keep their keys unique through the loader (one transaction a batch: rows of the batch's keys are
-- deleted, then inserted), as the per-cell tables do since 006; `sources` and `crawl_runs` keep theirs.
CREATE TABLE documents_007 AS SELECT * FROM documents;
DROP TABLE documents;
ALTER TABLE documents_007 RENAME TO documents;

CREATE TABLE reports_007 AS SELECT * FROM reports;
DROP TABLE reports;
ALTER TABLE reports_007 RENAME TO reports;

CREATE TABLE report_documents_007 AS SELECT * FROM report_documents;
DROP TABLE report_documents;
ALTER TABLE report_documents_007 RENAME TO report_documents;
