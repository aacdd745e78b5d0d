"""Crawl stage: from a registry row to raw bytes on disk — polite HTTP (http.py and its parts in
fetch/), discovery of report links (discover.py, portal.py, listapi.py, browser.py), the crawl loop
(run.py) and what it keeps (store.py). It imports neither the parser nor the warehouse."""
