"""The parts of the polite fetch client (pipelines.crawl.http.Fetcher), one concern each, after
Scrapy's downloader middlewares. For each hop of a fetch, in order:

- `scope`: the host may be touched at all (start hosts, their .gov.cn parents, an allowlist);
- `robots`: robots.txt allows the URL (and its Crawl-delay);
- `pacing`: one request in flight per host, a minimum interval between them;
- `transport`: one HTTP request, with the response size caps and the slow-drip deadline;
- `challenge`: what the response is (ok, not modified, a redirect, an anti-bot challenge, an error);
- `retry`: whether and when to try the same URL again (timeouts, 429, 5xx; Retry-After);
- `redirect`: whether to follow a redirect, and with which method.

`result` holds the FetchResult every part reads and fills.
"""
