-- 002: what the crawler did. Every HTTP fetch (one row per logical fetch: retries and redirects
-- are counted in `attempts` / followed to `final_url`), and one row per crawl run.

CREATE TABLE fetch_log (
    run_id        VARCHAR,
    source_id     VARCHAR,
    url           VARCHAR,
    final_url     VARCHAR,    -- after redirects
    method        VARCHAR,    -- GET, or POST (Hanweb dataproxy.jsp pages)
    kind          VARCHAR,    -- robots, list, detail, attachment
    http_status   INTEGER,    -- NULL: no response (timeout, connection error, robots-disallowed …)
    outcome       VARCHAR,    -- ok, not_modified, http_error, timeout, connection_error, blocked,
                              -- robots_disallowed, robots_unavailable, too_large, too_many_redirects, out_of_scope
    etag          VARCHAR,
    last_modified VARCHAR,
    document_id   VARCHAR,    -- sha256 of the bytes (also for a blocked page: the evidence)
    bytes         BIGINT,     -- bytes downloaded (0 for a 304)
    error         VARCHAR,
    attempts      INTEGER,
    elapsed_ms    BIGINT,
    fetched_at    TIMESTAMP
);

CREATE TABLE crawl_runs (
    run_id         VARCHAR PRIMARY KEY,
    started_at     TIMESTAMP,   -- when the run was loaded
    seconds        DOUBLE,      -- crawl time
    sources        VARCHAR,     -- source ids, space-separated
    list_pages     INTEGER,
    documents      INTEGER,     -- report pages and attachments seen
    downloaded     INTEGER,     -- fetches that returned a body
    not_modified   INTEGER,     -- conditional GETs answered 304
    requests_sent  INTEGER,     -- HTTP requests, retries, redirects and robots.txt included
    bytes_received BIGINT,
    errors         INTEGER,
    reports_loaded INTEGER,
    interrupted    BOOLEAN
);
