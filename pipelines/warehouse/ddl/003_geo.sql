-- 003: the kind of body behind a report (pipelines/geo): government, department, zone, vertical.
-- reports.admin_level holds the level (central, province, prefecture, county, township).
ALTER TABLE reports ADD COLUMN body_kind VARCHAR;
