"""One settings object (pipelines/settings.py): ZFXXGK_* environment variables, command-line flags over
them without writing the environment or changing directory, Dagster resources' defaults, the instance
under data/dagster with the root dagster.yaml linked in."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from pipelines import cli
from pipelines import crawl_commands as commands
from pipelines.crawl.http import FetchConfig
from pipelines.crawl.run import CrawlConfig
from pipelines.settings import DAGSTER_YAML, DEFAULTS, PROJECT_ROOT, Settings, link_dagster_yaml, settings


def test_the_defaults_are_declared_once():
    # the values the README's Configuration table gives
    assert (DEFAULTS.min_interval, DEFAULTS.read_timeout, DEFAULTS.retries, DEFAULTS.max_pages_per_column) == \
        (1.0, 30.0, 3, 200)
    assert DEFAULTS.warehouse == PROJECT_ROOT / "data" / "warehouse.duckdb"
    assert DEFAULTS.sources == PROJECT_ROOT / "data" / "sources.csv"
    assert DEFAULTS.dagster_home == PROJECT_ROOT / "data" / "dagster"
    config = CrawlConfig()
    assert {k: getattr(config, k) for k in DEFAULTS.crawl_options()} == DEFAULTS.crawl_options()
    assert FetchConfig().max_bytes == 50 * 1024 * 1024


def test_environment_variables_that_worked_before_still_do(monkeypatch, tmp_path):
    monkeypatch.setenv("ZFXXGK_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("ZFXXGK_SOURCES", str(tmp_path / "s.csv"))
    monkeypatch.setenv("ZFXXGK_LOAD_BATCH", "7")
    monkeypatch.setenv("ZFXXGK_WORKERS", "2")
    monkeypatch.setenv("ZFXXGK_DUCKDB_MEMORY", "512MB")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    s = settings()
    assert s.data_dir == tmp_path / "d" and s.warehouse == tmp_path / "d" / "warehouse.duckdb"
    assert (s.sources, s.load_batch, s.workers, s.duckdb_memory) == (tmp_path / "s.csv", 7, 2, "512MB")
    assert s.dagster_home == tmp_path / "home"
    monkeypatch.setenv("ZFXXGK_DB", str(tmp_path / "w.duckdb"))
    assert settings().warehouse == tmp_path / "w.duckdb"
    monkeypatch.setenv("ZFXXGK_DB", "")  # empty is unset, as `os.environ.get(...) or default` read it
    assert settings().warehouse == tmp_path / "d" / "warehouse.duckdb"


def ours() -> dict:
    """The environment variables this project reads (libraries set their own on import, e.g. jemalloc's)."""
    return {k: v for k, v in os.environ.items() if k.startswith("ZFXXGK_") or k == "DAGSTER_HOME"}


def test_crawl_flags_override_the_environment_without_writing_it(monkeypatch, tmp_path):
    monkeypatch.setenv("ZFXXGK_MIN_INTERVAL", "0.25")
    monkeypatch.setenv("ZFXXGK_RETRIES", "5")
    monkeypatch.delenv("ZFXXGK_DB", raising=False)
    ap = argparse.ArgumentParser()
    ap.add_argument("--db")
    commands.add_parsers(ap.add_subparsers(dest="command"))
    before = ours()
    args = ap.parse_args(["crawl", "http://127.0.0.1/x/", "--timeout", "5", "--db", str(tmp_path / "c.duckdb")])
    config = commands._config(args)
    assert (config.min_interval, config.retries, config.read_timeout) == (0.25, 5, 5.0)
    assert commands._paths(args)[1] == tmp_path / "c.duckdb"
    assert ours() == before


def test_the_cli_db_flag_reaches_the_command_without_os_environ_or_chdir(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("ZFXXGK_DB", raising=False)
    cwd, before = os.getcwd(), ours()
    assert cli.main(["--db", str(tmp_path / "none.duckdb"), "query", "SELECT 1"]) == 1
    assert str(tmp_path / "none.duckdb") in capsys.readouterr().err  # the reader looked at the flag's file
    assert os.getcwd() == cwd and ours() == before


def test_dagster_resources_take_their_defaults_from_the_settings(tmp_path):
    code = ("from pipelines.defs.resources import CrawlerResource, default_resources\n"
            "r = default_resources()\n"
            "print(CrawlerResource().min_interval, CrawlerResource().config().max_bytes, r['warehouse'].path)")
    env = {**os.environ, "ZFXXGK_MIN_INTERVAL": "0.5", "ZFXXGK_MAX_BYTES": "1000",
           "ZFXXGK_DB": str(tmp_path / "w.duckdb"), "PYTHONPATH": str(PROJECT_ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                         check=True, timeout=120).stdout.split()
    assert out == ["0.5", "1000", str(tmp_path / "w.duckdb")]


def test_the_instance_links_the_root_dagster_yaml(tmp_path):
    home = tmp_path / "data" / "dagster"
    (home / "storage" / "history").mkdir(parents=True)  # run history where the old dagster.yaml kept it
    link_dagster_yaml(home)
    assert (home / "dagster.yaml").is_symlink() and (home / "dagster.yaml").resolve() == DAGSTER_YAML
    assert not Path(os.readlink(home / "dagster.yaml")).is_absolute()  # the project can move
    assert (home / "history").is_dir() and not (home / "storage" / "history").exists()
    link_dagster_yaml(home)  # idempotent
    assert (home / "dagster.yaml").resolve() == DAGSTER_YAML
    own = tmp_path / "own"
    own.mkdir()
    (own / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    link_dagster_yaml(own)  # a user's own file is left alone
    assert not (own / "dagster.yaml").is_symlink()
    assert "dagster_home" not in Settings.model_construct().model_fields_set


def test_the_writers_memory_cap_is_its_own_setting(monkeypatch):
    """The batches' DuckDB cap (ZFXXGK_WRITE_MEMORY, 512MB) apart from the models' (ZFXXGK_DUCKDB_MEMORY)."""
    monkeypatch.delenv("ZFXXGK_WRITE_MEMORY", raising=False)
    monkeypatch.setenv("ZFXXGK_DUCKDB_MEMORY", "2GB")
    assert (settings().write_memory, settings().duckdb_memory) == ("512MB", "2GB")
    monkeypatch.setenv("ZFXXGK_WRITE_MEMORY", "256MB")
    assert settings().write_memory == "256MB"


def test_the_loaders_connection_takes_the_writers_cap(tmp_path):
    import duckdb

    from pipelines.pipeline import load

    with duckdb.connect() as ref:
        ref.execute(f"SET memory_limit = '{load.WRITE_MEMORY}'")
        want = ref.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    with load.connect(tmp_path / "w.duckdb") as conn:
        assert conn.execute("SELECT current_setting('memory_limit')").fetchone()[0] == want
        # the loader's checkpoints take seconds at scale: no progress bar drawn into the load's output
        assert conn.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0] is False
