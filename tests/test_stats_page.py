"""`zfxxgk stats`, `export` and `report` on the bundled samples; the page rendered in headless Chromium."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb
import pytest

from pipelines.settings import PROJECT_ROOT

CHROMIUM = shutil.which("chromium")
CHARTS = ("trend", "rates", "province", "refusal", "review", "coverage")


def zfxxgk(*args, env):
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    from pipelines.settings import SAMPLES_DIR

    d = tmp_path_factory.mktemp("page")
    env = {"ZFXXGK_DB": str(d / "w.duckdb"), "ZFXXGK_DATA_DIR": str(d / "data")}
    p = zfxxgk("load", str(SAMPLES_DIR), env=env)
    assert p.returncode == 0, p.stderr
    return env


def test_stats_prints_the_headline_with_report_counts(env):
    p = zfxxgk("stats", env=env)
    assert p.returncode == 0, p.stderr
    # 43 + 2 + 23 + 0 + 1 new requests; 阜新市 43 + 细河区 0 in 辽宁省 (the samples' 本年新收 总计 cells)
    line = next(ln for ln in p.stdout.splitlines() if ln.startswith("2023 ") and "辽宁省" not in ln)
    assert line.split()[:4] == ["2023", "5", "4", "69"]
    liaoning = next(ln for ln in p.stdout.splitlines() if "辽宁省" in ln)
    assert liaoning.split()[:5] == ["2023", "辽宁省", "2", "2", "43"]
    p = zfxxgk("stats", "--year", "2023", "--province", "辽宁省", "--level", "township", env=env)
    assert p.returncode == 0 and "(no reports)" not in p.stdout.split("By province")[0]


def test_export_writes_every_mart(env, tmp_path):
    marts = sorted(p.stem for p in (PROJECT_ROOT / "sql" / "marts").glob("*.sql"))
    for fmt in ("parquet", "csv"):
        p = zfxxgk("export", str(tmp_path / fmt), "--format", fmt, env=env)
        assert p.returncode == 0, p.stderr
        assert sorted(f.stem for f in (tmp_path / fmt).iterdir()) == marts
    n = duckdb.sql(f"SELECT sum(new_received) FROM '{tmp_path / 'parquet' / 'metrics_by_year.parquet'}'").fetchone()[0]
    assert n == 69


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (scripts/setup installs it)")
def test_report_page_renders_offline_with_its_charts(env, tmp_path):
    out = tmp_path / "stats.html"
    p = zfxxgk("report", str(out), env=env)
    assert p.returncode == 0, p.stderr
    page = out.read_text(encoding="utf-8")
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in page
    assert "<script" not in page
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'chr'}"]
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", out.as_uri()], capture_output=True, text=True,
                         timeout=90).stdout
    for chart in CHARTS:
        assert f'data-chart="{chart}"' in dom, chart
    # the charts are drawn, not empty: bars for provinces, a point per year
    province_svg = dom.split('data-chart="province"')[1].split("</svg>")[0]
    assert province_svg.count('class="bar"') == 4  # 辽宁省, 黑龙江省, 河北省, 河南省
    assert "<circle" in dom.split('data-chart="trend"')[1].split("</svg>")[0]
    shot = tmp_path / "stats.png"
    subprocess.run([CHROMIUM, *flags, f"--screenshot={shot}", "--window-size=900,2400", out.as_uri()],
                   capture_output=True, timeout=90)
    assert shot.exists() and shot.stat().st_size > 20_000
