-- 001: the core tables of docs/warehouse.md §2 (a public interface: extend, never rename).

CREATE TABLE sources (
    source_id   VARCHAR PRIMARY KEY,
    name        VARCHAR,
    start_url   VARCHAR,
    adcode      VARCHAR,          -- 6-digit 行政区划代码 or NULL
    admin_level VARCHAR
);

CREATE TABLE documents (
    document_id  VARCHAR PRIMARY KEY,   -- sha256 of the bytes
    url          VARCHAR,               -- where it was fetched from (a file path for local files)
    source_id    VARCHAR,
    fetched_at   TIMESTAMP,
    http_status  INTEGER,
    content_type VARCHAR,
    bytes        BIGINT,
    storage_path VARCHAR
);

CREATE TABLE reports (
    report_id      VARCHAR PRIMARY KEY, -- '<year>/<issuer>' (one report per issuer and year), or 'doc/<sha256 prefix>'
    document_id    VARCHAR,             -- the copy whose numbers are kept
    url            VARCHAR,
    source_id      VARCHAR,
    issuer         VARCHAR,
    year           INTEGER,
    format_version VARCHAR,             -- '2021', '2019', 'legacy'
    scope          VARCHAR,             -- 'self', 'jurisdiction'
    parse_status   VARCHAR,             -- ok, inconsistent, partial, unsupported, not_a_report, failed
    adcode         VARCHAR,
    province       VARCHAR,
    prefecture     VARCHAR,
    county         VARCHAR,
    admin_level    VARCHAR,
    n_findings     INTEGER,
    loaded_at      TIMESTAMP
);

-- Every copy of a report (reposts, an HTML page and its PDF attachment): the evidence.
CREATE TABLE report_documents (
    report_id    VARCHAR,
    document_id  VARCHAR,
    url          VARCHAR,
    parse_status VARCHAR,
    PRIMARY KEY (report_id, document_id)
);

CREATE TABLE active_disclosure (
    report_id VARCHAR,
    item      VARCHAR,   -- regulations, normative_documents, licensing, punishment, coercion, fees_10k_yuan
    metric    VARCHAR,   -- issued, repealed, in_force, decisions, amount
    value     DOUBLE,    -- NULL: blank or unread (see findings)
    PRIMARY KEY (report_id, item, metric)
);

CREATE TABLE request_outcomes (
    report_id VARCHAR,
    row_key   VARCHAR,   -- the 25 keys of docs/formats.md §3.2, plus other_total (2019 format)
    applicant VARCHAR,   -- natural_person … other_org, total
    value     BIGINT,
    PRIMARY KEY (report_id, row_key, applicant)
);

CREATE TABLE review_litigation (
    report_id  VARCHAR,
    proceeding VARCHAR,  -- review, litigation_direct, litigation_after_review
    outcome    VARCHAR,  -- upheld, corrected, other, pending, total
    value      BIGINT,
    PRIMARY KEY (report_id, proceeding, outcome)
);

CREATE TABLE findings (
    report_id   VARCHAR,  -- NULL where no report could be made
    document_id VARCHAR,
    url         VARCHAR,
    stage       VARCHAR,  -- crawl, extract, parse, validate, load
    rule        VARCHAR,
    severity    VARCHAR,  -- error, warning
    detail      VARCHAR,
    cells       VARCHAR[] -- the cells the finding is about, e.g. requests.total_handled.total
);

-- The text of the six sections, for full-text queries.
CREATE TABLE report_sections (
    report_id VARCHAR,
    section   INTEGER,   -- 1..6
    text      VARCHAR,
    PRIMARY KEY (report_id, section)
);

-- Cells of the 2019 (60号) format with no 2021 counterpart, as JSON.
CREATE TABLE report_extra (
    report_id VARCHAR,
    key       VARCHAR,
    value     JSON,
    PRIMARY KEY (report_id, key)
);
