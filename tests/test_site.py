"""`zfxxgk site`: the static site of the bundled samples, served by `zfxxgk site --serve` on 127.0.0.1
and rendered in headless Chromium (one browser, driven over the DevTools protocol on a pipe): the
overview, the map, an issuer page and a report page, with screenshots in tests/artifacts/site/, the
highlighted cells of the inconsistent sample, and every request the pages make."""
from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from pipelines.record import APPLICANTS, OUTCOME_ROWS
from pipelines.site import site_key

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(__file__).parent / "artifacts" / "site"
INCONSISTENT_REPORT = "2023/山海关区人民政府办公室"  # data/samples/001_efd3b52cb6a94797.txt


def zfxxgk(*args, env, timeout=120):
    return subprocess.run([sys.executable, "-m", "pipelines.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=timeout)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The samples loaded into a fresh warehouse (as tests/test_stats_page.py does), and its site."""
    from pipelines.settings import SAMPLES_DIR

    d = tmp_path_factory.mktemp("site")
    env = {"ZFXXGK_DB": str(d / "w.duckdb"), "ZFXXGK_DATA_DIR": str(d / "data")}
    p = zfxxgk("load", str(SAMPLES_DIR), env=env)
    assert p.returncode == 0, p.stderr
    p = zfxxgk("site", str(d / "site"), env=env)
    assert p.returncode == 0, p.stderr
    assert str(d / "site") in p.stdout
    return d / "site", env


@pytest.fixture(scope="module")
def served(site):
    """`zfxxgk site DIR --serve` on a free port of 127.0.0.1."""
    path, env = site
    proc = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "site", str(path), "--serve", "--no-build",
                             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env})
    try:
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert m, (line, proc.stderr.read() if proc.poll() is not None else "")
        yield m.group(0)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine: the server did not get to exit
            proc.kill()
            proc.wait()


class Browser:
    """Headless Chromium driven over --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-separated JSON).
    Every request a page makes is recorded from the Network domain's requestWillBeSent events."""

    def __init__(self, user_data_dir: Path):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def fds() -> None:  # in the child, before exec: the pipe ends Chromium expects on fds 3 and 4
            # out of the way first (a pipe end may itself be fd 3 or 4), then dup2, which makes them inheritable
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_chrome_r, from_chrome_w)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--hide-scrollbars", f"--user-data-dir={user_data_dir}",
                 # any host but 127.0.0.1 fails to resolve: a request that tries to leave fails fast
                 # (and is still seen in the request log below)
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                 "--remote-debugging-pipe", "about:blank"]
        self.proc = subprocess.Popen([CHROMIUM, *flags], preexec_fn=fds, close_fds=False,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._id = 0
        self._replies: dict[int, dict] = {}
        self._cond = threading.Condition()
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.call(f"{domain}.enable", session=True)

    def _read(self) -> None:
        buf = b""
        while True:
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                return
            buf += chunk
            *messages, buf = buf.split(b"\0")
            for raw in messages:
                msg = json.loads(raw)
                if msg.get("method") == "Network.requestWillBeSent":
                    self.requests.append(msg["params"]["request"]["url"])
                elif msg.get("method") == "Runtime.exceptionThrown":
                    self.console_errors.append(json.dumps(msg["params"]["exceptionDetails"])[:500])
                with self._cond:
                    if "id" in msg:
                        self._replies[msg["id"]] = msg
                        self._cond.notify_all()

    def call(self, method: str, session: bool = False, **params) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        with self._cond:
            assert self._cond.wait_for(lambda: self._id in self._replies, timeout=60), method
            reply = self._replies.pop(self._id)
        assert "error" not in reply, reply
        return reply.get("result", {})

    def js(self, expression: str):
        r = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        assert "exceptionDetails" not in r, r
        return r["result"].get("value")

    def open(self, url: str, width: int = 1280) -> None:
        """Load `url` and wait until the page has drawn (body[data-ready]) with every chart's SVG."""
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=900,
                  deviceScaleFactor=1, mobile=False)
        self.call("Page.navigate", session=True, url="about:blank")
        self.call("Page.navigate", session=True, url=url)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.js("document.body && document.body.dataset.ready === '1' && "
                       "[...document.querySelectorAll('.chart')].every(c => c.querySelector('svg path'))"):
                return
            time.sleep(0.1)
        raise AssertionError(f"{url} did not finish drawing: {self.js('document.body.innerText.slice(0, 300)')}")

    def screenshot(self, path: Path) -> None:
        height = min(int(self.js("document.documentElement.scrollHeight")), 6000)
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=1280, height=height,
                  deviceScaleFactor=1, mobile=False)
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("chromium not installed (scripts/setup --dev installs it)")
    b = Browser(tmp_path_factory.mktemp("chromium"))
    yield b
    b.close()


def shot(browser: Browser, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    browser.screenshot(path)
    assert path.stat().st_size > 20_000, path
    return path


def test_site_folder_is_self_contained(site):
    path, _ = site
    ours = [p for p in path.rglob("*") if p.is_file() and p.suffix in (".html", ".js", ".css")
            and p.name not in ("echarts.min.js",)]
    for p in ours:
        text = p.read_text(encoding="utf-8")
        # no script, style, font or map fetched from elsewhere
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), p
        assert "@import" not in text and "url(http" not in text, p
    # one data file per report, per issuer and per province, none of them large
    assert len(list((path / "data" / "report").rglob("*.js"))) == 5
    assert len(list((path / "data" / "issuer").rglob("*.js"))) == 5
    assert len(list((path / "data" / "province").glob("*.js"))) == 4  # 辽宁省, 河北省, 黑龙江省, 河南省
    assert max(p.stat().st_size for p in (path / "data").rglob("*.js")) < 50_000
    # every stored copy is in the site
    assert len(list((path / "copies").rglob("*.txt"))) == 5


def test_overview_and_map_render_offline(browser, served):
    browser.requests.clear()
    browser.open(served + "index.html")
    figures = browser.js("[...document.querySelectorAll('figure')].map(f => [f.dataset.figure, "
                         "f.querySelector('.behind') && f.querySelector('.behind').textContent])")
    names = [f[0] for f in figures]
    assert names == ["requests", "outcomes", "refusal", "review", "coverage"]
    # the five samples are self-scope 2023 reports with every number read: 4 ok, 1 inconsistent
    for name, behind in figures[:4]:
        assert behind.startswith("2023: 5 reports behind this figure" if name == "refusal"
                                 else "5 reports behind this figure"), (name, behind)
        assert "4 pass every consistency rule, 1 inconsistent" in behind and "None left out" in behind
    # 本年新收 总计 of the samples: 43 + 2 + 23 + 0 + 1 = 69 (the table under the charts)
    assert "69" in browser.js("document.querySelector('section table tbody tr').innerText").split("\t")
    shot(browser, "overview")

    browser.open(served + "map.html")
    # the choropleth: one path per province of the vendored geometry, four of them with data
    paths = browser.js("document.querySelectorAll('figure[data-figure=map] svg path').length")
    assert paths >= 34
    rows = browser.js("[...document.querySelectorAll('section table tbody tr')].map(r => r.innerText.split('\\t'))")
    assert {r[0]: r[1] for r in rows} == {"河北省": "1", "河南省": "1", "辽宁省": "2", "黑龙江省": "1"}
    shot(browser, "map")
    assert_local(browser.requests, served)


def test_report_page_highlights_exactly_the_cells_its_findings_name(browser, served, site):
    import duckdb

    _, env = site
    # what the source document says: 办理结果总计 is 2 in the 自然人 and 总计 columns while all 21
    # outcome rows print 0, so R3 breaks in those two columns and nowhere else (R1, R2, R4 hold)
    expected = {f"requests.{row}.{col}" for row in ("total_handled", *OUTCOME_ROWS) for col in ("natural_person", "total")}
    with duckdb.connect(str(Path(env["ZFXXGK_DB"]).parent / "published" / "w.duckdb"), read_only=True) as conn:
        named = {c for (cells,) in conn.execute("SELECT cells FROM findings WHERE report_id = ?",
                                                [INCONSISTENT_REPORT]).fetchall() for c in cells}
        details = [d for (d,) in conn.execute("SELECT detail FROM findings WHERE report_id = ?", [INCONSISTENT_REPORT]).fetchall()]
    assert named == expected

    browser.requests.clear()
    browser.open(served + "report.html#" + site_key(INCONSISTENT_REPORT))
    flagged = browser.js("[...document.querySelectorAll('td.flagged')].map(td => td.dataset.cell)")
    assert len(flagged) == len(set(flagged)) == 44
    assert set(flagged) == expected
    # every number of table 3 is drawn, as printed: 26 rows' worth of 2021 cells, 2 in 办理结果总计
    cells = browser.js("Object.fromEntries([...document.querySelectorAll('[data-table=requests] td')]"
                       ".map(td => [td.dataset.cell, td.firstChild.textContent]))")
    assert len(cells) == 25 * len(APPLICANTS)
    assert cells["requests.total_handled.natural_person"] == "2" and cells["requests.granted.total"] == "0"
    assert cells["requests.new_received.total"] == "2"
    # the findings' text beside the tables, numbered like the cells' markers
    aside = browser.js("document.querySelector('.report aside').innerText")
    for d in details:
        assert d in aside
    assert browser.js("document.querySelector('td[data-cell=\"requests.total_handled.total\"] sup').textContent") in ("1", "2")
    # the stored copy is linked and served
    href = browser.js("document.querySelector('ul.copies a').getAttribute('href')")
    assert href.startswith("copies/") and href.endswith(".txt")
    shot(browser, "report_inconsistent")
    assert_local(browser.requests, served)


def test_issuer_page_and_search(browser, served):
    browser.requests.clear()
    browser.open(served + "issuer.html#" + site_key("阜新市人民政府办公室"))
    assert browser.js("document.querySelector('h1').textContent") == "阜新市人民政府办公室"
    assert browser.js("document.querySelector('.behind').textContent").startswith("1 reports behind this figure")
    # the side-by-side tables: one column per year; 本年新收 总计 of the 2023 report is 43
    side = browser.js("document.querySelector('td[data-cell=\"requests.new_received.total\"]').textContent")
    assert side == "43"
    shot(browser, "issuer")

    browser.open(served + "search.html#" + "人民政府办公室")
    hits = browser.js("[...document.querySelectorAll('.results tbody tr td:first-child')].map(td => td.textContent)")
    assert sorted(hits) == ["义马市人民政府办公室", "山海关区人民政府办公室", "阜新市人民政府办公室"]
    assert_local(browser.requests, served)


def assert_local(requests: list[str], served: str) -> None:
    """No request left 127.0.0.1: every URL the pages asked for is the test server's (or inline data)."""
    assert requests
    for url in requests:
        u = urlparse(url)
        assert u.scheme in ("data", "blob", "about") or (u.scheme == "http" and u.hostname == "127.0.0.1"), url


def test_rebuild_replaces_the_site_and_never_writes_into_a_foreign_folder(site, tmp_path):
    from pipelines import warehouse
    from pipelines.site import build_site

    _, env = site
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep me")
    with warehouse.connect_reader(env["ZFXXGK_DB"]) as conn:
        with pytest.raises(FileExistsError):
            build_site(conn, foreign)
        assert (foreign / "mine.txt").read_text() == "keep me"
        out = tmp_path / "site"
        first = build_site(conn, out, copies=False)
        (out / "data" / "stale.js").write_text("old")
        second = build_site(conn, out, copies=False)
    assert (first.reports, first.issuers, second.reports) == (5, 5, 5)
    assert not (out / "data" / "stale.js").exists() and not (out / "copies").exists()
    # without copies the report pages link only to where each document came from
    report = (out / "data" / "report" / site_key(INCONSISTENT_REPORT)[:2] / f"{site_key(INCONSISTENT_REPORT)}.js")
    assert '"href":null' in report.read_text(encoding="utf-8")


def test_out__site_asset_builds_the_site_after_the_published_copy(site, tmp_path):
    import dagster as dg

    from pipelines.defs.resources import DataDirResource, WarehouseResource
    from pipelines.defs.site import PUBLISHED_WAREHOUSE, out__site

    _, env = site
    assert PUBLISHED_WAREHOUSE in out__site.asset_deps[out__site.key]
    result = dg.materialize([out__site], resources={"warehouse": WarehouseResource(path=env["ZFXXGK_DB"]),
                                                    "data_dir": DataDirResource(path=str(tmp_path))})
    assert result.success
    meta = result.asset_materializations_for_node("out__site")[0].metadata
    assert meta["reports"].value == 5 and meta["stored_copies"].value == 5
    assert (tmp_path / "site" / "report.html").exists()


def test_pages_work_opened_from_disk(browser, site):
    """No server needed: the data files are scripts, which file:// pages may load (fetch may not)."""
    path, _ = site
    browser.requests.clear()
    browser.open((path / "report.html").as_uri() + "#" + site_key(INCONSISTENT_REPORT))
    assert browser.js("document.querySelectorAll('td.flagged').length") == 44
    browser.open((path / "map.html").as_uri())
    assert browser.js("document.querySelectorAll('figure[data-figure=map] svg path').length") >= 34
    assert {urlparse(u).scheme for u in browser.requests} == {"file"}
