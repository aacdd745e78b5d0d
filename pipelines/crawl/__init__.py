"""Crawl stage: getting report documents (from local files here; from portals in crawl.http)."""
