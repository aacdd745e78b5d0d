"""The stages chained, without Dagster: above extract, parse, crawl and the warehouse, below the
command line and the Dagster definitions (which only call these functions).

- `documents`: a document's bytes -> its record (extract, then parse);
- `load`: records -> the warehouse, in batches, parsed in worker processes (`zfxxgk load`, crawls);
- `crawled`: a crawl's new or changed documents parsed and loaded, with the crawl's own rows
  (findings, fetch log, crawl run) and its summary.
"""
