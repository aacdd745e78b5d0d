-- 008: the rules catalogue (pipelines/rules.py): what each finding code means, which stage emits it,
-- its usual severity, and whether the cells it names are NULL because unread or printed blank. Its
-- rows are written from the catalogue at every migrate (warehouse.migrate), so they are always
-- current; join it to findings on `rule`. Like the other tables, no NOT NULL constraint: the dbt
-- tests of sql/sources.yml (from pipelines/warehouse/contract.py) check it.
CREATE TABLE rules (
    rule        VARCHAR,  -- the code, as in findings.rule
    stage       VARCHAR,  -- crawl, extract, parse, validate or load
    severity    VARCHAR,  -- its usual severity: error, warning or info
    leaves_null VARCHAR,  -- 'unread' (NULL, never 0), 'blank' (NULL, 0 to the rules) or NULL
    description VARCHAR   -- what it means to a reader of the warehouse
);
