"""A static exploration site of the published warehouse (`zfxxgk site`): pages, data files, server."""
from __future__ import annotations

from pathlib import Path

from pipelines.settings import data_dir
from pipelines.site.build import SiteResult, build_site, site_key
from pipelines.site.serve import serve


def default_site_dir() -> Path:
    """Where `zfxxgk demo` and the Dagster asset write the site: <data dir>/site."""
    return data_dir() / "site"


__all__ = ["SiteResult", "build_site", "default_site_dir", "serve", "site_key"]
