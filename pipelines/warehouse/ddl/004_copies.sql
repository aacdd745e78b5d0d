-- 004: a fingerprint of each copy's tables, so copies of one report that print different numbers
-- are found (finding D-copies-differ) instead of one of them silently winning.
ALTER TABLE report_documents ADD COLUMN numbers_hash VARCHAR;
