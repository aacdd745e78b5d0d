-- 006: linear loads at national scale (a million documents).
-- 1. The per-cell tables lose their PRIMARY KEY constraints. DuckDB keeps a primary key's ART index
--    in memory: at 100,000 reports the table-3 index alone held 16 M keys, and a million reports would
--    not fit the loader's 1 GB cap. Uniqueness is the loader's: a report's rows are deleted and
--    inserted in one transaction (tests check the natural keys after loads, kills and re-runs).
-- 2. Each per-report row carries `loaded_at`, the time of the batch that wrote it (as reports.loaded_at
--    does): rows are appended batch by batch, so a re-load finds a report's old rows by that time in
--    the few row groups whose min/max hold it, instead of scanning the whole table.
CREATE TABLE active_disclosure_006 (report_id VARCHAR, item VARCHAR, metric VARCHAR, value DOUBLE, loaded_at TIMESTAMP);
INSERT INTO active_disclosure_006 SELECT c.report_id, c.item, c.metric, c.value, r.loaded_at
    FROM active_disclosure c LEFT JOIN reports r USING (report_id);
DROP TABLE active_disclosure;
ALTER TABLE active_disclosure_006 RENAME TO active_disclosure;

CREATE TABLE request_outcomes_006 (report_id VARCHAR, row_key VARCHAR, applicant VARCHAR, value BIGINT, loaded_at TIMESTAMP);
INSERT INTO request_outcomes_006 SELECT c.report_id, c.row_key, c.applicant, c.value, r.loaded_at
    FROM request_outcomes c LEFT JOIN reports r USING (report_id);
DROP TABLE request_outcomes;
ALTER TABLE request_outcomes_006 RENAME TO request_outcomes;

CREATE TABLE review_litigation_006 (report_id VARCHAR, proceeding VARCHAR, outcome VARCHAR, value BIGINT, loaded_at TIMESTAMP);
INSERT INTO review_litigation_006 SELECT c.report_id, c.proceeding, c.outcome, c.value, r.loaded_at
    FROM review_litigation c LEFT JOIN reports r USING (report_id);
DROP TABLE review_litigation;
ALTER TABLE review_litigation_006 RENAME TO review_litigation;

CREATE TABLE report_sections_006 (report_id VARCHAR, section INTEGER, text VARCHAR, loaded_at TIMESTAMP);
INSERT INTO report_sections_006 SELECT c.report_id, c.section, c.text, r.loaded_at
    FROM report_sections c LEFT JOIN reports r USING (report_id);
DROP TABLE report_sections;
ALTER TABLE report_sections_006 RENAME TO report_sections;

CREATE TABLE report_extra_006 (report_id VARCHAR, key VARCHAR, value JSON, loaded_at TIMESTAMP);
INSERT INTO report_extra_006 SELECT c.report_id, c.key, c.value, r.loaded_at
    FROM report_extra c LEFT JOIN reports r USING (report_id);
DROP TABLE report_extra;
ALTER TABLE report_extra_006 RENAME TO report_extra;

ALTER TABLE findings ADD COLUMN loaded_at TIMESTAMP;
UPDATE findings SET loaded_at = r.loaded_at FROM reports r
    WHERE findings.report_id = r.report_id;
